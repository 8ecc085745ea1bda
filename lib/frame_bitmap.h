/*
 * Bookkeeping of physical frames: one bit per 4 KiB frame (1 = used), with
 * a free counter.  Pure logic, no memory of its own: the caller provides the
 * bitmap storage, so the same code runs in the kernel and in host tests.
 *
 * Frames start out used; the caller frees the usable ranges of the memory
 * map, then reserves what is taken (kernel, modules, boot info).
 */
#ifndef CAPOS_LIB_FRAME_BITMAP_H
#define CAPOS_LIB_FRAME_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_SIZE UINT64_C(4096)

struct frame_bitmap {
	uint64_t *bits;   /* nframes bits, rounded up to 64 */
	uint64_t nframes; /* frames 0 .. nframes-1 (frame n is at n*4096) */
	uint64_t free_count;
	uint64_t total_count; /* frames ever released by frame_bitmap_add_range */
	uint64_t next;        /* next-fit search hint */
};

/* Bytes of storage needed for nframes frames. */
uint64_t frame_bitmap_storage_bytes(uint64_t nframes);

/* All frames start used, total_count 0. */
void frame_bitmap_init(struct frame_bitmap *fb, uint64_t *storage, uint64_t nframes);

/* Make the whole frames inside [base, base+len) available (rounded inward);
 * counted in total_count. Frames beyond nframes are ignored. Returns frames added. */
uint64_t frame_bitmap_add_range(struct frame_bitmap *fb, uint64_t base, uint64_t len);

/* Mark every frame touching [base, base+len) used (rounded outward), e.g.
 * the kernel image; counted out of total_count. Returns frames newly reserved. */
uint64_t frame_bitmap_reserve_range(struct frame_bitmap *fb, uint64_t base, uint64_t len);

/* Physical address of a free frame now marked used, or 0 when none. Frame 0 is never returned. */
uint64_t frame_bitmap_alloc(struct frame_bitmap *fb);

/* Result of frame_bitmap_free. */
enum frame_free_result { FRAME_FREE_OK = 0,
	                 FRAME_FREE_DOUBLE = -1,
	                 FRAME_FREE_BAD_ADDR = -2 };
/* Frees the frame at phys (page-aligned, < nframes*4096). */
enum frame_free_result frame_bitmap_free(struct frame_bitmap *fb, uint64_t phys);

bool frame_bitmap_is_used(const struct frame_bitmap *fb, uint64_t phys);

#endif
