/* Round-robin scheduler, timer preemption, blocking (see sched.h). */
#include "sched.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "cap/endpoint.h"
#include "cap/process_handle.h"
#include "format.h"
#include "log.h"
#include "mem/vmm.h"
#include "proc_internal.h"
#include "watchdog.h"

static struct process *current;
static uint64_t scheduler_rsp; /* the scheduler loop's saved context */
static unsigned last_index = PROC_MAX - 1; /* round-robin position: slot 0 goes first */
static uint64_t preemptions;
static struct process *handoff;    /* direct IPC target for the next pick */
static uint32_t handoff_pid;
static uint64_t handoffs;

struct process *sched_current(void) { return current; }

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
	struct process *p = current;
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
	for (unsigned k = 1; k <= PROC_MAX; k++) {
		unsigned i = (last_index + k) % PROC_MAX;
		struct process *p = process_slot(i);
		if (p->state == PROC_RUNNABLE) {
			last_index = i;
			return p;
		}
	}
	return 0;
}

static void run(struct process *p)
{
	current = p;
	p->state = PROC_RUNNING;
	p->slice_start = timer_ticks();
	p->slices++;
	tss_set_rsp0(p->kstack_top);
	syscall_kernel_rsp = p->kstack_top;
	vmm_switch(p->pml4);
	wrmsr(MSR_FS_BASE, p->fs_base);
	context_switch(&scheduler_rsp, p->saved_rsp);
	current = 0;
	if (p->state == PROC_ZOMBIE) {
		vmm_switch(vmm_kernel_pml4());
		process_destroy(p);
	}
}

/* Wakes processes whose cap_enter timeout has passed. */
static bool wake_expired(uint64_t now)
{
	bool any_deadline = false;
	for (unsigned i = 0; i < PROC_MAX; i++) {
		struct process *p = process_slot(i);
		if (p->state != PROC_BLOCKED || p->wait_deadline == UINT64_MAX)
			continue;
		any_deadline = true;
		if (now >= p->wait_deadline)
			sched_wake(p);
	}
	/* Endpoint CALL/RECV timeouts complete (and wake) on their own. */
	if (endpoint_expire(now))
		any_deadline = true;
	return any_deadline;
}

/* Every live process is blocked with no timeout: only a process can make
 * an endpoint completion happen, so nothing will ever complete.  Kill one
 * blocked process and look again: its death may complete others' calls
 * (DISCONNECTED) and let them finish on their own.  Processes that have
 * nothing in flight but posted receives (idle servers) go first, then
 * servers holding unanswered calls. */
static void break_deadlock(void)
{
	struct process *victim = 0;
	for (unsigned i = 0; i < PROC_MAX; i++) {
		struct process *p = process_slot(i);
		if (p->state != PROC_BLOCKED)
			continue;
		/* A supervisor waiting on a child's ProcessHandle goes last:
		 * the child's death completes its wait. */
		if (victim == 0 || (process_handle_waiting(victim) && !process_handle_waiting(p)))
			victim = p;
		/* A server sitting on an unanswered call goes before its callers:
		 * its death completes their calls (DISCONNECTED). */
		if (endpoint_serving(p) && !endpoint_serving(victim))
			victim = p;
		if (endpoint_only_receiving(p)) {
			victim = p;
			break;
		}
	}
	if (victim) {
		struct process *p = victim;
		char reason[PROC_REASON_MAX];
		format_snprintf(reason, sizeof reason,
		                "blocked forever in cap_enter (waits for %u completions, nothing "
		                "can complete)",
		                p->wait_min);
		process_mark_killed(p, reason);
		vmm_switch(vmm_kernel_pml4());
		process_destroy(p);
	}
}

void sched_run(void)
{
	kprintf("sched: round robin, %u ms slices\n", SCHED_SLICE_TICKS * 1000 / TIMER_HZ);
	cli();
	for (;;) {
		struct process *p = pick_next();
		if (p) {
			run(p);
			continue;
		}
		/* Counted only when nothing is runnable: a scan of the table
		 * on every switch would cost each IPC round trip twice. */
		if (process_live_count() == 0)
			break;
		if (!wake_expired(timer_ticks())) {
			break_deadlock();
			continue;
		}
		/* Idle: sti;hlt is atomic, so a tick between them still wakes us. */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		wake_expired(timer_ticks());
	}
	kprintf("sched: no process left (%lu preemptions)\n", preemptions);
	kprintf("sched: %lu direct IPC handoffs\n", handoffs);
}

void timer_tick_hook(struct trap_frame *tf)
{
	uint64_t now = timer_ticks();
	watchdog_check(now, tf);
	wake_expired(now);
	struct process *p = current;
	if (p == 0 || !trap_from_user(tf))
		return; /* idle loop, or (never) a kernel path with IF set */
	if (now - p->slice_start < SCHED_SLICE_TICKS)
		return;
	preemptions++;
	p->preempted++;
	p->state = PROC_RUNNABLE;
	sched_switch_out();
	/* Resumed: the trap returns to this frame (it may not be the one the
	 * trap code last remembered, another process ran meanwhile). */
	trap_set_return_frame(tf);
}
