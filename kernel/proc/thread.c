/*
 * Spawned threads (see process.h): a table slot sharing the leader's
 * address space and capability table, with its own kernel stack, extended
 * state, ring page, TLS area and user stack, all in thread slot
 * `thread_slot` of CAPOS_THREAD_AREA (include/capos/abi.h).
 *
 * Frames: the thread's own pages and its extended-state frame are
 * counted in its frames_at_create and come back in thread_release; page
 * tables its mappings needed belong to the address space and are charged
 * to the leader, whose teardown frees them.
 */
#include "process.h"

#include "cap/registry.h"
#include "kstring.h"
#include "log.h"
#include "mem/heap.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "proc_internal.h"

void thread_note_tls(struct process *p, const struct elf_plan *plan, uint64_t data_offset)
{
	p->tls_filesz = 0;
	p->tls_image = 0;
	p->tls_data_offset = data_offset;
	if (!plan->tls.present)
		return;
	uint64_t a = plan->tls.align ? plan->tls.align : 1;
	p->tls_image = (plan->tls.memsz + a - 1) & ~(a - 1);
	/* The .tdata template lies in a loaded segment: its user address. */
	for (uint32_t i = 0; i < plan->nsegments; i++) {
		const struct elf_segment *s = &plan->segments[i];
		if (plan->tls.offset >= s->offset &&
		    plan->tls.offset + plan->tls.filesz <= s->offset + s->filesz) {
			p->tls_template = s->vaddr + (plan->tls.offset - s->offset);
			p->tls_filesz = plan->tls.filesz;
			return;
		}
	}
}

/* The lowest thread slot no live thread of leader uses, in one pass over
 * the process table: its n spawned threads leave one of slots 0..n free,
 * so a bitmap of n + 1 bits (a scratch allocation) finds it. */
static int pick_slot(struct process *leader, uint32_t *out)
{
	uint64_t n = (uint64_t)leader->threads + 1;
	if (n > PROC_THREAD_SLOTS)
		return CAPOS_ERR_NO_RESOURCES;
	uint8_t *used = kmalloc((size_t)(n + 7) / 8);
	if (used == 0)
		return CAPOS_ERR_NO_RESOURCES;
	memset(used, 0, (size_t)(n + 7) / 8);
	for (unsigned i = 0; i < process_slot_count(); i++) {
		struct process *t = process_slot(i);
		if (t->state != PROC_FREE && t != leader && t->leader == leader && t->thread_slot < n)
			used[t->thread_slot / 8] |= (uint8_t)(1u << (t->thread_slot % 8));
	}
	int err = CAPOS_ERR_NO_RESOURCES;
	for (uint32_t s = 0; s < n; s++) {
		if (!(used[s / 8] & (1u << (s % 8)))) {
			*out = s;
			err = CAPOS_OK;
			break;
		}
	}
	kfree(used);
	return err;
}

/* Maps the TLS area at base: the template, zeroed .tbss, the thread
 * pointer (which points at itself) and tls_size bytes of TCB after it. */
static int setup_thread_tls(struct process *t, uint64_t base, uint64_t tls_size)
{
	struct process *l = t->leader;
	uint64_t tp = base + ((l->tls_data_offset + l->tls_image + 15) & ~15ull);
	uint64_t end = tp + 64 + tls_size;
	uint32_t pages = (uint32_t)((end - base + PAGE_SIZE - 1) / PAGE_SIZE);
	int err = proc_map_region(t, base, pages, VMM_WRITE);
	if (err)
		return err;
	uint8_t chunk[256];
	for (uint64_t off = 0; off < l->tls_filesz; off += sizeof chunk) {
		uint64_t n = l->tls_filesz - off < sizeof chunk ? l->tls_filesz - off : sizeof chunk;
		if (user_copy_in(l, chunk, l->tls_template + off, n) != CAPOS_OK)
			break; /* the program unmapped its own image: .tdata stays zero */
		err = proc_poke(t, base + l->tls_data_offset + off, chunk, n);
		if (err)
			return err;
	}
	t->fs_base = tp;
	return proc_poke(t, tp, &t->fs_base, sizeof(t->fs_base));
}

/* The pages of t's regions that are mapped (a failed map leaves a
 * region part mapped). */
static uint64_t mapped_pages(struct process *t)
{
	uint64_t n = 0, pa;
	unsigned flags;
	for (unsigned r = 0; r < t->nregions; r++)
		for (uint32_t i = 0; i < t->regions[r].pages; i++)
			n += vmm_query(t->pml4, t->regions[r].start + (uint64_t)i * PAGE_SIZE, &pa,
			               &flags) == 0;
	return n;
}

/* A stack of the caller's own (pthread_attr_setstack): every page of
 * [base, base + size) mapped user-writable now.  Checked once: the
 * program may unmap it later, and then only its own thread faults. */
static bool user_stack_mapped(struct process *leader, uint64_t base, uint64_t size)
{
	uint64_t first = base & ~(uint64_t)(PAGE_SIZE - 1);
	for (uint64_t va = first; va < base + size; va += PAGE_SIZE) {
		uint64_t pa;
		unsigned flags;
		if (vmm_query(leader->pml4, va, &pa, &flags) != 0 ||
		    (flags & (VMM_USER | VMM_WRITE)) != (VMM_USER | VMM_WRITE))
			return false;
	}
	return true;
}

static int check_args(struct process *leader, struct thread_spawn_args *a)
{
	if (a->entry < CAPOS_USER_MIN || a->entry >= CAPOS_USER_IMAGE_END)
		return CAPOS_ERR_INVALID_ARGUMENT;
	if (a->tls_size > CAPOS_THREAD_TLS_MAX)
		return CAPOS_ERR_INVALID_ARGUMENT;
	uint64_t stack_pages = 0;
	if (a->stack_base != 0) {
		if (a->stack_size < CAPOS_THREAD_USER_STACK_MIN ||
		    a->stack_size > CAPOS_THREAD_USER_STACK_MAX ||
		    (a->stack_base | a->stack_size) % CAPOS_THREAD_USER_STACK_ALIGN != 0 ||
		    a->stack_base < CAPOS_USER_MIN || a->stack_base >= CAPOS_USER_END ||
		    a->stack_size > CAPOS_USER_END - a->stack_base ||
		    !user_stack_mapped(leader, a->stack_base, a->stack_size))
			return CAPOS_ERR_INVALID_ARGUMENT;
	} else {
		if (a->stack_size == 0)
			a->stack_size = CAPOS_THREAD_STACK_DEFAULT;
		if (a->stack_size > CAPOS_THREAD_STACK_MAX)
			return CAPOS_ERR_INVALID_ARGUMENT;
		a->stack_size = (a->stack_size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		stack_pages = a->stack_size;
	}
	uint64_t tls_end = CAPOS_THREAD_TLS_OFFSET + leader->tls_data_offset + leader->tls_image +
	                   16 + 64 + a->tls_size + PAGE_SIZE;
	/* TLS, then at least one unmapped guard page, then the stack. */
	if (tls_end + PAGE_SIZE > CAPOS_THREAD_SLOT - stack_pages)
		return CAPOS_ERR_INVALID_ARGUMENT;
	return CAPOS_OK;
}

struct process *thread_create(struct process *caller, const struct thread_spawn_args *args,
                              int *err)
{
	struct process *leader = caller->leader;
	struct thread_spawn_args a = *args;
	*err = check_args(leader, &a);
	if (*err) {
		kprintf("proc: pid %u '%s' thread refused: bad arguments (entry %lx, stack %lx + "
		        "%lx, tls %lu bytes)\n",
		        caller->pid, caller->name, a.entry, a.stack_base, a.stack_size, a.tls_size);
		return 0;
	}
	uint32_t slot;
	*err = pick_slot(leader, &slot);
	struct process *t = *err ? 0 : process_slot_alloc();
	if (t == 0) {
		*err = CAPOS_ERR_NO_RESOURCES;
		kprintf("proc: pid %u '%s' thread refused: process table full (%u slots, out of "
		        "memory)\n",
		        caller->pid, caller->name, process_slot_count());
		return 0;
	}
	uint64_t free_before = pmm_free_count();
	memset(t, 0, sizeof(*t));
	t->pid = proc_next_pid();
	t->parent_pid = leader->parent_pid;
	kstrlcpy(t->name, leader->name, sizeof(t->name));
	kstrlcpy(t->binary, leader->binary, sizeof(t->binary));
	t->state = PROC_BLOCKED; /* claims the slot; runnable once complete */
	t->leader = leader;
	t->thread_slot = slot;
	t->pml4 = leader->pml4;
	t->wait_deadline = UINT64_MAX;
	leader->threads++;
	uint64_t base = CAPOS_THREAD_AREA + (uint64_t)slot * CAPOS_THREAD_SLOT;
	uint64_t stack_top = base + CAPOS_THREAD_SLOT;
	const char *step = "kernel stack";
	*err = process_kstack_map(t);
	bool kstack = *err == CAPOS_OK;
	if (!*err) {
		step = "extended state";
		*err = fpu_state_alloc(&t->fpu);
	}
	if (!*err) {
		step = "ring";
		*err = proc_setup_ring(t, base);
	}
	if (!*err) {
		step = "TLS";
		*err = setup_thread_tls(t, base + CAPOS_THREAD_TLS_OFFSET, a.tls_size);
	}
	if (!*err && a.stack_base == 0) {
		step = "stack";
		*err = proc_map_region(t, stack_top - a.stack_size, (uint32_t)(a.stack_size / PAGE_SIZE),
		                       VMM_WRITE);
	}
	uint64_t own = (kstack ? KSTACK_SIZE / PAGE_SIZE : 0) + (t->fpu.frame ? 1 : 0) + mapped_pages(t);
	uint64_t took = free_before - pmm_free_count();
	/* Page tables beyond the thread's own frames stay with the space. */
	t->frames_at_create = own < took ? own : took;
	leader->frames_at_create += took - t->frames_at_create;
	if (*err) {
		kprintf("proc: pid %u '%s' thread refused: %s: %s\n", caller->pid, caller->name, step,
		        ring_error_name(*err));
		t->state = PROC_ZOMBIE;
		thread_release(t);
		return 0;
	}
	/* A C library's own thread block (ThreadSpawner.spawn tlsBase): a
	 * user address the caller checked; the kernel never reads it. */
	if (a.tls_base != 0)
		t->fs_base = a.tls_base;
	/* The caller's own stack: the kernel never touches it either. */
	if (a.stack_base != 0)
		stack_top = a.stack_base + a.stack_size;
	proc_setup_context(t, a.entry, stack_top - 8, base, a.arg, t->pid);
	t->state = PROC_RUNNABLE;
	kprintf("proc: pid %u '%s' thread %u (slot %u) created by pid %u: %lu frames, entry %lx, "
	        "stack %lu KiB%s, tls %lu bytes, %u threads\n",
	        t->pid, t->name, t->pid, slot, caller->pid, t->frames_at_create, a.entry,
	        a.stack_size / 1024, a.stack_base ? " (caller's)" : "", a.tls_size, leader->threads);
	return t;
}

void thread_release(struct process *t)
{
	struct process *leader = t->leader;
	/* What this thread has pending (endpoint calls, sleeps, parks, joins)
	 * ends now; the capability table is the process's and stays.  Frames
	 * that frees (caps a pending call carried) are not the thread's. */
	kcap_process_exit(t);
	uint64_t free_before = pmm_free_count();
	proc_unmap_regions(t);
	fpu_state_free(&t->fpu);
	process_kstack_unmap(t);
	uint64_t returned = pmm_free_count() - free_before;
	kprintf("proc: pid %u '%s' thread ended%s: returned %lu frames (free frames %lu -> "
	        "%lu)%s\n",
	        t->pid, t->name, t->killed ? " (process ending)" : "", returned, free_before,
	        pmm_free_count(), returned == t->frames_at_create ? "" : " MISMATCH");
	if (returned != t->frames_at_create)
		proc_note_leak(t->frames_at_create - returned);
	leader->threads--;
	memset(t, 0, sizeof(*t));
	t->state = PROC_FREE;
}
