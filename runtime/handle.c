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
	return capos_cap_adopt_in(&capos_rt_releases, &capos_rt_ring, rec, expected_interface, out);
}

int capos_flush_releases(void)
{
	return capos_release_queue_flush(&capos_rt_releases, &capos_rt_ring);
}
