/*
 * MemoryObject capability (schema/capos.capnp):
 *   info @0 () -> (pages, size)
 *   map @1 (hint, prot) -> (addr)      the whole object, into the caller
 *   unmap @2 (addr)                    one earlier map of this object
 * Created by FrameAllocator.allocMemory, which returns it as result cap.
 *
 * The object's descriptor fills one frame of its own (so creating objects
 * never grows the kernel heap), and it is reference counted: each
 * capability holds one reference, and each mapped page holds one, so the
 * frames cannot be freed while they are still mapped.  Its frames are
 * charged to the creator's ledger while the creator lives; the cap can be
 * transferred (shared memory), so the object may outlive its creator.
 * W^X holds across all its mappings in every process (vm_wx): it is never
 * mapped writable and executable at the same time.  Frames of all objects are bounded system-wide
 * (MEMOBJ_SYSTEM_FRAMES); every creation and destruction is logged with
 * that total.
 */
#include "memory_object.h"

#include <capos/abi.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "format.h"
#include "log.h"
#include "mem/vmm.h"
#include "mem/pmm.h"
#include "proc/process.h"
#include "mem/user_memory.h"
#include "vm_ranges.h"

#define MEMOBJ_MAGIC 0x4d454d4fu /* "MEMO" */

struct memory_object {
	uint32_t magic;
	uint32_t id;
	uint32_t pages;
	uint32_t creator_pid; /* charged with the frames (see umem_object_charge) */
	struct process *creator;
	uint64_t refs;     /* capabilities + mapped pages */
	struct vm_wx wx;   /* live writable / executable mappings, all processes */
	uint64_t frames[]; /* pages entries */
};

_Static_assert(sizeof(struct memory_object) + MEMOBJ_MAX_PAGES * sizeof(uint64_t) <= 4096,
               "a memory object descriptor fits one frame");

static uint64_t objects_frames;
static uint32_t next_id = 1;

static void destroy(struct memory_object *o)
{
	for (uint32_t i = 0; i < o->pages; i++)
		pmm_free(o->frames[i]);
	objects_frames -= o->pages;
	umem_object_freed(o->creator, o->creator_pid, o->pages + 1); /* + descriptor */
	kprintf("mem: memory object %u freed: %u frames returned (memory objects hold %lu frames)\n",
	        o->id, o->pages, objects_frames);
	o->magic = 0;
	pmm_free(virt_to_phys(o));
}

static void put(struct memory_object *o, uint64_t n)
{
	if (o->magic != MEMOBJ_MAGIC || n > o->refs)
		panic("memory object %p: bad reference drop (%lu of %lu)", (void *)o, n, o->refs);
	o->refs -= n;
	if (o->refs == 0)
		destroy(o);
}

static void memobj_drop(void *object) { put(object, 1); }

static void memobj_retain(void *object)
{
	struct memory_object *o = object;
	o->refs++;
}

void memory_object_unmapped(uint64_t tag, uint64_t pages, uint32_t prot)
{
	struct memory_object *o = (struct memory_object *)(uintptr_t)tag;
	vm_wx_remove(&o->wx, prot);
	put(o, pages);
}

extern const struct kcap_type kcap_memory_object_type;

int memory_object_check_pages(struct kcap_call *c, uint32_t pages)
{
	if (pages == 0 || pages > MEMOBJ_MAX_PAGES)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "FrameAllocator.allocMemory: pages must be 1..500");
	return CAPOS_OK;
}

int memory_object_create(struct kcap_call *c, uint32_t pages)
{
	if (memory_object_check_pages(c, pages) != CAPOS_OK)
		return CAPOS_ERR_APPLICATION_EXCEPTION;
	if (objects_frames + pages > MEMOBJ_SYSTEM_FRAMES)
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "FrameAllocator.allocMemory: memory-object frame limit reached");
	/* The descriptor lives in a frame of its own (no kernel heap growth). */
	uint64_t home = pmm_alloc();
	if (home == 0)
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "FrameAllocator.allocMemory: out of physical frames");
	struct memory_object *o = phys_to_virt(home);
	for (uint32_t i = 0; i < pages; i++) {
		o->frames[i] = pmm_alloc();
		if (o->frames[i] == 0) {
			for (uint32_t k = 0; k < i; k++)
				pmm_free(o->frames[k]);
			pmm_free(home);
			return kcap_exception(c, capos_CapException_Type_overloaded,
			                      "FrameAllocator.allocMemory: out of physical frames");
		}
	}
	const char *why = "";
	if (umem_object_charge(c->caller, pages + 1, &why) != UMEM_OK) {
		for (uint32_t k = 0; k < pages; k++)
			pmm_free(o->frames[k]);
		pmm_free(home);
		char msg[128];
		format_snprintf(msg, sizeof msg, "FrameAllocator.allocMemory: %s", why);
		return kcap_exception(c, capos_CapException_Type_overloaded, msg);
	}
	o->creator = c->caller->leader;
	o->creator_pid = c->caller->leader->pid;
	o->magic = MEMOBJ_MAGIC;
	o->id = next_id++;
	o->pages = pages;
	o->refs = 1; /* the result cap */
	o->wx = (struct vm_wx){0, 0};
	objects_frames += pages;
	c->caps[0] = (struct cap_entry){
		.object = o,
		.interface_id = kcap_info(&kcap_memory_object_type)->interface_id,
		.badge = 0,
		.type = KCAP_MEMORY_OBJECT,
	};
	c->cap_count = 1;
	kprintf("mem: pid %u created memory object %u: %u frames (memory objects hold %lu frames)\n",
	        c->caller->pid, o->id, pages, objects_frames);
	return CAPOS_OK;
}

static int refuse(struct kcap_call *c, const char *method, enum umem_status s, const char *why)
{
	char msg[128];
	format_snprintf(msg, sizeof msg, "MemoryObject.%s: %s", method, why);
	kprintf("mem: pid %u MemoryObject.%s refused: %s\n", c->caller->pid, method, why);
	return kcap_exception(c,
	                      s == UMEM_OVERLOADED ? capos_CapException_Type_overloaded
	                                           : capos_CapException_Type_invalidArgument,
	                      msg);
}

static const struct kcall_method memobj_methods[] = {
	{capos_MemoryObject_info_METHOD, "info", {KCALL_FLAT(capos_MemoryObject_info_Results), 0}},
	{capos_MemoryObject_map_METHOD, "map", {KCALL_FLAT(capos_MemoryObject_map_Results), 0}},
	{capos_MemoryObject_unmap_METHOD, "unmap", {KCALL_FLAT(capos_MemoryObject_unmap_Results), 0}},
};

/* arg[0..1]: map (hint, prot), unmap (addr). */
static int memobj_decode(void *object, struct kcap_call *c)
{
	struct memory_object *o = object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == capos_MemoryObject_map_METHOD) {
		capos_MemoryObject_map_Params_reader r = capos_MemoryObject_map_Params_read_root(&m);
		c->arg[0] = capos_MemoryObject_map_Params_get_hint(r);
		c->arg[1] = capos_MemoryObject_map_Params_get_prot(r);
	} else if (c->method_id == capos_MemoryObject_unmap_METHOD) {
		c->arg[0] = capos_MemoryObject_unmap_Params_get_addr(
			capos_MemoryObject_unmap_Params_read_root(&m));
	}
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	/* The arguments alone (user_memory.c repeats these with the state). */
	uint64_t size = (uint64_t)o->pages * PAGE_SIZE;
	if (c->method_id == capos_MemoryObject_map_METHOD) {
		int err = vm_check_prot((uint32_t)c->arg[1]);
		if (!err && c->arg[0] != 0)
			err = vm_check_range(c->arg[0], size, CAPOS_USER_MIN, CAPOS_RING_VADDR);
		if (err)
			return refuse(c, "map", UMEM_INVALID, vm_strerror(err));
	} else if (c->method_id == capos_MemoryObject_unmap_METHOD &&
	           vm_check_range(c->arg[0], size, CAPOS_USER_MIN, CAPOS_USER_END) != VM_OK) {
		return refuse(c, "unmap", UMEM_INVALID, "not a mapping of this object");
	}
	/* Not the buffer this call's result goes to. */
	if (c->method_id == capos_MemoryObject_unmap_METHOD && kcap_hits_result(c, c->arg[0], size))
		return refuse(c, "unmap", UMEM_INVALID, "the range holds this call's result buffer");
	return CAPOS_OK;
}

static int memobj_perform(void *object, struct kcap_call *c)
{
	struct memory_object *o = object;
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	const char *why = "";

	switch (c->method_id) {
	case capos_MemoryObject_info_METHOD: {
		capos_MemoryObject_info_Results_builder r = capos_MemoryObject_info_Results_init_root(&b);
		capos_MemoryObject_info_Results_set_pages(r, o->pages);
		capos_MemoryObject_info_Results_set_size(r, (uint64_t)o->pages * PAGE_SIZE);
		break;
	}
	case capos_MemoryObject_map_METHOD: {
		uint64_t addr = 0;
		uint32_t prot = (uint32_t)c->arg[1]; /* checked in decode */
		/* A state check, before any effect: W^X across all mappings. */
		if (vm_wx_check(&o->wx, prot) != VM_OK)
			return refuse(c, "map", UMEM_INVALID, vm_strerror(VM_WX_SHARED));
		enum umem_status s = umem_map_frames(c->caller, c->arg[0], o->frames, o->pages, prot,
		                                     (uint64_t)(uintptr_t)o, &addr, &why);
		if (s)
			return refuse(c, "map", s, why);
		o->refs += o->pages;
		vm_wx_add(&o->wx, prot);
		capos_MemoryObject_map_Results_set_addr(capos_MemoryObject_map_Results_init_root(&b),
		                                        addr);
		break;
	}
	default: { /* unmap */
		uint32_t prot = 0;
		enum umem_status s = umem_unmap_frames(c->caller, c->arg[0], o->pages,
		                                       (uint64_t)(uintptr_t)o, &prot, &why);
		if (s)
			return refuse(c, "unmap", s, why);
		vm_wx_remove(&o->wx, prot);
		put(o, o->pages); /* may free the object: touch it no more */
		return kcap_empty_result(c);
	}
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		panic("MemoryObject: result does not fit the kernel scratch");
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

const struct kcap_type kcap_memory_object_type = {
	.kind = KCAP_MEMORY_OBJECT,
	KCAP_METHODS(memobj_methods),
	.decode = memobj_decode,
	.perform = memobj_perform,
	.drop = memobj_drop,
	/* Transferable (copy retains a reference): the object may outlive
	 * its creator (see umem_object_freed for the accounting). */
	.transferable = true,
	.retain = memobj_retain,
	.boot_object = 0, /* created by FrameAllocator.allocMemory only */
};
