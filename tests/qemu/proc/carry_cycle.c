/*
 * Three endpoints, each one's last owner reference carried by a call
 * queued on the next (E1 carries E2, E2 carries E3, E3 carries E1), every
 * slot released.  The call on E1 times out: dropping E2 disconnects E2,
 * whose failed call drops E3, whose failed call drops E1, whose call is
 * the one already ending.  Exactly one completion per call: E1's call
 * TIMED_OUT, the two others DISCONNECTED; then nothing more.
 */
#include "carry.h"

static struct capos_xfer_desc cycle_desc[3] __attribute__((aligned(8)));
static uint8_t cycle_result[3][64] __attribute__((aligned(8)));

static void call_carrying(unsigned i, uint32_t ep, uint32_t carried, uint64_t timeout_ns)
{
	cycle_desc[i] = (struct capos_xfer_desc){.cap_id = carried, .mode = CAPOS_XFER_COPY};
	raw_submit((struct capos_sqe){
		.opcode = CAPOS_OP_CALL,
		.xfer_cap_count = 1,
		.cap_id = ep,
		.user_data = 10 + i,
		.addr = (uint64_t)&cycle_desc[i],
		.result_addr = (uint64_t)cycle_result[i],
		.result_len = sizeof cycle_result[i],
		.timeout_ns = timeout_ns,
	});
}

ENTRY
{
	uint32_t e[3] = {carry_cap("endpoint"), carry_cap("endpoint2"), carry_cap("endpoint3")};
	call_carrying(0, e[0], e[1], 5000000);
	call_carrying(1, e[1], e[2], 0);
	call_carrying(2, e[2], e[0], 0);
	/* clang-format off */
	for (unsigned i = 0; i < 3; i++)
		raw_submit((struct capos_sqe){.opcode = CAPOS_OP_RELEASE, .cap_id = e[i],
		                              .user_data = 20 + i});
	/* clang-format on */
	CHECK(1, raw_cap_enter(3, CAPOS_NO_WAIT) >= 3);
	for (unsigned i = 0; i < 3; i++) {
		struct capos_cqe c = raw_pop();
		CHECK(2, c.user_data == 20 + i && c.result == 0);
	}
	unsigned seen = 0;
	while (seen != 7) {
		CHECK(3, raw_cap_enter(1, CAPOS_WAIT_FOREVER) >= 1);
		struct capos_cqe c = raw_pop();
		CHECK(4, c.user_data >= 10 && c.user_data <= 12);
		unsigned bit = 1u << (c.user_data - 10);
		CHECK(5, (seen & bit) == 0); /* one completion per call */
		seen |= bit;
		CHECK(6, c.result == (c.user_data == 10 ? CAPOS_ERR_TIMED_OUT : CAPOS_ERR_DISCONNECTED));
	}
	CHECK(7, raw_cap_enter(1, 20000000) == 0);
	raw_exit(0);
}
