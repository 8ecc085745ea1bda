/*
 * Interrupt entry stubs.  Each vector pushes a dummy error code (when the
 * CPU does not), its vector number, then jumps to trap_common, which saves
 * the GPRs into a struct trap_frame (trap.h), calls trap_dispatch(frame)
 * and resumes from the frame that returns (possibly another stack).
 */
#include "arch/x86_64/trap_frame.S.inc"
	.text
	.code64

.macro VEC_NOERR n
	.balign 16
vec_\n:
	pushq $0
	pushq $\n
	jmp trap_common
.endm
.macro VEC_ERR n
	.balign 16
vec_\n:
	pushq $\n
	jmp trap_common
.endm

/* Exceptions with a CPU-pushed error code: 8 10 11 12 13 14 17 21 29 30 */
VEC_NOERR 0
VEC_NOERR 1
VEC_NOERR 2
VEC_NOERR 3
VEC_NOERR 4
VEC_NOERR 5
VEC_NOERR 6
VEC_NOERR 7
VEC_ERR   8
VEC_NOERR 9
VEC_ERR   10
VEC_ERR   11
VEC_ERR   12
VEC_ERR   13
VEC_ERR   14
VEC_NOERR 15
VEC_NOERR 16
VEC_ERR   17
VEC_NOERR 18
VEC_NOERR 19
VEC_NOERR 20
VEC_ERR   21
VEC_NOERR 22
VEC_NOERR 23
VEC_NOERR 24
VEC_NOERR 25
VEC_NOERR 26
VEC_NOERR 27
VEC_NOERR 28
VEC_ERR   29
VEC_ERR   30
VEC_NOERR 31
.altmacro
.set i, 32
.rept 16
	VEC_NOERR %i
	.set i, i + 1
.endr

trap_common:
	/* The interrupted RFLAGS are in the frame.  Start from a known RFLAGS:
	 * user mode can leave AC (SMAP off), DF and NT set, and the CPU clears
	 * only TF, NT and (interrupt gate) IF on delivery. */
	pushq $2
	popfq
	PUSH_TRAP_GPRS
	/* From ring 3 the CPU left user gs active; the kernel does not use gs. */
	mov %rsp, %rdi          /* 22 quadwords pushed: rsp stays 16-aligned */
	call trap_dispatch
	mov %rax, %rsp          /* the frame to resume */
	.globl trap_return
trap_return:
	POP_TRAP_GPRS
	add $16, %rsp           /* vector, error code */
	iretq

/* Table of the 48 stub addresses, for idt_init. */
	.section .rodata
	.balign 8
	.globl trap_vectors
trap_vectors:
.macro VEC_ADDR n
	.quad vec_\n
.endm
.set i, 0
.rept 48
	VEC_ADDR %i
	.set i, i + 1
.endr
