/*
 * VirtualMemory capability: anonymous zeroed pages in the CALLER's own
 * address space (schema/capos.capnp).
 *   map @0 (hint, size, prot) -> (addr)
 *   unmap @1 (addr, size)
 *   protect @2 (addr, size, prot)
 * Checks and accounting are in kernel/mem/user_memory.c; every refusal is
 * a CapException (invalidArgument or overloaded) naming the reason, never
 * a kernel fault.  See docs/memory-caps.md.
 */
#include <capos/abi.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "log.h"
#include "proc/process.h"
#include "mem/user_memory.h"
#include "registry.h"
#include "vm_ranges.h"

/* Stateless: the address space is always the caller's. */
static struct virtual_memory {
	int unused;
} the_vm;

static void *vm_boot_object(void) { return &the_vm; }

static int vm_refuse(struct kcap_call *c, const char *method, enum umem_status s,
                     const char *why)
{
	return kcap_refuse(c, "VirtualMemory", method, s == UMEM_OVERLOADED, why);
}

static const struct kcall_method vm_methods[] = {
	/* clang-format off */
	{capos_VirtualMemory_map_METHOD, "map", {KCALL_FLAT(capos_VirtualMemory_map_Results), 0}},
	{capos_VirtualMemory_unmap_METHOD, "unmap", {KCALL_FLAT(capos_VirtualMemory_unmap_Results), 0}},
	{capos_VirtualMemory_protect_METHOD, "protect",
	 {KCALL_FLAT(capos_VirtualMemory_protect_Results), 0}},
};
/* clang-format on */

/* The arguments alone, in the order user_memory.c checks them (it repeats
 * these, then checks the ranges against the address space). */
static int vm_check_args(const struct kcap_call *c)
{
	uint64_t addr = c->arg[0], size = c->arg[1];
	int err = c->method_id == capos_VirtualMemory_unmap_METHOD ? VM_OK
	                                                           : vm_check_prot((uint32_t)c->arg[2]);
	if (err)
		return err;
	if (c->method_id != capos_VirtualMemory_map_METHOD)
		return vm_check_range(addr, size, CAPOS_USER_MIN, CAPOS_USER_END);
	if (addr != 0) /* a fixed address: below the ring/TLS/stack area */
		return vm_check_range(addr, size, CAPOS_USER_MIN, CAPOS_RING_VADDR);
	if (size == 0)
		return VM_ZERO;
	if (size & (VM_PAGE - 1))
		return VM_UNALIGNED;
	return size > CAPOS_USER_ANON_END - CAPOS_USER_ANON_BASE ? VM_OUTSIDE : VM_OK;
}

/* arg[0..2]: map (hint, size, prot), unmap (addr, size), protect (addr,
 * size, prot). */
static int vm_decode(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	switch (c->method_id) {
	case capos_VirtualMemory_map_METHOD: {
		capos_VirtualMemory_map_Params_reader r = capos_VirtualMemory_map_Params_read_root(&m);
		c->arg[0] = capos_VirtualMemory_map_Params_get_hint(r);
		c->arg[1] = capos_VirtualMemory_map_Params_get_size(r);
		c->arg[2] = capos_VirtualMemory_map_Params_get_prot(r);
		break;
	}
	case capos_VirtualMemory_unmap_METHOD: {
		capos_VirtualMemory_unmap_Params_reader r =
			capos_VirtualMemory_unmap_Params_read_root(&m);
		c->arg[0] = capos_VirtualMemory_unmap_Params_get_addr(r);
		c->arg[1] = capos_VirtualMemory_unmap_Params_get_size(r);
		c->arg[2] = 0; /* no access: the check below applies */
		break;
	}
	default: { /* protect */
		capos_VirtualMemory_protect_Params_reader r =
			capos_VirtualMemory_protect_Params_read_root(&m);
		c->arg[0] = capos_VirtualMemory_protect_Params_get_addr(r);
		c->arg[1] = capos_VirtualMemory_protect_Params_get_size(r);
		c->arg[2] = capos_VirtualMemory_protect_Params_get_prot(r);
		break;
	}
	}
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	int err = vm_check_args(c);
	if (err)
		return vm_refuse(c, c->method->name, UMEM_INVALID, vm_strerror(err));
	/* unmap, or protect without write: not the buffer this call's result
	 * goes to (it could not be delivered after the effect). */
	if (c->method_id != capos_VirtualMemory_map_METHOD && !(c->arg[2] & VM_PROT_WRITE) &&
	    kcap_hits_result(c, c->arg[0], c->arg[1]))
		return vm_refuse(c, c->method->name, UMEM_INVALID,
		                 "the range holds this call's result buffer");
	return CAPOS_OK;
}

static int vm_perform(void *object, struct kcap_call *c)
{
	(void)object;
	const char *why = "";
	enum umem_status s;

	switch (c->method_id) {
	case capos_VirtualMemory_map_METHOD: {
		uint64_t addr = 0;
		s = umem_map(c->caller, c->arg[0], c->arg[1], (uint32_t)c->arg[2], &addr, &why);
		if (s)
			return vm_refuse(c, "map", s, why);
		struct capnp_builder b;
		size_t len = 0;
		capnp_builder_init(&b, c->result, c->result_cap);
		capos_VirtualMemory_map_Results_builder res = capos_VirtualMemory_map_Results_init_root(&b);
		capos_VirtualMemory_map_Results_set_addr(res, addr);
		if (capnp_builder_finish(&b, &len) != CAPNP_OK)
			panic("VirtualMemory.map: result does not fit the kernel scratch");
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	case capos_VirtualMemory_unmap_METHOD:
		s = umem_unmap(c->caller, c->arg[0], c->arg[1], &why);
		if (s)
			return vm_refuse(c, "unmap", s, why);
		return kcap_empty_result(c);
	default: /* protect */
		s = umem_protect(c->caller, c->arg[0], c->arg[1], (uint32_t)c->arg[2], &why);
		if (s)
			return vm_refuse(c, "protect", s, why);
		return kcap_empty_result(c);
	}
}

const struct kcap_type kcap_virtual_memory_type = {
	.kind = KCAP_VIRTUAL_MEMORY,
	KCAP_METHODS(vm_methods),
	.decode = vm_decode,
	.perform = vm_perform,
	.drop = 0, /* static object */
	.boot_object = vm_boot_object,
};
