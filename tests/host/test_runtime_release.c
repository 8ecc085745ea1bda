/*
 * The batched release queue against the fake kernel.
 */
#include <criterion/criterion.h>
#include <capos/handle.h>
#include "test_runtime_fake_kernel.h"

static struct capos_ring_page page __attribute__((aligned(4096)));
static struct fake_kernel k;
static struct capos_ring ring;
static struct capos_release_queue q;

static void setup(void)
{
	fake_ring_setup(&page);
	memset(&k, 0, sizeof(k));
	memset(&q, 0, sizeof(q));
	k.page = &page;
	k.release_ok_below = 1000;
	cr_assert_eq(capos_ring_init(&ring, &page, fake_enter, &k), 0);
}

TestSuite(release, .init = setup);

Test(release, push_does_not_touch_the_ring)
{
	cr_assert_eq(capos_release_queue_push(&q, &ring, 5), 0);
	cr_expect_eq(q.count, 1);
	cr_expect_eq(page.header.sq_tail, 0);
	cr_expect_eq(k.enters, 0);
}

Test(release, flush_releases_every_queued_slot)
{
	for (uint32_t i = 0; i < 20; i++)
		cr_assert_eq(capos_release_queue_push(&q, &ring, i), 0);
	cr_expect_eq(capos_release_queue_flush(&q, &ring), 0);
	cr_expect_eq(q.count, 0);
	cr_expect_eq(q.released, 20);
	cr_expect_eq(k.releases, 20);
	cr_expect_eq(ring.stash_count, 0, "no stray completion left behind");
}

Test(release, failures_are_counted)
{
	capos_release_queue_push(&q, &ring, 1);
	capos_release_queue_push(&q, &ring, 5000); /* stale: BAD_CAP */
	capos_release_queue_push(&q, &ring, 6000);
	cr_expect_eq(capos_release_queue_flush(&q, &ring), 2);
	cr_expect_eq(q.failed, 2);
	cr_expect_eq(q.released, 1);
}

Test(release, full_queue_flushes_itself)
{
	for (uint32_t i = 0; i < CAPOS_RELEASE_QUEUE + 3; i++)
		cr_assert_eq(capos_release_queue_push(&q, &ring, i), 0);
	cr_expect_eq(q.released, CAPOS_RELEASE_QUEUE);
	cr_expect_eq(q.count, 3);
}

Test(release, user_completions_survive_a_flush)
{
	/* A user NOP in flight while releases are flushed keeps its CQE. */
	cr_assert_eq(capos_ring_nop(&ring, 77), 0);
	capos_release_queue_push(&q, &ring, 1);
	k.reverse = true;
	cr_expect_eq(capos_release_queue_flush(&q, &ring), 0);
	struct capos_cqe cqe;
	cr_assert_eq(capos_ring_wait(&ring, 77, CAPOS_WAIT_FOREVER, &cqe), 0);
	cr_expect_eq(cqe.result, 0);
}

Test(release, release_sqe_is_well_formed)
{
	capos_release_queue_push(&q, &ring, 42);
	cr_expect_eq(capos_release_queue_flush(&q, &ring), 0);
	cr_expect_eq(page.sq[0].opcode, CAPOS_OP_RELEASE);
	cr_expect_eq(page.sq[0].cap_id, 42);
	cr_expect_eq(page.sq[0].flags, 0);
	cr_expect(page.sq[0].user_data & CAPOS_RT_USER_DATA_INTERNAL);
}

Test(release, borrowed_handles_are_not_owned)
{
	struct capos_capset_entry e = {.name = "console", .interface_id = 7, .cap_id = 3};
	struct capos_cap c = capos_cap_borrow(&e);
	cr_expect(c.valid);
	cr_expect_not(c.owned);
	cr_expect_eq(c.cap_id, 3);
	cr_expect_eq(c.interface_id, 7);
	struct capos_cap none = capos_cap_borrow(NULL);
	cr_expect_not(none.valid);
}

Test(release, adopt_checks_the_interface_and_frees_mismatches)
{
	struct capos_cap_record rec = {.cap_id = 12, .interface_id = 0x1111};
	struct capos_cap c;
	cr_expect_eq(capos_cap_adopt_in(&q, &ring, &rec, 0x1111, &c), 0);
	cr_expect(c.valid);
	cr_expect(c.owned, "result caps are owned");
	cr_expect_eq(c.cap_id, 12);
	cr_expect_eq(q.count, 0);

	struct capos_cap_record wrong = {.cap_id = 13, .interface_id = 0x2222};
	cr_expect_eq(capos_cap_adopt_in(&q, &ring, &wrong, 0x1111, &c), CAPOS_ERR_NOT_PERMITTED);
	cr_expect_not(c.valid);
	cr_expect_eq(q.count, 1, "the mismatching slot is queued for release");
	cr_expect_eq(q.ids[0], 13);
	cr_expect_eq(capos_release_queue_flush(&q, &ring), 0);
	cr_expect_eq(k.releases, 1);
}
