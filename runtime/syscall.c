/*
 * cap_enter and exit.  `syscall` takes the number in rax and arguments in
 * rdi, rsi; it clobbers rcx (return rip) and r11 (rflags).  The kernel may
 * also write user memory (the ring), hence the memory clobber.
 */
#include <capos/syscall.h>

int64_t capos_cap_enter(uint32_t min_complete, uint64_t timeout_ns)
{
	int64_t ret;
	/* clang-format off */
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"((uint64_t)CAPOS_SYS_CAP_ENTER), "D"((uint64_t)min_complete),
	                   "S"(timeout_ns)
	                 : "rcx", "r11", "memory");
	/* clang-format on */
	return ret;
}

_Noreturn void capos_exit(int code)
{
	/* clang-format off */
	__asm__ volatile("syscall"
	                 :
	                 : "a"((uint64_t)CAPOS_SYS_EXIT), "D"((int64_t)code)
	                 : "rcx", "r11", "memory");
	/* clang-format on */
	for (;;)
		__asm__ volatile("pause");
}
