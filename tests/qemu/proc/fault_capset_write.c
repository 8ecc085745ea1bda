/* Faults on purpose (capset_write); the kernel must kill only this process. */
#include "rawsys.h"

ENTRY
{
	*(volatile int *)CAPOS_CAPSET_VADDR = 1;
	raw_exit(100); /* not reached */
}
