/*
 * Health tests of a raw entropy source, after NIST SP 800-90B 4.4: the
 * repetition count test (a run of identical samples longer than the
 * cutoff means the source is stuck) and, for the startup check, a count
 * of distinct values (a source giving only a handful of values over many
 * samples is not noisy).  Freestanding; host-tested
 * (tests/host/test_entropy_health.c); used by
 * kernel/cap/entropy_source.c on every sample.
 */
#ifndef CAPOS_LIB_ENTROPY_HEALTH_H
#define CAPOS_LIB_ENTROPY_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

struct entropy_rct {
	uint64_t last;
	uint32_t run;    /* identical samples in a row, the last included */
	uint32_t cutoff; /* a run this long fails */
	bool started;
};

void entropy_rct_init(struct entropy_rct *t, uint32_t cutoff);
/* Feeds one sample; false once a run reached the cutoff. */
bool entropy_rct_feed(struct entropy_rct *t, uint64_t sample);

/* Distinct values among n samples (n small: quadratic). */
uint32_t entropy_distinct(const uint64_t *samples, uint32_t n);

/* The most common value estimate of min-entropy per sample (SP 800-90B
 * 6.3.1, without its confidence bound), rounded down to whole bits:
 * floor(log2(n / count of the most common value)).  0 for n == 0.  A
 * source with 0 here (one value at least half the time) is not used. */
uint32_t entropy_mcv_bits(const uint64_t *samples, uint32_t n);

#endif
