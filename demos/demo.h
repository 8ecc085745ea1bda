/*
 * Helpers shared by the demo/smoke programs: every check prints one line,
 * "[name] ok: ..." or "[name] FAIL: ...", and the program ends with
 * "[name] PASS" (exit 0) or "[name] FAILED n checks" (exit 1), so a smoke
 * spec can expect exact lines and a failure shows which check broke.  The
 * name is the process's instance name (see demo_name).
 */
#ifndef CAPOS_DEMO_H
#define CAPOS_DEMO_H

#include <stdarg.h>
#include <capos/rt.h>

static int demo_failures;

/*
 * The name a demo prints in its "[name]" prefix: the process's own name
 * from its CapSet (its service name, e.g. 'ipc_waiter_2'), so two
 * instances of one binary can be told apart in a log where their lines
 * interleave in any order; `fallback` (the binary's name) when the CapSet
 * has none or the process is the one booted as init.
 */
static inline const char *demo_name(const char *fallback)
{
	const char *own = capos_rt.capset.process_name;
	if (own == NULL || own[0] == '\0')
		return fallback;
	/* The process the kernel boots first is named for its role, "init",
	 * whatever binary it runs (a smoke may boot a demo as init). */
	if (strcmp(own, "init") == 0)
		return fallback;
	return own;
}

/* AVX usable: CPUID has it and the kernel enabled its state in XCR0. */
static inline int demo_avx_enabled(void)
{
	uint32_t a, b, c, d;
	/* clang-format off */
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	/* clang-format on */
	if (!(c & (1u << 27)) || !(c & (1u << 28))) /* OSXSAVE, AVX */
		return 0;
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	/* clang-format on */
	return (lo & 6u) == 6u;
}

/* Loads all 16 YMM registers with non-zero values, so the process's
 * extended state is no longer in its initial configuration and every
 * save/restore moves the whole AVX state (benchmarks). */
static inline void demo_dirty_ymm(void)
{
	static const uint64_t v[4] = {0x0123456789abcdefull, 0xfedcba9876543210ull, 1, 2};
	/* clang-format off */
#define DEMO_YMM(i) __asm__ volatile("vmovdqu %0, %%ymm" #i ::"m"(v) : "xmm" #i);
	DEMO_YMM(0) DEMO_YMM(1) DEMO_YMM(2) DEMO_YMM(3) DEMO_YMM(4) DEMO_YMM(5) DEMO_YMM(6)
	DEMO_YMM(7) DEMO_YMM(8) DEMO_YMM(9) DEMO_YMM(10) DEMO_YMM(11) DEMO_YMM(12)
	DEMO_YMM(13) DEMO_YMM(14) DEMO_YMM(15)
	/* clang-format on */
#undef DEMO_YMM
}

/* One whole line per check, written by one Console call, so lines of
 * concurrent processes never mix within a line. */
static inline __attribute__((format(printf, 3, 4))) void
demo_check(const char *name, int ok, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	capos_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ok)
		demo_failures++;
	capos_printf("[%s] %s: %s", demo_name(name), ok ? "ok" : "FAIL", msg);
}

#define DEMO_CHECK(name, cond, ...) demo_check(name, (cond) ? 1 : 0, __VA_ARGS__)

static inline int demo_finish(const char *name)
{
	if (demo_failures == 0) {
		capos_printf("[%s] PASS\n", demo_name(name));
		return 0;
	}
	capos_printf("[%s] FAILED %d checks\n", demo_name(name), demo_failures);
	return 1;
}

/* Burns CPU without touching the ring (for preemption tests). */
static inline void demo_spin(uint64_t iterations)
{
	for (volatile uint64_t i = 0; i < iterations; i++)
		/* clang-format off */
		__asm__ volatile("" ::: "memory");
	/* clang-format on */
}

#endif
