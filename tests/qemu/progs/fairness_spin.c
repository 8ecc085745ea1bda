/*
 * fairness_spin: burns CPU without ever entering the kernel; only timer
 * preemption lets anyone else run.  Prints a progress line after each of
 * its rounds.  Part of the fairness smoke (with fairness_flood and
 * fairness_print).
 *
 * Run by: smoke ring_fairness (tests/qemu/manifests/ring_fairness.cue).
 */
#include "demo.h"

#define ROUNDS 5
#define WORK   40000000ull

int main(void)
{
	for (int round = 1; round <= ROUNDS; round++) {
		demo_spin(WORK);
		capos_printf("[fairness_spin] pid %lu progress %d/%d\n", (unsigned long)capos_rt.pid,
		             round, ROUNDS);
	}
	capos_printf("[fairness_spin] done\n");
	return 0;
}
