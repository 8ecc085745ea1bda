/*
 * The runtime's free-list allocator.
 */
#include <criterion/criterion.h>
#include <capos/heap.h>
#include <stdlib.h>
#include <string.h>

static struct capos_heap h;
static _Alignas(16) uint8_t arena[64 * 1024];

static void setup(void)
{
	capos_heap_init(&h);
	cr_assert_eq(capos_heap_add_region(&h, arena, sizeof(arena)), 0);
}

TestSuite(heap, .init = setup);

Test(heap, alloc_is_aligned_and_usable)
{
	for (size_t n = 1; n < 200; n += 13) {
		uint8_t *p = capos_heap_alloc(&h, n);
		cr_assert_not_null(p);
		cr_expect_eq((uintptr_t)p % CAPOS_HEAP_ALIGN, 0);
		cr_expect_geq(capos_heap_usable(p), n);
		memset(p, 0xab, n);
	}
	cr_expect_eq(capos_heap_check(&h), 0);
}

Test(heap, free_coalesces_back_to_one_block)
{
	void *p[50];
	for (int i = 0; i < 50; i++)
		cr_assert_not_null(p[i] = capos_heap_alloc(&h, 24 + i * 8));
	for (int i = 0; i < 50; i += 2)
		capos_heap_free(&h, p[i]);
	cr_expect_eq(capos_heap_check(&h), 0);
	for (int i = 1; i < 50; i += 2)
		capos_heap_free(&h, p[i]);
	cr_expect_eq(capos_heap_check(&h), 0);
	cr_expect_eq(h.stats.free_blocks, 1);
	cr_expect_eq(h.stats.live_blocks, 0);
	cr_expect_eq(h.stats.used_bytes, 0);
	/* The whole arena is one block again. */
	cr_expect_not_null(capos_heap_alloc(&h, sizeof(arena) - 64));
}

Test(heap, exhaustion_returns_null_and_counts)
{
	cr_expect_null(capos_heap_alloc(&h, sizeof(arena)));
	cr_expect_null(capos_heap_alloc(&h, SIZE_MAX));
	cr_expect_null(capos_heap_calloc(&h, SIZE_MAX / 2, 4));
	cr_expect_eq(h.stats.failures, 3);
}

Test(heap, double_and_foreign_frees_are_counted_not_applied)
{
	void *p = capos_heap_alloc(&h, 64);
	capos_heap_free(&h, p);
	capos_heap_free(&h, p);
	static _Alignas(16) uint8_t other[64];
	capos_heap_free(&h, other + 16);
	capos_heap_free(&h, (uint8_t *)capos_heap_alloc(&h, 64) + 1);
	cr_expect_eq(h.stats.bad_frees, 3);
	cr_expect_eq(capos_heap_check(&h), 0);
}

Test(heap, calloc_zeroes)
{
	uint8_t *p = capos_heap_alloc(&h, 256);
	memset(p, 0xff, 256);
	capos_heap_free(&h, p);
	uint8_t *q = capos_heap_calloc(&h, 16, 16);
	cr_assert_not_null(q);
	for (int i = 0; i < 256; i++)
		cr_assert_eq(q[i], 0);
}

Test(heap, realloc_keeps_contents)
{
	char *p = capos_heap_realloc(&h, NULL, 10);
	memcpy(p, "abcdefghi", 10);
	char *q = capos_heap_realloc(&h, p, 5000);
	cr_assert_not_null(q);
	cr_expect_str_eq(q, "abcdefghi");
	cr_expect_eq(capos_heap_realloc(&h, q, 3), q, "shrinking keeps the block");
	cr_expect_null(capos_heap_realloc(&h, q, 0));
	cr_expect_eq(h.stats.live_blocks, 0);
}

static _Alignas(16) uint8_t grow_area[32 * 1024];
static int grow_calls;

static void *grow(size_t min_bytes, size_t *got, void *ctx)
{
	(void)ctx;
	grow_calls++;
	if (grow_calls > 1 || min_bytes > sizeof(grow_area))
		return NULL;
	*got = sizeof(grow_area);
	return grow_area;
}

Test(heap, grow_hook_adds_a_region)
{
	grow_calls = 0;
	capos_heap_set_grow(&h, grow, NULL);
	void *big = capos_heap_alloc(&h, sizeof(arena) - 64);
	cr_assert_not_null(big);
	void *more = capos_heap_alloc(&h, 16 * 1024);
	cr_assert_not_null(more, "served from the grown region");
	cr_expect_eq(grow_calls, 1);
	cr_expect_eq(h.stats.regions, 2);
	cr_expect_null(capos_heap_alloc(&h, 20 * 1024), "hook says no: NULL");
	cr_expect_eq(capos_heap_check(&h), 0);
}

Test(heap, random_workload_stays_consistent)
{
	void *slot[64] = {0};
	size_t size[64] = {0};
	srand(1234);
	for (int step = 0; step < 20000; step++) {
		int i = rand() % 64;
		if (slot[i]) {
			for (size_t b = 0; b < size[i]; b++)
				cr_assert_eq(((uint8_t *)slot[i])[b], (uint8_t)i, "block %d corrupted", i);
			capos_heap_free(&h, slot[i]);
			slot[i] = NULL;
		} else {
			size[i] = (size_t)(rand() % 700) + 1;
			slot[i] = capos_heap_alloc(&h, size[i]);
			if (slot[i])
				memset(slot[i], i, size[i]);
		}
		if (step % 1000 == 0)
			cr_assert_eq(capos_heap_check(&h), 0);
	}
	for (int i = 0; i < 64; i++)
		capos_heap_free(&h, slot[i]);
	cr_expect_eq(h.stats.free_blocks, 1);
	cr_expect_eq(capos_heap_check(&h), 0);
}
