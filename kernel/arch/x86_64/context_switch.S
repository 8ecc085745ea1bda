/*
 * Kernel context switch and the way back to user mode.
 *
 * A switched-out context is RFLAGS, six callee-saved registers and a return
 * address on its own kernel stack; the stack pointer is stored in
 * *save_rsp.  Layout at the saved rsp: rflags r15 r14 r13 r12 rbx rbp
 * <return address>.  RFLAGS is switched so that no flag of one context
 * (a user-set NT or AC that reached the kernel) can follow into another.
 */
#include "arch/x86_64/trap_frame.S.inc"
	.text

/* void context_switch(uint64_t *save_rsp, uint64_t load_rsp) */
	.globl context_switch
	.type context_switch, @function
context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushfq
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popfq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size context_switch, . - context_switch

/*
 * First switch into a new process: the creator laid out a context whose
 * return address is here, directly below the initial trap frame.
 */
	.globl proc_first_run
	.type proc_first_run, @function
proc_first_run:
	movq %rsp, %rdi
	jmp proc_return_to_user
	.size proc_first_run, . - proc_first_run

/*
 * _Noreturn void proc_return_to_user(struct trap_frame *tf): restores every
 * register from the frame and iretq's to ring 3.  iretq (not sysretq) so a
 * frame is always restored exactly, whatever rip/rflags it holds.
 */
	.globl proc_return_to_user
	.type proc_return_to_user, @function
proc_return_to_user:
	movq %rdi, %rsp
	POP_TRAP_GPRS
	addq $16, %rsp          /* vector, error code */
	iretq
	.size proc_return_to_user, . - proc_return_to_user

	.section .note.GNU-stack, "", @progbits
