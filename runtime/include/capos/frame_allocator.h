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

/*
 * MemoryObject (FrameAllocator.allocMemory): `pages` zeroed frames owned by
 * the handle.  map/unmap place the whole object in this address space;
 * dropping the handle queues its RELEASE (capos_flush_releases forces it);
 * the frames are freed when the last handle is gone and nothing maps them.
 */
struct capos_memory_object {
	struct capos_ring *ring;
	struct capos_cap cap; /* owned */
};

int capos_frame_alloc_memory(const struct capos_frame_allocator *fa, uint32_t pages,
                             struct capos_memory_object *mo, struct capos_call_error *err);
int capos_memory_object_info(const struct capos_memory_object *mo, uint32_t *pages,
                             uint64_t *size, struct capos_call_error *err);
/* hint and prot as in capos_vm_map. */
int capos_memory_object_map(const struct capos_memory_object *mo, uint64_t hint, uint32_t prot,
                            uint64_t *addr, struct capos_call_error *err);
int capos_memory_object_unmap(const struct capos_memory_object *mo, uint64_t addr,
                              struct capos_call_error *err);
void capos_memory_object_drop(struct capos_memory_object *mo);

#endif /* CAPOS_RT_FRAME_ALLOCATOR_H */
