/*
 * Uses an SSE instruction on purpose.  With CR4.OSFXSR clear it must
 * fault (#UD) and the kernel kills only this process.
 */
#include "rawsys.h"

ENTRY
{
	__asm__ volatile("xorps %%xmm0, %%xmm0" ::: "memory");
	raw_exit(100); /* not reached */
}
