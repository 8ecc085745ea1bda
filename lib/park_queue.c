/* The ParkSpace wait queue (see park_queue.h). */
#include "park_queue.h"

void park_queue_init(struct park_queue *q, const struct park_ops *ops)
{
	*q = (struct park_queue){.ops = ops};
}

void park_enqueue(struct park_queue *q, struct park_waiter *w)
{
	w->next = 0;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	q->parked++;
}

/* Unlinks *pp (prev is the node before it, NULL at the head). */
static struct park_waiter *unlink_at(struct park_queue *q, struct park_waiter **pp,
                                     struct park_waiter *prev)
{
	struct park_waiter *w = *pp;
	*pp = w->next;
	if (q->tail == w)
		q->tail = prev;
	w->next = 0;
	return w;
}

static void count_end(struct park_queue *q, enum park_end why)
{
	if (why == PARK_WOKEN)
		q->woken++;
	else if (why == PARK_TIMED_OUT)
		q->timed_out++;
	else
		q->dropped++;
}

/* Finishes every waiter that match() selects, at most n; match sees
 * each waiter in queue order. */
static uint32_t finish_where(struct park_queue *q, bool (*match)(const struct park_waiter *, const void *, uint64_t),
                             const void *key, uint64_t arg, uint32_t n, enum park_end why)
{
	uint32_t done = 0;
	struct park_waiter **pp = &q->head, *prev = 0;
	while (*pp && done < n) {
		if (!match(*pp, key, arg)) {
			prev = *pp;
			pp = &(*pp)->next;
			continue;
		}
		struct park_waiter *w = unlink_at(q, pp, prev);
		count_end(q, why);
		done++;
		q->ops->finish(q->ops->ctx, w, why);
	}
	return done;
}

static bool same_word(const struct park_waiter *w, const void *space, uint64_t addr)
{
	return w->space == space && w->addr == addr;
}

static bool expired(const struct park_waiter *w, const void *unused, uint64_t now)
{
	(void)unused;
	return w->deadline <= now;
}

static bool owned_by(const struct park_waiter *w, const void *owner, uint64_t unused)
{
	(void)unused;
	return w->owner == owner;
}

uint32_t park_wake(struct park_queue *q, const void *space, uint64_t addr, uint32_t n)
{
	return finish_where(q, same_word, space, addr, n, PARK_WOKEN);
}

uint64_t park_expire(struct park_queue *q, uint64_t now)
{
	finish_where(q, expired, 0, now, UINT32_MAX, PARK_TIMED_OUT);
	uint64_t next = PARK_NO_DEADLINE;
	for (const struct park_waiter *w = q->head; w; w = w->next)
		if (w->deadline < next)
			next = w->deadline;
	return next;
}

uint32_t park_drop_owner(struct park_queue *q, const void *owner)
{
	return finish_where(q, owned_by, owner, 0, UINT32_MAX, PARK_DROPPED);
}

uint32_t park_count_owner(const struct park_queue *q, const void *owner)
{
	uint32_t n = 0;
	for (const struct park_waiter *w = q->head; w; w = w->next)
		n += w->owner == owner;
	return n;
}

uint32_t park_count(const struct park_queue *q)
{
	uint32_t n = 0;
	for (const struct park_waiter *w = q->head; w; w = w->next)
		n++;
	return n;
}
