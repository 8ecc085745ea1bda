/* lib/heap_alloc.c: the allocator behind kmalloc/kfree, on a host buffer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "heap_alloc.h"

#define ARENA (4u * 1024u * 1024u)

struct arena {
	uint8_t *base;
	size_t mapped; /* bytes "mapped" so far */
	size_t limit;  /* grow refuses past this */
	unsigned grows;
};

static struct arena ar;
static struct heap_alloc h;

static size_t grow(void *ctx, size_t bytes)
{
	struct arena *a = ctx;
	size_t add = (bytes + 4095) & ~(size_t)4095;
	if (a->mapped + add > a->limit)
		return 0;
	a->mapped += add;
	a->grows++;
	return add;
}

static void setup(void)
{
	ar.base = aligned_alloc(4096, ARENA);
	cr_assert_not_null(ar.base);
	ar.mapped = 0;
	ar.limit = ARENA;
	ar.grows = 0;
	heap_alloc_init(&h, ar.base, ARENA, grow, &ar);
}

static void teardown(void)
{
	free(ar.base);
}

TestSuite(heap, .init = setup, .fini = teardown);

Test(heap, empty_heap_is_consistent)
{
	cr_assert(heap_alloc_check(&h));
	cr_assert_eq(h.size, 0);
	cr_assert_eq(heap_alloc_free_bytes(&h), 0);
}

Test(heap, small_allocations_are_aligned_and_distinct)
{
	void *p[100];
	for (int i = 0; i < 100; i++) {
		p[i] = heap_alloc_alloc(&h, (size_t)i, 0);
		cr_assert_not_null(p[i]);
		cr_assert_eq((uintptr_t)p[i] % HEAP_ALIGN, 0);
		cr_assert_geq(heap_alloc_usable_size(&h, p[i]), (size_t)i);
		memset(p[i], i, (size_t)i);
	}
	for (int i = 0; i < 100; i++)
		for (int j = 0; j < i; j++)
			cr_assert_eq(((uint8_t *)p[i])[j], i, "block %d was overwritten", i);
	cr_assert_eq(h.alloc_count, 100);
	cr_assert(heap_alloc_check(&h));
	for (int i = 0; i < 100; i++)
		cr_assert_eq(heap_alloc_free(&h, p[i]), HEAP_FREE_OK);
	cr_assert_eq(h.used_bytes, 0);
	cr_assert_eq(h.alloc_count, 0);
	cr_assert(heap_alloc_check(&h));
}

Test(heap, freeing_everything_coalesces_into_one_block)
{
	void *p[64];
	for (int i = 0; i < 64; i++)
		p[i] = heap_alloc_alloc(&h, 100 + (size_t)i * 7, 0);
	/* Free odd then even: merging has to work from both sides. */
	for (int i = 1; i < 64; i += 2)
		heap_alloc_free(&h, p[i]);
	for (int i = 0; i < 64; i += 2)
		heap_alloc_free(&h, p[i]);
	cr_assert(heap_alloc_check(&h));
	cr_assert_eq(heap_alloc_free_bytes(&h), h.size);
	/* One free block: a request for nearly the whole region fits without growing. */
	unsigned grows = ar.grows;
	void *big = heap_alloc_alloc(&h, h.size - HEAP_HEADER, 0);
	cr_assert_not_null(big);
	cr_assert_eq(ar.grows, grows);
}

Test(heap, alignment_requests_are_honoured)
{
	for (size_t align = 16; align <= 65536; align <<= 1) {
		void *p = heap_alloc_alloc(&h, 24, align);
		cr_assert_not_null(p, "align %zu", align);
		cr_assert_eq((uintptr_t)p % align, 0, "align %zu gave %p", align, p);
		memset(p, 0xab, 24);
	}
	cr_assert(heap_alloc_check(&h));
}

Test(heap, bad_alignment_and_huge_sizes_fail_cleanly)
{
	cr_assert_null(heap_alloc_alloc(&h, 16, 24));
	cr_assert_null(heap_alloc_alloc(&h, SIZE_MAX, 0));
	cr_assert_null(heap_alloc_alloc(&h, SIZE_MAX - 8, 16));
	cr_assert_null(heap_alloc_alloc(&h, ARENA + 1, 0));
	cr_assert(heap_alloc_check(&h));
	cr_assert_eq(h.alloc_count, 0);
}

Test(heap, out_of_memory_returns_null_and_recovers)
{
	ar.limit = 256 * 1024;
	void *p[1000];
	int n = 0;
	while (n < 1000 && (p[n] = heap_alloc_alloc(&h, 1000, 0)) != NULL)
		n++;
	cr_assert(n > 100 && n < 1000, "n = %d", n);
	cr_assert(heap_alloc_check(&h));
	heap_alloc_free(&h, p[n / 2]);
	cr_assert_not_null(heap_alloc_alloc(&h, 1000, 0), "a freed block is reused");
}

Test(heap, free_refuses_foreign_and_double_frees)
{
	void *p = heap_alloc_alloc(&h, 64, 0);
	int local;
	cr_assert_eq(heap_alloc_free(&h, NULL), HEAP_FREE_OK);
	cr_assert_eq(heap_alloc_free(&h, &local), HEAP_FREE_BAD_PTR);
	cr_assert_eq(heap_alloc_free(&h, (uint8_t *)p + 16), HEAP_FREE_BAD_PTR);
	cr_assert_eq(heap_alloc_free(&h, (uint8_t *)p + 1), HEAP_FREE_BAD_PTR);
	cr_assert_eq(heap_alloc_free(&h, p), HEAP_FREE_OK);
	cr_assert_eq(heap_alloc_free(&h, p), HEAP_FREE_DOUBLE);
	cr_assert(heap_alloc_check(&h));
}

Test(heap, check_detects_a_smashed_header)
{
	uint8_t *p = heap_alloc_alloc(&h, 64, 0);
	void *q = heap_alloc_alloc(&h, 64, 0);
	cr_assert_not_null(q);
	memset(p, 0, 64 + 16); /* overruns into q's header */
	cr_assert(!heap_alloc_check(&h));
	cr_assert_eq(heap_alloc_free(&h, q), HEAP_FREE_BAD_PTR);
}

Test(heap, storm_with_mixed_sizes_and_alignments)
{
	struct {
		uint8_t *p;
		size_t n;
		uint8_t tag;
	} s[256] = {0};
	srand(7);
	for (int round = 0; round < 50000; round++) {
		int i = rand() % 256;
		if (s[i].p) {
			for (size_t k = 0; k < s[i].n; k++)
				cr_assert_eq(s[i].p[k], s[i].tag);
			cr_assert_eq(heap_alloc_free(&h, s[i].p), HEAP_FREE_OK);
			s[i].p = NULL;
		} else {
			size_t n = rand() % 4 == 0 ? (size_t)rand() % 9000 : (size_t)rand() % 200;
			size_t align = rand() % 6 == 0 ? (size_t)16 << (rand() % 8) : 0;
			s[i].p = heap_alloc_alloc(&h, n, align);
			cr_assert_not_null(s[i].p);
			if (align)
				cr_assert_eq((uintptr_t)s[i].p % align, 0);
			s[i].n = n;
			s[i].tag = (uint8_t)rand();
			memset(s[i].p, s[i].tag, n);
		}
		if (round % 5000 == 0)
			cr_assert(heap_alloc_check(&h));
	}
	for (int i = 0; i < 256; i++)
		heap_alloc_free(&h, s[i].p);
	cr_assert(heap_alloc_check(&h));
	cr_assert_eq(h.used_bytes, 0);
	cr_assert_eq(heap_alloc_free_bytes(&h), h.size);
}

Test(heap, no_grow_callback_means_no_memory)
{
	heap_alloc_init(&h, ar.base, ARENA, NULL, NULL);
	cr_assert_null(heap_alloc_alloc(&h, 1, 0));
}
