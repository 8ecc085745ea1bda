/*
 * Helpers shared by the demo/smoke programs: every check prints one line,
 * "[name] ok: ..." or "[name] FAIL: ...", and the program ends with
 * "[name] PASS" (exit 0) or "[name] FAILED n checks" (exit 1), so a smoke
 * spec can expect exact lines and a failure shows which check broke.
 */
#ifndef CAPOS_DEMO_H
#define CAPOS_DEMO_H

#include <capos/rt.h>

static int demo_failures;

#define DEMO_CHECK(name, cond, ...)                                             \
	do {                                                                    \
		if (cond) {                                                     \
			capos_printf("[" name "] ok: " __VA_ARGS__);            \
		} else {                                                        \
			demo_failures++;                                        \
			capos_printf("[" name "] FAIL: " __VA_ARGS__);          \
		}                                                               \
	} while (0)

static inline int demo_finish(const char *name)
{
	if (demo_failures == 0) {
		capos_printf("[%s] PASS\n", name);
		return 0;
	}
	capos_printf("[%s] FAILED %d checks\n", name, demo_failures);
	return 1;
}

/* Burns CPU without touching the ring (for preemption tests). */
static inline void demo_spin(uint64_t iterations)
{
	for (volatile uint64_t i = 0; i < iterations; i++)
		__asm__ volatile("" ::: "memory");
}

#endif
