/* Faults on purpose (ud2); the kernel must kill only this process. */
#include "rawsys.h"

ENTRY
{
	__asm__ volatile("ud2");
	raw_exit(100); /* not reached */
}
