/*
 * Takes an exception from user mode with NT, AC and DF set: int3, which
 * the kernel's IDT refuses to ring 3 (gate DPL 0), so the CPU raises a
 * general protection fault instead.  The kernel's exception entry must not
 * run with those flags, and it kills this process as for any user fault.
 */
#include "rawsys.h"

ENTRY
{
	/* clang-format off */
	__asm__ volatile("pushfq\n\t"
	                 "orq $0x44400, (%%rsp)\n\t" /* AC | NT | DF */
	                 "popfq\n\t"
	                 "int3" ::: "memory", "cc");
	/* clang-format on */
	raw_exit(100); /* not reached */
}
