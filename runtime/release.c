/*
 * Owned handles and the batched release queue (see capos/handle.h).
 * Host-tested against a fake kernel; the process-wide wrappers are in
 * handle.c.
 */
#include <capos/handle.h>
#include <capos/string.h>

struct capos_cap capos_cap_borrow(const struct capos_capset_entry *e)
{
	struct capos_cap c = {0, 0, false, false};
	if (e != NULL) {
		c.cap_id = e->cap_id;
		c.interface_id = e->interface_id;
		c.valid = true;
	}
	return c;
}

int capos_release_queue_push(struct capos_release_queue *q, struct capos_ring *r,
                             uint32_t cap_id)
{
	if (q->count == CAPOS_RELEASE_QUEUE) {
		int err = capos_release_queue_flush(q, r);
		if (err < 0)
			return err;
	}
	q->ids[q->count++] = cap_id;
	return 0;
}

static uint64_t release_user_data(uint64_t seq)
{
	return CAPOS_RT_USER_DATA_INTERNAL | seq;
}

int capos_release_queue_flush(struct capos_release_queue *q, struct capos_ring *r)
{
	uint64_t first = q->seq;
	uint32_t submitted = 0;
	int err = 0;
	while (submitted < q->count) {
		struct capos_sqe sqe = {0};
		sqe.opcode = CAPOS_OP_RELEASE;
		sqe.cap_id = q->ids[submitted];
		sqe.user_data = release_user_data(q->seq);
		err = capos_ring_submit(r, &sqe);
		if (err < 0)
			break;
		q->seq++;
		submitted++;
	}
	/* Keep whatever could not be submitted for the next flush. */
	memmove(q->ids, q->ids + submitted, (q->count - submitted) * sizeof(q->ids[0]));
	q->count -= submitted;

	int failures = 0;
	for (uint32_t i = 0; i < submitted; i++) {
		struct capos_cqe cqe;
		int w = capos_ring_wait(r, release_user_data(first + i), CAPOS_WAIT_FOREVER, &cqe);
		if (w < 0)
			return w;
		if (cqe.result < 0) {
			q->failed++;
			failures++;
		} else {
			q->released++;
		}
	}
	return err < 0 ? err : failures;
}

int capos_cap_adopt_in(struct capos_release_queue *q, struct capos_ring *r,
                       const struct capos_cap_record *rec, uint64_t expected_interface,
                       struct capos_cap *out)
{
	memset(out, 0, sizeof(*out));
	if (rec->interface_id != expected_interface) {
		/* Not ours to use, but ours to free: the slot was given to us. */
		int err = capos_release_queue_push(q, r, rec->cap_id);
		return err < 0 ? err : CAPOS_ERR_NOT_PERMITTED;
	}
	out->cap_id = rec->cap_id;
	out->interface_id = rec->interface_id;
	out->owned = true;
	out->valid = true;
	return 0;
}
