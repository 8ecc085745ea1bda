/*
 * The userspace heap: a first-fit free-list allocator with coalescing.
 *
 * The allocator works over "regions" of memory it is given.  At start the
 * runtime hands it a static arena (CAPOS_RT_ARENA_SIZE bytes of .bss).
 * When the arena is exhausted it calls the grow hook, if one is set; the
 * global heap's hook (capos_vm_heap_grow, capos/virtual_memory.h) maps
 * pages through the process's "virtual_memory" cap, so allocation beyond
 * the arena fails with NULL only without that cap or over its limit.
 *
 * The core (capos_heap_*) is host-tested; malloc/free/calloc/realloc are
 * thin userspace wrappers over a single global heap.
 */
#ifndef CAPOS_RT_HEAP_H
#define CAPOS_RT_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define CAPOS_RT_ARENA_SIZE (256u * 1024u)
#define CAPOS_HEAP_ALIGN    16u

struct capos_heap;

/*
 * Grow hook: asked for at least min_bytes more memory; returns the start of
 * a new region and its size in *got, or NULL when no memory can be had.
 */
typedef void *(*capos_heap_grow_fn)(size_t min_bytes, size_t *got, void *ctx);

struct capos_heap_stats {
	size_t regions;     /* regions added (arena + grown)          */
	size_t total_bytes; /* bytes managed, headers included        */
	size_t used_bytes;  /* payload bytes handed out (rounded up)  */
	size_t live_blocks; /* allocations not yet freed              */
	size_t free_blocks; /* blocks on the free list                */
	size_t failures;    /* allocations that returned NULL         */
	size_t bad_frees;   /* free() of pointers the heap never gave */
};

struct capos_heap_block;

struct capos_heap {
	struct capos_heap_block *free_list; /* sorted by address */
	capos_heap_grow_fn grow;
	void *grow_ctx;
	struct capos_heap_stats stats;
};

void capos_heap_init(struct capos_heap *h);
/* Adds [mem, mem+size) to the heap; returns 0 or -1 if too small. */
int capos_heap_add_region(struct capos_heap *h, void *mem, size_t size);
void capos_heap_set_grow(struct capos_heap *h, capos_heap_grow_fn fn, void *ctx);
void *capos_heap_alloc(struct capos_heap *h, size_t size);
void *capos_heap_calloc(struct capos_heap *h, size_t n, size_t size);
void *capos_heap_realloc(struct capos_heap *h, void *p, size_t size);
void capos_heap_free(struct capos_heap *h, void *p);
/* Usable size of a live block (>= the size asked for). */
size_t capos_heap_usable(const void *p);
/* Walks the free list and block headers; returns 0 if consistent. */
int capos_heap_check(const struct capos_heap *h);

#if !defined(CAPOS_HOST)
/* The process heap, set up by the runtime before main. */
extern struct capos_heap capos_rt_heap;
void *malloc(size_t size);
void free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
#endif

#endif /* CAPOS_RT_HEAP_H */
