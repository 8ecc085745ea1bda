/*
 * Exits with a CALL queued on our own endpoint that carries a COPY of its
 * last owner capability: the exit drops the queued call and what it
 * carries, which disconnects the endpoint; it must be freed exactly once.
 */
#include "carry.h"

ENTRY
{
	uint32_t ep = carry_cap("endpoint");
	carry_queue(ep, 0); /* no timeout: still queued at exit */
	CHECK(1, raw_cap_enter(1, CAPOS_NO_WAIT) >= 1);
	struct capos_cqe c = raw_pop();
	CHECK(2, c.user_data == 2 && c.result == 0);
	raw_exit(0);
}
