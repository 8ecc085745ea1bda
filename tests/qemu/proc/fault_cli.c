/* Faults on purpose (cli); the kernel must kill only this process. */
#include "rawsys.h"

ENTRY
{
	__asm__ volatile("cli");
	raw_exit(100); /* not reached */
}
