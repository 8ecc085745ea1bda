/*
 * spin: never exits and never enters the kernel after its first line: a
 * service stuck in a loop.  The kernel's watchdog (watchdog=SECONDS, set
 * by `make run` from RUN_TIMEOUT) ends such a run and names it.
 *
 * Run by: smoke watchdog_spin (tests/qemu/manifests/watchdog_spin.cue);
 * docs/debugging.md shows it booted with `make run SYSTEM=...`.
 */
#include <capos/rt.h>

int main(void)
{
	capos_printf("[spin] pid %lu: looping forever\n", (unsigned long)capos_rt.pid);
	for (volatile unsigned long i = 0;; i++)
		;
}
