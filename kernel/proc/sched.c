/* Round-robin scheduler, timer preemption, blocking (see sched.h). */
#include "sched.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "format.h"
#include "log.h"
#include "mem/kpool.h"
#include "mem/vmm.h"
#include "blocking.h"
#include "watchdog.h"

/* The running process (sched.h: sched_current reads it inline). */
struct process *sched_current_proc;
static uint64_t scheduler_rsp;           /* the scheduler loop's saved context */
static unsigned last_index = UINT32_MAX; /* round-robin position: slot 0 goes first */
static uint64_t preemptions;
static struct process *handoff; /* direct IPC target for the next pick */
static uint32_t handoff_pid;
static uint64_t handoffs;
static uint64_t direct_switches; /* handoffs without the scheduler loop (sched_block) */

void sched_wake(struct process *p)
{
	if (p->state == PROC_BLOCKED)
		p->state = PROC_RUNNABLE;
}

void sched_handoff(struct process *p)
{
	handoff = p;
	handoff_pid = p->pid;
}

void sched_switch_out(void)
{
	struct process *p = sched_current_proc;
	context_switch(&p->saved_rsp, scheduler_rsp);
}

/* The next runnable process after the last one picked, round robin. */
static struct process *pick_next(void)
{
	struct process *h = handoff;
	handoff = 0;
	if (h && h->pid == handoff_pid && h->state == PROC_RUNNABLE) {
		handoffs++; /* the round-robin position does not move */
		return h;
	}
	unsigned n = process_slot_count();
	for (unsigned k = 1; k <= n; k++) {
		unsigned i = (last_index + k) % n;
		struct process *p = process_slot(i);
		if (p->state == PROC_RUNNABLE) {
			last_index = i;
			return p;
		}
	}
	return 0;
}

/* Makes p the running process: its kernel stack, address space, thread
 * pointer and extended state (eager: in the registers whenever it runs;
 * the kernel, general registers only, leaves them alone meanwhile). */
static void load(struct process *p)
{
	sched_current_proc = p;
	p->state = PROC_RUNNING;
	p->slices++;
	tss_set_rsp0(p->kstack_top);
	syscall_kernel_rsp = p->kstack_top;
	vmm_switch(p->pml4);
	wrmsr(MSR_FS_BASE, p->fs_base);
	fpu_load(&p->fpu);
}

static void run(struct process *p)
{
	p->slice_start = ktime_ns();
	timer_arm_at(p->slice_start + SCHED_SLICE_NS);
	load(p);
	context_switch(&scheduler_rsp, p->saved_rsp);
	/* Whoever switched out last: not p when a direct switch (below)
	 * passed the CPU on meanwhile. */
	struct process *q = sched_current_proc;
	sched_current_proc = 0;
	if (q->state == PROC_ZOMBIE) {
		vmm_switch(vmm_kernel_pml4());
		process_destroy(q);
	} else {
		fpu_save(&q->fpu);
	}
}

void sched_block(void)
{
	struct process *from = sched_current_proc, *to = handoff;
	handoff = 0;
	if (to == 0 || to->pid != handoff_pid || to->state != PROC_RUNNABLE) {
		sched_switch_out();
		return;
	}
	handoffs++;
	direct_switches++;
	fpu_save(&from->fpu);
	/* The rest of from's slice goes with the CPU: a pair of processes
	 * calling each other shares one slice, then the timer preempts
	 * whichever runs and the round robin goes on. */
	to->slice_start = from->slice_start;
	load(to);
	context_switch(&from->saved_rsp, to->saved_rsp);
}

/* Wakes processes whose cap_enter timeout has passed and arms the timer
 * for the earliest deadline still pending.  Returns false when no deadline
 * is pending at all. */
static bool wake_expired(uint64_t now)
{
	bool any_deadline = false;
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < process_slot_count(); i++) {
		struct process *p = process_slot(i);
		if (p->state != PROC_BLOCKED || p->wait_deadline == UINT64_MAX)
			continue;
		any_deadline = true;
		if (now >= p->wait_deadline)
			sched_wake(p);
		else if (p->wait_deadline < next)
			next = p->wait_deadline;
	}
	/* Operations with a deadline (endpoint CALL/RECV) complete and wake
	 * on their own; the earliest one still pending arms the timer. */
	uint64_t ep_next = proc_wait_expire(now);
	if (ep_next != UINT64_MAX)
		any_deadline = true;
	if (ep_next < next)
		next = ep_next;
	timer_arm_at(next);
	return any_deadline;
}

/* Every live process is blocked with no timeout: only a process can make
 * an endpoint completion happen, so nothing will ever complete.  Kill one
 * blocked process and look again: its death may complete others' calls
 * (DISCONNECTED) and let them finish on their own.  Which one: idle
 * servers first, then servers holding unanswered calls, supervisors last
 * (lib/wait.h wait_pick_victim, from what each process waits on).
 * Returns false when there is no victim: a process waits for a device,
 * whose interrupt may still end the wait (the caller idles). */
static bool break_deadlock(void)
{
	struct process *victim = proc_wait_victim();
	if (victim == 0)
		return false;
	struct process *p = victim;
	char reason[PROC_REASON_MAX];
	format_snprintf(reason, sizeof reason,
	                "blocked forever in cap_enter (waits for %u completions, nothing "
	                "can complete)",
	                p->wait_min);
	process_mark_killed(p, reason);
	vmm_switch(vmm_kernel_pml4());
	process_destroy(p);
	return true;
}

static bool any_runnable(void)
{
	for (unsigned i = 0; i < process_slot_count(); i++)
		if (process_slot(i)->state == PROC_RUNNABLE)
			return true;
	return false;
}

void sched_run(void)
{
	kprintf("sched: round robin, %lu ms slices, timeouts to %lu ns\n", SCHED_SLICE_NS / 1000000,
	        timer_resolution_ns());
	cli();
	for (;;) {
		/* No kernel call is running here: empty pool frames can go. */
		kpool_trim_all(KPOOL_SPARE);
		struct process *p = pick_next();
		if (p) {
			run(p);
			continue;
		}
		/* Counted only when nothing is runnable: a scan of the table
		 * on every switch would cost each IPC round trip twice. */
		if (process_live_count() == 0)
			break;
		/* An expiry may have just made one runnable (a sleep ending
		 * while other threads wait forever): no deadlock then. */
		if (!wake_expired(ktime_ns()) && !any_runnable() && break_deadlock())
			continue;
		/* Idle: sti;hlt is atomic, so a tick between them still wakes us. */
		/* clang-format off */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		/* clang-format on */
		wake_expired(ktime_ns());
	}
	kprintf("sched: no process left (%lu preemptions)\n", preemptions);
	kprintf("sched: %lu direct IPC handoffs (%lu straight from cap_enter, no scheduler loop)\n",
	        handoffs, direct_switches);
	struct fpu_stats fs;
	fpu_get_stats(&fs);
	kprintf("fpu: %lu extended-state loads (%lu skipped: still live), %lu saves\n", fs.loads,
	        fs.loads_skipped, fs.saves);
}

void timer_tick_hook(struct trap_frame *tf)
{
	uint64_t now = ktime_ns();
	watchdog_check(now, tf);
	wake_expired(now);
	struct process *p = sched_current_proc;
	if (p == 0 || !trap_from_user(tf))
		return; /* idle loop, or (never) a kernel path with IF set */
	if (now - p->slice_start < SCHED_SLICE_NS)
		return;
	preemptions++;
	p->preempted++;
	p->state = PROC_RUNNABLE;
	sched_switch_out();
	/* Resumed: the trap returns to this frame (it may not be the one the
	 * trap code last remembered, another process ran meanwhile). */
	trap_set_return_frame(tf);
}
