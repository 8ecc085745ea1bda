/*
 * An unmasked x87 divide by zero: FCW with the zero-divide mask cleared,
 * 1.0 / 0.0 in fdivs, then fwait, where the pending exception is
 * delivered.  With CR0.NE set that is #MF, and the kernel kills only this
 * process, naming the exception, FSW and FCW.
 */
#include "rawsys.h"

static const float zero = 0.0f;

ENTRY
{
	uint16_t fcw = 0x037fu & ~0x4u; /* ZM cleared */
	/* clang-format off */
	__asm__ volatile("fninit\n"
	                 "fldcw %0\n"
	                 "fld1\n"
	                 "fdivs %1\n"
	                 "fwait\n" ::"m"(fcw), "m"(zero)
	                 : "memory");
	/* clang-format on */
	raw_exit(100); /* not reached */
}
