/*
 * Process-wide handle operations over the runtime's ring and release queue.
 */
#include <capos/handle.h>

struct capos_release_queue capos_rt_releases;

void capos_cap_drop(struct capos_cap *c)
{
	if (c->valid && c->owned)
		(void)capos_release_queue_push(&capos_rt_releases, &capos_rt_ring, c->cap_id);
	c->valid = false;
	c->owned = false;
}

int capos_cap_adopt(const struct capos_cap_record *rec, uint64_t expected_interface,
                    struct capos_cap *out)
{
	out->cap_id = rec->cap_id;
	out->interface_id = rec->interface_id;
	out->owned = true;
	out->valid = true;
	if (rec->interface_id != expected_interface) {
		capos_cap_drop(out); /* not ours to use, but ours to free */
		return CAPOS_ERR_NOT_PERMITTED;
	}
	return 0;
}

int capos_flush_releases(void)
{
	return capos_release_queue_flush(&capos_rt_releases, &capos_rt_ring);
}
