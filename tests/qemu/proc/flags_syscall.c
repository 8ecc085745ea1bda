/*
 * Enters the kernel through `syscall` with user-settable RFLAGS bits set
 * (NT, AC, DF, TF, each alone and all together) and blocks in cap_enter
 * with a short timeout, so the kernel switches to another process and back
 * while this one's flags would be live if the entry did not clear them.
 * After each call: the kernel returned (no ring-0 #GP), NT, AC and TF are
 * clear (the return path keeps only the arithmetic flags and DF), DF is
 * what we set.  Exit 0 = every check passed.
 */
#include "rawsys.h"

#define F_TF (1ul << 8)
#define F_DF (1ul << 10)
#define F_NT (1ul << 14)
#define F_AC (1ul << 18)

/* Sets `set` in RFLAGS right before the syscall; returns RFLAGS after it
 * (DF cleared again before any compiled code runs). */
static uint64_t enter_with_flags(uint64_t set, int64_t *ret)
{
	int64_t r;
	uint64_t after;
	/* clang-format off */
	__asm__ volatile("pushfq\n\t"
	                 "orq %[set], (%%rsp)\n\t"
	                 "popfq\n\t"
	                 "syscall\n\t"
	                 "pushfq\n\t"
	                 "popq %[after]\n\t"
	                 "cld"
	                 : "=a"(r), [after] "=r"(after)
	                 : "a"((uint64_t)CAPOS_SYS_CAP_ENTER), "D"(1ul), "S"(2000000ul),
	                   [set] "r"(set)
	                 : "rcx", "r11", "memory", "cc");
	/* clang-format on */
	*ret = r;
	return after;
}

ENTRY
{
	static const uint64_t sets[] = {F_NT, F_AC, F_DF, F_TF, F_NT | F_AC | F_DF,
	                                F_NT | F_AC | F_DF | F_TF};
	for (unsigned round = 0; round < 4; round++) {
		for (unsigned i = 0; i < sizeof sets / sizeof sets[0]; i++) {
			int64_t r;
			uint64_t after = enter_with_flags(sets[i], &r);
			CHECK(10 + i, r == 0); /* timed out with no completion */
			CHECK(20 + i, (after & (F_NT | F_AC | F_TF)) == 0);
			CHECK(30 + i, (after & F_DF) == (sets[i] & F_DF));
		}
	}
	raw_exit(0);
}
