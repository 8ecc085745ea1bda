/*
 * The process table: slots for struct process, and a kernel stack per
 * live process.
 *
 * Slots come in chunks of PROC_CHUNK from the kernel heap, added when
 * every slot is taken, and kept: other code remembers a (process, pid)
 * pair and checks the pid later (a slot's memory must stay a slot, free
 * or reused, never become something else).  The chunk pointers are a
 * doubling array.  So the table is bounded by memory (and spawners'
 * quotas, cap/process_spawner.h), not by a constant.
 *
 * Each slot has a fixed kernel-stack window in its own region of the
 * kernel half, KSTACK_SIZE below a guard page that is never mapped, so an
 * overflow faults instead of corrupting.  A process maps fresh frames
 * there at creation (part of what it takes) and frees them at teardown.
 * The page tables of a chunk's windows are built when the chunk is added
 * and kept with it.
 *
 * What the table keeps (chunks, window page tables) is counted:
 * process_table_frames() lets the boot check tell it from a leak.
 */
#include "arch/x86_64/cpu.h"
#include "kstring.h"
#include "log.h"
#include "mem/heap.h"
#include "mem/pmm.h"
#include "mem/user_memory.h"
#include "mem/vmm.h"
#include "proc_internal.h"
#include "process.h"

#define PROC_CHUNK    32u
/* In the heap's PML4 slot (only vmm_init makes kernel-half slots), far
 * past the heap's end. */
#define KSTACK_AREA   (KHEAP_BASE + (UINT64_C(1) << 38))
#define KSTACK_WINDOW (KSTACK_SIZE + PAGE_SIZE) /* guard page, then the stack */
#define KSTACK_PAGES  (KSTACK_SIZE / PAGE_SIZE)

_Static_assert(KHEAP_MAX_SIZE <= (UINT64_C(1) << 38), "stack windows start past the heap");

static struct process **chunks; /* chunks[c]: PROC_CHUNK slots */
static unsigned nchunks, chunks_cap;
static uint64_t table_frames; /* frames the table keeps (heap, window page tables) */

unsigned process_slot_count(void) { return nchunks * PROC_CHUNK; }

struct process *process_slot(unsigned i)
{
	return i < process_slot_count() ? &chunks[i / PROC_CHUNK][i % PROC_CHUNK] : 0;
}

uint64_t process_table_frames(void) { return table_frames; }

unsigned process_live_count(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < process_slot_count(); i++)
		if (process_slot(i)->state != PROC_FREE)
			n++;
	return n;
}

static uint64_t window_of(unsigned slot) { return KSTACK_AREA + (uint64_t)slot * KSTACK_WINDOW; }

/* Builds the page tables of the stack windows of slots [first, first+n)
 * by mapping a page at each stack page and taking it back. */
static bool windows_prepare(unsigned first, unsigned n)
{
	uint64_t probe = pmm_alloc();
	if (probe == 0)
		return false;
	bool ok = true;
	for (unsigned s = first; s < first + n && ok; s++) {
		for (unsigned k = 0; k < KSTACK_PAGES && ok; k++) {
			uint64_t va = window_of(s) + PAGE_SIZE + (uint64_t)k * PAGE_SIZE, pa;
			ok = vmm_map(vmm_kernel_pml4(), va, probe, VMM_WRITE) == 0;
			if (ok)
				(void)vmm_unmap(vmm_kernel_pml4(), va, &pa);
		}
	}
	pmm_free(probe);
	return ok;
}

/* Adds a chunk of free slots.  All or nothing, except page tables built
 * for windows, which are kept (and counted) either way. */
static bool chunk_add(void)
{
	uint64_t free_before = pmm_free_count();
	bool ok = true;
	if (nchunks == chunks_cap) {
		unsigned cap = chunks_cap ? 2 * chunks_cap : 4;
		struct process **grown = kmalloc(cap * sizeof(struct process *));
		ok = grown != 0;
		if (ok) {
			if (nchunks)
				memcpy(grown, chunks, nchunks * sizeof(struct process *));
			kfree(chunks);
			chunks = grown;
			chunks_cap = cap;
		}
	}
	struct process *c = ok ? kzalloc(PROC_CHUNK * sizeof(*c)) : 0;
	ok = c != 0 && windows_prepare(nchunks * PROC_CHUNK, PROC_CHUNK) &&
	     proc_memory_grow((nchunks + 1) * PROC_CHUNK);
	if (ok) {
		chunks[nchunks++] = c; /* kzalloc: every slot PROC_FREE */
	} else {
		kfree(c);
	}
	table_frames += free_before - pmm_free_count();
	if (ok)
		kprintf("proc: process table grown to %u slots (%u KiB of kernel stack windows; the "
		        "table keeps %lu frames)\n",
		        process_slot_count(), process_slot_count() * (unsigned)(KSTACK_WINDOW / 1024),
		        table_frames);
	else
		kprintf("proc: process table cannot grow past %u slots: out of memory\n",
		        process_slot_count());
	return ok;
}

bool process_table_reserve(void)
{
	return nchunks != 0 || chunk_add();
}

struct process *process_slot_alloc(void)
{
	for (unsigned i = 0; i < process_slot_count(); i++)
		if (process_slot(i)->state == PROC_FREE)
			return process_slot(i);
	if (!chunk_add())
		return 0;
	return process_slot(process_slot_count() - PROC_CHUNK);
}

unsigned process_slot_index(const struct process *p)
{
	for (unsigned c = 0; c < nchunks; c++)
		if (p >= chunks[c] && p < chunks[c] + PROC_CHUNK)
			return c * PROC_CHUNK + (unsigned)(p - chunks[c]);
	return process_slot_count();
}

/* Unmaps and frees whatever is mapped in slot's stack window. */
static void window_free(unsigned slot)
{
	uint64_t base = window_of(slot) + PAGE_SIZE;
	for (unsigned k = 0; k < KSTACK_PAGES; k++) {
		uint64_t pa;
		if (vmm_unmap(vmm_kernel_pml4(), base + (uint64_t)k * PAGE_SIZE, &pa) == 0)
			pmm_free(pa);
	}
}

int process_kstack_map(struct process *p)
{
	unsigned slot = process_slot_index(p);
	if (slot == process_slot_count())
		return CAPOS_ERR_INVALID_ARGUMENT;
	uint64_t base = window_of(slot) + PAGE_SIZE;
	for (unsigned k = 0; k < KSTACK_PAGES; k++) {
		uint64_t pa = pmm_alloc();
		if (pa == 0 || vmm_map(vmm_kernel_pml4(), base + (uint64_t)k * PAGE_SIZE, pa,
		                       VMM_WRITE) != 0) {
			if (pa != 0)
				pmm_free(pa);
			window_free(slot);
			return CAPOS_ERR_NO_RESOURCES;
		}
	}
	p->kstack_top = base + KSTACK_SIZE;
	return CAPOS_OK;
}

void process_kstack_unmap(struct process *p)
{
	unsigned slot = process_slot_index(p);
	if (slot != process_slot_count())
		window_free(slot);
	p->kstack_top = 0;
}
