/*
 * Single-CPU preemptive round-robin scheduler.
 *
 * The scheduler loop runs on the boot stack (userspace_start never
 * returns to main while processes exist).  A process runs until it blocks
 * in cap_enter, exits, faults, or its time slice (SCHED_SLICE_NS of
 * ktime_ns) runs out while it is in user mode; then it switches back to the
 * scheduler loop, which picks the next runnable process after it in the
 * process table.  The kernel runs with interrupts off (interrupt gates and
 * the syscall FMASK clear IF), so kernel code is never preempted; the idle
 * loop enables them only around hlt.
 */
#ifndef CAPOS_PROC_SCHED_H
#define CAPOS_PROC_SCHED_H

#include "process.h"

#define SCHED_SLICE_NS UINT64_C(20000000) /* 20 ms */

/* Runs processes until none is left. */
void sched_run(void);

/* The running process (0 in the scheduler loop).  Read inline: every
 * system call starts with it. */
extern struct process *sched_current_proc;
static inline struct process *sched_current(void) { return sched_current_proc; }

/* The current process blocks in cap_enter (state set): when the direct
 * IPC target (sched_handoff) is runnable, switch straight to it without
 * the scheduler loop, else sched_switch_out.  Returns when it runs again. */
void sched_block(void);
/* The current process gives up the CPU: back to the scheduler loop.  It
 * resumes here when it is picked again (state decides whether it is). */
void sched_switch_out(void);

/* Wakes a blocked process (no-op for other states). */
void sched_wake(struct process *p);

/* Direct handoff (IPC): p runs at the next scheduling decision, before
 * round-robin work, if it is runnable then (and still the same process). */
void sched_handoff(struct process *p);

/* Assembly (context_switch.S). */
void context_switch(uint64_t *save_rsp, uint64_t load_rsp);
void proc_first_run(void);
_Noreturn void proc_return_to_user(void *trap_frame);

/* Kernel stack pointer the syscall entry switches to (syscall_entry.S). */
extern uint64_t syscall_kernel_rsp;

#endif
