/*
 * Coverage bitmap of the coverage build (see kcov.h).  In the normal build
 * CAPOS_COVERAGE is not defined and this file compiles to nothing.
 */
#ifdef CAPOS_COVERAGE
#include "arch/x86_64/kcov.h"

#include <stdint.h>

#include "arch/x86_64/io.h"

extern char __text_start[], __text_end[];

static uint8_t kcov_bits[KCOV_TEXT_MAX / 8];
static uint64_t kcov_outside;

/* Called by every instrumented basic block, in any context (interrupts,
 * the scheduler, panic): a plain bit set, no locks, nothing instrumented.
 * -smp 1, so only an interrupt can race with it, and losing a bit to
 * that race only under-reports a block that ran twice at once. */
__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_pc(void)
{
	uintptr_t pc = (uintptr_t)__builtin_return_address(0);
	uintptr_t off = pc - (uintptr_t)__text_start;
	if (off >= KCOV_TEXT_MAX) {
		kcov_outside++;
		return;
	}
	kcov_bits[off / 8] |= (uint8_t)(1u << (off % 8));
}

__attribute__((no_sanitize_coverage)) static void kcov_put(const void *p, uint64_t n)
{
	const uint8_t *b = p;
	for (uint64_t i = 0; i < n; i++)
		outb(KCOV_PORT, b[i]);
}

__attribute__((no_sanitize_coverage)) void kcov_dump(void)
{
	uint64_t start = (uint64_t)(uintptr_t)__text_start;
	uint64_t text = (uint64_t)(__text_end - __text_start);
	uint64_t len = (text < KCOV_TEXT_MAX ? text : KCOV_TEXT_MAX) / 8;
	kcov_put("KCOV1\n", 6);
	kcov_put(&start, sizeof start);
	kcov_put(&len, sizeof len);
	kcov_put(&kcov_outside, sizeof kcov_outside);
	kcov_put(kcov_bits, len);
}
#endif
