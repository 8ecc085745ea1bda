/*
 * A clock read from the TSC between readings of a reference clock (the
 * Timer capability's `now`, a kernel entry each).  A service loop that
 * asks for the time on every turn (the netstack's lwIP timers, httpd's
 * deadlines) would otherwise enter the kernel for it every turn.
 *
 * Until two reference readings at least TSC_CLOCK_CALIBRATE_NS apart
 * give the TSC's rate, every reading is the reference's.  After that a
 * reading is the last reference reading plus the TSC ticks since,
 * converted at that rate, and the reference is read again once that
 * estimate has moved TSC_CLOCK_RESYNC_NS past it: the error is bounded by
 * the rate's error over at most that span.  The rate is taken over the
 * whole time since the first reading, so it only gets better.  Readings
 * never go backwards, and a TSC that does (or a rate that makes no
 * sense) falls back to the reference.
 *
 * No I/O of its own: both clocks come through an ops struct, so it is
 * host-tested (tests/host/test_tsc_clock.c).
 */
#ifndef CAPOS_TSC_CLOCK_H
#define CAPOS_TSC_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define TSC_CLOCK_CALIBRATE_NS 50000000ull /* 50 ms between the first two readings */
#define TSC_CLOCK_RESYNC_NS    10000000ull /* 10 ms of estimate between readings */

struct tsc_clock_ops {
	/* The reference: ns on the clock to follow; false if unavailable. */
	bool (*ref_ns)(void *ctx, uint64_t *ns);
	uint64_t (*tsc)(void *ctx);
};

struct tsc_clock {
	const struct tsc_clock_ops *ops;
	void *ctx;
	bool anchored; /* first_* hold the first reading */
	uint64_t first_ns, first_tsc;
	uint64_t base_ns, base_tsc;    /* the last reference reading */
	uint64_t num, den;             /* ns per tick as num / den; den 0: not calibrated */
	uint64_t last;                 /* the last value returned */
	uint64_t ref_reads, tsc_reads; /* readings by source (the loop's counters) */
};

void tsc_clock_init(struct tsc_clock *c, const struct tsc_clock_ops *ops, void *ctx);

/* Nanoseconds on the reference's clock.  0 if the reference never
 * answered. */
uint64_t tsc_clock_now(struct tsc_clock *c);

#endif
