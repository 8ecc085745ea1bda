/*
 * FrameAllocator client (schema/capos.capnp): physical frames charged to
 * this process's frame-grant ledger, all returned by the kernel at exit.
 * Functions return 0 or a negative code (details in err, capos/call.h).
 */
#ifndef CAPOS_RT_FRAME_ALLOCATOR_H
#define CAPOS_RT_FRAME_ALLOCATOR_H

#include <stdint.h>
#include <capos/call.h>
#include <capos/capset.h>
#include <capos/handle.h>
#include <capos/ring.h>

struct capos_frame_allocator {
	struct capos_ring *ring;
	struct capos_cap cap;
};

struct capos_frame_stats {
	uint64_t total_frames; /* frames the kernel manages           */
	uint64_t free_frames;  /* free in the whole system right now   */
	uint64_t held_frames;  /* charged to this process (frames + VM pages) */
};

int capos_frame_allocator_open(struct capos_frame_allocator *fa, struct capos_ring *r,
                               const struct capos_capset *cs, const char *name);
int capos_frame_allocator_from_cap(struct capos_frame_allocator *fa, struct capos_ring *r,
                                   struct capos_cap cap);

int capos_frame_alloc(const struct capos_frame_allocator *fa, uint64_t *phys,
                      struct capos_call_error *err);
int capos_frame_alloc_contiguous(const struct capos_frame_allocator *fa, uint32_t count,
                                 uint64_t *phys, struct capos_call_error *err);
int capos_frame_free(const struct capos_frame_allocator *fa, uint64_t phys,
                     struct capos_call_error *err);
int capos_frame_query(const struct capos_frame_allocator *fa, struct capos_frame_stats *s,
                      struct capos_call_error *err);

#endif /* CAPOS_RT_FRAME_ALLOCATOR_H */
