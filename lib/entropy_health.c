/* Entropy source health tests (see entropy_health.h). */
#include "entropy_health.h"

void entropy_rct_init(struct entropy_rct *t, uint32_t cutoff)
{
	t->last = 0;
	t->run = 0;
	t->cutoff = cutoff < 2 ? 2 : cutoff;
	t->started = false;
}

bool entropy_rct_feed(struct entropy_rct *t, uint64_t sample)
{
	if (t->started && sample == t->last) {
		t->run++;
	} else {
		t->last = sample;
		t->run = 1;
		t->started = true;
	}
	return t->run < t->cutoff;
}

uint32_t entropy_mcv_bits(const uint64_t *samples, uint32_t n)
{
	uint32_t most = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = 0;
		for (uint32_t j = 0; j < n; j++)
			c += samples[j] == samples[i];
		most = c > most ? c : most;
	}
	if (most == 0)
		return 0;
	uint32_t bits = 0;
	while (bits < 63 && ((uint64_t)most << (bits + 1)) <= n)
		bits++;
	return bits;
}

uint32_t entropy_distinct(const uint64_t *samples, uint32_t n)
{
	uint32_t d = 0;
	for (uint32_t i = 0; i < n; i++) {
		bool seen = false;
		for (uint32_t j = 0; j < i && !seen; j++)
			seen = samples[j] == samples[i];
		d += !seen;
	}
	return d;
}
