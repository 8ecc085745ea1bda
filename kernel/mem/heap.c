/*
 * Kernel heap: lib/heap_alloc.c over [KHEAP_BASE, KHEAP_BASE+KHEAP_MAX_SIZE),
 * grown by mapping fresh frames (RW NX).  Interrupts are masked inside so a
 * trap hook may allocate.  Misuse of kfree is a kernel bug: it panics.
 */
#include "mem/heap.h"

#include "arch/x86_64/cpu.h"
#include "heap_alloc.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/vmm.h"

static struct heap_alloc heap;
static size_t mapped;

/* All or nothing: on failure the pages added so far are returned. */
static size_t heap_grow(void *ctx, size_t bytes)
{
	(void)ctx;
	size_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t va0 = KHEAP_BASE + mapped;
	for (size_t i = 0; i < pages; i++) {
		uint64_t pa = pmm_alloc();
		if (pa && vmm_map(vmm_kernel_pml4(), va0 + i * PAGE_SIZE, pa, VMM_WRITE) == 0)
			continue;
		if (pa)
			pmm_free(pa);
		while (i--) {
			uint64_t old;
			if (vmm_unmap(vmm_kernel_pml4(), va0 + i * PAGE_SIZE, &old) == 0)
				pmm_free(old);
		}
		kprintf("heap: growing by %zu bytes failed: out of memory\n", bytes);
		return 0;
	}
	mapped += pages * PAGE_SIZE;
	return pages * PAGE_SIZE;
}

void heap_init(void)
{
	heap_alloc_init(&heap, (void *)KHEAP_BASE, KHEAP_MAX_SIZE, heap_grow, NULL);
	void *probe = kmalloc(1);
	if (!probe)
		panic("heap: cannot map the first heap pages");
	kfree(probe);
	kprintf("heap: ready at %lx, %zu KiB mapped, grows on demand up to %lu MiB\n",
	        KHEAP_BASE, mapped >> 10, KHEAP_MAX_SIZE >> 20);
}

void *kmalloc_aligned(size_t size, size_t align)
{
	uint64_t f = irq_save();
	void *p = heap_alloc_alloc(&heap, size, align);
	irq_restore(f);
	return p;
}

void *kmalloc(size_t size)
{
	return kmalloc_aligned(size, HEAP_ALIGN);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	uint64_t f = irq_save();
	enum heap_free_result r = heap_alloc_free(&heap, p);
	irq_restore(f);
	if (r == HEAP_FREE_DOUBLE)
		panic("kfree: double free of %p", p);
	if (r != HEAP_FREE_OK)
		panic("kfree: %p was not allocated by kmalloc", p);
}

size_t heap_used_bytes(void)
{
	return heap.used_bytes;
}

size_t heap_mapped_bytes(void)
{
	return mapped;
}

bool heap_check(void)
{
	uint64_t f = irq_save();
	bool ok = heap_alloc_check(&heap);
	irq_restore(f);
	return ok;
}
