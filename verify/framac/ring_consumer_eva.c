/*
 * Eva driver for lib/ring_consumer.c: the kernel's side of the ring with
 * a hostile user who may have written anything anywhere in the ring page
 * (indices, SQEs, CQEs) before every step.  Each step does what the
 * dispatcher does: pending SQEs, a run of NOPs through the batch path
 * (bounded by the pending SQEs and free CQ slots), take one, validate
 * it, check its user ranges, post a completion when there is space,
 * publish the cursor.
 */
#include "__fc_builtin.h"
#include "ring_consumer.h"

#define STEPS 4

static struct capos_ring_page page;

int main(void)
{
	struct ring_cursor c;
	ring_init(&page, &c);
	for (int step = 0; step < STEPS; step++) {
		Frama_C_make_unknown((char *)&page, sizeof(page));
		int pending = ring_sq_pending(&page, &c);
		int space = ring_cq_space(&page, &c);
		if (pending > 0 && space > 0 && ring_peek_nop(&page, &c)) {
			uint32_t max = (uint32_t)(pending < space ? pending : space);
			Frama_C_make_unknown((char *)&page, sizeof(page));
			pending -= (int)ring_take_nops(&page, &c, max);
		}
		if (pending > 0) {
			struct capos_sqe sqe;
			ring_take_sqe(&page, &c, &sqe);
			int err = ring_validate_sqe(&sqe);
			if (err == 0)
				err = ring_check_user_range(sqe.addr, sqe.len,
				                            RING_MAX_PARAMS_LEN);
			(void)ring_error_name(err);
			if (ring_cq_space(&page, &c) > 0) {
				struct capos_cqe cqe = {.user_data = sqe.user_data, .result = err};
				ring_post_cqe(&page, &c, &cqe);
			}
		}
		(void)ring_cq_ready(&page, &c);
		ring_publish(&page, &c);
	}
	return 0;
}
