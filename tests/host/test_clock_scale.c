/* lib/clock_scale.c: tick <-> ns conversion accuracy and overflow edges. */
#include <criterion/criterion.h>

#include "clock_scale.h"

static const uint64_t rates[] = {1000000, 999998000, 1000000000, 2596148000,
                                 3999999999, 4500000000, 10000000000};

Test(clock_scale, one_second_is_hz_ticks)
{
	for (unsigned i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		struct clock_scale s = clock_scale_make(rates[i]);
		uint64_t ns = clock_ticks_to_ns(&s, rates[i]);
		cr_assert(ns >= 999999000 && ns <= 1000000000, "%lu Hz: 1 s of ticks = %lu ns",
		          rates[i], ns);
		uint64_t t = clock_ns_to_ticks(&s, 1000000000);
		uint64_t err = t > rates[i] ? t - rates[i] : rates[i] - t;
		cr_assert(err <= rates[i] / 1000000 + 1000, "%lu Hz: 1 s = %lu ticks", rates[i], t);
	}
}

Test(clock_scale, years_of_uptime_do_not_overflow)
{
	struct clock_scale s = clock_scale_make(2596148000);
	uint64_t ten_years = UINT64_C(10) * 365 * 86400 * 2596148000;
	uint64_t ns = clock_ticks_to_ns(&s, ten_years);
	cr_assert(ns > UINT64_C(10) * 365 * 86400 * 999999000);
	cr_assert_eq(clock_ticks_to_ns(&s, UINT64_MAX) > ns, 1, "monotonic to the end");
	struct clock_scale fast = clock_scale_make(10000000000);
	cr_assert_eq(clock_ns_to_ticks(&fast, UINT64_MAX), UINT64_MAX, "saturates");
}

Test(clock_scale, small_deltas)
{
	struct clock_scale s = clock_scale_make(1000000000);
	cr_assert_eq(clock_ticks_to_ns(&s, 0), 0);
	cr_assert_eq(clock_ns_to_ticks(&s, 1), 1);
	cr_assert_eq(clock_ns_to_ticks(&s, 50000), 50000);
}

Test(clock_scale, rate_from_reference)
{
	/* 20 ms of PIT: 23863 ticks at 1193182 Hz while the TSC counted 51922960. */
	uint64_t hz = clock_rate(51922960, 23863, 1193182);
	cr_assert(hz > 2596000000u && hz < 2597000000u, "%lu", hz);
	cr_assert_eq(clock_rate(123, 0, 1193182), 0);
	cr_assert_eq(clock_rate(UINT64_MAX, 1, 1193182), UINT64_MAX);
}
