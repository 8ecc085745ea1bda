/*
 * Uses the x87 FPU on purpose.  The kernel does not save FPU state, so it
 * keeps CR0.EM set and the instruction must fault (#NM): the kernel kills
 * only this process instead of letting it read another's FPU registers.
 */
#include "rawsys.h"

ENTRY
{
	__asm__ volatile("fninit; fld1" ::: "memory");
	raw_exit(100); /* not reached */
}
