/*
 * Fixed-point conversion between a counter's ticks (TSC, LAPIC timer) and
 * nanoseconds, without 128-bit division (the kernel has no libgcc):
 * ticks -> ns is ticks * ns_mult >> 32, ns -> ticks is ns * tick_mult >> 32,
 * each product taken in 128 bits.  Host-tested for rates from 1 MHz to
 * 10 GHz and for deltas of years.
 */
#ifndef CAPOS_LIB_CLOCK_SCALE_H
#define CAPOS_LIB_CLOCK_SCALE_H

#include <stdint.h>

struct clock_scale {
	uint64_t hz;
	uint64_t ns_mult;   /* ns per tick, 32.32 fixed point */
	uint64_t tick_mult; /* ticks per ns, 32.32 fixed point */
};

/* hz must be at least 1000 (coarser counters are not supported). */
struct clock_scale clock_scale_make(uint64_t hz);
uint64_t clock_ticks_to_ns(const struct clock_scale *s, uint64_t ticks);
uint64_t clock_ns_to_ticks(const struct clock_scale *s, uint64_t ns);

/* A counter's rate from `counts` it advanced while a reference clock of
 * ref_hz advanced `ref_ticks` (0 when ref_ticks is 0). */
uint64_t clock_rate(uint64_t counts, uint64_t ref_ticks, uint64_t ref_hz);

#endif
