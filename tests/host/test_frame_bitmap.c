/* lib/frame_bitmap.c: the physical frame bookkeeping behind pmm_*. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "frame_bitmap.h"

#define MIB (1024ull * 1024ull)

static struct frame_bitmap fb;
static uint64_t *storage;

static void setup_frames(uint64_t nframes)
{
	storage = malloc(frame_bitmap_storage_bytes(nframes));
	cr_assert_not_null(storage);
	frame_bitmap_init(&fb, storage, nframes);
}

static void teardown(void)
{
	free(storage);
	storage = NULL;
}

TestSuite(frame_bitmap, .fini = teardown);

Test(frame_bitmap, storage_rounds_up_to_words)
{
	cr_assert_eq(frame_bitmap_storage_bytes(1), 8);
	cr_assert_eq(frame_bitmap_storage_bytes(64), 8);
	cr_assert_eq(frame_bitmap_storage_bytes(65), 16);
}

Test(frame_bitmap, starts_with_everything_used)
{
	setup_frames(100);
	cr_assert_eq(fb.free_count, 0);
	cr_assert_eq(fb.total_count, 0);
	cr_assert_eq(frame_bitmap_alloc(&fb), 0);
	for (uint64_t f = 0; f < 100; f++)
		cr_assert(frame_bitmap_is_used(&fb, f * FRAME_SIZE));
}

Test(frame_bitmap, add_range_rounds_inward_and_counts)
{
	setup_frames(1024);
	/* 0x1800..0x5800: only frames 2,3,4 are whole. */
	cr_assert_eq(frame_bitmap_add_range(&fb, 0x1800, 0x4000), 3);
	cr_assert_eq(fb.free_count, 3);
	cr_assert_eq(fb.total_count, 3);
	cr_assert(frame_bitmap_is_used(&fb, 0x1000));
	cr_assert(!frame_bitmap_is_used(&fb, 0x2000));
	cr_assert(!frame_bitmap_is_used(&fb, 0x4000));
	cr_assert(frame_bitmap_is_used(&fb, 0x5000));
	/* Adding the same range again adds nothing. */
	cr_assert_eq(frame_bitmap_add_range(&fb, 0x2000, 0x3000), 0);
	cr_assert_eq(fb.total_count, 3);
}

Test(frame_bitmap, frame_zero_is_never_handed_out)
{
	setup_frames(16);
	cr_assert_eq(frame_bitmap_add_range(&fb, 0, 16 * FRAME_SIZE), 15);
	for (int i = 0; i < 15; i++) {
		uint64_t p = frame_bitmap_alloc(&fb);
		cr_assert_neq(p, 0);
		cr_assert_eq(p % FRAME_SIZE, 0);
	}
	cr_assert_eq(frame_bitmap_alloc(&fb), 0, "out of frames must return 0");
	cr_assert_eq(frame_bitmap_free(&fb, 0), FRAME_FREE_BAD_ADDR);
}

Test(frame_bitmap, ranges_beyond_the_bitmap_are_clipped)
{
	setup_frames(10);
	cr_assert_eq(frame_bitmap_add_range(&fb, 5 * FRAME_SIZE, 100 * FRAME_SIZE), 5);
	cr_assert_eq(frame_bitmap_add_range(&fb, UINT64_MAX - FRAME_SIZE, 10 * FRAME_SIZE), 0);
	cr_assert_eq(frame_bitmap_reserve_range(&fb, 8 * FRAME_SIZE, UINT64_MAX), 2);
	cr_assert_eq(fb.free_count, 3);
}

/* Found by the frame_bitmap property test: a range in the last page of the
 * address space rounded its first frame up past 2^64, to frame 0 (then 1),
 * and freed low frames the memory map never offered. */
Test(frame_bitmap, range_in_the_last_page_adds_nothing)
{
	setup_frames(64);
	cr_assert_eq(frame_bitmap_add_range(&fb, UINT64_MAX, UINT64_MAX), 0);
	cr_assert_eq(frame_bitmap_add_range(&fb, UINT64_MAX - 4094, 100), 0);
	cr_assert_eq(fb.free_count, 0);
	cr_assert(frame_bitmap_is_used(&fb, FRAME_SIZE));
}

Test(frame_bitmap, reserve_rounds_outward)
{
	setup_frames(64);
	frame_bitmap_add_range(&fb, 0, 64 * FRAME_SIZE);
	uint64_t before = fb.free_count;
	/* One byte in frame 10 and one in frame 11 reserve both. */
	cr_assert_eq(frame_bitmap_reserve_range(&fb, 10 * FRAME_SIZE + 4095, 2), 2);
	cr_assert_eq(fb.free_count, before - 2);
	cr_assert_eq(fb.total_count, before - 2);
	cr_assert(frame_bitmap_is_used(&fb, 10 * FRAME_SIZE));
	cr_assert(frame_bitmap_is_used(&fb, 11 * FRAME_SIZE));
	/* Reserving again changes nothing. */
	cr_assert_eq(frame_bitmap_reserve_range(&fb, 10 * FRAME_SIZE, 2 * FRAME_SIZE), 0);
	cr_assert_eq(frame_bitmap_reserve_range(&fb, 0, 0), 0);
}

Test(frame_bitmap, alloc_never_returns_reserved_or_duplicate)
{
	setup_frames(4096);
	frame_bitmap_add_range(&fb, 1 * MIB, 15 * MIB);
	frame_bitmap_reserve_range(&fb, 2 * MIB, 1 * MIB);
	uint64_t n = fb.free_count;
	uint8_t *seen = calloc(4096, 1);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p = frame_bitmap_alloc(&fb);
		cr_assert_neq(p, 0);
		cr_assert(p >= 1 * MIB && p < 16 * MIB);
		cr_assert(p < 2 * MIB || p >= 3 * MIB, "reserved frame %lx handed out", p);
		cr_assert_eq(seen[p / FRAME_SIZE], 0, "frame %lx handed out twice", p);
		seen[p / FRAME_SIZE] = 1;
	}
	cr_assert_eq(fb.free_count, 0);
	cr_assert_eq(frame_bitmap_alloc(&fb), 0);
	free(seen);
}

Test(frame_bitmap, free_detects_double_and_bad_addresses)
{
	setup_frames(64);
	frame_bitmap_add_range(&fb, 0, 64 * FRAME_SIZE);
	uint64_t p = frame_bitmap_alloc(&fb);
	cr_assert_eq(frame_bitmap_free(&fb, p), FRAME_FREE_OK);
	cr_assert_eq(frame_bitmap_free(&fb, p), FRAME_FREE_DOUBLE);
	cr_assert_eq(frame_bitmap_free(&fb, p + 1), FRAME_FREE_BAD_ADDR);
	cr_assert_eq(frame_bitmap_free(&fb, 64 * FRAME_SIZE), FRAME_FREE_BAD_ADDR);
	cr_assert_eq(frame_bitmap_free(&fb, UINT64_MAX & ~(FRAME_SIZE - 1)), FRAME_FREE_BAD_ADDR);
}

Test(frame_bitmap, storm_returns_to_baseline)
{
	setup_frames(2048);
	frame_bitmap_add_range(&fb, FRAME_SIZE, 2047 * FRAME_SIZE);
	uint64_t base = fb.free_count;
	uint64_t held[1500];
	unsigned n = 0;
	srand(42);
	for (int round = 0; round < 20000; round++) {
		if (n < 1500 && (n == 0 || rand() % 3 != 0)) {
			uint64_t p = frame_bitmap_alloc(&fb);
			cr_assert_neq(p, 0);
			held[n++] = p;
		} else {
			unsigned i = (unsigned)rand() % n;
			cr_assert_eq(frame_bitmap_free(&fb, held[i]), FRAME_FREE_OK);
			held[i] = held[--n];
		}
		cr_assert_eq(fb.free_count + n, base);
	}
	while (n)
		cr_assert_eq(frame_bitmap_free(&fb, held[--n]), FRAME_FREE_OK);
	cr_assert_eq(fb.free_count, base);
	cr_assert_eq(fb.total_count, base);
}

Test(frame_bitmap, freed_low_frames_are_reused_first)
{
	setup_frames(256);
	frame_bitmap_add_range(&fb, 0, 256 * FRAME_SIZE);
	uint64_t a = frame_bitmap_alloc(&fb), b = frame_bitmap_alloc(&fb);
	cr_assert_eq(a, FRAME_SIZE);
	cr_assert_eq(b, 2 * FRAME_SIZE);
	cr_assert_eq(frame_bitmap_free(&fb, a), FRAME_FREE_OK);
	cr_assert_eq(frame_bitmap_alloc(&fb), a);
}
