/*
 * A CALL on our own endpoint carrying a COPY of its last owner capability
 * times out: the caller gets exactly one TIMED_OUT completion, the carried
 * capability is dropped, the endpoint disconnects and is freed.
 */
#include "carry.h"

ENTRY
{
	uint32_t ep = carry_cap("endpoint");
	carry_queue(ep, 5000000); /* 5 ms */
	CHECK(1, raw_cap_enter(1, CAPOS_NO_WAIT) >= 1);
	struct capos_cqe c = raw_pop();
	CHECK(2, c.user_data == 2 && c.result == 0); /* the release */
	CHECK(3, raw_cap_enter(1, CAPOS_WAIT_FOREVER) == 1);
	c = raw_pop();
	CHECK(4, c.user_data == 1 && c.result == CAPOS_ERR_TIMED_OUT);
	/* Nothing else arrives: one completion per SQE. */
	CHECK(5, raw_cap_enter(1, 20000000) == 0);
	raw_exit(0);
}
