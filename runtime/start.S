/*
 * Process entry (include/capos/abi.h): rdi = ring address, rsi = process
 * id, rdx = CapSet address or 0, rsp = CAPOS_USER_STACK_TOP - 8, fs base =
 * TLS thread pointer.  The arguments are passed unchanged to
 * capos_rt_start(ring, pid, capset), which never returns.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp          /* end of the frame-pointer chain */
	andq $-16, %rsp          /* the C ABI wants rsp % 16 == 0 at a call */
	call capos_rt_start
	ud2                      /* capos_rt_start does not return */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
