/*
 * Runs in user mode with NT, AC and DF set for a fixed amount of work, so
 * timer interrupts enter the kernel with those flags live and the kernel
 * switches to other processes in between.  The flags must survive every
 * preemption unchanged (the interrupt return restores them) and must not
 * leak into the kernel (it checks its own RFLAGS on entry).  The loop is
 * assembly: compiled code may assume DF is clear.  Exit 0 = flags intact.
 */
#include "rawsys.h"

#define F_DF (1ul << 10)
#define F_NT (1ul << 14)
#define F_AC (1ul << 18)

ENTRY
{
	const uint64_t set = F_NT | F_AC | F_DF, keep = ~set;
	for (unsigned round = 0; round < 4; round++) {
		uint64_t after;
		/* clang-format off */
		__asm__ volatile("pushfq\n\t"
		                 "orq %[set], (%%rsp)\n\t"
		                 "popfq\n\t"
		                 "movq $10000000, %%rcx\n"
		                 "1:\n\t"
		                 "decq %%rcx\n\t"
		                 "jnz 1b\n\t"
		                 "pushfq\n\t"
		                 "popq %[after]\n\t"
		                 "pushfq\n\t"
		                 "andq %[keep], (%%rsp)\n\t"
		                 "popfq"
		                 : [after] "=&r"(after)
		                 : [set] "r"(set), [keep] "r"(keep)
		                 : "rcx", "memory", "cc");
		/* clang-format on */
		CHECK(10 + round, (after & set) == set);
	}
	raw_exit(0);
}
