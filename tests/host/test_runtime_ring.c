/*
 * The runtime ring client against a fake in-memory kernel.
 */
#include <criterion/criterion.h>
#include <capos/ring.h>
#include "test_runtime_fake_kernel.h"

static struct capos_ring_page page __attribute__((aligned(4096)));
static struct fake_kernel k;
static struct capos_ring ring;

static void setup(void)
{
	fake_ring_setup(&page);
	memset(&k, 0, sizeof(k));
	k.page = &page;
	cr_assert_eq(capos_ring_init(&ring, &page, fake_enter, &k), 0);
}

TestSuite(ring, .init = setup);

Test(ring, init_rejects_bad_geometry)
{
	struct capos_ring r;
	page.header.sq_entries = 32;
	cr_expect_eq(capos_ring_init(&r, &page, fake_enter, &k), CAPOS_ERR_RING_CORRUPT);
	page.header.sq_entries = CAPOS_SQ_ENTRIES;
	page.header.cq_mask = 7;
	cr_expect_eq(capos_ring_init(&r, &page, fake_enter, &k), CAPOS_ERR_RING_CORRUPT);
	cr_expect_eq(capos_ring_init(&r, NULL, fake_enter, &k), CAPOS_ERR_RING_CORRUPT);
}

Test(ring, user_data_never_zero_nor_internal)
{
	ring.next_user_data = CAPOS_RT_USER_DATA_INTERNAL - 1;
	uint64_t a = capos_ring_next_user_data(&ring);
	uint64_t b = capos_ring_next_user_data(&ring);
	cr_expect_eq(a, CAPOS_RT_USER_DATA_INTERNAL - 1);
	cr_expect_neq(b, 0);
	cr_expect_eq(b & CAPOS_RT_USER_DATA_INTERNAL, 0);
}

Test(ring, nop_round_trip_echoes_user_data)
{
	struct capos_cqe cqe;
	cr_assert_eq(capos_ring_nop(&ring, 0xfeedface), 0);
	cr_expect_eq(page.header.sq_tail, 1);
	cr_expect_eq(page.sq[0].opcode, CAPOS_OP_NOP);
	cr_assert_eq(capos_ring_wait(&ring, 0xfeedface, CAPOS_WAIT_FOREVER, &cqe), 0);
	cr_expect_eq(cqe.user_data, 0xfeedface);
	cr_expect_eq(cqe.result, 0);
	cr_expect_eq(page.header.cq_head, page.header.cq_tail, "CQ slots freed");
}

Test(ring, out_of_order_completions_are_matched)
{
	k.reverse = true;
	for (uint64_t i = 1; i <= 8; i++)
		cr_assert_eq(capos_ring_nop(&ring, i), 0);
	struct capos_cqe cqe;
	/* Ask in submission order though the kernel answered in reverse. */
	for (uint64_t i = 1; i <= 8; i++) {
		cr_assert_eq(capos_ring_wait(&ring, i, CAPOS_WAIT_FOREVER, &cqe), 0);
		cr_expect_eq(cqe.user_data, i);
	}
	cr_expect_eq(ring.stash_count, 0);
	cr_expect_eq(k.enters, 1, "one cap_enter served the whole batch");
}

/* The oldest completion is taken straight from the CQ while nothing is
 * stashed; any other goes through the stash, oldest match first. */
Test(ring, take_from_the_cq_head_and_through_the_stash)
{
	for (uint64_t ud = 1; ud <= 3; ud++)
		cr_assert_eq(capos_ring_nop(&ring, ud), 0);
	cr_assert_eq(capos_ring_nop(&ring, 2), 0); /* user_data 2 reused */
	cr_assert_eq(capos_ring_enter(&ring, 0, CAPOS_NO_WAIT), 4);
	struct capos_cqe cqe;
	cr_assert(capos_ring_take(&ring, 1, &cqe));
	cr_expect_eq(cqe.user_data, 1u);
	cr_expect_eq(page.header.cq_head, 1u, "taken in place");
	cr_expect_eq(ring.stash_count, 0);
	cr_assert(capos_ring_take(&ring, 3, &cqe), "not at the head: reaped");
	cr_expect_eq(ring.stash_count, 2, "the two 2s wait in the stash");
	cr_expect_eq(page.header.cq_head, 4u);
	cr_assert(capos_ring_take(&ring, 2, &cqe));
	cr_expect_eq(ring.stash_count, 1);
	cr_assert(capos_ring_take(&ring, 2, &cqe));
	cr_expect_eq(ring.stash_count, 0);
	cr_expect_not(capos_ring_take(&ring, 2, &cqe), "each completion once");
	cr_expect_eq(ring.stats.reaped, 4u);
	/* A corrupt cq_head is left to the full path, which reports it. */
	page.header.cq_head = page.header.cq_tail + 3;
	cr_expect_not(capos_ring_take(&ring, 5, &cqe));
	cr_expect_eq(ring.stats.corrupt, 1u);
}

Test(ring, full_sq_is_drained_by_submit)
{
	for (uint64_t i = 1; i <= CAPOS_SQ_ENTRIES; i++)
		cr_assert_eq(capos_ring_nop(&ring, i), 0);
	cr_expect_eq(capos_ring_sq_space(&ring), 0);
	cr_expect_eq(k.enters, 0);
	cr_assert_eq(capos_ring_nop(&ring, 100), 0, "submit drains a full SQ");
	cr_expect_eq(k.enters, 1);
	cr_expect_eq(ring.stats.sq_full, 1);
}

static int64_t idle_enter(uint32_t min_complete, uint64_t timeout_ns, void *ctx)
{
	(void)min_complete;
	(void)timeout_ns;
	(*(int *)ctx)++;
	return 0; /* consumes nothing */
}

Test(ring, sq_that_stays_full_gives_no_resources)
{
	struct capos_ring r;
	int calls = 0;
	cr_assert_eq(capos_ring_init(&r, &page, idle_enter, &calls), 0);
	for (uint64_t i = 1; i <= CAPOS_SQ_ENTRIES; i++)
		cr_assert_eq(capos_ring_nop(&r, i), 0);
	cr_expect_eq(capos_ring_nop(&r, 99), CAPOS_ERR_NO_RESOURCES);
	cr_expect_eq(calls, 1);
	cr_expect_eq(page.header.sq_tail, CAPOS_SQ_ENTRIES, "nothing written past the SQ");
}

Test(ring, corrupt_sq_tail_is_refused_by_submit)
{
	page.header.sq_tail = CAPOS_SQ_ENTRIES + 1; /* 17 ahead of sq_head */
	cr_expect_eq(capos_ring_nop(&ring, 1), CAPOS_ERR_RING_CORRUPT);
	cr_expect_eq(ring.stats.corrupt, 1);
}

Test(ring, submit_frees_cq_slots_when_the_kernel_is_bounded)
{
	/* The real kernel consumes SQEs only while CQ slots are free: with a
	 * full CQ and a full SQ, submit must move CQEs to the stash first. */
	k.bounded = true;
	for (uint64_t i = 1; i <= 48; i++) {
		cr_assert_eq(capos_ring_nop(&ring, i), 0);
		if (i % CAPOS_SQ_ENTRIES == 0)
			cr_assert_geq(capos_ring_enter(&ring, 0, CAPOS_NO_WAIT), 0);
	}
	cr_assert_eq(page.header.cq_tail - page.header.cq_head, CAPOS_CQ_ENTRIES);
	cr_assert_eq(page.header.sq_tail - page.header.sq_head, CAPOS_SQ_ENTRIES);
	cr_assert_eq(capos_ring_nop(&ring, 49), 0, "submit made room");
	struct capos_cqe cqe;
	for (uint64_t i = 49; i >= 1; i--)
		cr_assert_eq(capos_ring_wait(&ring, i, CAPOS_WAIT_FOREVER, &cqe), 0, "ud %lu", i);
	cr_expect_eq(ring.stash_count, 0);
}

Test(ring, cq_overflow_is_recovered_through_backlog)
{
	/* 48 NOPs, more than the 32-entry CQ, answered without the client
	 * reaping in between: 16 wait in the kernel backlog. */
	k.defer = true;
	for (uint64_t i = 1; i <= 48; i++)
		cr_assert_eq(capos_ring_nop(&ring, i), 0);
	k.defer = false;
	cr_assert_geq(capos_ring_enter(&ring, 0, CAPOS_NO_WAIT), 0);
	cr_expect_eq(page.header.cq_tail - page.header.cq_head, CAPOS_CQ_ENTRIES);
	cr_expect(page.header.flags & CAPOS_RING_F_CQ_BACKLOG);
	struct capos_cqe cqe;
	/* The last ones are only posted once the client frees CQ slots. */
	for (uint64_t i = 48; i >= 1; i--) {
		cr_assert_eq(capos_ring_wait(&ring, i, CAPOS_WAIT_FOREVER, &cqe), 0, "ud %lu", i);
		cr_expect_eq(cqe.user_data, i);
	}
	cr_expect_eq(k.backlog_count, 0);
	cr_expect_eq(ring.stash_count, 0);
	cr_expect_eq(ring.stats.reaped, 48);
}

Test(ring, corrupt_cq_indices_are_reported)
{
	page.header.cq_tail = 1000; /* 1000 ahead of cq_head */
	struct capos_cqe cqe;
	cr_expect_eq(capos_ring_reap(&ring), CAPOS_ERR_RING_CORRUPT);
	cr_expect_eq(capos_ring_wait(&ring, 5, CAPOS_WAIT_FOREVER, &cqe), CAPOS_ERR_RING_CORRUPT);
	cr_expect_geq(ring.stats.corrupt, 1);
}

Test(ring, enter_error_is_returned_by_wait)
{
	page.header.sq_tail = 100; /* garbage sq_tail: the kernel refuses */
	struct capos_cqe cqe;
	cr_expect_eq(capos_ring_wait(&ring, 1, CAPOS_WAIT_FOREVER, &cqe), CAPOS_ERR_RING_CORRUPT);
}

Test(ring, timeout_wait_returns_timed_out)
{
	k.defer = true;
	cr_assert_eq(capos_ring_nop(&ring, 9), 0);
	struct capos_cqe cqe;
	cr_expect_eq(capos_ring_wait(&ring, 9, 1000, &cqe), CAPOS_ERR_TIMED_OUT);
	k.defer = false;
	cr_expect_eq(capos_ring_wait(&ring, 9, 1000, &cqe), 0);
	cr_expect_eq(cqe.user_data, 9);
}

Test(ring, full_stash_of_unclaimed_completions_is_an_error)
{
	/* 64 unclaimed completions fill the stash, 16 more sit in the CQ. */
	for (uint64_t i = 1; i <= CAPOS_RING_STASH + 16; i++) {
		cr_assert_eq(capos_ring_nop(&ring, i), 0);
		if (i % CAPOS_SQ_ENTRIES == 0) {
			cr_assert_geq(capos_ring_enter(&ring, 0, 0), 0);
			capos_ring_reap(&ring);
		}
	}
	cr_assert_eq(ring.stash_count, CAPOS_RING_STASH);
	struct capos_cqe cqe;
	cr_expect_eq(capos_ring_wait(&ring, 99999, CAPOS_WAIT_FOREVER, &cqe), CAPOS_ERR_NO_RESOURCES);
	/* Claimed ones still come out. */
	cr_expect_eq(capos_ring_wait(&ring, CAPOS_RING_STASH + 16, CAPOS_WAIT_FOREVER, &cqe), 0);
}

Test(ring, reserved_opcode_result_is_delivered)
{
	struct capos_sqe sqe = {0};
	sqe.opcode = 200;
	struct capos_cqe cqe;
	cr_assert_eq(capos_ring_submit_wait(&ring, &sqe, &cqe), 0);
	cr_expect_eq(cqe.result, CAPOS_ERR_RESERVED_OPCODE);
	cr_expect_eq(cqe.user_data, sqe.user_data);
}

Test(ring, nops_batch_is_published_once_and_peeked_in_order)
{
	/* A stale SQE in the slot: every word must be rewritten. */
	memset(&page.sq[0], 0xa5, sizeof(page.sq[0]));
	cr_assert_eq(capos_ring_nops(&ring, 100, 8), 8);
	cr_expect_eq(page.header.sq_tail, 8);
	for (unsigned i = 0; i < 8; i++) {
		struct capos_sqe want = {.opcode = CAPOS_OP_NOP, .user_data = 100 + i};
		cr_expect_eq(memcmp(&page.sq[i], &want, sizeof(want)), 0, "SQE %u", i);
	}
	cr_assert_eq(capos_ring_enter(&ring, 8, CAPOS_WAIT_FOREVER), 8);
	struct capos_cqe out[CAPOS_SQ_ENTRIES];
	cr_assert_eq(capos_ring_peek(&ring, out, 5), 5);
	cr_assert_eq(capos_ring_peek(&ring, out + 5, CAPOS_SQ_ENTRIES), 3);
	for (unsigned i = 0; i < 8; i++) {
		cr_expect_eq(out[i].user_data, 100 + i);
		cr_expect_eq(out[i].result, 0);
	}
	cr_expect_eq(page.header.cq_head, page.header.cq_tail, "CQ slots freed");
	cr_expect_eq(capos_ring_peek(&ring, out, 4), 0, "nothing left");
}

Test(ring, nops_refuses_a_batch_that_does_not_fit)
{
	cr_assert_eq(capos_ring_nops(&ring, 1, CAPOS_SQ_ENTRIES - 2), (int)CAPOS_SQ_ENTRIES - 2);
	cr_expect_eq(capos_ring_nops(&ring, 1, 3), CAPOS_ERR_NO_RESOURCES);
	cr_expect_eq(page.header.sq_tail, CAPOS_SQ_ENTRIES - 2, "nothing queued");
	page.header.sq_tail += 100; /* scribbled */
	cr_expect_eq(capos_ring_nops(&ring, 1, 1), CAPOS_ERR_RING_CORRUPT);
}

Test(ring, peek_returns_stashed_completions_first_and_once)
{
	k.reverse = true;
	for (uint64_t i = 1; i <= 4; i++)
		cr_assert_eq(capos_ring_nop(&ring, i), 0);
	struct capos_cqe cqe;
	/* Waiting for 1 stashes 4, 3, 2 (the fake kernel answered in reverse). */
	cr_assert_eq(capos_ring_wait(&ring, 1, CAPOS_WAIT_FOREVER, &cqe), 0);
	cr_assert_eq(ring.stash_count, 3);
	cr_assert_eq(capos_ring_nops(&ring, 10, 1), 1);
	cr_assert_eq(capos_ring_enter(&ring, 1, CAPOS_WAIT_FOREVER), 1);
	struct capos_cqe out[8];
	cr_assert_eq(capos_ring_peek(&ring, out, 8), 4);
	cr_expect_eq(out[0].user_data, 4);
	cr_expect_eq(out[1].user_data, 3);
	cr_expect_eq(out[2].user_data, 2);
	cr_expect_eq(out[3].user_data, 10);
	cr_expect_eq(ring.stash_count, 0);
	cr_expect_eq(capos_ring_take(&ring, 4, &cqe), false, "each completion once");
}

Test(ring, peek_on_corrupt_cq_keeps_the_stash)
{
	k.reverse = true;
	for (uint64_t i = 1; i <= 2; i++)
		cr_assert_eq(capos_ring_nop(&ring, i), 0);
	struct capos_cqe cqe;
	cr_assert_eq(capos_ring_wait(&ring, 1, CAPOS_WAIT_FOREVER, &cqe), 0);
	cr_assert_eq(ring.stash_count, 1);
	page.header.cq_head -= 100; /* scribbled */
	struct capos_cqe out[4];
	cr_expect_eq(capos_ring_peek(&ring, out, 4), CAPOS_ERR_RING_CORRUPT);
	cr_expect_eq(ring.stash_count, 1, "nothing taken");
}
