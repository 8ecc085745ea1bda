/*
 * lib/tsc_clock.c: the TSC-interpolated clock over a reference, with both
 * clocks faked: the reference is "true time" (or an answer the test
 * chooses), the TSC ticks at a rate the test sets.
 */
#include <criterion/criterion.h>

#include "tsc_clock.h"

#define MS 1000000ull

struct fake {
	uint64_t ns;       /* true time */
	uint64_t ticks_ms; /* TSC ticks per ms */
	uint64_t tsc0;
	bool ref_down;
	int64_t ref_skew; /* what the reference answers minus true time */
	int64_t tsc_skew; /* ticks added to the TSC (a TSC that jumps) */
};

static bool ref(void *ctx, uint64_t *ns)
{
	struct fake *f = ctx;
	if (f->ref_down)
		return false;
	*ns = (uint64_t)((int64_t)f->ns + f->ref_skew);
	return true;
}

static uint64_t tsc(void *ctx)
{
	struct fake *f = ctx;
	return (uint64_t)((int64_t)(f->tsc0 + f->ns / 1000 * f->ticks_ms / 1000) + f->tsc_skew);
}

static const struct tsc_clock_ops ops = {.ref_ns = ref, .tsc = tsc};

static void start(struct tsc_clock *c, struct fake *f)
{
	*f = (struct fake){.ns = 5000 * MS, .ticks_ms = 2500000, .tsc0 = 123456789};
	tsc_clock_init(c, &ops, f);
}

Test(tsc_clock, reads_the_reference_until_calibrated)
{
	struct tsc_clock c;
	struct fake f;
	start(&c, &f);
	for (int i = 0; i < 10; i++) {
		f.ns += 4 * MS; /* 40 ms in all: under TSC_CLOCK_CALIBRATE_NS */
		cr_expect_eq(tsc_clock_now(&c), f.ns);
	}
	cr_expect_eq(c.ref_reads, 10);
	cr_expect_eq(c.tsc_reads, 0);
}

Test(tsc_clock, interpolates_between_readings_and_resyncs)
{
	struct tsc_clock c;
	struct fake f;
	start(&c, &f);
	tsc_clock_now(&c);
	f.ns += 60 * MS;
	cr_expect_eq(tsc_clock_now(&c), f.ns); /* calibrated now */
	uint64_t refs = c.ref_reads;
	for (int i = 0; i < 9; i++) {
		f.ns += MS;
		uint64_t v = tsc_clock_now(&c);
		cr_expect(v + 1000 >= f.ns && v <= f.ns + 1000, "%lu vs %lu", v, f.ns);
	}
	cr_expect_eq(c.ref_reads, refs, "9 ms: no reference reading");
	cr_expect_eq(c.tsc_reads, 9);
	f.ns += 2 * MS; /* 11 ms since the last reading */
	cr_expect_eq(tsc_clock_now(&c), f.ns);
	cr_expect_eq(c.ref_reads, refs + 1);
	f.ns += 3 * MS;
	uint64_t v = tsc_clock_now(&c);
	cr_expect(v + 1000 >= f.ns && v <= f.ns + 1000);
	cr_expect_eq(c.ref_reads, refs + 1);
}

Test(tsc_clock, a_long_sleep_reads_the_reference)
{
	struct tsc_clock c;
	struct fake f;
	start(&c, &f);
	tsc_clock_now(&c);
	f.ns += 100 * MS;
	tsc_clock_now(&c);
	uint64_t refs = c.ref_reads;
	f.ns += 2000 * MS;
	cr_expect_eq(tsc_clock_now(&c), f.ns);
	cr_expect_eq(c.ref_reads, refs + 1);
}

Test(tsc_clock, never_goes_backwards)
{
	struct tsc_clock c;
	struct fake f;
	start(&c, &f);
	tsc_clock_now(&c);
	f.ns += 100 * MS;
	uint64_t v = tsc_clock_now(&c);
	f.ref_skew = -(int64_t)(50 * MS); /* the reference steps back */
	f.ns += 20 * MS;
	uint64_t w = tsc_clock_now(&c);
	cr_expect_geq(w, v);
	f.tsc_skew = -1000000000; /* the TSC steps back: the reference answers */
	uint64_t refs = c.ref_reads;
	uint64_t x = tsc_clock_now(&c);
	cr_expect_geq(x, w);
	cr_expect_eq(c.ref_reads, refs + 1);
}

Test(tsc_clock, no_reference_reads_zero)
{
	struct tsc_clock c;
	struct fake f;
	start(&c, &f);
	f.ref_down = true;
	cr_expect_eq(tsc_clock_now(&c), 0);
	f.ns += 100 * MS;
	cr_expect_eq(tsc_clock_now(&c), 0);
	cr_expect_eq(c.ref_reads, 0);
	f.ref_down = false;
	cr_expect_eq(tsc_clock_now(&c), f.ns);
}
