/*
 * Traps: CPU exceptions, hardware interrupts (PIC IRQs at vectors 32..47).
 *
 * Every vector enters a stub that pushes a uniform struct trap_frame on the
 * current kernel stack (the TSS rsp0 stack for traps from ring 3, an IST
 * stack for #DF/NMI/#MC) and calls trap_dispatch(), which returns the frame
 * to restore.  Normally that is the same frame; a scheduler may call
 * trap_set_return_frame() from a hook to resume a different one (which may
 * live on another kernel stack: the stub loads rsp from the returned pointer,
 * pops the registers and does iretq).
 *
 * The stub does not swapgs: the kernel keeps no per-CPU data in GS.  Code
 * that starts using GS must add swapgs on entries/returns from ring 3.
 */
#ifndef CAPOS_ARCH_TRAP_H
#define CAPOS_ARCH_TRAP_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code; /* 0 when the CPU pushes none */
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame layout is used by trap_entry.S");

#define TRAP_PAGE_FAULT 14
#define TRAP_X87_FPU    16 /* #MF */
#define TRAP_SIMD_FP    19 /* #XM */
#define IRQ_BASE        32 /* PIC IRQ n arrives at vector IRQ_BASE + n */
#define IRQ_TIMER       0
#define IRQ_COM1        4

/* Page-fault error code bits. */
#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_USER    (1u << 2)
#define PF_RSVD    (1u << 3)
#define PF_IFETCH  (1u << 4)

static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == 3;
}

void idt_init(void);

/* Called by trap_entry.S; returns the frame to resume. */
struct trap_frame *trap_dispatch(struct trap_frame *tf);

/* Resume `next` instead of the interrupted frame when the current trap returns. */
void trap_set_return_frame(struct trap_frame *next);

/* Installs a handler for PIC IRQ 0..15 (called after EOI); NULL removes it. */
typedef void (*irq_handler_fn)(struct trap_frame *tf);
void irq_set_handler(unsigned irq, irq_handler_fn fn);

/*
 * Hooks the process code provides:
 *  trap_user_fault (kernel/proc/fault.c): an exception raised at CPL3
 *    kills the process with a logged reason.
 *  timer_tick_hook (kernel/proc/sched.c): every timer interrupt, after
 *    EOI: timeouts, preemption, the watchdog.
 */
void trap_user_fault(struct trap_frame *tf);
void timer_tick_hook(struct trap_frame *tf);

/* Prints the fault report (vector name, error code, RIP, RSP, CR2, mode, GPRs). */
void trap_print_report(const struct trap_frame *tf);
/* An exception vector's name ("page fault"); "interrupt" from 32 up. */
const char *trap_vector_name(uint64_t vector);

#endif
