/* Frame bitmap (see frame_bitmap.h): bit set = frame used. */
#include "frame_bitmap.h"

static bool test_bit(const struct frame_bitmap *fb, uint64_t f)
{
	return (fb->bits[f / 64] >> (f % 64)) & 1;
}

static void set_bit(struct frame_bitmap *fb, uint64_t f)
{
	fb->bits[f / 64] |= 1ull << (f % 64);
}

static void clear_bit(struct frame_bitmap *fb, uint64_t f)
{
	fb->bits[f / 64] &= ~(1ull << (f % 64));
}

uint64_t frame_bitmap_storage_bytes(uint64_t nframes)
{
	return (nframes + 63) / 64 * 8;
}

void frame_bitmap_init(struct frame_bitmap *fb, uint64_t *storage, uint64_t nframes)
{
	fb->bits = storage;
	fb->nframes = nframes;
	fb->free_count = 0;
	fb->total_count = 0;
	fb->next = 1;
	for (uint64_t i = 0; i < (nframes + 63) / 64; i++)
		storage[i] = ~0ull;
}

uint64_t frame_bitmap_add_range(struct frame_bitmap *fb, uint64_t base, uint64_t len)
{
	if (base + len < base)
		len = UINT64_MAX - base; /* clamp a range that wraps */
	/* Rounded up without base + FRAME_SIZE - 1, which wraps to frame 0 for
	 * a range in the last page of the address space. */
	uint64_t first = base / FRAME_SIZE + (base % FRAME_SIZE != 0);
	uint64_t end = (base + len) / FRAME_SIZE; /* exclusive, rounded down */
	if (end > fb->nframes)
		end = fb->nframes;
	if (first == 0)
		first = 1; /* frame 0 stays used: 0 means "no frame" */
	uint64_t added = 0;
	for (uint64_t f = first; f < end; f++) {
		if (test_bit(fb, f)) {
			clear_bit(fb, f);
			added++;
		}
	}
	fb->free_count += added;
	fb->total_count += added;
	return added;
}

uint64_t frame_bitmap_reserve_range(struct frame_bitmap *fb, uint64_t base, uint64_t len)
{
	if (len == 0)
		return 0;
	uint64_t first = base / FRAME_SIZE;
	uint64_t last = base + len - 1 < base ? UINT64_MAX / FRAME_SIZE
	                                      : (base + len - 1) / FRAME_SIZE;
	if (last >= fb->nframes)
		last = fb->nframes - 1;
	uint64_t reserved = 0;
	for (uint64_t f = first; f <= last && f < fb->nframes; f++) {
		if (!test_bit(fb, f)) {
			set_bit(fb, f);
			reserved++;
		}
	}
	fb->free_count -= reserved;
	fb->total_count -= reserved;
	return reserved;
}

uint64_t frame_bitmap_alloc(struct frame_bitmap *fb)
{
	if (fb->free_count == 0)
		return 0;
	uint64_t words = (fb->nframes + 63) / 64;
	uint64_t start = fb->next / 64;
	for (uint64_t i = 0; i < words; i++) {
		uint64_t w = (start + i) % words;
		if (fb->bits[w] == ~0ull)
			continue;
		uint64_t f = w * 64 + (uint64_t)__builtin_ctzll(~fb->bits[w]);
		if (f >= fb->nframes)
			continue;
		set_bit(fb, f);
		fb->free_count--;
		fb->next = f + 1 < fb->nframes ? f + 1 : 1;
		return f * FRAME_SIZE;
	}
	return 0;
}

enum frame_free_result frame_bitmap_free(struct frame_bitmap *fb, uint64_t phys)
{
	if (phys % FRAME_SIZE != 0 || phys == 0 || phys / FRAME_SIZE >= fb->nframes)
		return FRAME_FREE_BAD_ADDR;
	uint64_t f = phys / FRAME_SIZE;
	if (!test_bit(fb, f))
		return FRAME_FREE_DOUBLE;
	clear_bit(fb, f);
	fb->free_count++;
	if (f < fb->next)
		fb->next = f; /* keep allocations low and dense */
	return FRAME_FREE_OK;
}

bool frame_bitmap_is_used(const struct frame_bitmap *fb, uint64_t phys)
{
	uint64_t f = phys / FRAME_SIZE;
	return f >= fb->nframes || test_bit(fb, f);
}
