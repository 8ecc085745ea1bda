/*
 * The syscalls: cap_enter(min_complete, timeout_ns), exit(code),
 * thread_exit(status, clear_word) and the register calls ipc_call,
 * ipc_recv and ipc_reply_recv (kernel/cap/endpoint.c).
 * Entered from syscall_entry.S with the user registers in a trap frame.
 */
#include <capos/abi.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "log.h"
#include "api/dispatch.h"
#include "api/kmeasure.h"
#include "cap/endpoint.h"
#include "cap/park_space.h"
#include "proc/process.h"
#include "proc/sched.h"

#define RING_CORRUPT_LIMIT 8 /* consecutive corrupt cap_enter calls tolerated */

static int64_t ring_corrupt(struct process *p)
{
	struct capos_ring_header *h = &p->ring->header;
	p->ring_corrupt_streak++;
	ring_publish(p->ring, &p->ring_cursor);
	kprintf("proc: pid %u '%s' ring corrupt (sq_tail %u vs kernel sq_head %u, cq_head %u vs "
	        "kernel cq_tail %u), %u of %u\n",
	        p->pid, p->name, *(volatile uint32_t *)&h->sq_tail, p->ring_cursor.sq_head,
	        *(volatile uint32_t *)&h->cq_head, p->ring_cursor.cq_tail, p->ring_corrupt_streak,
	        RING_CORRUPT_LIMIT);
	if (p->ring_corrupt_streak >= RING_CORRUPT_LIMIT)
		process_kill(p, "ring corrupt");
	return CAPOS_ERR_RING_CORRUPT;
}

static int64_t sys_cap_enter(struct process *p, uint64_t min_complete, uint64_t timeout_ns)
{
	if (min_complete > CAPOS_CQ_ENTRIES)
		return CAPOS_ERR_INVALID_ARGUMENT;
	/* Each user index read once, both checked before anything is taken. */
	int pending = ring_sq_pending(p->ring, &p->ring_cursor);
	int ready = ring_cq_ready(p->ring, &p->ring_cursor);
	if (pending < 0 || ready < 0)
		return ring_corrupt(p);
	if (pending != 0)
		ready = ring_drain(p, (uint32_t)pending, (uint32_t)ready);
	MEASURE_STAGE(EXIT);
	p->ring_corrupt_streak = 0;
	if ((uint64_t)ready >= min_complete || timeout_ns == CAPOS_NO_WAIT)
		return ready;

	p->wait_deadline =
		timeout_ns == CAPOS_WAIT_FOREVER ? UINT64_MAX : timer_arm_after(timeout_ns);
	p->wait_min = (uint32_t)min_complete;
	p->state = PROC_BLOCKED;
	MEASURE_STAGE(SWITCH);
	sched_block();
	MEASURE_STAGE(EXIT);
	p->wait_deadline = UINT64_MAX;
	ready = ring_cq_ready(p->ring, &p->ring_cursor);
	if (ready < 0)
		return ring_corrupt(p);
	return ready;
}

/* exit, thread_exit (neither returns) and unknown numbers. */
static void other_syscall(struct process *p, struct trap_frame *tf)
{
	switch (tf->rax) {
	case CAPOS_SYS_EXIT:
		process_exit(p, (int)tf->rdi);
	case CAPOS_SYS_THREAD_EXIT:
		park_space_exit_word(p, tf->rsi);
		thread_exit(p, (int64_t)tf->rdi);
	default:
		tf->rax = (uint64_t)(int64_t)CAPOS_ERR_INVALID_ARGUMENT;
		break;
	}
}

void syscall_dispatch(struct trap_frame *tf)
{
	MEASURE_START();
	uint64_t flags = read_rflags();
	if (flags & RFLAGS_ENTRY_DIRTY)
		panic("syscall entry left RFLAGS %lx (user %lx)", flags, tf->r11);
	struct process *p = sched_current();
	if (p == 0)
		panic("syscall with no current process");
	p->syscalls++;
	/* Tested one by one, most frequent first: a jump table costs
	 * cap_enter more than the compares. */
	uint64_t nr = tf->rax;
	if (nr == CAPOS_SYS_CAP_ENTER)
		tf->rax = (uint64_t)sys_cap_enter(p, tf->rdi, tf->rsi);
	else if (nr == CAPOS_SYS_IPC_CALL)
		endpoint_sys_call(p, tf);
	else if (nr == CAPOS_SYS_IPC_REPLY_RECV)
		endpoint_sys_reply_recv(p, tf);
	else if (nr == CAPOS_SYS_IPC_RECV)
		endpoint_sys_recv(p, tf);
	else
		other_syscall(p, tf);
	/* Back to user with arithmetic flags and DF only, IF always set. */
	tf->rflags = (tf->rflags & 0xcd5u) | RFLAGS_IF | 0x2u;
	/* sysretq to a non-canonical rip takes #GP in ring 0 on Intel.  No
	 * executable user page lies that high today (maps stop below the
	 * ring); should one ever, the caller dies instead of the kernel. */
	if (tf->rip >= CAPOS_USER_END)
		process_kill(p, "syscall return address outside the user half");
	MEASURE_STOP();
}
