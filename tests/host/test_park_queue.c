/* The ParkSpace wait queue (lib/park_queue.c). */
#include <criterion/criterion.h>

#include "park_queue.h"

#define MAXW 16
static struct park_waiter ws[MAXW];
static struct park_waiter *order[MAXW];
static enum park_end whys[MAXW];
static unsigned finished;

static void finish(void *ctx, struct park_waiter *w, enum park_end why)
{
	(void)ctx;
	cr_assert_lt(finished, MAXW);
	cr_assert_null(w->next, "a finished waiter is unlinked");
	order[finished] = w;
	whys[finished++] = why;
}

static const struct park_ops ops = {.finish = finish};
static struct park_queue q;
static const int space_a, space_b, owner_1, owner_2;

static void setup(void)
{
	finished = 0;
	park_queue_init(&q, &ops);
}

static struct park_waiter *park(unsigned i, const void *space, uint64_t addr, const void *owner,
                                uint64_t deadline)
{
	ws[i] = (struct park_waiter){.space = space, .addr = addr, .owner = owner, .deadline = deadline};
	park_enqueue(&q, &ws[i]);
	return &ws[i];
}

TestSuite(park_queue, .init = setup);

Test(park_queue, wake_of_nobody)
{
	cr_assert_eq(park_wake(&q, &space_a, 0x1000, 5), 0u);
	park(0, &space_a, 0x1000, &owner_1, PARK_NO_DEADLINE);
	cr_assert_eq(park_wake(&q, &space_a, 0x1004, 5), 0u, "another word");
	cr_assert_eq(park_wake(&q, &space_b, 0x1000, 5), 0u, "same address, another process");
	cr_assert_eq(park_wake(&q, &space_a, 0x1000, 0), 0u, "count 0 wakes nobody");
	cr_assert_eq(park_count(&q), 1u);
	cr_assert_eq(finished, 0u);
}

Test(park_queue, wake_oldest_first_and_at_most_n)
{
	park(0, &space_a, 0x1000, &owner_1, PARK_NO_DEADLINE);
	park(1, &space_a, 0x2000, &owner_1, PARK_NO_DEADLINE);
	park(2, &space_a, 0x1000, &owner_2, PARK_NO_DEADLINE);
	park(3, &space_a, 0x1000, &owner_2, PARK_NO_DEADLINE);
	cr_assert_eq(park_wake(&q, &space_a, 0x1000, 2), 2u);
	cr_assert_eq(order[0], &ws[0]);
	cr_assert_eq(order[1], &ws[2]);
	cr_assert_eq(whys[0], PARK_WOKEN);
	cr_assert_eq(park_count(&q), 2u);
	cr_assert_eq(park_wake(&q, &space_a, 0x1000, UINT32_MAX), 1u);
	cr_assert_eq(order[2], &ws[3]);
	/* The tail moved back correctly: a new waiter still joins the end. */
	park(4, &space_a, 0x2000, &owner_2, PARK_NO_DEADLINE);
	cr_assert_eq(park_wake(&q, &space_a, 0x2000, 9), 2u);
	cr_assert_eq(order[3], &ws[1]);
	cr_assert_eq(order[4], &ws[4]);
	cr_assert_eq(park_count(&q), 0u);
	cr_assert_eq(q.woken, 5u);
}

Test(park_queue, expire_returns_next_deadline)
{
	park(0, &space_a, 0x1000, &owner_1, 100);
	park(1, &space_a, 0x1000, &owner_1, PARK_NO_DEADLINE);
	park(2, &space_a, 0x1000, &owner_2, 50);
	park(3, &space_a, 0x1000, &owner_2, 300);
	cr_assert_eq(park_expire(&q, 10), 50u);
	cr_assert_eq(finished, 0u);
	cr_assert_eq(park_expire(&q, 100), 300u);
	cr_assert_eq(finished, 2u);
	cr_assert_eq(order[0], &ws[0]);
	cr_assert_eq(order[1], &ws[2]);
	cr_assert_eq(whys[1], PARK_TIMED_OUT);
	cr_assert_eq(park_expire(&q, 1000), PARK_NO_DEADLINE);
	cr_assert_eq(park_count(&q), 1u, "the waiter with no deadline stays");
	cr_assert_eq(q.timed_out, 3u);
}

Test(park_queue, drop_owner)
{
	park(0, &space_a, 0x1000, &owner_1, PARK_NO_DEADLINE);
	park(1, &space_a, 0x1000, &owner_2, PARK_NO_DEADLINE);
	park(2, &space_a, 0x3000, &owner_1, 7);
	cr_assert_eq(park_count_owner(&q, &owner_1), 2u);
	cr_assert_eq(park_drop_owner(&q, &owner_1), 2u);
	cr_assert_eq(whys[0], PARK_DROPPED);
	cr_assert_eq(park_count_owner(&q, &owner_1), 0u);
	cr_assert_eq(park_count(&q), 1u);
	cr_assert_eq(park_wake(&q, &space_a, 0x1000, 1), 1u);
	cr_assert_eq(order[2], &ws[1]);
	cr_assert_eq(q.dropped, 2u);
	cr_assert_eq(q.parked, 3u);
}

/* The finish callback may park again (a wake that re-arms): the queue is
 * consistent at every callback. */
static struct park_waiter extra;
static void finish_and_repark(void *ctx, struct park_waiter *w, enum park_end why)
{
	finish(ctx, w, why);
	if (finished == 1) {
		extra = (struct park_waiter){.space = &space_a, .addr = 0x1000, .owner = &owner_2, .deadline = PARK_NO_DEADLINE};
		park_enqueue(&q, &extra);
	}
}

Test(park_queue, repark_from_finish)
{
	static const struct park_ops reops = {.finish = finish_and_repark};
	park_queue_init(&q, &reops);
	park(0, &space_a, 0x1000, &owner_1, PARK_NO_DEADLINE);
	cr_assert_eq(park_wake(&q, &space_a, 0x1000, 1), 1u);
	cr_assert_eq(park_count(&q), 1u);
	cr_assert_eq(park_wake(&q, &space_a, 0x1000, 1), 1u);
	cr_assert_eq(order[1], &extra);
}
