/* Faults on purpose (null); the kernel must kill only this process. */
#include "rawsys.h"

ENTRY
{
	*(volatile int *)0 = 1;
	raw_exit(100); /* not reached */
}
