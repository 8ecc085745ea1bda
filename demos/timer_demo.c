/*
 * timer_demo: the Timer capability through the runtime.  now() never goes
 * backwards; resolution() is positive; sleep(0) completes at once; every
 * sleep ends no earlier than asked (checked) and how much later is
 * printed as information, never asserted (it depends on the host);
 * capos_clock_ns/capos_nanosleep work over the default cap.
 *
 * Run by: smoke timer_entropy (tests/qemu/manifests/raw_timer_entropy.cue).
 */
#include <capos/rt.h>

#include "demo.h"

#define ROUNDS 20u

int main(void)
{
	const char *me = demo_name("timer_demo");
	const struct capos_timer *t = capos_default_timer();
	DEMO_CHECK(me, t != NULL, "a Timer in the CapSet\n");
	if (t == NULL)
		return demo_finish(me);
	struct capos_call_error err;
	uint64_t res = 0, a = 0, b = 0;
	DEMO_CHECK(me, capos_timer_resolution(t, &res, &err) == 0 && res > 0,
	           "resolution() > 0\n");
	capos_printf("[%s] info: resolution %lu ns\n", me, (unsigned long)res);
	int ok = 1;
	for (unsigned i = 0; i < 1000 && ok; i++) {
		ok = capos_timer_now(t, &a, &err) == 0 && capos_timer_now(t, &b, &err) == 0 && b >= a;
	}
	DEMO_CHECK(me, ok, "now() never goes backwards over 1000 pairs\n");

	/* clang-format off */
	DEMO_CHECK(me, capos_timer_now(t, &a, &err) == 0 && capos_timer_sleep(t, 0, &err) == 0 &&
	                   capos_timer_now(t, &b, &err) == 0,
	           "sleep(0) completes\n");
	/* clang-format on */

	/* Sleeps of 1 ms: each ends no earlier than asked. */
	uint64_t want = 1000000, late_min = UINT64_MAX, late_max = 0, late_sum = 0;
	ok = 1;
	for (unsigned i = 0; i < ROUNDS && ok; i++) {
		ok = capos_timer_now(t, &a, &err) == 0 && capos_timer_sleep(t, want, &err) == 0 &&
		     capos_timer_now(t, &b, &err) == 0 && b - a >= want;
		uint64_t late = b - a - want;
		late_min = late < late_min ? late : late_min;
		late_max = late > late_max ? late : late_max;
		late_sum += late;
	}
	DEMO_CHECK(me, ok, "%u sleeps of 1 ms each lasted at least 1 ms\n", ROUNDS);
	capos_printf("[%s] info: sleep(1 ms) ended late by min %lu us, mean %lu us, max %lu us\n",
	             me, (unsigned long)(late_min / 1000), (unsigned long)(late_sum / ROUNDS / 1000),
	             (unsigned long)(late_max / 1000));

	int64_t c0 = capos_clock_ns();
	int s = capos_nanosleep(2000000);
	int64_t c1 = capos_clock_ns();
	DEMO_CHECK(me, c0 > 0 && s == 0 && c1 - c0 >= 2000000,
	           "capos_nanosleep(2 ms) over capos_clock_ns: at least 2 ms\n");
	return demo_finish(me);
}
