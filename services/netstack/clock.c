/* The netstack's clock: see clock.h. */
#include "clock.h"

#include <capos/rt.h>
#include <capos/timer.h>

#include "lwip_port.h"

static uint64_t tsc0;
static const struct capos_timer *timer;
/* The reading of this loop turn (netstack_clock_turn): lwIP asks for the
 * time several times a turn, and each Timer.now is a kernel entry. */
static uint64_t turn_ns;
static bool turn_read;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return (uint64_t)hi << 32 | lo;
}

uint64_t netstack_clock_exact_ns(void)
{
	uint64_t ns = 0;
	struct capos_call_error err;
	if (timer && capos_timer_now(timer, &ns, &err) == 0)
		return ns;
	/* No Timer (or it failed): the TSC at the assumed rate. */
	return (rdtsc() - tsc0) * 1000u / NETSTACK_TSC_MHZ_ASSUMED;
}

uint64_t netstack_clock_ns(void)
{
	if (!turn_read) {
		uint64_t now = netstack_clock_exact_ns();
		/* Never backwards, whatever the source. */
		if (now > turn_ns)
			turn_ns = now;
		turn_read = true;
	}
	return turn_ns;
}

void netstack_clock_turn(void)
{
	turn_read = false;
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
	lwip_port_set_clock(clock_ms, NULL,
	                    timer ? "the Timer capability ('timer')"
	                          : "the TSC at an assumed 2000 MHz (no Timer granted)");
}

uint64_t netstack_clock_seed(void)
{
	return rdtsc() * 0x9e3779b97f4a7c15ull;
}
