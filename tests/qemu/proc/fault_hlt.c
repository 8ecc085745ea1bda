/* Faults on purpose (hlt); the kernel must kill only this process. */
#include "rawsys.h"

ENTRY
{
	__asm__ volatile("hlt");
	raw_exit(100); /* not reached */
}
