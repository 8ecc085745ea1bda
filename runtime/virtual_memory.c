/*
 * VirtualMemory client over the generated Cap'n Proto code
 * (capos/virtual_memory.h), and the heap's grow hook.
 */
#include <capos/virtual_memory.h>
#include <capos/string.h>
#if !defined(CAPOS_HOST)
#include <capos/rt.h>
#endif
#include "capnp/capnp.h"
#include "capos.capnp.h"

#define MSG_WORDS 16u   /* params: segment table, root, 3 data words */
#define RESULT_BYTES 512u /* room for a CapException with its message */

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

/* Builds nothing itself: finishes b, performs the call, decodes addr if asked. */
static int vm_do(const struct capos_vm *vm, uint16_t method, struct capnp_builder *b,
                 uint64_t *addr, struct capos_call_error *err)
{
	if (vm == NULL || vm->ring == NULL || !vm->cap.valid)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	uint64_t result[RESULT_BYTES / 8];
	struct capos_call call = {
		.cap_id = vm->cap.cap_id,
		.method_id = method,
		.params = b->arena,
		.params_len = (uint32_t)len,
		.result = result,
		.result_cap = sizeof(result),
	};
	struct capos_reply reply = {0};
	int ret = capos_call(vm->ring, &call, &reply, err);
	if (ret != 0 || addr == NULL)
		return ret;
	struct capnp_reader m;
	if (capnp_reader_init(&m, result, reply.result_len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	*addr = capos_VirtualMemory_map_Results_get_addr(capos_VirtualMemory_map_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	return 0;
}

int capos_vm_map(const struct capos_vm *vm, uint64_t hint, uint64_t size, uint32_t prot,
                 uint64_t *addr, struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS];
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_VirtualMemory_map_Params_builder p = capos_VirtualMemory_map_Params_init_root(&b);
	capos_VirtualMemory_map_Params_set_hint(p, hint);
	capos_VirtualMemory_map_Params_set_size(p, size);
	capos_VirtualMemory_map_Params_set_prot(p, prot);
	uint64_t got = 0;
	int ret = vm_do(vm, capos_VirtualMemory_map_METHOD, &b, &got, err);
	if (ret == 0 && addr != NULL)
		*addr = got;
	return ret;
}

int capos_vm_unmap(const struct capos_vm *vm, uint64_t addr, uint64_t size,
                   struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS];
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_VirtualMemory_unmap_Params_builder p = capos_VirtualMemory_unmap_Params_init_root(&b);
	capos_VirtualMemory_unmap_Params_set_addr(p, addr);
	capos_VirtualMemory_unmap_Params_set_size(p, size);
	return vm_do(vm, capos_VirtualMemory_unmap_METHOD, &b, NULL, err);
}

int capos_vm_protect(const struct capos_vm *vm, uint64_t addr, uint64_t size, uint32_t prot,
                     struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS];
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_VirtualMemory_protect_Params_builder p =
		capos_VirtualMemory_protect_Params_init_root(&b);
	capos_VirtualMemory_protect_Params_set_addr(p, addr);
	capos_VirtualMemory_protect_Params_set_size(p, size);
	capos_VirtualMemory_protect_Params_set_prot(p, prot);
	return vm_do(vm, capos_VirtualMemory_protect_METHOD, &b, NULL, err);
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
