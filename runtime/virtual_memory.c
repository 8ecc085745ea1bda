/*
 * VirtualMemory client (capos/virtual_memory.h) over the generated stubs
 * (generated/capos.capnp.rpc.h), and the heap's grow hook.
 */
#include <capos/virtual_memory.h>
#include <capos/string.h>
#if !defined(CAPOS_HOST)
#include <capos/rt.h>
#endif
#include "capnp/capnp.h"
#include "capos.capnp.rpc.h"

int capos_vm_from_cap(struct capos_vm *vm, struct capos_ring *r, struct capos_cap cap)
{
	memset(vm, 0, sizeof(*vm));
	if (!cap.valid)
		return CAPOS_ERR_BAD_CAP;
	if (cap.interface_id != capos_VirtualMemory_ID)
		return CAPOS_ERR_NOT_PERMITTED;
	vm->ring = r;
	vm->cap = cap;
	return 0;
}

int capos_vm_open(struct capos_vm *vm, struct capos_ring *r, const struct capos_capset *cs,
                  const char *name)
{
	memset(vm, 0, sizeof(*vm));
	const struct capos_capset_entry *e = capos_capset_find(cs, name, capos_VirtualMemory_ID);
	if (e == NULL)
		return CAPOS_ERR_BAD_CAP; /* absent, or that name is not a VirtualMemory */
	return capos_vm_from_cap(vm, r, capos_cap_borrow(e));
}

/* The generated client (capos.capnp.rpc.h) on vm's ring and handle. */
static capos_VirtualMemory_Client client_of(const struct capos_vm *vm)
{
	capos_VirtualMemory_Client cl = {{0}};
	if (vm != NULL) {
		cl.c.ring = vm->ring;
		cl.c.cap = vm->cap;
	}
	return cl;
}

int capos_vm_map(const struct capos_vm *vm, uint64_t hint, uint64_t size, uint32_t prot,
                 uint64_t *addr, struct capos_call_error *err)
{
	capos_VirtualMemory_Client cl = client_of(vm);
	capos_VirtualMemory_map_Reply r;
	int ret = capos_VirtualMemory_map(&cl, hint, size, prot, &r, err);
	if (ret == 0 && addr != NULL)
		*addr = r.addr;
	return ret;
}

int capos_vm_unmap(const struct capos_vm *vm, uint64_t addr, uint64_t size,
                   struct capos_call_error *err)
{
	capos_VirtualMemory_Client cl = client_of(vm);
	return capos_VirtualMemory_unmap(&cl, addr, size, NULL, err);
}

int capos_vm_protect(const struct capos_vm *vm, uint64_t addr, uint64_t size, uint32_t prot,
                     struct capos_call_error *err)
{
	capos_VirtualMemory_Client cl = client_of(vm);
	return capos_VirtualMemory_protect(&cl, addr, size, prot, NULL, err);
}

#if !defined(CAPOS_HOST)
#define HEAP_GROW_STEP (64u * 1024u)

size_t capos_vm_heap_mapped;

void *capos_vm_heap_grow(size_t min_bytes, size_t *got, void *ctx)
{
	(void)ctx;
	struct capos_vm vm;
	if (capos_rt.capset_status != CAPOS_CAPSET_OK ||
	    capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0)
		return NULL;
	if (min_bytes > SIZE_MAX - HEAP_GROW_STEP)
		return NULL;
	size_t size = (min_bytes + HEAP_GROW_STEP - 1) & ~(size_t)(HEAP_GROW_STEP - 1);
	uint64_t addr = 0;
	if (capos_vm_map(&vm, 0, size, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr, NULL) != 0)
		return NULL;
	capos_vm_heap_mapped += size;
	*got = size;
	return (void *)(uintptr_t)addr;
}
#endif
