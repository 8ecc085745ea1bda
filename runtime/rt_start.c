/*
 * The runtime's main path: capos_rt_init (runtime/entry.c), the heap's
 * static arena, then `int main(void)`; its value is the exit code, after
 * queued releases are flushed.  musl programs start at libc/start.c
 * instead (musl's malloc, argv).
 */
#include <capos/rt.h>
#include <capos/rt_init.h>

/* The heap's first region; past it malloc grows through VirtualMemory
 * (capos_vm_heap_grow, installed by runtime/heap.c on first use). */
static _Alignas(16) uint8_t heap_arena[CAPOS_RT_ARENA_SIZE];

_Noreturn void capos_rt_start(void *ring, uint64_t pid, const void *capset);

_Noreturn void capos_rt_start(void *ring, uint64_t pid, const void *capset)
{
	capos_rt_init(ring, pid, capset);
	capos_heap_init(&capos_rt_heap);
	capos_heap_add_region(&capos_rt_heap, heap_arena, sizeof(heap_arena));

	int code = main();
	capos_flush_releases();
	capos_exit(code);
}
