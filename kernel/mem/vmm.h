/*
 * Virtual memory: 4-level page tables.
 *
 * Kernel half layout (shared by every address space: PML4 slots 256..511
 * point to the same lower-level tables, created at vmm_init and never freed):
 *   0xffff800000000000  direct map of all physical memory (RW, NX)
 *   0xffffc00000000000  kernel heap (grows on demand; RW, NX)
 *   0xffffffff80000000  kernel image (.text RX, .rodata R NX, .data/.bss RW NX)
 */
#ifndef CAPOS_MEM_VMM_H
#define CAPOS_MEM_VMM_H

#include <stdint.h>

#define DIRECT_MAP_BASE     UINT64_C(0xffff800000000000)
#define KHEAP_BASE          UINT64_C(0xffffc00000000000)
#define KHEAP_MAX_SIZE      (UINT64_C(1) << 30)
#define KERNEL_VBASE        UINT64_C(0xffffffff80000000)
#define CAPOS_USER_HALF_END UINT64_C(0x0000800000000000) /* first non-user address */

/* Mapping flags: present+read is implied; no VMM_EXEC means NX. */
#define VMM_WRITE    0x1u
#define VMM_USER     0x2u
#define VMM_EXEC     0x4u
#define VMM_UNCACHED 0x8u /* PCD|PWT: device registers */

/* Errors (negative). */
#define VMM_ERR_NOMEM      (-1) /* no frame for an intermediate table */
#define VMM_ERR_EXISTS     (-2) /* va already mapped (vmm_map) */
#define VMM_ERR_NOT_MAPPED (-3)
#define VMM_ERR_INVALID    (-4) /* unaligned or non-canonical address, bad flags */

void vmm_init(void);

static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(DIRECT_MAP_BASE + phys); /* inline: every user copy asks */
}
uint64_t virt_to_phys(const void *direct_map_addr);

uint64_t vmm_kernel_pml4(void);
/* New PML4 (physical address) sharing the kernel half; 0 on OOM. */
uint64_t vmm_create_address_space(void);
/* Frees the user-half page-table frames only; mapped frames are the caller's. */
void vmm_destroy_address_space(uint64_t pml4);
void vmm_switch(uint64_t pml4);

/*
 * 4 KiB pages; va and pa page-aligned.  VMM_USER only below
 * CAPOS_USER_HALF_END.  Intermediate tables are allocated on demand; in the
 * kernel half only below the PML4 slots vmm_init created (direct map, heap,
 * image), which every address space shares; elsewhere VMM_ERR_INVALID.
 */
int vmm_map(uint64_t pml4, uint64_t va, uint64_t pa, unsigned flags);
int vmm_unmap(uint64_t pml4, uint64_t va, uint64_t *pa_out);
int vmm_protect(uint64_t pml4, uint64_t va, unsigned flags);
/* Also answers for the direct map's large pages (pa of va itself). */
/* Changes with every mapping change and address-space teardown (a
 * cached translation from an older generation is stale). */
extern uint64_t vmm_gen_counter;
static inline uint64_t vmm_generation(void) { return vmm_gen_counter; }
int vmm_query(uint64_t pml4, uint64_t va, uint64_t *pa_out, unsigned *flags_out);

/* Which region va belongs to ("kernel .text", "direct map", "user half"...), for fault reports. */
const char *vmm_describe(uint64_t va);

#endif
