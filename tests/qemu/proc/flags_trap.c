/*
 * Sets TF from user mode: the next instruction raises a single-step debug
 * exception in user mode, and the kernel kills this process ("debug").
 */
#include "rawsys.h"

ENTRY
{
	/* clang-format off */
	__asm__ volatile("pushfq\n\t"
	                 "orq $0x100, (%%rsp)\n\t" /* TF */
	                 "popfq\n\t"
	                 "nop" ::: "memory", "cc");
	/* clang-format on */
	raw_exit(100); /* not reached */
}
