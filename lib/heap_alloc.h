/*
 * A first-fit, address-ordered, coalescing heap over one contiguous region
 * that grows at its end.  Pure logic: the caller supplies the region start
 * and a grow callback (the kernel maps frames; host tests use a static
 * array), so it is unit-tested on the host.
 *
 * Blocks tile the region.  Each starts with a 16-byte header {size, magic};
 * the payload follows, 16-byte aligned (or more, for aligned requests).
 * Free blocks are kept on an address-ordered list and merged with free
 * neighbours, so freeing everything returns the region to one free block.
 */
#ifndef CAPOS_LIB_HEAP_ALLOC_H
#define CAPOS_LIB_HEAP_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_ALIGN      16u
#define HEAP_HEADER     16u
#define HEAP_MIN_BLOCK  32u
#define HEAP_GROW_CHUNK (64u * 1024u)

/* Extend the region by at least `bytes` at its end; returns bytes added
 * (a multiple of HEAP_ALIGN), 0 on failure. */
typedef size_t (*heap_grow_fn)(void *ctx, size_t bytes);

struct heap_block;

struct heap_alloc {
	uintptr_t start; /* HEAP_ALIGN-aligned */
	size_t size;     /* bytes currently in the region */
	size_t max_size; /* the region never grows past this */
	heap_grow_fn grow;
	void *grow_ctx;
	size_t used_bytes;            /* block bytes (header + payload) of live allocations */
	size_t alloc_count;           /* live allocations */
	struct heap_block *free_list; /* address-ordered */
};

/* start must be HEAP_ALIGN-aligned; the region starts empty. */
void heap_alloc_init(struct heap_alloc *h, void *start, size_t max_size,
                     heap_grow_fn grow, void *grow_ctx);

/* size 0 gives a unique minimal block.  NULL when out of memory, when
 * align is not a power of two, or when size is too large to represent. */
void *heap_alloc_alloc(struct heap_alloc *h, size_t size, size_t align);

enum heap_free_result { HEAP_FREE_OK = 0,
	                HEAP_FREE_BAD_PTR = -1,
	                HEAP_FREE_DOUBLE = -2 };
/* NULL is HEAP_FREE_OK.  Pointers not handed out by this heap are refused. */
enum heap_free_result heap_alloc_free(struct heap_alloc *h, void *p);

/* Payload bytes of a live block (>= the size asked for). */
size_t heap_alloc_usable_size(const struct heap_alloc *h, const void *p);

/* Walks every block; false when the tiling, the magics, the free list or
 * the counters disagree. */
bool heap_alloc_check(const struct heap_alloc *h);
size_t heap_alloc_free_bytes(const struct heap_alloc *h);

#endif
