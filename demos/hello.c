/*
 * hello: the smallest program: prints through the Console capability it
 * finds in its CapSet, then exits with 0.
 */
#include <capos/rt.h>

int main(void)
{
	capos_printf("[hello] pid %lu: hello from userspace through the ring\n",
	             (unsigned long)capos_rt.pid);
	capos_puts("[hello] goodbye");
	return 0;
}
