/* The netstack's clock: see clock.h. */
#include "clock.h"

#include <stddef.h>
#include <stdint.h>

static uint64_t tsc0;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return (uint64_t)hi << 32 | lo;
}

static uint32_t tsc_ms(void *ctx)
{
	(void)ctx;
	return (uint32_t)((rdtsc() - tsc0) / (NETSTACK_TSC_MHZ_ASSUMED * 1000ull));
}

__attribute__((weak)) bool netstack_timer_clock(lwip_port_clock_fn *fn, void **ctx,
                                                const char **name)
{
	(void)fn;
	(void)ctx;
	(void)name;
	return false;
}

void netstack_clock_init(void)
{
	lwip_port_clock_fn fn;
	void *ctx;
	const char *name;
	if (netstack_timer_clock(&fn, &ctx, &name)) {
		lwip_port_set_clock(fn, ctx, name);
		return;
	}
	tsc0 = rdtsc();
	lwip_port_set_clock(tsc_ms, NULL, "the TSC at an assumed 2000 MHz (no Timer linked)");
}

uint64_t netstack_clock_seed(void)
{
	return rdtsc() * 0x9e3779b97f4a7c15ull;
}
