/*
 * Kernel heap: any size, any power-of-two alignment, at KHEAP_BASE.
 * The allocator itself is lib/heap_alloc.c; this file grows its region by
 * mapping frames from the PMM.
 */
#ifndef CAPOS_MEM_HEAP_H
#define CAPOS_MEM_HEAP_H

#include <stdbool.h>
#include <stddef.h>

void heap_init(void);

void *kmalloc(size_t size); /* NULL when out of memory */
void *kzalloc(size_t size);
void *kmalloc_aligned(size_t size, size_t align);
void kfree(void *p); /* NULL is ignored */

size_t heap_used_bytes(void);   /* bytes handed out (payload + headers) */
size_t heap_mapped_bytes(void); /* bytes of heap region backed by frames */
bool heap_check(void);          /* walks every block; false if corrupted */

#endif
