/*
 * bench_nop: cost of a NOP round trip through the ring, one per cap_enter
 * and 16 per cap_enter, in TSC cycles (a benchmark, not a test: run it
 * from a manifest service entry, ideally under `-icount shift=0`).
 *
 * Run by: no manifest yet (`make bench-proc` runs the raw
 * tests/qemu/proc/nop_bench.c instead).
 */
#include "demo.h"

#define ROUNDS 20000u

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return ((uint64_t)hi << 32) | lo;
}

int main(void)
{
	struct capos_cqe cqe;
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++) {
		capos_ring_nop(&capos_rt_ring, 1);
		capos_cap_enter(1, CAPOS_WAIT_FOREVER);
		capos_ring_take(&capos_rt_ring, 1, &cqe);
	}
	uint64_t single = (rdtsc() - t0) / ROUNDS;

	t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS / CAPOS_SQ_ENTRIES; i++) {
		for (unsigned j = 0; j < CAPOS_SQ_ENTRIES; j++)
			capos_ring_nop(&capos_rt_ring, 100 + j);
		capos_cap_enter(CAPOS_SQ_ENTRIES, CAPOS_WAIT_FOREVER);
		for (unsigned j = 0; j < CAPOS_SQ_ENTRIES; j++)
			capos_ring_take(&capos_rt_ring, 100 + j, &cqe);
	}
	uint64_t batched = (rdtsc() - t0) / (ROUNDS / CAPOS_SQ_ENTRIES * CAPOS_SQ_ENTRIES);
	capos_printf("[bench_nop] %u NOPs: %llu cycles each one per cap_enter, %llu cycles each 16 per cap_enter\n",
	             ROUNDS, (unsigned long long)single, (unsigned long long)batched);
	return 0;
}
