/*
 * Page tables.  vmm_init builds the kernel's own PML4: the image with
 * per-section permissions, a direct map of physical memory (2 MiB pages,
 * RW NX) and an empty heap slot, then leaves the boot tables for good.
 * Kernel-half PML4 slots are created once here and copied into every new
 * address space, so all address spaces share the kernel's lower tables.
 */
#include "mem/vmm.h"

#include "arch/x86_64/cpu.h"
#include "boot_info.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define LARGE_PAGE        (2ull << 20)
#define KERNEL_HALF_FIRST 256u

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];
extern char boot_stack_guard[];

static uint64_t kernel_pml4;
static uint64_t direct_map_end; /* bytes of physical memory mapped */

uint64_t virt_to_phys(const void *direct_map_addr)
{
	uint64_t va = (uint64_t)direct_map_addr;
	if (va >= KERNEL_VBASE)
		return va - KERNEL_VBASE; /* the kernel image */
	if (va < DIRECT_MAP_BASE || va - DIRECT_MAP_BASE >= (direct_map_end ? direct_map_end : (4ull << 30)))
		panic("virt_to_phys: %lx is not in the direct map", va);
	return va - DIRECT_MAP_BASE;
}

uint64_t vmm_kernel_pml4(void)
{
	return kernel_pml4;
}

static uint64_t *table(uint64_t phys)
{
	return phys_to_virt(phys & PTE_ADDR);
}

static unsigned idx(uint64_t va, int level) /* level 3 = PML4 ... 0 = PT */
{
	return (va >> (12 + 9 * level)) & 511;
}

static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1ffff;
}

static uint64_t leaf_bits(unsigned flags)
{
	uint64_t e = PTE_P;
	if (flags & VMM_WRITE)
		e |= PTE_W;
	if (flags & VMM_USER)
		e |= PTE_U;
	if (!(flags & VMM_EXEC) && cpu_has_nx)
		e |= PTE_NX;
	if (flags & VMM_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	return e;
}

static unsigned flags_of(uint64_t e)
{
	unsigned f = 0;
	if (e & PTE_W)
		f |= VMM_WRITE;
	if (e & PTE_U)
		f |= VMM_USER;
	if (!(e & PTE_NX))
		f |= VMM_EXEC;
	if (e & PTE_PCD)
		f |= VMM_UNCACHED;
	return f;
}

/*
 * The PT entry for va, or NULL.  With create, missing tables are allocated
 * (user-accessible in the user half: the leaf decides).  *huge is set when
 * a 2 MiB / 1 GiB page maps va instead (its entry is returned).
 */
static uint64_t *walk(uint64_t pml4, uint64_t va, bool create, bool *huge, int *err)
{
	uint64_t *t = table(pml4);
	*huge = false;
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &t[idx(va, level)];
		if (*e & PTE_P) {
			if (*e & PTE_PS) {
				*huge = true;
				return e;
			}
		} else {
			if (!create) {
				*err = VMM_ERR_NOT_MAPPED;
				return NULL;
			}
			if (level == 3 && va >= DIRECT_MAP_BASE) {
				/* A kernel-half slot made now would not be shared by
				 * existing address spaces: only vmm_init creates them. */
				*err = VMM_ERR_INVALID;
				return NULL;
			}
			uint64_t frame = pmm_alloc();
			if (!frame) {
				*err = VMM_ERR_NOMEM;
				return NULL;
			}
			*e = frame | PTE_P | PTE_W | (va < DIRECT_MAP_BASE ? PTE_U : 0);
		}
		t = table(*e);
	}
	return &t[idx(va, 0)];
}

/* Bumped by every change of a mapping (all of them pass through flush)
 * and every address space's end: the kernel's cached user translations
 * (user_page) from before are stale.  Starts at 1: a zeroed cache is. */
uint64_t vmm_gen_counter = 1;

static void flush(uint64_t pml4, uint64_t va)
{
	vmm_gen_counter++;
	if (va >= DIRECT_MAP_BASE || (read_cr3() & PTE_ADDR) == pml4)
		invlpg(va);
}

static bool bad_flags(unsigned flags)
{
	return flags & ~(VMM_WRITE | VMM_USER | VMM_EXEC | VMM_UNCACHED);
}

int vmm_map(uint64_t pml4, uint64_t va, uint64_t pa, unsigned flags)
{
	if ((va | pa) & (PAGE_SIZE - 1) || !canonical(va) || bad_flags(flags) ||
	    ((flags & VMM_USER) && va >= CAPOS_USER_HALF_END))
		return VMM_ERR_INVALID;
	bool huge;
	int err = 0;
	uint64_t *e = walk(pml4, va, true, &huge, &err);
	if (!e)
		return err;
	if (huge || (*e & PTE_P))
		return VMM_ERR_EXISTS;
	*e = pa | leaf_bits(flags);
	flush(pml4, va);
	return 0;
}

/* The present 4 KiB leaf entry mapping va, for unmap and protect: the
 * direct map's 2 MiB pages are never changed piecemeal. */
static int find_small_leaf(uint64_t pml4, uint64_t va, uint64_t **out)
{
	bool huge;
	int err = 0;
	uint64_t *e = walk(pml4, va, false, &huge, &err);
	if (!e || !(*e & PTE_P))
		return VMM_ERR_NOT_MAPPED;
	if (huge)
		return VMM_ERR_INVALID;
	*out = e;
	return 0;
}

int vmm_unmap(uint64_t pml4, uint64_t va, uint64_t *pa_out)
{
	if (va & (PAGE_SIZE - 1) || !canonical(va))
		return VMM_ERR_INVALID;
	uint64_t *e;
	int err = find_small_leaf(pml4, va, &e);
	if (err)
		return err;
	if (pa_out)
		*pa_out = *e & PTE_ADDR;
	*e = 0;
	flush(pml4, va);
	return 0;
}

int vmm_protect(uint64_t pml4, uint64_t va, unsigned flags)
{
	if (va & (PAGE_SIZE - 1) || !canonical(va) || bad_flags(flags) ||
	    ((flags & VMM_USER) && va >= CAPOS_USER_HALF_END))
		return VMM_ERR_INVALID;
	uint64_t *e;
	int err = find_small_leaf(pml4, va, &e);
	if (err)
		return err;
	*e = (*e & PTE_ADDR) | leaf_bits(flags);
	flush(pml4, va);
	return 0;
}

int vmm_query(uint64_t pml4, uint64_t va, uint64_t *pa_out, unsigned *flags_out)
{
	if (!canonical(va))
		return VMM_ERR_INVALID;
	uint64_t *t = table(pml4);
	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[idx(va, level)];
		if (!(e & PTE_P))
			return VMM_ERR_NOT_MAPPED;
		if (level == 0 || (e & PTE_PS)) {
			uint64_t span = 1ull << (12 + 9 * level);
			if (pa_out)
				*pa_out = (e & PTE_ADDR & ~(span - 1)) + (va & (span - 1));
			if (flags_out)
				*flags_out = flags_of(e);
			return 0;
		}
		t = table(e);
	}
	return VMM_ERR_NOT_MAPPED;
}

uint64_t vmm_create_address_space(void)
{
	uint64_t pml4 = pmm_alloc();
	if (!pml4)
		return 0;
	memcpy(table(pml4) + KERNEL_HALF_FIRST, table(kernel_pml4) + KERNEL_HALF_FIRST,
	       KERNEL_HALF_FIRST * sizeof(uint64_t));
	return pml4;
}

static void free_table(uint64_t phys, int level)
{
	uint64_t *t = table(phys);
	if (level > 0) {
		for (unsigned i = 0; i < 512; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				free_table(t[i] & PTE_ADDR, level - 1);
	}
	pmm_free(phys);
}

void vmm_destroy_address_space(uint64_t pml4)
{
	if (pml4 == kernel_pml4)
		panic("vmm_destroy_address_space: the kernel's own");
	if ((read_cr3() & PTE_ADDR) == pml4)
		panic("vmm_destroy_address_space: %lx is the current address space", pml4);
	vmm_gen_counter++;
	uint64_t *t = table(pml4);
	for (unsigned i = 0; i < KERNEL_HALF_FIRST; i++)
		if (t[i] & PTE_P)
			free_table(t[i] & PTE_ADDR, 2);
	pmm_free(pml4);
}

void vmm_switch(uint64_t pml4)
{
	if ((read_cr3() & PTE_ADDR) != pml4)
		write_cr3(pml4);
}

/* ---- building the kernel's tables ---- */

static uint64_t alloc_table(void)
{
	uint64_t f = pmm_alloc();
	if (!f)
		panic("vmm: out of memory building the kernel page tables");
	return f;
}

static uint64_t *next_level(uint64_t *e)
{
	if (!(*e & PTE_P))
		*e = alloc_table() | PTE_P | PTE_W;
	return table(*e);
}

static void map_direct(uint64_t end)
{
	uint64_t nx = cpu_has_nx ? PTE_NX : 0;
	for (uint64_t pa = 0; pa < end; pa += LARGE_PAGE) {
		uint64_t va = DIRECT_MAP_BASE + pa;
		uint64_t *pdpt = next_level(&table(kernel_pml4)[idx(va, 3)]);
		uint64_t *pd = next_level(&pdpt[idx(va, 2)]);
		pd[idx(va, 1)] = pa | PTE_P | PTE_W | PTE_PS | nx;
	}
}

static unsigned map_section(const char *start, const char *end, unsigned flags)
{
	unsigned pages = 0;
	for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE, pages++) {
		if (va == (uint64_t)boot_stack_guard)
			continue;
		uint64_t *pdpt = next_level(&table(kernel_pml4)[idx(va, 3)]);
		uint64_t *pd = next_level(&pdpt[idx(va, 2)]);
		uint64_t *pt = next_level(&pd[idx(va, 1)]);
		pt[idx(va, 0)] = (va - KERNEL_VBASE) | leaf_bits(flags);
	}
	return pages;
}

void vmm_init(void)
{
	kernel_pml4 = alloc_table();
	uint64_t end = boot_info.phys_top > (4ull << 30) ? boot_info.phys_top : (4ull << 30);
	end = (end + LARGE_PAGE - 1) & ~(LARGE_PAGE - 1);
	map_direct(end);
	unsigned text = map_section(__text_start, __text_end, VMM_EXEC);
	unsigned ro = map_section(__rodata_start, __rodata_end, 0);
	unsigned rw = map_section(__data_start, __bss_end, VMM_WRITE);
	/* The heap's slot exists from the start so every address space shares it. */
	next_level(&table(kernel_pml4)[idx(KHEAP_BASE, 3)]);
	write_cr3(kernel_pml4);
	direct_map_end = end;
	kprintf("vmm: kernel page tables at %lx: .text %u pages RX, .rodata %u pages R NX, "
	        ".data/.bss %u pages RW NX (boot stack guard page unmapped)\n",
	        kernel_pml4, text, ro, rw - 1);
	kprintf("vmm: direct map of %lu MiB at %lx (RW NX, 2 MiB pages), heap slot at %lx; "
	        "boot page tables retired\n",
	        end >> 20, DIRECT_MAP_BASE, KHEAP_BASE);
}

const char *vmm_describe(uint64_t va)
{
	if (va >= (uint64_t)__text_start && va < (uint64_t)__text_end)
		return "kernel .text";
	if (va >= (uint64_t)__rodata_start && va < (uint64_t)__rodata_end)
		return "kernel .rodata";
	if (va >= (uint64_t)boot_stack_guard && va < (uint64_t)boot_stack_guard + PAGE_SIZE)
		return "boot stack guard page (stack overflow)";
	if (va >= (uint64_t)__data_start && va < (uint64_t)__bss_end)
		return "kernel .data/.bss";
	if (va >= KERNEL_VBASE)
		return "kernel image area";
	if (va >= KHEAP_BASE && va < KHEAP_BASE + KHEAP_MAX_SIZE)
		return "kernel heap";
	if (va >= DIRECT_MAP_BASE && va < DIRECT_MAP_BASE + (direct_map_end ? direct_map_end : (4ull << 30)))
		return "direct map";
	if (va < CAPOS_USER_HALF_END)
		return va < PAGE_SIZE ? "user half (null page)" : "user half";
	return "unmapped kernel half";
}
