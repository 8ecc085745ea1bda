/*
 * Entry of a capOS program built on musl (include/capos/abi.h: rdi =
 * ring, rsi = process id, rdx = CapSet, nothing on the stack).  Linked
 * first instead of the runtime's runtime/start.S; capos_posix_start
 * (libc/start.c) builds argv/envp/auxv and calls __libc_start_main.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp          /* end of the frame-pointer chain */
	andq $-16, %rsp          /* the C ABI wants rsp % 16 == 0 at a call */
	call capos_posix_start
	ud2                      /* capos_posix_start does not return */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
