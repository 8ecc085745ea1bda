/*
 * fairness_flood: floods its ring with NOPs (full SQ, cap_enter, repeat)
 * as fast as it can.  The kernel bounds each drain, so this must not
 * starve the other processes.  Part of the fairness smoke.
 *
 * Run by: smoke ring_fairness (tests/qemu/manifests/ring_fairness.cue).
 */
#include "demo.h"

#define ROUNDS  5
#define BATCHES 4000u

int main(void)
{
	uint64_t completed = 0;
	for (int round = 1; round <= ROUNDS; round++) {
		for (unsigned b = 0; b < BATCHES; b++) {
			for (unsigned i = 0; i < CAPOS_SQ_ENTRIES; i++)
				capos_ring_nop(&capos_rt_ring, 1 + i);
			capos_cap_enter(CAPOS_SQ_ENTRIES, CAPOS_WAIT_FOREVER);
			struct capos_cqe cqe;
			for (unsigned i = 0; i < CAPOS_SQ_ENTRIES; i++)
				if (capos_ring_wait(&capos_rt_ring, 1 + i, CAPOS_WAIT_FOREVER, &cqe) == 0)
					completed++;
		}
		capos_printf("[fairness_flood] pid %lu progress %d/%d (%llu NOPs)\n",
		             (unsigned long)capos_rt.pid, round, ROUNDS, (unsigned long long)completed);
	}
	capos_printf("[fairness_flood] done\n");
	return completed == (uint64_t)ROUNDS * BATCHES * CAPOS_SQ_ENTRIES ? 0 : 1;
}
