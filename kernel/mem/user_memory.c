/*
 * Per-process memory grants (see user_memory.h): the kernel half of the
 * FrameAllocator and VirtualMemory capabilities.  Argument and range logic
 * is in lib/vm_ranges.c and lib/frame_ledger.c (host-tested); this file
 * applies it to page tables and the PMM.
 *
 * Accounting: every frame handed to a process is charged to its ledger
 * (limit UMEM_FRAME_LIMIT) and listed (FrameAllocator) or reachable through
 * its anonymous ranges (VirtualMemory), so teardown returns all of them.
 * Page-table frames created for mappings (failed ones too) are counted
 * separately (ledger.tables): they come back with the address space, and
 * teardown adds them to the process's creation count so process_destroy's
 * exact "returned == taken" check still holds.
 */
#include "user_memory.h"

#include <capos/abi.h>

#include "boot_info.h"
#include "cap/memory_object.h"
#include "mem/heap.h"
#include "dev/device_claim.h"
#include "frame_ledger.h"
#include "kstring.h"
#include "format.h"
#include "log.h"
#include "pmm.h"
#include "vmm.h"
#include "proc/process.h"
#include "vm_ranges.h"

struct proc_memory {
	uint32_t pid; /* owner; 0 = unused (state is reset on first use) */
	struct frame_ledger ledger;
	uint64_t held_store[UMEM_HELD_INLINE];  /* until the held list grows */
	uint64_t held_frames, held_frames_peak; /* frames of the grown held list */
	struct vm_ranges ranges;
	struct vm_range range_store[UMEM_RANGES_INLINE]; /* until the table grows */
	uint64_t range_frames, range_frames_peak;        /* frames of the grown table */
	bool tearing_down;                               /* proc_memory_teardown ran: process_destroy is under way */
	uint64_t mapping_seq;                            /* ids of MemoryObject mappings */
	uint64_t maps, unmaps, protects, grants, frees;
};

/* One per process-table slot, in chunks added with the table's
 * (proc_memory_grow) and kept with them; state is reset on first use by a
 * new pid. */
#define MEM_CHUNK 32u
static struct proc_memory **mem_chunks;
static unsigned mem_nchunks, mem_chunks_cap;
/* The process whose process_destroy is releasing its caps (set at the end
 * of proc_memory_teardown; stale once the slot is cleared: check the pid). */
static struct process *destroying;
static uint32_t destroying_pid;
/* Scratch for allocContiguous (one call at a time: one CPU, no preemption). */
static uint64_t contig_run[UMEM_CONTIG_MAX];

bool proc_memory_grow(unsigned slots)
{
	while (mem_nchunks * MEM_CHUNK < slots) {
		if (mem_nchunks == mem_chunks_cap) {
			unsigned cap = mem_chunks_cap ? 2 * mem_chunks_cap : 4;
			struct proc_memory **grown = kmalloc(cap * sizeof(struct proc_memory *));
			if (grown == 0)
				return false;
			if (mem_nchunks)
				memcpy(grown, mem_chunks, mem_nchunks * sizeof(struct proc_memory *));
			kfree(mem_chunks);
			mem_chunks = grown;
			mem_chunks_cap = cap;
		}
		struct proc_memory *c = kzalloc(MEM_CHUNK * sizeof(*c));
		if (c == 0)
			return false;
		mem_chunks[mem_nchunks++] = c;
	}
	return true;
}

/* ---- the grown tables' storage ---------------------------------------
 *
 * Past their inline entries the mapping-range table and the held-frame
 * list move to physically contiguous whole frames (used through the
 * direct map), doubling up to their quota; no frame of them comes from
 * the kernel heap, which never gives frames back.  The frames are counted
 * per table (range_frames, held_frames) and go back to the PMM at
 * teardown, before process_destroy measures what the process returns, so
 * its exact check and the boot-end check both hold. */

struct table_frames {
	uint64_t *frames, *peak; /* the table's counters in its proc_memory */
	const char *what;        /* for the log */
};

static uint32_t table_frames(uint32_t entries, size_t entry_size)
{
	return (uint32_t)(((uint64_t)entries * entry_size + PAGE_SIZE - 1) / PAGE_SIZE);
}

static void *table_alloc(const struct proc_memory *m, struct table_frames t, uint32_t entries,
                         size_t entry_size)
{
	uint32_t frames = table_frames(entries, entry_size);
	uint64_t pa = umem_alloc_contiguous(frames);
	if (pa == 0) {
		kprintf("mem: pid %u %s cannot grow to %u: no %u contiguous frames\n", m->pid, t.what,
		        entries, frames);
		return 0;
	}
	*t.frames += frames;
	if (*t.frames > *t.peak)
		*t.peak = *t.frames;
	kprintf("mem: pid %u %s grown to %u (%u frames)\n", m->pid, t.what, entries, frames);
	return phys_to_virt(pa);
}

static void table_free(struct table_frames t, void *table, uint32_t entries, size_t entry_size)
{
	uint32_t frames = table_frames(entries, entry_size);
	uint64_t pa = virt_to_phys(table);
	for (uint32_t i = 0; i < frames; i++)
		pmm_free(pa + (uint64_t)i * PAGE_SIZE);
	*t.frames -= frames;
}

static struct table_frames range_table(struct proc_memory *m)
{
	return (struct table_frames){&m->range_frames, &m->range_frames_peak, "mapping ranges"};
}

static struct vm_range *range_table_alloc(void *ctx, uint32_t entries)
{
	struct proc_memory *m = ctx;
	return table_alloc(m, range_table(m), entries, sizeof(struct vm_range));
}

static void range_table_free(void *ctx, struct vm_range *r, uint32_t entries)
{
	table_free(range_table(ctx), r, entries, sizeof(struct vm_range));
}

static const struct vm_ranges_ops range_table_ops = {range_table_alloc, range_table_free};

static struct table_frames held_list(struct proc_memory *m)
{
	return (struct table_frames){&m->held_frames, &m->held_frames_peak, "held-frame list"};
}

static uint64_t *held_list_alloc(void *ctx, uint32_t entries)
{
	struct proc_memory *m = ctx;
	return table_alloc(m, held_list(m), entries, sizeof(uint64_t));
}

static void held_list_free(void *ctx, uint64_t *held, uint32_t entries)
{
	table_free(held_list(ctx), held, entries, sizeof(uint64_t));
}

static const struct frame_ledger_ops held_list_ops = {held_list_alloc, held_list_free};

static struct proc_memory *mem_of(struct process *p)
{
	unsigned i = process_slot_index(p);
	if (i < mem_nchunks * MEM_CHUNK) {
		struct proc_memory *m = &mem_chunks[i / MEM_CHUNK][i % MEM_CHUNK];
		if (m->pid != p->pid) {
			/* The limits are the process's quota (a thread's slot is
			 * never charged: callers pass the leader). */
			m->pid = p->pid;
			frame_ledger_init(&m->ledger, m->held_store, UMEM_HELD_INLINE, p->quota.frames);
			frame_ledger_set_growth(&m->ledger, &held_list_ops, m);
			vm_ranges_init(&m->ranges, m->range_store, UMEM_RANGES_INLINE);
			vm_ranges_set_growth(&m->ranges, &range_table_ops, m, p->quota.ranges);
			m->range_frames = m->range_frames_peak = 0;
			m->held_frames = m->held_frames_peak = 0;
			m->tearing_down = false;
			m->maps = m->unmaps = m->protects = m->grants = m->frees = 0;
			m->mapping_seq = 0;
		}
		return m;
	}
	panic("user_memory: process %p is not in the process table", (void *)p);
}

static unsigned vmm_flags_of(uint32_t prot)
{
	unsigned f = VMM_USER;
	if (prot & VM_PROT_WRITE)
		f |= VMM_WRITE;
	if (prot & VM_PROT_EXEC)
		f |= VMM_EXEC;
	return f;
}

static const char *prot_name(uint32_t prot)
{
	static const char *const names[8] = {"---", "r--", "-w-", "rw-", "--x", "r-x", "-wx", "rwx"};
	return names[prot & 7];
}

static enum umem_status fail(const char **why, const char *reason, enum umem_status s)
{
	*why = reason;
	return s;
}

static enum umem_status vm_status(int err)
{
	return err == VM_NO_SPACE || err == VM_TABLE_FULL ? UMEM_OVERLOADED : UMEM_INVALID;
}

/* A non-zero hint must avoid the process's own regions (ELF, TLS, stack,
 * ring, CapSet) and any page already mapped.  One lookup per page: callers
 * bound size by what the caller can hold first (umem_map: its frame limit;
 * umem_map_frames: the object's pages). */
static bool hint_is_free(struct process *p, uint64_t addr, uint64_t size)
{
	for (unsigned r = 0; r < p->nregions; r++) {
		uint64_t s = p->regions[r].start, e = s + (uint64_t)p->regions[r].pages * PAGE_SIZE;
		if (s < addr + size && addr < e)
			return false;
	}
	for (uint64_t va = addr; va < addr + size; va += PAGE_SIZE) {
		uint64_t pa;
		unsigned fl;
		if (vmm_query(p->pml4, va, &pa, &fl) == 0)
			return false;
	}
	return true;
}

/* Unmaps [addr, addr+size) and frees its frames; returns pages freed. */
static uint64_t unmap_pages(struct process *p, uint64_t addr, uint64_t size)
{
	uint64_t n = 0;
	for (uint64_t va = addr; va < addr + size; va += PAGE_SIZE) {
		uint64_t pa;
		if (vmm_unmap(p->pml4, va, &pa) == 0) {
			pmm_free(pa);
			n++;
		}
	}
	return n;
}

/* Checks prot and picks the address of a new mapping: the lowest free
 * range of the anonymous window for hint 0, else exactly hint. */
/* Room for `need` ranges, or why not (overloaded either way). */
static enum umem_status reserve_ranges(struct proc_memory *m, uint32_t need, const char **why)
{
	if (vm_ranges_reserve(&m->ranges, need))
		return UMEM_OK;
	if (need > m->ranges.limit)
		return fail(why, "too many mapping ranges (the process's quota)", UMEM_OVERLOADED);
	return fail(why, "too many mapping ranges (no memory to grow the table)", UMEM_OVERLOADED);
}

static enum umem_status pick_range(struct process *p, struct proc_memory *m, uint64_t *hintp,
                                   uint64_t size, uint32_t prot, const char **why)
{
	uint64_t hint = *hintp;
	int err = vm_check_prot(prot);
	if (err)
		return fail(why, vm_strerror(err), UMEM_INVALID);
	if (hint == 0) {
		if (size == 0 || (size & (PAGE_SIZE - 1)))
			return fail(why, vm_strerror(size ? VM_UNALIGNED : VM_ZERO), UMEM_INVALID);
		if (size > CAPOS_USER_ANON_END - CAPOS_USER_ANON_BASE)
			return fail(why, vm_strerror(VM_OUTSIDE), UMEM_INVALID);
		err = vm_ranges_find_free(&m->ranges, size, CAPOS_USER_ANON_BASE, CAPOS_USER_ANON_END,
		                          &hint);
		if (err)
			return fail(why, vm_strerror(err), vm_status(err));
	} else {
		/* Fixed addresses: anywhere below the ring/TLS/stack area. */
		err = vm_check_range(hint, size, CAPOS_USER_MIN, CAPOS_RING_VADDR);
		if (err)
			return fail(why, vm_strerror(err), UMEM_INVALID);
		if (vm_ranges_overlaps(&m->ranges, hint, size) || !hint_is_free(p, hint, size))
			return fail(why, vm_strerror(VM_OVERLAP), UMEM_INVALID);
	}
	enum umem_status s = reserve_ranges(m, m->ranges.count + 1, why);
	if (s != UMEM_OK)
		return s;
	*hintp = hint;
	return UMEM_OK;
}

enum umem_status umem_map(struct process *p, uint64_t hint, uint64_t size, uint32_t prot,
                          uint64_t *addr, const char **why)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	uint64_t pages = size / PAGE_SIZE;
	/* Before pick_range: its probe of a fixed hint is one lookup per page,
	 * so the size must first be one the caller could hold. */
	if (frame_ledger_can_charge(&m->ledger, pages) != LEDGER_OK)
		return fail(why, frame_ledger_strerror(LEDGER_OVER_LIMIT), UMEM_OVERLOADED);
	enum umem_status s = pick_range(p, m, &hint, size, prot, why);
	if (s)
		return s;
	if (frame_ledger_charge(&m->ledger, pages) != LEDGER_OK)
		panic("mem: pid %u ledger refused a charge it allowed", p->pid);

	unsigned flags = vmm_flags_of(prot);
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t va = hint + i * PAGE_SIZE;
		uint64_t before = pmm_free_count();
		uint64_t frame = pmm_alloc();
		int verr = frame ? vmm_map(p->pml4, va, frame, flags) : VMM_ERR_NOMEM;
		if (verr != 0) {
			if (frame)
				pmm_free(frame);
			frame_ledger_add_tables(&m->ledger, before - pmm_free_count());
			unmap_pages(p, hint, i * PAGE_SIZE);
			frame_ledger_uncharge(&m->ledger, pages);
			kprintf("mem: pid %u map %lx +%lu pages failed: out of frames\n", p->pid, hint,
			        pages);
			return fail(why, "out of physical frames", UMEM_OVERLOADED);
		}
		frame_ledger_add_tables(&m->ledger, before - pmm_free_count() - 1);
	}
	vm_ranges_insert(&m->ranges, hint, size, prot); /* checked above: cannot fail */
	m->maps++;
	*addr = hint;
	kprintf("mem: pid %u map %lx +%lu pages %s (charged %lu of %lu)\n", p->pid, hint, pages,
	        prot_name(prot), m->ledger.charged, m->ledger.limit);
	return UMEM_OK;
}

/* Checks shared by unmap and protect. */
static enum umem_status check_mapped(struct proc_memory *m, uint64_t addr, uint64_t size,
                                     const char **why)
{
	int err = vm_check_range(addr, size, CAPOS_USER_MIN, CAPOS_USER_END);
	if (err)
		return fail(why, vm_strerror(err), UMEM_INVALID);
	if (!vm_ranges_covers(&m->ranges, addr, size))
		return fail(why, vm_strerror(VM_NOT_MAPPED), UMEM_INVALID);
	return reserve_ranges(m, m->ranges.count + vm_ranges_splits_needed(&m->ranges, addr, size),
	                      why);
}

enum umem_status umem_unmap(struct process *p, uint64_t addr, uint64_t size, const char **why)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	enum umem_status s = check_mapped(m, addr, size, why);
	if (s)
		return s;
	if (!vm_ranges_covers_tag(&m->ranges, addr, size, 0))
		return fail(why, "range maps a MemoryObject (use MemoryObject.unmap)", UMEM_INVALID);
	uint64_t n = unmap_pages(p, addr, size);
	vm_ranges_remove(&m->ranges, addr, size);
	frame_ledger_uncharge(&m->ledger, size / PAGE_SIZE);
	m->unmaps++;
	kprintf("mem: pid %u unmap %lx +%lu pages (%lu frames freed, charged %lu)\n", p->pid, addr,
	        size / PAGE_SIZE, n, m->ledger.charged);
	return UMEM_OK;
}

enum umem_status umem_protect(struct process *p, uint64_t addr, uint64_t size, uint32_t prot,
                              const char **why)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	int err = vm_check_prot(prot);
	if (err)
		return fail(why, vm_strerror(err), UMEM_INVALID);
	enum umem_status s = check_mapped(m, addr, size, why);
	if (s)
		return s;
	/* A MemoryObject's mapping keeps the protection it was mapped with:
	 * the object's W^X rule counts mappings by that (memory_object.c). */
	if (!vm_ranges_covers_tag(&m->ranges, addr, size, 0))
		return fail(why, vm_strerror(VM_NOT_ANON), UMEM_INVALID);
	unsigned flags = vmm_flags_of(prot);
	for (uint64_t va = addr; va < addr + size; va += PAGE_SIZE)
		if (vmm_protect(p->pml4, va, flags) != 0)
			panic("mem: pid %u page %lx in a VM range is not mapped", p->pid, va);
	vm_ranges_protect(&m->ranges, addr, size, prot);
	m->protects++;
	kprintf("mem: pid %u protect %lx +%lu pages %s\n", p->pid, addr, size / PAGE_SIZE,
	        prot_name(prot));
	return UMEM_OK;
}

/* Unmaps [addr, addr+size) without freeing the frames (a MemoryObject's). */
static void unmap_borrowed(struct process *p, uint64_t addr, uint64_t size)
{
	for (uint64_t va = addr; va < addr + size; va += PAGE_SIZE) {
		uint64_t pa;
		vmm_unmap(p->pml4, va, &pa);
	}
}

enum umem_status umem_map_frames(struct process *p, uint64_t hint, const uint64_t *frames,
                                 uint32_t pages, uint32_t prot, uint64_t tag, uint64_t *addr,
                                 const char **why)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	uint64_t size = (uint64_t)pages * PAGE_SIZE;
	bool uncached = (prot & UMEM_PROT_UNCACHED) != 0;
	prot &= ~UMEM_PROT_UNCACHED;
	enum umem_status s = pick_range(p, m, &hint, size, prot, why);
	if (s)
		return s;
	unsigned flags = vmm_flags_of(prot) | (uncached ? VMM_UNCACHED : 0);
	for (uint32_t i = 0; i < pages; i++) {
		uint64_t before = pmm_free_count();
		int verr = vmm_map(p->pml4, hint + (uint64_t)i * PAGE_SIZE, frames[i], flags);
		frame_ledger_add_tables(&m->ledger, before - pmm_free_count());
		if (verr != 0) {
			unmap_borrowed(p, hint, (uint64_t)i * PAGE_SIZE);
			return fail(why, "out of physical frames (page tables)", UMEM_OVERLOADED);
		}
	}
	/* room checked */
	vm_ranges_insert_tagged(&m->ranges, hint, size, prot, tag, (uint32_t)++m->mapping_seq);
	m->maps++;
	*addr = hint;
	kprintf("mem: pid %u map %lx +%u pages %s%s of %s %lx\n", p->pid, hint, pages,
	        prot_name(prot), uncached ? " uncached" : "",
	        DEV_MAP_IS_TAG(tag) ? "device object" : "memory object", tag);
	return UMEM_OK;
}

enum umem_status umem_unmap_frames(struct process *p, uint64_t addr, uint32_t pages,
                                   uint64_t tag, uint32_t *prot, const char **why)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	uint64_t size = (uint64_t)pages * PAGE_SIZE;
	enum umem_status s = check_mapped(m, addr, size, why);
	if (s == UMEM_INVALID || (s == UMEM_OK && !vm_ranges_is_mapping(&m->ranges, addr, size, tag)))
		return fail(why, "not a mapping of this object", UMEM_INVALID);
	if (s)
		return s;
	*prot = vm_ranges_prot_at(&m->ranges, addr);
	unmap_borrowed(p, addr, size);
	vm_ranges_remove(&m->ranges, addr, size);
	m->unmaps++;
	kprintf("mem: pid %u unmap %lx +%u pages of %s %lx\n", p->pid, addr, pages,
	        DEV_MAP_IS_TAG(tag) ? "device object" : "memory object", tag);
	return UMEM_OK;
}

/* count physically contiguous frames from the PMM (which has no contiguous
 * allocator): allocate until the last `count` frames form a run.  The PMM
 * hands out the lowest free frame and takes freed frames back first, so
 * frames that break a run are parked (chained through their own first
 * word, via the direct map) until the search ends, then given back.  The
 * search is bounded so fragmented memory fails instead of looping. */
static void park(uint64_t *chain, uint64_t frame)
{
	*(uint64_t *)phys_to_virt(frame) = *chain;
	*chain = frame;
}

static uint64_t alloc_run(uint32_t count)
{
	uint32_t n = 0;
	uint64_t parked = 0, budget = (uint64_t)count + 8192;
	while (n < count && budget-- > 0) {
		uint64_t f = pmm_alloc();
		if (f == 0)
			break;
		if (n > 0 && f != contig_run[n - 1] + PAGE_SIZE) {
			for (uint32_t i = 0; i < n; i++)
				park(&parked, contig_run[i]);
			n = 0;
		}
		contig_run[n++] = f;
	}
	while (parked != 0) {
		uint64_t next = *(uint64_t *)phys_to_virt(parked);
		pmm_free(parked);
		parked = next;
	}
	if (n == count)
		return contig_run[0];
	for (uint32_t i = 0; i < n; i++)
		pmm_free(contig_run[i]);
	return 0;
}

uint64_t umem_alloc_contiguous(uint32_t count)
{
	if (count == 0 || count > UMEM_CONTIG_MAX)
		return 0;
	return count == 1 ? pmm_alloc() : alloc_run(count);
}

enum umem_status umem_frame_alloc(struct process *p, uint32_t count, uint64_t *phys,
                                  const char **why)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	if (count == 0 || count > UMEM_CONTIG_MAX)
		return fail(why, "count must be 1..512", UMEM_INVALID);
	int err = frame_ledger_reserve(&m->ledger, count);
	if (err)
		return fail(why, frame_ledger_strerror(err), UMEM_OVERLOADED);
	uint64_t first = count == 1 ? pmm_alloc() : alloc_run(count);
	if (first == 0) {
		kprintf("mem: pid %u frame grant of %u failed: no %sframes\n", p->pid, count,
		        count > 1 ? "contiguous " : "");
		return fail(why, "out of physical frames", UMEM_OVERLOADED);
	}
	for (uint32_t i = 0; i < count; i++)
		frame_ledger_add(&m->ledger, first + (uint64_t)i * PAGE_SIZE); /* room checked */
	m->grants += count;
	*phys = first;
	kprintf("mem: pid %u granted %u frame%s at %lx (holds %u, charged %lu of %lu)\n", p->pid,
	        count, count == 1 ? "" : "s", first, m->ledger.held_count, m->ledger.charged,
	        m->ledger.limit);
	return UMEM_OK;
}

enum umem_status umem_frame_free(struct process *p, uint64_t phys, const char **why)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	int err = frame_ledger_remove(&m->ledger, phys);
	if (err)
		return fail(why, frame_ledger_strerror(err), UMEM_INVALID);
	pmm_free(phys);
	m->frees++;
	kprintf("mem: pid %u freed frame %lx (holds %u)\n", p->pid, phys, m->ledger.held_count);
	return UMEM_OK;
}

void umem_frame_query(struct process *p, struct umem_query *q)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	q->total_frames = pmm_total_count();
	q->free_frames = pmm_free_count();
	q->held_frames = m->ledger.charged;
}

static void free_frame(uint64_t phys) { pmm_free(phys); }

/* Unmaps every range; returns anonymous pages freed and memory-object
 * pages unmapped (the object frees those with its last reference). */
static void unmap_all(struct process *p, struct proc_memory *m, uint64_t *pages,
                      uint64_t *borrowed)
{
	for (uint32_t i = 0; i < m->ranges.count; i++) {
		const struct vm_range *r = &m->ranges.r[i];
		if (r->tag != 0) {
			if (p->pml4)
				unmap_borrowed(p, r->start, r->pages * PAGE_SIZE);
			*borrowed += r->pages;
			if (DEV_MAP_IS_TAG(r->tag))
				dev_mapping_unmapped(r->tag, r->start, r->pages);
			else
				memory_object_unmapped(r->tag, r->pages, r->prot);
		} else if (p->pml4) {
			*pages += unmap_pages(p, r->start, r->pages * PAGE_SIZE);
		}
	}
}

void proc_memory_teardown(struct process *p)
{
	if (p->pid == 0)
		return;
	struct proc_memory *m = mem_of(p);
	bool active = frame_ledger_active(&m->ledger) || m->ranges.count != 0 || m->maps != 0 ||
	              m->grants != 0;
	uint64_t held = m->ledger.held_count, peak = m->ledger.peak, pages = 0, borrowed = 0;
	uint32_t held_cap = m->ledger.held_cap;
	if (active)
		unmap_all(p, m, &pages, &borrowed);
	uint32_t ranges_cap = m->ranges.cap;
	vm_ranges_release(&m->ranges); /* a grown table's frames go back here */
	/* Every path through here, a process that only had failed maps
	 * included: the page tables built for it are freed with the address
	 * space, so they count as part of what the process took. */
	uint64_t tables = frame_ledger_end(&m->ledger, free_frame);
	p->frames_at_create += tables;
	if (active)
		kprintf("mem: pid %u '%s' exit: returned %lu granted frames and %lu mapped pages, "
		        "unmapped %lu memory-object pages "
		        "(peak charged %lu; %lu maps, %lu unmaps, %lu protects, %lu grants, %lu frees; "
		        "ranges table %u entries, peak %lu frames, %u growths refused; "
		        "held list %u entries, peak %lu frames; "
		        "%lu page-table frames return with the address space)\n",
		        p->pid, p->name, held, pages, borrowed, peak, m->maps, m->unmaps, m->protects,
		        m->grants, m->frees, ranges_cap, m->range_frames_peak,
		        m->ranges.refused_quota + m->ranges.refused_memory, held_cap,
		        m->held_frames_peak, tables);
	/* Memory objects freed from here on (by the cap release that follows)
	 * are part of what process_destroy measures (umem_object_freed); those
	 * freed above were returned before it started counting. */
	m->tearing_down = true;
	destroying = p;
	destroying_pid = p->pid;
}

enum umem_status umem_object_charge(struct process *p, uint32_t pages, const char **why)
{
	p = p->leader; /* the grants are the process's, shared by its threads */
	struct proc_memory *m = mem_of(p);
	if (frame_ledger_charge(&m->ledger, pages) != LEDGER_OK)
		return fail(why, frame_ledger_strerror(LEDGER_OVER_LIMIT), UMEM_OVERLOADED);
	return UMEM_OK;
}

static bool alive(const struct process *p, uint32_t pid)
{
	return p != 0 && p->pid == pid && p->state != PROC_FREE;
}

void umem_object_freed(struct process *creator, uint32_t pid, uint32_t pages)
{
	/* The creator's ledger stops paying for it (if the creator lives on). */
	if (alive(creator, pid) && !mem_of(creator)->tearing_down)
		frame_ledger_uncharge(&mem_of(creator)->ledger, pages);
	/* Freed by a process_destroy's cap release: those frames are in what
	 * that destroy counts as returned, so count them as taken. */
	if (alive(destroying, destroying_pid) && mem_of(destroying)->tearing_down)
		destroying->frames_at_create += pages;
}
