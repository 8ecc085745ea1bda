/* Endpoint FIFO and call ids (lib/endpoint_queue.c). */
#include <criterion/criterion.h>

#include "endpoint_queue.h"

static struct epq q;
static struct epq_node n[5];

static void setup(void)
{
	q = (struct epq){0};
	for (int i = 0; i < 5; i++)
		n[i].next = 0;
}

TestSuite(epq, .init = setup);

Test(epq, fifo_order)
{
	cr_assert_null(epq_pop(&q));
	for (int i = 0; i < 5; i++)
		epq_push(&q, &n[i]);
	cr_assert_eq(q.count, 5u);
	cr_assert_eq(epq_head(&q), &n[0]);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(epq_pop(&q), &n[i]);
	cr_assert_null(epq_pop(&q));
	cr_assert_null(q.tail);
	cr_assert_eq(q.count, 0u);
}

Test(epq, remove_head_middle_tail_and_absent)
{
	for (int i = 0; i < 4; i++)
		epq_push(&q, &n[i]);
	cr_assert(epq_remove(&q, &n[2])); /* middle */
	cr_assert(epq_remove(&q, &n[3])); /* tail */
	cr_assert_eq(q.tail, &n[1]);
	cr_assert(epq_remove(&q, &n[0]));     /* head */
	cr_assert_not(epq_remove(&q, &n[4])); /* never queued */
	cr_assert_not(epq_remove(&q, &n[2])); /* already gone */
	cr_assert_eq(q.count, 1u);
	epq_push(&q, &n[4]); /* tail still right after removals */
	cr_assert_eq(epq_pop(&q), &n[1]);
	cr_assert_eq(epq_pop(&q), &n[4]);
	cr_assert_null(epq_pop(&q));
}

Test(epq, call_ids_round_trip_and_never_zero)
{
	uint32_t id = epq_call_id(127, 5);
	cr_assert_eq(epq_call_index(id), 127u);
	cr_assert_eq(epq_call_gen(id), 5u);
	cr_assert_eq(epq_next_gen(0), 1u);
	cr_assert_eq(epq_next_gen(EPQ_CALL_GEN_MASK), 1u); /* wraps past 0 */
	uint32_t g = 1;
	for (int i = 0; i < 1000; i++) {
		uint32_t next = epq_next_gen(g);
		cr_assert_neq(next, 0u);
		cr_assert_neq(epq_call_id(0, next), epq_call_id(0, g));
		g = next;
	}
}
