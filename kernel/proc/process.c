/*
 * Process creation and teardown.
 *
 * A process takes a slot of the process table (proc_table.c, grown
 * before the count starts), then frames: its kernel stack, user pages,
 * page tables and capability table.  Creation measures them (free-frame
 * count before and after); teardown checks every one came back.
 */
#include "process.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"
#include "api/kmeasure.h"
#include "boot_cmdline.h"
#include "boot_info.h"
#include "cap/registry.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "proc_internal.h"
#include "sched.h"
#include "mem/user_memory.h"

static uint32_t next_pid = 1;

uint32_t proc_next_pid(void) { return next_pid++; }

/* ---- user memory through the page tables ---------------------------- */

/* A lazy page the kernel touches first (a call's buffer on a stack page
 * the program has not used yet) is mapped as if the program had touched
 * it.  Out of line: only the miss path of user_page gets here. */
int user_page_walk(struct process *p, uint64_t page, uint64_t *pa, unsigned *flags)
{
	int err = vmm_query(p->pml4, page, pa, flags);
	if (err != 0) {
		if (proc_fault_in(p, page) != CAPOS_OK)
			return err;
		err = vmm_query(p->pml4, page, pa, flags);
		if (err != 0)
			return err;
	}
	p->utlb[(page >> 12) % PROC_UTLB] = (struct proc_utlb){
		.page = page,
		.pa = *pa,
		.gen = vmm_generation(),
		.flags = *flags,
	};
	return err;
}

/* Copies between the kernel and user pages of p; `need` are the VMM flags
 * every touched page must have. */
static int user_copy(struct process *p, uint64_t uaddr, void *kbuf, uint64_t len,
                     unsigned need, bool to_user)
{
	if (ring_check_user_range(uaddr, len, UINT64_MAX) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	uint8_t *k = kbuf;
	while (len > 0) {
		uint64_t page = uaddr & ~(PAGE_SIZE - 1);
		uint64_t off = uaddr - page;
		uint64_t n = PAGE_SIZE - off;
		if (n > len)
			n = len;
		uint64_t pa;
		unsigned flags;
		if (user_page(p, page, &pa, &flags) != 0 || (flags & need) != need)
			return CAPOS_ERR_BAD_BUFFER;
		uint8_t *kva = (uint8_t *)phys_to_virt(pa) + off;
		if (k != 0 && to_user) /* k == 0: only checking */
			memcpy(kva, k, n);
		else if (k != 0)
			memcpy(k, kva, n);
		if (k)
			k += n;
		uaddr += n;
		len -= n;
	}
	return CAPOS_OK;
}

int user_copy_in(struct process *p, void *dst, uint64_t uaddr, uint64_t len)
{
	MEASURE_ENTER(COPY);
	int err = user_copy(p, uaddr, dst, len, VMM_USER, false);
	MEASURE_LEAVE();
	return err;
}

int user_copy_out(struct process *p, uint64_t uaddr, const void *src, uint64_t len)
{
	MEASURE_ENTER(COPY);
	int err = user_copy(p, uaddr, (void *)src, len, VMM_USER | VMM_WRITE, true);
	MEASURE_LEAVE();
	return err;
}

int user_check_writable(struct process *p, uint64_t uaddr, uint64_t len)
{
	MEASURE_ENTER(COPY);
	int err = user_copy(p, uaddr, 0, len, VMM_USER | VMM_WRITE, true);
	MEASURE_LEAVE();
	return err;
}

/* True when [start, start+len) overlaps a region mapped from the boot
 * module, whose frames every process running that binary shares. */
static bool hits_shared(const struct process *p, uint64_t start, uint64_t len)
{
	const struct process *l = p->leader ? p->leader : p;
	for (unsigned r = 0; r < l->nregions; r++) {
		const struct proc_region *g = &l->regions[r];
		if (g->shared && start < g->start + (uint64_t)g->pages * PAGE_SIZE &&
		    g->start < start + len)
			return true;
	}
	return false;
}

int proc_poke(struct process *p, uint64_t uaddr, const void *src, uint64_t len)
{
	if (hits_shared(p, uaddr, len))
		return CAPOS_ERR_BAD_BUFFER;
	return user_copy(p, uaddr, (void *)src, len, VMM_USER, true);
}

int proc_map_region(struct process *p, uint64_t start, uint32_t pages, unsigned flags)
{
	if (p->nregions == PROC_MAX_REGIONS)
		return CAPOS_ERR_NO_RESOURCES;
	/* Recorded first so teardown covers a half-mapped region. */
	p->regions[p->nregions++] = (struct proc_region){.start = start, .pages = pages};
	for (uint32_t i = 0; i < pages; i++) {
		uint64_t frame = pmm_alloc();
		if (frame == 0)
			return CAPOS_ERR_NO_RESOURCES;
		if (vmm_map(p->pml4, start + (uint64_t)i * PAGE_SIZE, frame, flags | VMM_USER) != 0) {
			pmm_free(frame);
			return CAPOS_ERR_NO_RESOURCES;
		}
	}
	return CAPOS_OK;
}

int proc_map_lazy(struct process *p, uint64_t start, uint32_t pages, unsigned flags)
{
	if (p->nregions == PROC_MAX_REGIONS)
		return CAPOS_ERR_NO_RESOURCES;
	p->regions[p->nregions++] = (struct proc_region){
		.start = start, .pages = pages, .flags = (uint16_t)(flags | VMM_USER), .lazy = true};
	return CAPOS_OK;
}

static const struct proc_region *lazy_region_of(const struct process *p, uint64_t va)
{
	for (unsigned r = 0; r < p->nregions; r++) {
		const struct proc_region *g = &p->regions[r];
		if (g->lazy && va >= g->start && va - g->start < (uint64_t)g->pages * PAGE_SIZE)
			return g;
	}
	return 0;
}

/* A fresh zero frame behind the page of va (pmm_alloc zeroes it once). */
static int lazy_map(struct process *p, const struct proc_region *g, uint64_t va)
{
	uint64_t frame = pmm_alloc();
	if (frame == 0)
		return CAPOS_ERR_NO_RESOURCES;
	if (vmm_map(p->pml4, va & ~(PAGE_SIZE - 1), frame, g->flags) != 0) {
		pmm_free(frame);
		return CAPOS_ERR_NO_RESOURCES;
	}
	return CAPOS_OK;
}

int proc_fault_in(struct process *p, uint64_t va)
{
	struct process *l = p->leader ? p->leader : p; /* the regions are the process's */
	const struct proc_region *g = lazy_region_of(l, va);
	uint64_t pa;
	unsigned flags;
	if (g == 0 || vmm_query(l->pml4, va & ~(PAGE_SIZE - 1), &pa, &flags) == 0)
		return CAPOS_ERR_BAD_BUFFER;
	/* The frame and any page table it needed are the process's from now
	 * on: teardown counts them back. */
	uint64_t before = pmm_free_count();
	int err = lazy_map(l, g, va);
	l->frames_at_create += before - pmm_free_count();
	if (err == CAPOS_OK)
		l->lazy_pages++;
	return err;
}

/* ---- the capability table's frames ---------------------------------- */

/* One frame per directory or chunk (both fit: lib/cap_table.c). */
static void *cap_frame_alloc(void *ctx, size_t bytes)
{
	struct process *p = ctx;
	uint64_t pa = bytes <= PAGE_SIZE ? pmm_alloc() : 0;
	if (pa == 0)
		return 0;
	p->cap_frames++;
	return phys_to_virt(pa);
}

static void cap_frame_free(void *ctx, void *va, size_t bytes)
{
	struct process *p = ctx;
	(void)bytes;
	p->cap_frames--;
	pmm_free(virt_to_phys(va));
}

static const struct cap_table_ops cap_frame_ops = {cap_frame_alloc, cap_frame_free};

/* Capabilities a process may hold: CAPOS_PROC_CAP_QUOTA, or capquota=N
 * (1..CAPOS_PROC_CAP_QUOTA) on the kernel command line, which tests use to
 * reach a full table in a few calls. */
static uint32_t cap_quota(void)
{
	static uint32_t quota;
	if (quota == 0) {
		char arg[16];
		quota = CAPOS_PROC_CAP_QUOTA;
		if (boot_arg("capquota", arg, sizeof arg) != 0 &&
		    !boot_cmdline_parse_uint(arg, CAPOS_PROC_CAP_QUOTA, &quota))
			kprintf("boot: WARNING: capquota=%s ignored: not a number in 1..%u\n", arg,
			        CAPOS_PROC_CAP_QUOTA);
		if (quota == 0)
			quota = CAPOS_PROC_CAP_QUOTA;
		kprintf("proc: each process may hold %u capabilities\n", quota);
	}
	return quota;
}

void proc_quota_root(struct quota *q)
{
	q->caps = cap_quota();
	q->ranges = UMEM_RANGES_QUOTA;
	q->frames = UMEM_FRAME_LIMIT;
	q->threads = (uint32_t)PROC_THREAD_SLOTS;
}

void proc_quota_ceiling(struct quota *q)
{
	uint64_t frames = pmm_total_count();
	q->caps = cap_quota(); /* capquota=N lowers it for everyone */
	q->frames = frames > UINT32_MAX ? UINT32_MAX : (uint32_t)frames;
	q->ranges = q->frames; /* one page per range at most */
	q->threads = (uint32_t)PROC_THREAD_SLOTS;
}

/* ---- creation -------------------------------------------------------- */

static unsigned elf_vmm_flags(uint32_t elf_flags)
{
	unsigned f = 0;
	if (elf_flags & ELF_SEG_W)
		f |= VMM_WRITE;
	if (elf_flags & ELF_SEG_X)
		f |= VMM_EXEC;
	return f;
}

/* True when [pa, pa+len) lies inside one boot module (reserved for good:
 * the frame allocator never hands those frames out). */
static bool in_boot_module(uint64_t pa, uint64_t len)
{
	for (unsigned i = 0; i < boot_info.module_count; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		if (pa >= m->phys && len <= m->size && pa - m->phys <= m->size - len)
			return true;
	}
	return false;
}

/*
 * A read-only segment whose pages are whole pages of the binary (no
 * .bss, file offset and address on the same page offset, the image in
 * the boot module, page-aligned there by mkmanifest) is mapped straight
 * from the module's frames, shared by every process running it.  The
 * bytes around the segment on its first and last page are the same
 * binary's.  Returns false when the segment must be copied.
 */
static bool segment_shareable(const uint8_t *image, uint64_t size, const struct elf_segment *s)
{
	if ((s->flags & ELF_SEG_W) || s->filesz != s->memsz || s->filesz == 0)
		return false;
	uint64_t lead = s->vaddr & (PAGE_SIZE - 1);
	if ((s->offset & (PAGE_SIZE - 1)) != lead)
		return false;
	uint64_t from = s->offset - lead;
	uint64_t bytes = (lead + s->filesz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (bytes > size || from > size - bytes)
		return false;
	uint64_t pa = virt_to_phys(image + from);
	return (pa & (PAGE_SIZE - 1)) == 0 && in_boot_module(pa, bytes);
}

static int map_shared(struct process *p, const uint8_t *image, const struct elf_segment *s)
{
	uint64_t first = s->vaddr & ~(PAGE_SIZE - 1);
	uint32_t pages = (uint32_t)(((s->vaddr - first) + s->filesz + PAGE_SIZE - 1) / PAGE_SIZE);
	if (p->nregions == PROC_MAX_REGIONS)
		return CAPOS_ERR_NO_RESOURCES;
	p->regions[p->nregions++] =
		(struct proc_region){.start = first, .pages = pages, .shared = true};
	uint64_t pa = virt_to_phys(image + s->offset - (s->vaddr - first));
	for (uint32_t i = 0; i < pages; i++)
		if (vmm_map(p->pml4, first + (uint64_t)i * PAGE_SIZE, pa + (uint64_t)i * PAGE_SIZE,
		            elf_vmm_flags(s->flags) | VMM_USER) != 0)
			return CAPOS_ERR_NO_RESOURCES;
	return CAPOS_OK;
}

static int load_segments(struct process *p, const uint8_t *image, uint64_t size,
                         const struct elf_plan *plan)
{
	for (uint32_t i = 0; i < plan->nsegments; i++) {
		const struct elf_segment *s = &plan->segments[i];
		if (segment_shareable(image, size, s)) {
			int err = map_shared(p, image, s);
			if (err)
				return err;
			p->shared_pages += p->regions[p->nregions - 1].pages;
			continue;
		}
		uint64_t first = s->vaddr & ~(PAGE_SIZE - 1);
		uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		int err = proc_map_region(p, first, (uint32_t)((end - first) / PAGE_SIZE),
		                          elf_vmm_flags(s->flags));
		if (err)
			return err;
		err = proc_poke(p, s->vaddr, image + s->offset, s->filesz);
		if (err)
			return err;
	}
	return CAPOS_OK;
}

static int setup_tls(struct process *p, const uint8_t *image, const struct elf_plan *plan)
{
	struct elf_tls_layout l;
	elf_tls_layout(&plan->tls, &l);
	int err = proc_map_region(p, CAPOS_TLS_VADDR, (uint32_t)(l.area_size / PAGE_SIZE),
	                          VMM_WRITE);
	if (err)
		return err;
	if (plan->tls.present && plan->tls.filesz > 0) {
		err = proc_poke(p, CAPOS_TLS_VADDR + l.data_offset, image + plan->tls.offset,
		                plan->tls.filesz);
		if (err)
			return err;
	}
	/* .tbss is already zero (fresh frames).  %fs:0 = the thread pointer. */
	p->fs_base = CAPOS_TLS_VADDR + l.tp_offset;
	thread_note_tls(p, plan, l.data_offset);
	return proc_poke(p, p->fs_base, &p->fs_base, sizeof(p->fs_base));
}

/* The stack is lazy: most programs touch a few of its pages, and zeroing
 * all of them was most of a spawn.  The top page, which the entry frame
 * uses at once, is mapped now. */
static int setup_stack(struct process *p)
{
	int err = proc_map_lazy(p, CAPOS_USER_STACK_TOP - CAPOS_USER_STACK_SIZE,
	                        CAPOS_USER_STACK_SIZE / PAGE_SIZE, VMM_WRITE);
	if (err)
		return err;
	err = lazy_map(p, &p->regions[p->nregions - 1], CAPOS_USER_STACK_TOP - PAGE_SIZE);
	p->lazy_pages = err ? 0 : 1;
	return err;
}

int proc_setup_ring(struct process *p, uint64_t va)
{
	int err = proc_map_region(p, va, 1, VMM_WRITE);
	if (err)
		return err;
	uint64_t pa;
	unsigned flags;
	if (vmm_query(p->pml4, va, &pa, &flags) != 0)
		return CAPOS_ERR_NO_RESOURCES;
	p->ring = phys_to_virt(pa);
	ring_init(p->ring, &p->ring_cursor);
	return CAPOS_OK;
}

/* The first kernel context of a thread: a trap frame that enters user
 * mode at rip with rsp and three argument registers, below it a
 * context_switch frame returning to proc_first_run. */
void proc_setup_context(struct process *p, uint64_t rip, uint64_t rsp, uint64_t rdi,
                        uint64_t rsi, uint64_t rdx)
{
	struct trap_frame *tf = (struct trap_frame *)(p->kstack_top - sizeof(*tf));
	memset(tf, 0, sizeof(*tf));
	tf->rip = rip;
	tf->cs = USER_CS;
	tf->rflags = RFLAGS_IF | 0x2;
	tf->rsp = rsp;
	tf->ss = USER_DS;
	tf->rdi = rdi;
	tf->rsi = rsi;
	tf->rdx = rdx;
	uint64_t *ctx = (uint64_t *)tf - 8; /* context_switch.S layout */
	memset(ctx, 0, 7 * sizeof(uint64_t));
	ctx[0] = 0x2; /* rflags: interrupts off, as every kernel context */
	ctx[7] = (uint64_t)proc_first_run;
	p->saved_rsp = (uint64_t)ctx;
}

struct process *process_create_granted(const char *name, const void *image, uint64_t size,
                                       const struct quota *quota, proc_grant_fn grant,
                                       void *ctx)
{
	struct elf_plan plan;
	int err = elf_plan_parse(image, size, CAPOS_USER_MIN, CAPOS_USER_IMAGE_END, &plan);
	if (err != ELF_OK) {
		kprintf("proc: '%s' refused: bad ELF: %s\n", name, elf_error_name(err));
		return 0;
	}
	struct process *p = process_slot_alloc();
	if (p == 0) {
		kprintf("proc: '%s' refused: process table full (%u slots, out of memory)\n", name,
		        process_slot_count());
		return 0;
	}
	uint64_t free_before = pmm_free_count();
	memset(p, 0, sizeof(*p));
	p->pid = next_pid++;
	kstrlcpy(p->name, name, sizeof(p->name));
	p->state = PROC_RUNNABLE; /* claims the slot; not scheduled until returned */
	p->leader = p;
	p->wait_deadline = UINT64_MAX;
	p->quota = *quota;

	const char *step = "capability table";
	err = cap_table_init(&p->caps, &cap_frame_ops, p, quota->caps);
	if (!err) {
		step = "kernel stack";
		err = process_kstack_map(p);
	}
	if (!err) {
		step = "address space";
		p->pml4 = vmm_create_address_space();
		err = p->pml4 ? CAPOS_OK : CAPOS_ERR_NO_RESOURCES;
	}
	if (!err) {
		step = "extended state";
		err = fpu_state_alloc(&p->fpu);
	}
	if (!err) {
		step = "ELF segments";
		err = load_segments(p, image, size, &plan);
	}
	if (!err) {
		step = "TLS";
		err = setup_tls(p, image, &plan);
	}
	if (!err) {
		step = "stack";
		err = setup_stack(p);
	}
	if (!err) {
		step = "ring";
		err = proc_setup_ring(p, CAPOS_RING_VADDR);
	}
	if (!err) {
		step = "capabilities";
		err = grant(p, ctx);
	}
	if (err) {
		kprintf("proc: '%s' refused: %s: %s\n", name, step, ring_error_name(err));
		p->frames_at_create = free_before - pmm_free_count() - p->cap_frames;
		process_destroy(p);
		return 0;
	}
	proc_setup_context(p, plan.entry, CAPOS_USER_STACK_TOP - 8, CAPOS_RING_VADDR, p->pid,
	                   CAPOS_CAPSET_VADDR);
	p->frames_at_create = free_before - pmm_free_count() - p->cap_frames;
	kprintf("proc: pid %u '%s' created: %lu frames (free frames %lu -> %lu), entry %lx, "
	        "tls %s, %u caps, %u pages shared\n",
	        p->pid, p->name, p->frames_at_create, free_before, pmm_free_count(), plan.entry,
	        plan.tls.present ? "yes" : "no", cap_table_count(&p->caps), p->shared_pages);
	return p;
}

void proc_wait_underflow(struct process *p, enum wait_kind k)
{
	panic("proc: pid %u ends a wait of kind %u it did not begin", p->pid, (unsigned)k);
}

/* ---- teardown -------------------------------------------------------- */

static void release_caps(struct process *p)
{
	uint32_t cursor = 0, id;
	struct cap_entry *e;
	while (cap_table_next(&p->caps, &cursor, &id, &e)) {
		struct cap_entry removed;
		if (cap_table_remove(&p->caps, id, &removed) == CAPOS_OK)
			kcap_drop(&removed);
	}
}

/* Unmaps and frees the frames of p's regions (the page tables stay:
 * they belong to the address space). */
void proc_unmap_regions(struct process *p)
{
	for (unsigned r = 0; r < p->nregions; r++) {
		for (uint32_t i = 0; i < p->regions[r].pages; i++) {
			uint64_t pa;
			if (vmm_unmap(p->pml4, p->regions[r].start + (uint64_t)i * PAGE_SIZE, &pa) == 0 &&
			    !p->regions[r].shared)
				pmm_free(pa);
		}
	}
	p->nregions = 0;
}

/* Everything the process holds, once no thread but the leader is left. */
static void process_teardown(struct process *p)
{
	proc_memory_teardown(p); /* FrameAllocator/VirtualMemory grants first */
	uint64_t free_before = pmm_free_count();
	if (p->pid != 0 && p->slices != 0)
		kprintf("proc: pid %u '%s' stats: %lu slices, %lu preempted, %lu syscalls, %lu SQEs "
		        "(%lu transport errors), %u stack pages touched\n",
		        p->pid, p->name, p->slices, p->preempted, p->syscalls, p->sqes_done,
		        p->ring_errors, p->lazy_pages);
	/* Each type ends what p has pending in it (endpoint calls may hold
	 * move reservations in p's table) before the table is released. */
	kcap_process_exit(p);
	/* The table's frames come back below with the rest. */
	p->frames_at_create += p->cap_frames;
	uint32_t held = cap_table_count(&p->caps);
	uint64_t table_frames = p->cap_frames;
	release_caps(p);
	if (held)
		kprintf("proc: pid %u '%s' released %u capability slots (%u left; table frames %lu, "
		        "peak %u chunks)\n",
		        p->pid, p->name, held, cap_table_count(&p->caps), table_frames,
		        p->caps.chunks_peak);
	if (p->caps.refused_quota || p->caps.refused_memory)
		kprintf("proc: pid %u '%s' capability table refused %u inserts over quota %u, "
		        "%u for memory\n",
		        p->pid, p->name, p->caps.refused_quota, p->caps.limit, p->caps.refused_memory);
	(void)cap_table_destroy(&p->caps);
	if (p->pml4) {
		if (read_cr3() == p->pml4)
			vmm_switch(vmm_kernel_pml4());
		proc_unmap_regions(p);
		vmm_destroy_address_space(p->pml4);
	}
	fpu_state_free(&p->fpu);
	process_kstack_unmap(p);
	uint64_t returned = pmm_free_count() - free_before;
	kprintf("proc: pid %u '%s' destroyed: returned %lu frames (free frames %lu -> %lu)%s\n",
	        p->pid, p->name, returned, free_before, pmm_free_count(),
	        returned == p->frames_at_create ? "" : " MISMATCH");
	if (returned != p->frames_at_create)
		proc_note_leak(p->frames_at_create - returned);
	if (p->end_report) {
		p->end_report->ended = true;
		p->end_report->killed = p->killed;
		p->end_report->exit_code = p->exit_code;
		kstrlcpy(p->end_report->kill_reason, p->kill_reason,
		         sizeof(p->end_report->kill_reason));
	}
	memset(p, 0, sizeof(*p));
	p->state = PROC_FREE;
}

/* Ends every spawned thread of leader except `except` (none running: one
 * CPU, and the caller is not one of them). */
static void end_other_threads(struct process *leader, struct process *except)
{
	for (unsigned i = 0; i < process_slot_count() && leader->threads > 0; i++) {
		struct process *t = process_slot(i);
		if (t == leader || t == except || t->state == PROC_FREE || t->leader != leader)
			continue;
		t->killed = true;
		thread_release(t);
	}
}

/*
 * p's thread is gone.  A spawned thread releases what it owns; the
 * process goes with it when it was killed or called exit, or when it was
 * the last thread and the leader's own thread had ended.  A leader whose
 * thread ends alone (thread_exit) while others run stays as PROC_HOLDER.
 */
void process_destroy(struct process *p)
{
	struct process *leader = p->leader ? p->leader : p;
	bool whole = p->killed || p->group_end;
	if (p != leader) {
		int64_t status = p->exit_code;
		thread_release(p);
		if (!whole && (leader->threads > 0 || leader->state != PROC_HOLDER))
			return;
		if (!whole)
			leader->exit_code = (int)status; /* the last thread's status */
		end_other_threads(leader, 0);
		process_teardown(leader);
		return;
	}
	if (!whole && p->threads > 0) {
		p->state = PROC_HOLDER;
		kprintf("proc: pid %u '%s' first thread ended; %u threads still run\n", p->pid,
		        p->name, p->threads);
		return;
	}
	end_other_threads(p, 0);
	process_teardown(p);
}

_Noreturn void process_exit(struct process *p, int code)
{
	struct process *leader = p->leader;
	leader->exit_code = code;
	p->exit_code = code;
	p->group_end = true;
	p->state = PROC_ZOMBIE;
	if (leader != p && leader->state != PROC_HOLDER)
		leader->state = PROC_HOLDER; /* not scheduled again: the process ends */
	kprintf("proc: pid %u '%s' exited with code %d\n", p->pid, p->name, code);
	sched_switch_out();
	panic("proc: zombie pid %u was scheduled again", p->pid);
}

_Noreturn void thread_exit(struct process *p, int64_t status)
{
	p->exit_code = (int)status;
	p->state = PROC_ZOMBIE;
	kprintf("proc: pid %u '%s' thread exited with status %ld\n", p->pid, p->name, (long)status);
	sched_switch_out();
	panic("proc: zombie thread %u was scheduled again", p->pid);
}

void process_set_binary(struct process *p, const char *name, size_t len)
{
	if (len >= sizeof(p->binary))
		len = sizeof(p->binary) - 1;
	memcpy(p->binary, name, len);
	p->binary[len] = '\0';
}

/* A fault or kill in any thread ends the whole process: the leader
 * carries the reason its ProcessHandle reports. */
void process_mark_killed(struct process *p, const char *reason)
{
	struct process *leader = p->leader ? p->leader : p;
	p->killed = true;
	p->exit_code = -1;
	p->state = PROC_ZOMBIE;
	kstrlcpy(p->kill_reason, reason, sizeof(p->kill_reason));
	if (leader != p) {
		leader->killed = true;
		leader->exit_code = -1;
		kstrlcpy(leader->kill_reason, reason, sizeof(leader->kill_reason));
		if (leader->state != PROC_HOLDER)
			leader->state = PROC_HOLDER; /* not scheduled again */
	}
	kprintf("proc: pid %u '%s' killed: %s\n", p->pid, p->name, reason);
}

_Noreturn void process_kill(struct process *p, const char *reason)
{
	process_mark_killed(p, reason);
	sched_switch_out();
	panic("proc: killed pid %u was scheduled again", p->pid);
}
