/*
 * VirtualMemory client (schema/capos.capnp): anonymous zeroed pages in this
 * process's address space.  Every function returns 0 or a negative code
 * (details in err, see capos/call.h): refusals by the kernel are
 * exceptions (invalidArgument: bad address/size/prot, overlap, not mapped;
 * overloaded: frame limit or out of memory).
 *
 * capos_vm_heap_grow is the runtime heap's grow hook: the global heap maps
 * more memory through the process's "virtual_memory" capability when its
 * static arena is exhausted.
 */
#ifndef CAPOS_RT_VIRTUAL_MEMORY_H
#define CAPOS_RT_VIRTUAL_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <capos/call.h>
#include <capos/capset.h>
#include <capos/handle.h>
#include <capos/ring.h>

#define CAPOS_PROT_READ  1u
#define CAPOS_PROT_WRITE 2u
#define CAPOS_PROT_EXEC  4u

struct capos_vm {
	struct capos_ring *ring;
	struct capos_cap cap;
};

int capos_vm_open(struct capos_vm *vm, struct capos_ring *r, const struct capos_capset *cs,
                  const char *name);
int capos_vm_from_cap(struct capos_vm *vm, struct capos_ring *r, struct capos_cap cap);

/* hint 0: the kernel picks an address in CAPOS_USER_ANON_BASE..END. */
int capos_vm_map(const struct capos_vm *vm, uint64_t hint, uint64_t size, uint32_t prot,
                 uint64_t *addr, struct capos_call_error *err);
int capos_vm_unmap(const struct capos_vm *vm, uint64_t addr, uint64_t size,
                   struct capos_call_error *err);
int capos_vm_protect(const struct capos_vm *vm, uint64_t addr, uint64_t size, uint32_t prot,
                     struct capos_call_error *err);

#if !defined(CAPOS_HOST)
/* Heap grow hook (capos/heap.h): maps at least min_bytes (64 KiB steps)
 * read-write through the CapSet's "virtual_memory" cap; NULL without it. */
void *capos_vm_heap_grow(size_t min_bytes, size_t *got, void *ctx);
/* Bytes the heap has mapped through VirtualMemory so far. */
extern size_t capos_vm_heap_mapped;
#endif

#endif /* CAPOS_RT_VIRTUAL_MEMORY_H */
