/*
 * FrameAllocator capability: physical frames granted to the CALLER and
 * charged to its frame-grant ledger (schema/capos.capnp).
 *   allocFrame @0 () -> (physAddr)
 *   freeFrame @1 (physAddr)
 *   allocContiguous @2 (count) -> (physAddr)
 *   query @3 () -> (totalFrames, freeFrames, heldFrames)
 *   allocMemory @4 (pages) -> (memoryIndex): a MemoryObject as result
 *     cap 0 (kernel/cap/memory_object.c)
 * Frames a process still holds at exit come back in proc_memory_teardown.
 */
#include <capos/abi.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "frame_ledger.h"
#include "log.h"
#include "mem/pmm.h"
#include "memory_object.h"
#include "proc/process.h"
#include "mem/user_memory.h"
#include "registry.h"

static struct frame_allocator {
	int unused;
} the_frame_allocator;

static void *fa_boot_object(void) { return &the_frame_allocator; }

static int fa_refuse(struct kcap_call *c, const char *method, enum umem_status s,
                     const char *why)
{
	return kcap_refuse(c, "FrameAllocator", method, s == UMEM_OVERLOADED, why);
}

/* Results of allocFrame and allocContiguous: one UInt64 at the same place. */
static int phys_result(struct kcap_call *c, uint64_t phys)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	capos_FrameAllocator_allocFrame_Results_set_physAddr(
		capos_FrameAllocator_allocFrame_Results_init_root(&b), phys);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		panic("FrameAllocator: result does not fit the kernel scratch");
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static const struct kcall_method fa_methods[] = {
	/* clang-format off */
	{capos_FrameAllocator_allocFrame_METHOD, "allocFrame",
	 {KCALL_FLAT(capos_FrameAllocator_allocFrame_Results), 0}},
	{capos_FrameAllocator_freeFrame_METHOD, "freeFrame",
	 {KCALL_FLAT(capos_FrameAllocator_freeFrame_Results), 0}},
	{capos_FrameAllocator_allocContiguous_METHOD, "allocContiguous",
	 {KCALL_FLAT(capos_FrameAllocator_allocContiguous_Results), 0}},
	{capos_FrameAllocator_query_METHOD, "query",
	 {KCALL_FLAT(capos_FrameAllocator_query_Results), 0}},
	{capos_FrameAllocator_allocMemory_METHOD, "allocMemory",
	 {KCALL_FLAT(capos_FrameAllocator_allocMemory_Results), 1}},
};
/* clang-format on */

/* arg[0]: the frame count (allocFrame, allocContiguous), the frame
 * (freeFrame) or the pages (allocMemory). */
static int fa_decode(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	switch (c->method_id) {
	case capos_FrameAllocator_allocFrame_METHOD:
		c->arg[0] = 1;
		break;
	case capos_FrameAllocator_allocContiguous_METHOD:
		c->arg[0] = capos_FrameAllocator_allocContiguous_Params_get_count(
			capos_FrameAllocator_allocContiguous_Params_read_root(&m));
		break;
	case capos_FrameAllocator_freeFrame_METHOD:
		c->arg[0] = capos_FrameAllocator_freeFrame_Params_get_physAddr(
			capos_FrameAllocator_freeFrame_Params_read_root(&m));
		break;
	case capos_FrameAllocator_allocMemory_METHOD:
		c->arg[0] = capos_FrameAllocator_allocMemory_Params_get_pages(
			capos_FrameAllocator_allocMemory_Params_read_root(&m));
		break;
	default: /* query: no params */
		break;
	}
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	/* The arguments alone (user_memory.c and memory_object.c repeat these). */
	switch (c->method_id) {
	case capos_FrameAllocator_allocContiguous_METHOD:
		if (c->arg[0] == 0 || c->arg[0] > UMEM_CONTIG_MAX)
			return fa_refuse(c, "allocContiguous", UMEM_INVALID, "count must be 1..512");
		break;
	case capos_FrameAllocator_freeFrame_METHOD:
		if (c->arg[0] == 0 || (c->arg[0] & (PAGE_SIZE - 1)) != 0)
			return fa_refuse(c, "freeFrame", UMEM_INVALID,
			                 frame_ledger_strerror(LEDGER_BAD_ADDR));
		break;
	case capos_FrameAllocator_allocMemory_METHOD:
		return memory_object_check_pages(c, (uint32_t)c->arg[0]);
	default:
		break;
	}
	return CAPOS_OK;
}

static int fa_perform(void *object, struct kcap_call *c)
{
	(void)object;
	const char *why = "";
	enum umem_status s;
	uint64_t phys = 0;

	switch (c->method_id) {
	case capos_FrameAllocator_allocFrame_METHOD:
		s = umem_frame_alloc(c->caller, 1, &phys, &why);
		return s ? fa_refuse(c, "allocFrame", s, why) : phys_result(c, phys);
	case capos_FrameAllocator_allocContiguous_METHOD:
		s = umem_frame_alloc(c->caller, (uint32_t)c->arg[0], &phys, &why);
		return s ? fa_refuse(c, "allocContiguous", s, why) : phys_result(c, phys);
	case capos_FrameAllocator_freeFrame_METHOD:
		s = umem_frame_free(c->caller, c->arg[0], &why);
		return s ? fa_refuse(c, "freeFrame", s, why) : kcap_empty_result(c);
	case capos_FrameAllocator_query_METHOD: {
		struct umem_query q;
		umem_frame_query(c->caller, &q);
		struct capnp_builder b;
		size_t len = 0;
		capnp_builder_init(&b, c->result, c->result_cap);
		capos_FrameAllocator_query_Results_builder r =
			capos_FrameAllocator_query_Results_init_root(&b);
		capos_FrameAllocator_query_Results_set_totalFrames(r, q.total_frames);
		capos_FrameAllocator_query_Results_set_freeFrames(r, q.free_frames);
		capos_FrameAllocator_query_Results_set_heldFrames(r, q.held_frames);
		if (capnp_builder_finish(&b, &len) != CAPNP_OK)
			panic("FrameAllocator.query: result does not fit the kernel scratch");
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	default: { /* allocMemory (the method table lists no others) */
		int err = memory_object_create(c, (uint32_t)c->arg[0]);
		if (err != CAPOS_OK)
			return err;
		/* The object is result cap 0. */
		struct capnp_builder b;
		size_t len = 0;
		capnp_builder_init(&b, c->result, c->result_cap);
		capos_FrameAllocator_allocMemory_Results_set_memoryIndex(
			capos_FrameAllocator_allocMemory_Results_init_root(&b), 0);
		if (capnp_builder_finish(&b, &len) != CAPNP_OK)
			panic("FrameAllocator.allocMemory: result does not fit the kernel scratch");
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	}
}

const struct kcap_type kcap_frame_allocator_type = {
	.kind = KCAP_FRAME_ALLOCATOR,
	KCAP_METHODS(fa_methods),
	.decode = fa_decode,
	.perform = fa_perform,
	.drop = 0, /* static object; the ledger belongs to the process */
	.boot_object = fa_boot_object,
};
