/*
 * VirtualMemory capability: anonymous zeroed pages in the CALLER's own
 * address space (schema/capos.capnp).
 *   map @0 (hint, size, prot) -> (addr)
 *   unmap @1 (addr, size)
 *   protect @2 (addr, size, prot)
 * Checks and accounting are in kernel/proc/user_memory.c; every refusal is
 * a CapException (invalidArgument or overloaded) naming the reason, never
 * a kernel fault.  See docs/memory-caps.md.
 */
#include <capos/abi.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "log.h"
#include "proc/process.h"
#include "proc/user_memory.h"
#include "registry.h"

/* Stateless: the address space is always the caller's. */
static struct virtual_memory { int unused; } the_vm;

static void *vm_boot_object(void) { return &the_vm; }

static int vm_refuse(struct kcap_call *c, const char *method, enum umem_status s,
                     const char *why)
{
	return umem_refuse(c, "VirtualMemory", method, s, why);
}

static int vm_call(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (capnp_reader_init(&m, c->params, c->params_len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	capnp_reader_set_limits(&m, c->params_len / 8 + 16, 16);
	const char *why = "";
	enum umem_status s;

	switch (c->method_id) {
	case capos_VirtualMemory_map_METHOD: {
		capos_VirtualMemory_map_Params_reader r = capos_VirtualMemory_map_Params_read_root(&m);
		uint64_t hint = capos_VirtualMemory_map_Params_get_hint(r);
		uint64_t size = capos_VirtualMemory_map_Params_get_size(r);
		uint32_t prot = capos_VirtualMemory_map_Params_get_prot(r);
		if (capnp_reader_error(&m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		uint64_t addr = 0;
		s = umem_map(c->caller, hint, size, prot, &addr, &why);
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
	case capos_VirtualMemory_unmap_METHOD: {
		capos_VirtualMemory_unmap_Params_reader r =
			capos_VirtualMemory_unmap_Params_read_root(&m);
		uint64_t addr = capos_VirtualMemory_unmap_Params_get_addr(r);
		uint64_t size = capos_VirtualMemory_unmap_Params_get_size(r);
		if (capnp_reader_error(&m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		s = umem_unmap(c->caller, addr, size, &why);
		if (s)
			return vm_refuse(c, "unmap", s, why);
		return kcap_empty_result(c);
	}
	case capos_VirtualMemory_protect_METHOD: {
		capos_VirtualMemory_protect_Params_reader r =
			capos_VirtualMemory_protect_Params_read_root(&m);
		uint64_t addr = capos_VirtualMemory_protect_Params_get_addr(r);
		uint64_t size = capos_VirtualMemory_protect_Params_get_size(r);
		uint32_t prot = capos_VirtualMemory_protect_Params_get_prot(r);
		if (capnp_reader_error(&m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		s = umem_protect(c->caller, addr, size, prot, &why);
		if (s)
			return vm_refuse(c, "protect", s, why);
		return kcap_empty_result(c);
	}
	default:
		return CAPOS_ERR_UNKNOWN_METHOD;
	}
}

const struct kcap_type kcap_virtual_memory_type = {
	.kind = KCAP_VIRTUAL_MEMORY,
	.name = "virtualMemory",
	.interface_id = capos_VirtualMemory_ID,
	.call = vm_call,
	.drop = 0, /* static object */
	.boot_object = vm_boot_object,
};
