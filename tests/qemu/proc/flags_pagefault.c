/*
 * Takes a page fault (a write to address 0) from user mode with NT, AC and
 * DF set; the kernel kills this process with the page fault reason.
 */
#include "rawsys.h"

ENTRY
{
	/* clang-format off */
	__asm__ volatile("pushfq\n\t"
	                 "orq $0x44400, (%%rsp)\n\t" /* AC | NT | DF */
	                 "popfq\n\t"
	                 "movq $0, %%rax\n\t"
	                 "movq $1, (%%rax)" ::: "rax", "memory", "cc");
	/* clang-format on */
	raw_exit(100); /* not reached */
}
