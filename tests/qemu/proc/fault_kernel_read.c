/* Faults on purpose (kernel_read); the kernel must kill only this process. */
#include "rawsys.h"

ENTRY
{
	(void)*(volatile int *)0xffffffff80100000ull;
	raw_exit(100); /* not reached */
}
