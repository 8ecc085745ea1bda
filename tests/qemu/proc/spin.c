/* Spins in user mode without any syscall for a fixed amount of work, then
 * exits 0: only timer preemption lets anything else run meanwhile. */
#include "rawsys.h"

ENTRY
{
	for (volatile uint64_t i = 0; i < 30000000; i++)
		;
	raw_exit(0);
}
