/* Tick <-> ns fixed-point conversion (see clock_scale.h). */
#include "clock_scale.h"

#define NS_PER_SEC UINT64_C(1000000000)

static uint64_t mul_shift32(uint64_t a, uint64_t b)
{
	unsigned __int128 p = (unsigned __int128)a * b >> 32;
	return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

struct clock_scale clock_scale_make(uint64_t hz)
{
	struct clock_scale s = {.hz = hz};
	/* 1e9 << 32 fits in 64 bits; hz / 1000 << 32 does below 4.29 THz. */
	s.ns_mult = (NS_PER_SEC << 32) / hz;
	s.tick_mult = ((hz / 1000) << 32) / 1000000;
	return s;
}

uint64_t clock_ticks_to_ns(const struct clock_scale *s, uint64_t ticks)
{
	return mul_shift32(ticks, s->ns_mult);
}

uint64_t clock_ns_to_ticks(const struct clock_scale *s, uint64_t ns)
{
	return mul_shift32(ns, s->tick_mult);
}

uint64_t clock_rate(uint64_t counts, uint64_t ref_ticks, uint64_t ref_hz)
{
	if (ref_ticks == 0)
		return 0;
	unsigned __int128 r = (unsigned __int128)counts * ref_hz;
	/* The division is 64-bit: counts * ref_hz stays below 2^64 for any
	 * calibration window (counts < 2^43 at ref_hz 1.19 MHz). */
	if (r >> 64)
		return UINT64_MAX;
	return (uint64_t)r / ref_ticks;
}
