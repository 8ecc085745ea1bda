/*
 * syscall entry (LSTAR).  One CPU, no swapgs: the user rsp is parked in a
 * global, the kernel stack of the current process comes from another
 * (syscall_kernel_rsp, set by the scheduler on every switch, equal to the
 * TSS rsp0).  FMASK (syscall.c) has cleared every flag user mode could
 * leave set: IF, so nothing can interrupt us before the stack switch, and
 * TF, DF, NT, AC among the others (cpu.h, RFLAGS_ENTRY_CLEAR).
 *
 * We build a struct trap_frame (kernel/arch/x86_64/trap.h) exactly where a
 * trap from ring 3 would have put it, call syscall_dispatch(tf), and return
 * with sysretq: rip and rflags come back through rcx/r11 from the frame.
 * rip is the one syscall saved (canonical: it follows an instruction that
 * executed), so the sysret #GP-in-ring-0 pitfall cannot happen; rflags were
 * sanitised by syscall_dispatch.  IF stays clear until sysretq, so nothing
 * runs on the user stack in ring 0 (NMI/#DF/#MC use IST stacks).
 * (First entry into a process and returns from interrupts use iretq:
 * proc_return_to_user in context_switch.S.)
 * The syscall ABI: rax = number, rdi, rsi = arguments, rax = result; rcx
 * and r11 are clobbered (they hold the return rip and rflags).
 */
#include "arch/x86_64/trap_frame.S.inc"
#define USER_DS 0x1b
#define USER_CS 0x23
#define SYSCALL_VECTOR 0x100 /* not a CPU vector: marks a syscall frame */

	.bss
	.align 8
	.globl syscall_kernel_rsp
syscall_kernel_rsp:
	.quad 0
syscall_user_rsp:
	.quad 0

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	movq %rsp, syscall_user_rsp(%rip)
	movq syscall_kernel_rsp(%rip), %rsp
	pushq $USER_DS                     /* ss */
	pushq syscall_user_rsp(%rip)       /* rsp */
	pushq %r11                         /* rflags */
	pushq $USER_CS                     /* cs */
	pushq %rcx                         /* rip */
	pushq $0                           /* error code */
	pushq $SYSCALL_VECTOR              /* vector */
	PUSH_TRAP_GPRS
	cld
	movq %rsp, %rdi
	xorl %ebp, %ebp                    /* end of the kernel frame chain */
	call syscall_dispatch
	POP_TRAP_GPRS                      /* r11, rcx: replaced below */
	addq $16, %rsp                     /* vector, error code */
	movq 0(%rsp), %rcx                 /* rip */
	movq 16(%rsp), %r11                /* rflags */
	movq 24(%rsp), %rsp                /* user rsp: last use of the kernel stack */
	sysretq
	.size syscall_entry, . - syscall_entry

	.section .note.GNU-stack, "", @progbits
