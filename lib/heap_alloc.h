/*
 * A first-fit, address-ordered, coalescing heap over one contiguous region
 * that grows at its end.  Pure logic: the caller supplies the region start
 * and a grow callback (the kernel maps frames; host tests use a static
 * array), so it is unit-tested on the host.
 *
 * Every block has a 16-byte header and a 16-byte footer-free layout:
 * [size|used][prev_size] ... payload (16-byte aligned).  Larger alignments
 * are served by splitting off the front of a larger free block.
 */
#ifndef CAPOS_LIB_HEAP_ALLOC_H
#define CAPOS_LIB_HEAP_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Extend the region by at least `bytes` at its end; returns bytes added (0 = failure). */
typedef size_t (*heap_grow_fn)(void *ctx, size_t bytes);

struct heap_alloc {
	uintptr_t start;        /* 16-byte aligned */
	size_t size;            /* bytes currently in the region */
	size_t max_size;        /* never grows past this */
	heap_grow_fn grow;
	void *grow_ctx;
	size_t used_bytes;      /* payload + header bytes of allocated blocks */
	size_t alloc_count;     /* live allocations */
	struct heap_block *free_list; /* address-ordered */
};

void heap_alloc_init(struct heap_alloc *h, void *start, size_t max_size,
		     heap_grow_fn grow, void *grow_ctx);

/* NULL when size == 0 is NOT special: returns a unique minimal block. NULL only on OOM
 * or when align is not a power of two or size overflows. */
void *heap_alloc_alloc(struct heap_alloc *h, size_t size, size_t align);

/* Result of heap_alloc_free. */
enum heap_free_result { HEAP_FREE_OK = 0, HEAP_FREE_BAD_PTR = -1, HEAP_FREE_DOUBLE = -2 };
enum heap_free_result heap_alloc_free(struct heap_alloc *h, void *p);

/* Usable payload bytes of a live block. */
size_t heap_alloc_usable_size(const struct heap_alloc *h, const void *p);

/* Walks every block; false when a header is inconsistent (for tests and self-tests). */
bool heap_alloc_check(const struct heap_alloc *h);
size_t heap_alloc_free_bytes(const struct heap_alloc *h);

#endif
