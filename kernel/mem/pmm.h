/*
 * Physical frame allocator (4 KiB frames), built from the boot memory map.
 * Reserved at init: everything below 1 MiB, the kernel image, boot modules
 * and the boot loader's info block.  The bookkeeping lives in
 * lib/frame_bitmap.c.
 */
#ifndef CAPOS_MEM_PMM_H
#define CAPOS_MEM_PMM_H

#include <stdint.h>

#define PAGE_SIZE UINT64_C(4096)

void pmm_init(void);

/* A zeroed frame's physical address, 0 when out of memory. */
uint64_t pmm_alloc(void);
/* Returns a frame; panics on a double free or a frame the PMM never owned. */
void pmm_free(uint64_t phys);

uint64_t pmm_free_count(void);
uint64_t pmm_total_count(void); /* frames the allocator manages (usable RAM) */

#endif
