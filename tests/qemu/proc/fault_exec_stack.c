/* Faults on purpose (exec_stack); the kernel must kill only this process. */
#include "rawsys.h"

ENTRY
{
	void (*f)(void) = (void (*)(void))(CAPOS_USER_STACK_TOP - 64);
	f();
	raw_exit(100); /* not reached */
}
