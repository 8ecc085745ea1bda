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
 *
 * Only what the C code may clobber is saved and restored: rax, rdi, rsi,
 * rdx, r8-r10 (rcx and r11 are the frame's rip and rflags), and rbp,
 * which the kernel's frame chain zeroes and the watchdog reads from the
 * frame to walk the user stack.  rbx and r12-r15 are callee-saved:
 * syscall_dispatch and everything it calls give them back unchanged (a
 * context switch keeps them in its own frame), so their frame slots, and
 * rcx's and r11's, are left unwritten: nothing reads a syscall frame's
 * copies (iretq returns, which restore every slot, use trap frames and
 * the frames process creation builds).  No cld: FMASK cleared DF.
 */
#define USER_DS 0x1b
#define USER_CS 0x23
#define SYSCALL_VECTOR 0x100 /* not a CPU vector: marks a syscall frame */

/* struct trap_frame offsets (trap.h: r15 first, then up to rax, vector,
 * error code, then the CPU's part). */
#define TF_R10    40
#define TF_R9     48
#define TF_R8     56
#define TF_RBP    64
#define TF_RDI    72
#define TF_RSI    80
#define TF_RDX    88
#define TF_RAX    112
#define TF_VECTOR 120
#define TF_ERROR  128
#define TF_RIP    136
#define TF_RFLAGS 152
#define TF_RSP    160

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
	subq $TF_RIP, %rsp                 /* the rest of the frame */
	movq $0, TF_ERROR(%rsp)
	movq $SYSCALL_VECTOR, TF_VECTOR(%rsp)
	movq %rax, TF_RAX(%rsp)
	movq %rdi, TF_RDI(%rsp)
	movq %rsi, TF_RSI(%rsp)
	movq %rdx, TF_RDX(%rsp)
	movq %r8, TF_R8(%rsp)
	movq %r9, TF_R9(%rsp)
	movq %r10, TF_R10(%rsp)
	movq %rbp, TF_RBP(%rsp)
	movq %rsp, %rdi
	xorl %ebp, %ebp                    /* end of the kernel frame chain */
	call syscall_dispatch
	movq TF_R10(%rsp), %r10
	movq TF_R9(%rsp), %r9
	movq TF_R8(%rsp), %r8
	movq TF_RDX(%rsp), %rdx
	movq TF_RSI(%rsp), %rsi
	movq TF_RDI(%rsp), %rdi
	movq TF_RBP(%rsp), %rbp
	movq TF_RAX(%rsp), %rax
	movq TF_RIP(%rsp), %rcx
	movq TF_RFLAGS(%rsp), %r11
	movq TF_RSP(%rsp), %rsp            /* user rsp: last use of the kernel stack */
	sysretq
	.size syscall_entry, . - syscall_entry

	.section .note.GNU-stack, "", @progbits
