/*
 * Hostile Timer use (the Timer is the first CapSet entry): 9 sleeps of
 * 10 s submitted at once (all accepted: a process has as many pending as
 * its ring's CQ holds, each with a reserved slot), a sleep whose params
 * are not a message, an unknown method; then exit with 9 sleeps still
 * pending: the kernel drops them ("timer: pid N 'timer_hostile' ended
 * with 9 sleeps pending: dropped") and its final count shows none left.
 * Exit 0, or the failed check.
 */
#include "rawsys.h"

#define SLEEPS 9u

static uint64_t msgs[SLEEPS][3];
static _Alignas(8) uint8_t results[SLEEPS + 2][512];

static struct capos_sqe call(uint32_t cap, uint16_t method, const void *params, uint32_t len,
                             uint64_t user_data, void *result)
{
	return (struct capos_sqe){
		.opcode = CAPOS_OP_CALL,
		.cap_id = cap,
		.user_data = user_data,
		.addr = (uint64_t)(uintptr_t)params,
		.len = len,
		.result_addr = (uint64_t)(uintptr_t)result,
		.result_len = 512,
		.method_id = method,
	};
}

ENTRY
{
	uint32_t timer = raw_console_cap(); /* the first entry */
	for (uint32_t i = 0; i < SLEEPS; i++) {
		msgs[i][0] = 2ull << 32;     /* one segment of 2 words */
		msgs[i][1] = 1ull << 32;     /* root: struct, 1 data word, 0 pointers */
		msgs[i][2] = 10000000000ull; /* ns: 10 s */
		raw_submit(call(timer, 1, msgs[i], sizeof msgs[i], 100 + i, results[i]));
	}
	/* clang-format off */
	raw_submit(call(timer, 1, msgs[0], 3, 200, results[SLEEPS]));       /* not a message */
	/* clang-format on */
	raw_submit(call(timer, 7, msgs[0], sizeof msgs[0], 201, results[SLEEPS + 1])); /* no method 7 */
	/* The two refusals complete at once; the 9 sleeps stay pending. */
	int64_t n = raw_cap_enter(2, 2000000000ull);
	CHECK(1, n >= 2);
	unsigned seen = 0;
	while (RING->header.cq_head != RING->header.cq_tail) {
		struct capos_cqe c = raw_pop();
		if (c.user_data == 200)
			CHECK(3, c.result == CAPOS_ERR_BAD_MESSAGE);
		else if (c.user_data == 201)
			CHECK(4, c.result == CAPOS_ERR_UNKNOWN_METHOD);
		else
			CHECK(5, 0); /* a 10 s sleep cannot have completed */
		seen++;
	}
	CHECK(6, seen == 2);
	raw_exit(0);
}
