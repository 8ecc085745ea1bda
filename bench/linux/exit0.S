/*
 * exit0: the child linuxbench's posix_spawn starts: exit(0) and nothing
 * else (no libc), like capOS's raw exit_code program beside it in
 * `make bench`.
 */
	.globl _start
	.text
_start:
	mov	$60, %eax	/* SYS_exit */
	xor	%edi, %edi
	syscall
	.section .note.GNU-stack,"",@progbits
