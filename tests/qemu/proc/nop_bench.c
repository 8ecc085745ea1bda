/*
 * Ring round-trip cost, measured with rdtsc (run under -icount shift=0 by
 * `make bench-proc`, where one TSC tick is one guest instruction):
 *   empty  cap_enter(0, NO_WAIT) with nothing queued (bare syscall path)
 *   nop1   one NOP per cap_enter(1)
 *   nop16  16 NOPs per cap_enter(16), per NOP
 * Prints one line per figure through a hand-encoded Console.writeLine.
 */
#include "rawsys.h"

#define ROUNDS 2000

static uint64_t msg[16];

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return ((uint64_t)hi << 32) | lo;
}

static unsigned put_str(char *p, unsigned n, const char *s)
{
	while (*s)
		p[n++] = *s++;
	return n;
}

static unsigned put_u64(char *p, unsigned n, uint64_t v)
{
	char tmp[24];
	unsigned k = 0;
	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		p[n++] = tmp[--k];
	return n;
}

/* Console.writeLine(text), at most 96 characters (msg's 16 words). */
static void write_line(const char *text, unsigned len)
{
	uint32_t n = raw_write_line_msg(msg, text, len);
	/* clang-format off */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = raw_console_cap(),
	                              .method_id = 1, .addr = (uint64_t)msg,
	                              .len = n, .user_data = 1});
	/* clang-format on */
	raw_cap_enter(1, CAPOS_WAIT_FOREVER);
	raw_pop();
}

static void report(const char *what, uint64_t total, uint64_t count)
{
	char line[96];
	unsigned n = put_str(line, 0, "[nop_bench] ");
	n = put_str(line, n, what);
	n = put_str(line, n, ": ");
	n = put_u64(line, n, total / count);
	n = put_str(line, n, " TSC ticks each (");
	n = put_u64(line, n, count);
	n = put_str(line, n, " runs)");
	write_line(line, n);
}

ENTRY
{
	uint64_t t0 = rdtsc();
	for (int i = 0; i < ROUNDS; i++)
		raw_cap_enter(0, CAPOS_NO_WAIT);
	uint64_t t1 = rdtsc();
	report("empty cap_enter", t1 - t0, ROUNDS);

	t0 = rdtsc();
	for (int i = 0; i < ROUNDS; i++) {
		raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .user_data = (uint64_t)i});
		if (raw_cap_enter(1, CAPOS_WAIT_FOREVER) != 1)
			raw_exit(1);
		raw_pop();
	}
	t1 = rdtsc();
	report("1 NOP per cap_enter", t1 - t0, ROUNDS);

	t0 = rdtsc();
	for (int i = 0; i < ROUNDS / 16; i++) {
		for (int k = 0; k < 16; k++)
			raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .user_data = (uint64_t)k});
		if (raw_cap_enter(16, CAPOS_WAIT_FOREVER) != 16)
			raw_exit(2);
		RING->header.cq_head = RING->header.cq_tail;
	}
	t1 = rdtsc();
	report("NOP in batches of 16, per NOP", t1 - t0, (ROUNDS / 16) * 16);
	raw_exit(0);
}
