/* The netstack's clock: see clock.h. */
#include "clock.h"

#include <capos/rt.h>
#include <capos/timer.h>

#include "lwip_port.h"
#include "tsc_clock.h"

static uint64_t tsc0;
static const struct capos_timer *timer;
/* lwIP asks for the time several times a loop turn, and each Timer.now
 * is a kernel entry: between readings the TSC says (lib/tsc_clock.h). */
static struct tsc_clock clock;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return (uint64_t)hi << 32 | lo;
}

static bool timer_ns(void *ctx, uint64_t *ns)
{
	struct capos_call_error err;
	(void)ctx;
	return capos_timer_now(timer, ns, &err) == 0;
}

static uint64_t tsc_now(void *ctx)
{
	(void)ctx;
	return rdtsc();
}

static const struct tsc_clock_ops clock_ops = {.ref_ns = timer_ns, .tsc = tsc_now};

uint64_t netstack_clock_ns(void)
{
	if (timer)
		return tsc_clock_now(&clock);
	/* No Timer: the TSC at the assumed rate. */
	return (rdtsc() - tsc0) * 1000u / NETSTACK_TSC_MHZ_ASSUMED;
}

uint64_t netstack_clock_timer_reads(void)
{
	return clock.ref_reads;
}

static uint32_t clock_ms(void *ctx)
{
	(void)ctx;
	return (uint32_t)(netstack_clock_ns() / 1000000u);
}

void netstack_clock_init(void)
{
	tsc0 = rdtsc();
	timer = capos_default_timer();
	tsc_clock_init(&clock, &clock_ops, NULL);
	lwip_port_set_clock(clock_ms, NULL,
	                    timer ? "the Timer capability ('timer')"
	                          : "the TSC at an assumed 2000 MHz (no Timer granted)");
}

uint64_t netstack_clock_seed(void)
{
	return rdtsc() * 0x9e3779b97f4a7c15ull;
}
