/*
 * sys_arch for lwIP on capOS with NO_SYS=1: the clock (sys_now), the
 * random numbers LWIP_RAND uses, and where diagnostics and failed
 * assertions go.  See lwip_port.h.
 */
#include <stdarg.h>
#include <stdint.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip_port.h"

#if defined(CAPOS_HOST)
#include <stdio.h>
#include <stdlib.h>
#else
#include <capos/rt.h>
#endif

static lwip_port_clock_fn clock_fn;
static void *clock_ctx;
static uint32_t counter_ms;
static uint64_t rand_state = 0x9e3779b97f4a7c15ull;

static void port_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void lwip_port_set_clock(lwip_port_clock_fn fn, void *ctx, const char *name)
{
	clock_fn = fn;
	clock_ctx = ctx;
	port_log("lwip: clock is %s\n", fn ? name : "a counter (1 ms per sys_now call)");
}

/* lwIP's timers compare differences of these, so wrapping is fine. */
u32_t sys_now(void)
{
	if (clock_fn)
		return clock_fn(clock_ctx);
	return ++counter_ms;
}

void lwip_port_seed_rand(uint64_t seed)
{
	rand_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

/* xorshift64*: not for secrets (TCP ISNs want better once an entropy
 * capability exists), but cheap, seedable and deterministic under test. */
uint32_t lwip_port_rand(void)
{
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return (uint32_t)((rand_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void port_vlog(const char *fmt, va_list ap)
{
#if defined(CAPOS_HOST)
	vfprintf(stderr, fmt, ap);
#else
	char line[256];
	capos_vsnprintf(line, sizeof line, fmt, ap);
	capos_printf("%s", line);
#endif
}

static void port_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	port_vlog(fmt, ap);
	va_end(ap);
}

void lwip_port_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	port_vlog(fmt, ap);
	va_end(ap);
}

/* An lwIP assertion is a stack bug (or a port bug): stop, loudly. */
_Noreturn void lwip_port_assert_failed(const char *what, const char *file, int line)
{
#if defined(CAPOS_HOST)
	fprintf(stderr, "lwip: assertion \"%s\" failed at %s:%d\n", what, file, line);
	abort();
#else
	capos_panic("lwip: assertion \"%s\" failed at %s:%d", what, file, line);
#endif
}
