/*
 * Coverage bitmap of the coverage build (see kcov.h).  In the normal build
 * CAPOS_COVERAGE is not defined and this file compiles to nothing.
 */
#ifdef CAPOS_COVERAGE
#include "arch/x86_64/kcov.h"

#include <stdbool.h>
#include <stdint.h>

#include <capos/abi.h>

#include "arch/x86_64/io.h"
#include "cap/registry.h"
#include "format.h"

extern char __text_start[], __text_end[];

static uint8_t kcov_bits[KCOV_TEXT_MAX / 8];
static uint64_t kcov_outside;

/* perform runs per kind and method index.  A by_process type counts per
 * opcode (CALL, RECV, RETURN), then its own methods (CAPOS_SQE_KERNEL:
 * Endpoint.mintClient) from index KCOV_OPS on. */
#define KCOV_METHODS 32u
#define KCOV_OPS     3u
static uint64_t kcov_calls[KCAP_KIND_LIMIT][KCOV_METHODS];
static const char *const kcov_ops[KCOV_OPS] = {"CALL", "RECV", "RETURN"};

/* The client sides of an endpoint only CALL: their decode refuses RECV,
 * RETURN and the owner's methods (kernel/cap/endpoint.c), so perform never
 * sees those. */
static bool call_only(const struct kcap_type *t)
{
	return t->kind == KCAP_ENDPOINT_CLIENT || t->kind == KCAP_ENDPOINT_FACET;
}

static unsigned op_index(uint8_t opcode)
{
	return opcode == CAPOS_OP_CALL ? 0 : opcode == CAPOS_OP_RECV ? 1
	                                                             : 2;
}

void kcov_perform(const struct kcap_type *t, const struct kcap_call *c)
{
	unsigned i = c->method == 0 ? op_index(c->opcode) : (unsigned)(c->method - t->methods);
	if (t->by_process)
		i = c->method != 0 && (c->sqe->flags & CAPOS_SQE_KERNEL) ? KCOV_OPS + i
		                                                         : op_index(c->opcode);
	if (t->kind < KCAP_KIND_LIMIT && i < KCOV_METHODS)
		kcov_calls[t->kind][i]++;
}

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
	char line[96];
	for (unsigned k = 0; k < KCAP_KIND_LIMIT; k++) {
		const struct kcap_type *t = kcap_types_by_kind[k];
		if (t == 0)
			continue;
		unsigned first = t->by_process ? KCOV_OPS : 0;
		unsigned n = call_only(t) ? 1 : first + t->method_count;
		for (unsigned i = 0; i < n && i < KCOV_METHODS; i++) {
			const char *name = i < first ? kcov_ops[i] : t->methods[i - first].name;
			int w = format_snprintf(line, sizeof line, "M %s.%s %lu\n", kcap_info(t)->name,
			                        name, kcov_calls[k][i]);
			kcov_put(line, w > 0 && (unsigned)w < sizeof line ? (uint64_t)w : 0);
		}
	}
	kcov_put("END\n", 4);
}
#endif
