/*
 * FrameAllocator and MemoryObject clients (capos/frame_allocator.h) over
 * the generated stubs (generated/capos.capnp.rpc.h).
 */
#include <capos/frame_allocator.h>
#include <capos/string.h>
#include "capnp/capnp.h"
#include "capos.capnp.rpc.h"

int capos_frame_allocator_from_cap(struct capos_frame_allocator *fa, struct capos_ring *r,
                                   struct capos_cap cap)
{
	memset(fa, 0, sizeof(*fa));
	if (!cap.valid)
		return CAPOS_ERR_BAD_CAP;
	if (cap.interface_id != capos_FrameAllocator_ID)
		return CAPOS_ERR_NOT_PERMITTED;
	fa->ring = r;
	fa->cap = cap;
	return 0;
}

int capos_frame_allocator_open(struct capos_frame_allocator *fa, struct capos_ring *r,
                               const struct capos_capset *cs, const char *name)
{
	memset(fa, 0, sizeof(*fa));
	const struct capos_capset_entry *e = capos_capset_find(cs, name, capos_FrameAllocator_ID);
	if (e == NULL)
		return CAPOS_ERR_BAD_CAP;
	return capos_frame_allocator_from_cap(fa, r, capos_cap_borrow(e));
}

/* The generated clients (capos.capnp.rpc.h) on a handle and ring. */
static capos_FrameAllocator_Client fa_client(const struct capos_frame_allocator *fa)
{
	capos_FrameAllocator_Client cl = {{0}};
	if (fa != NULL) {
		cl.c.ring = fa->ring;
		cl.c.cap = fa->cap;
	}
	return cl;
}

static capos_MemoryObject_Client mo_client(const struct capos_memory_object *mo)
{
	capos_MemoryObject_Client cl = {{0}};
	if (mo != NULL) {
		cl.c.ring = mo->ring;
		cl.c.cap = mo->cap;
	}
	return cl;
}

int capos_frame_alloc(const struct capos_frame_allocator *fa, uint64_t *phys,
                      struct capos_call_error *err)
{
	capos_FrameAllocator_Client cl = fa_client(fa);
	capos_FrameAllocator_allocFrame_Reply r;
	int ret = capos_FrameAllocator_allocFrame(&cl, &r, err);
	if (ret == 0 && phys != NULL)
		*phys = r.physAddr;
	return ret;
}

int capos_frame_alloc_contiguous(const struct capos_frame_allocator *fa, uint32_t count,
                                 uint64_t *phys, struct capos_call_error *err)
{
	capos_FrameAllocator_Client cl = fa_client(fa);
	capos_FrameAllocator_allocContiguous_Reply r;
	int ret = capos_FrameAllocator_allocContiguous(&cl, count, &r, err);
	if (ret == 0 && phys != NULL)
		*phys = r.physAddr;
	return ret;
}

int capos_frame_free(const struct capos_frame_allocator *fa, uint64_t phys,
                     struct capos_call_error *err)
{
	capos_FrameAllocator_Client cl = fa_client(fa);
	return capos_FrameAllocator_freeFrame(&cl, phys, NULL, err);
}

int capos_frame_query(const struct capos_frame_allocator *fa, struct capos_frame_stats *s,
                      struct capos_call_error *err)
{
	capos_FrameAllocator_Client cl = fa_client(fa);
	capos_FrameAllocator_query_Reply r;
	int ret = capos_FrameAllocator_query(&cl, &r, err);
	if (ret != 0)
		return ret;
	s->total_frames = r.totalFrames;
	s->free_frames = r.freeFrames;
	s->held_frames = r.heldFrames;
	return 0;
}

static int fill_pages(capos_FrameAllocator_allocMemory_Params_builder p, struct capos_rpc_out *o,
                      void *arg)
{
	(void)o;
	capos_FrameAllocator_allocMemory_Params_set_pages(p, *(const uint32_t *)arg);
	return 0;
}

int capos_frame_alloc_memory(const struct capos_frame_allocator *fa, uint32_t pages,
                             struct capos_memory_object *mo, struct capos_call_error *err)
{
	memset(mo, 0, sizeof(*mo));
	capos_FrameAllocator_Client cl = fa_client(fa);
	capos_FrameAllocator_allocMemory_Reply r;
	/* The result names its cap by index (memoryIndex), not by a cap
	 * pointer: the generic call form leaves the caps to us. */
	int ret = capos_FrameAllocator_allocMemory_Call(&cl, fill_pages, &pages, &r, err);
	if (ret != 0)
		return ret;
	uint16_t index = capos_FrameAllocator_allocMemory_Results_get_memoryIndex(r.results);
	if (capnp_reader_error(&r.rpc.msg) != CAPNP_OK)
		ret = CAPOS_ERR_BAD_MESSAGE;
	else
		ret = capos_rpc_take_cap(&r.rpc, index, capos_MemoryObject_ID, &mo->cap);
	capos_rpc_release_rest(&r.rpc); /* do not leak whatever else came back */
	if (ret != 0)
		return capos_error_local(err, ret == CAPOS_ERR_BAD_CAP ? CAPOS_ERR_BAD_MESSAGE : ret);
	mo->ring = fa->ring;
	return 0;
}

int capos_memory_object_info(const struct capos_memory_object *mo, uint32_t *pages,
                             uint64_t *size, struct capos_call_error *err)
{
	capos_MemoryObject_Client cl = mo_client(mo);
	capos_MemoryObject_info_Reply r;
	int ret = capos_MemoryObject_info(&cl, &r, err);
	if (ret != 0)
		return ret;
	if (pages != NULL)
		*pages = r.pages;
	if (size != NULL)
		*size = r.size;
	return 0;
}

int capos_memory_object_map(const struct capos_memory_object *mo, uint64_t hint, uint32_t prot,
                            uint64_t *addr, struct capos_call_error *err)
{
	capos_MemoryObject_Client cl = mo_client(mo);
	capos_MemoryObject_map_Reply r;
	int ret = capos_MemoryObject_map(&cl, hint, prot, &r, err);
	if (ret == 0 && addr != NULL)
		*addr = r.addr;
	return ret;
}

int capos_memory_object_unmap(const struct capos_memory_object *mo, uint64_t addr,
                              struct capos_call_error *err)
{
	capos_MemoryObject_Client cl = mo_client(mo);
	return capos_MemoryObject_unmap(&cl, addr, NULL, err);
}

void capos_memory_object_drop(struct capos_memory_object *mo)
{
	capos_cap_drop(&mo->cap);
	mo->ring = NULL;
}
