/* Capability transfer: copy, move, rollback, hostile descriptors. */
#include <capos/abi.h>
#include <criterion/criterion.h>

#include "cap_table.h"
#include "transfer.h"
#include "cap_table_pool.h"

static struct cap_slot *src_slots, *dst_slots;
static struct cap_table src, dst;
static int objects[8];
static int refs[8]; /* object references held outside tables; object 7 is pinned */

static bool transferable(const struct cap_entry *e) { return e->object != &objects[7]; }
static void retain(const struct cap_entry *e) { refs[(int *)e->object - objects]++; }
static void drop(const struct cap_entry *e) { refs[(int *)e->object - objects]--; }
static const struct xfer_ops ops = {transferable, retain, drop};

static uint32_t give(struct cap_table *t, int i)
{
	struct cap_entry e = {.object = &objects[i], .interface_id = 0x100u + (uint64_t)i};
	uint32_t id;
	cr_assert_eq(cap_table_insert(t, &e, &id), CAPOS_OK);
	return id;
}

static void setup(void)
{
	ct_pool_reset();
	src_slots = ct_table(&src, 8);
	dst_slots = ct_table(&dst, 4);
	for (int i = 0; i < 8; i++)
		refs[i] = 0;
}

TestSuite(transfer, .init = setup);

Test(transfer, copy_keeps_the_sender_slot_and_takes_a_reference)
{
	uint32_t a = give(&src, 1);
	struct capos_xfer_desc d[1] = {{.cap_id = a, .mode = CAPOS_XFER_COPY}};
	struct xfer_plan plan;
	struct capos_cap_record rec[1];
	cr_assert_eq(xfer_prepare(&src, d, 1, &ops, &plan), CAPOS_OK);
	cr_assert_eq(refs[1], 1);
	cr_assert_eq(xfer_commit(&src, &dst, &plan, rec), CAPOS_OK);
	struct cap_entry *e;
	cr_assert_eq(cap_table_lookup(&src, a, &e), CAPOS_OK);
	cr_assert_eq(cap_table_lookup(&dst, rec[0].cap_id, &e), CAPOS_OK);
	cr_assert_eq(e->object, &objects[1]);
	cr_assert_eq(rec[0].interface_id, 0x101u);
	cr_assert_eq(refs[1], 1); /* now held by the receiver's slot */
}

Test(transfer, move_reserves_then_removes_on_commit)
{
	uint32_t a = give(&src, 2);
	struct capos_xfer_desc d[1] = {{.cap_id = a, .mode = CAPOS_XFER_MOVE}};
	struct xfer_plan plan;
	struct capos_cap_record rec[1];
	struct cap_entry *e;
	cr_assert_eq(xfer_prepare(&src, d, 1, &ops, &plan), CAPOS_OK);
	/* In transit: neither usable nor releasable, and not movable again. */
	cr_assert_eq(cap_table_lookup(&src, a, &e), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_remove(&src, a, 0), CAPOS_ERR_BAD_CAP);
	struct xfer_plan again;
	cr_assert_eq(xfer_prepare(&src, d, 1, &ops, &again), CAPOS_ERR_BAD_TRANSFER);
	cr_assert_eq(cap_table_count(&src), 1u);
	cr_assert_eq(xfer_commit(&src, &dst, &plan, rec), CAPOS_OK);
	cr_assert_eq(cap_table_count(&src), 0u);
	cr_assert_eq(cap_table_lookup(&dst, rec[0].cap_id, &e), CAPOS_OK);
	cr_assert_eq(e->object, &objects[2]);
	cr_assert_eq(refs[2], 0);
}

Test(transfer, move_to_a_full_table_rolls_back)
{
	for (int i = 0; i < 4; i++)
		give(&dst, i);
	uint32_t a = give(&src, 3), b = give(&src, 4);
	struct capos_xfer_desc d[2] = {{.cap_id = a, .mode = CAPOS_XFER_MOVE},
	                               {.cap_id = b, .mode = CAPOS_XFER_COPY}};
	struct xfer_plan plan;
	struct capos_cap_record rec[2];
	cr_assert_eq(xfer_prepare(&src, d, 2, &ops, &plan), CAPOS_OK);
	cr_assert_eq(xfer_commit(&src, &dst, &plan, rec), CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(cap_table_count(&dst), 4u);
	xfer_abort(&src, &plan, &ops);
	struct cap_entry *e;
	cr_assert_eq(cap_table_lookup(&src, a, &e), CAPOS_OK);
	cr_assert_eq(cap_table_lookup(&src, b, &e), CAPOS_OK);
	cr_assert_eq(refs[4], 0);
	cr_assert_eq(cap_table_count(&src), 2u);
}

Test(transfer, all_or_nothing_when_a_later_descriptor_is_bad)
{
	uint32_t a = give(&src, 1), b = give(&src, 2);
	struct capos_xfer_desc d[3] = {{.cap_id = a, .mode = CAPOS_XFER_MOVE},
	                               {.cap_id = b, .mode = CAPOS_XFER_COPY},
	                               {.cap_id = cap_id_make(5, 1), .mode = CAPOS_XFER_COPY}};
	struct xfer_plan plan;
	cr_assert_eq(xfer_prepare(&src, d, 3, &ops, &plan), CAPOS_ERR_BAD_TRANSFER);
	struct cap_entry *e;
	cr_assert_eq(cap_table_lookup(&src, a, &e), CAPOS_OK); /* unreserved */
	cr_assert_eq(refs[2], 0);                              /* copy reference dropped */
	xfer_abort(&src, &plan, &ops);                         /* harmless */
	cr_assert_eq(cap_table_lookup(&src, a, &e), CAPOS_OK);
}

Test(transfer, hostile_descriptors)
{
	uint32_t a = give(&src, 1);
	uint32_t n = give(&src, 7);
	struct xfer_plan plan;
	struct capos_xfer_desc bad_mode[1] = {{.cap_id = a, .mode = 2}};
	struct capos_xfer_desc badge[1] = {{.cap_id = a, .mode = CAPOS_XFER_COPY, .badge = 1}};
	struct capos_xfer_desc twice[2] = {{.cap_id = a, .mode = CAPOS_XFER_MOVE},
	                                   {.cap_id = a, .mode = CAPOS_XFER_MOVE}};
	struct capos_xfer_desc move_copy[2] = {{.cap_id = a, .mode = CAPOS_XFER_COPY},
	                                       {.cap_id = a, .mode = CAPOS_XFER_MOVE}};
	struct capos_xfer_desc stale[1] = {{.cap_id = a + (1u << CAP_ID_INDEX_BITS)}};
	struct capos_xfer_desc pinned[1] = {{.cap_id = n, .mode = CAPOS_XFER_MOVE}};
	struct capos_xfer_desc many[CAPOS_XFER_MAX + 1] = {{0}};
	cr_assert_eq(xfer_prepare(&src, bad_mode, 1, &ops, &plan), CAPOS_ERR_BAD_TRANSFER);
	cr_assert_eq(xfer_prepare(&src, badge, 1, &ops, &plan), CAPOS_ERR_BAD_TRANSFER);
	cr_assert_eq(xfer_prepare(&src, twice, 2, &ops, &plan), CAPOS_ERR_BAD_TRANSFER);
	cr_assert_eq(xfer_prepare(&src, move_copy, 2, &ops, &plan), CAPOS_ERR_BAD_TRANSFER);
	cr_assert_eq(xfer_prepare(&src, stale, 1, &ops, &plan), CAPOS_ERR_BAD_TRANSFER);
	cr_assert_eq(xfer_prepare(&src, pinned, 1, &ops, &plan), CAPOS_ERR_NOT_PERMITTED);
	cr_assert_eq(xfer_prepare(&src, many, CAPOS_XFER_MAX + 1, &ops, &plan),
	             CAPOS_ERR_BAD_TRANSFER);
	struct cap_entry *e;
	cr_assert_eq(cap_table_lookup(&src, a, &e), CAPOS_OK);
	cr_assert_eq(cap_table_lookup(&src, n, &e), CAPOS_OK);
	cr_assert_eq(refs[1], 0);
}

Test(transfer, commit_without_prepare_is_refused)
{
	struct xfer_plan plan = {0};
	struct capos_cap_record rec[1];
	cr_assert_eq(xfer_commit(&src, &dst, &plan, rec), CAPOS_ERR_BAD_TRANSFER);
}

Test(transfer, move_within_one_table)
{
	uint32_t a = give(&src, 1);
	struct capos_xfer_desc d[1] = {{.cap_id = a, .mode = CAPOS_XFER_MOVE}};
	struct xfer_plan plan;
	struct capos_cap_record rec[1];
	cr_assert_eq(xfer_prepare(&src, d, 1, &ops, &plan), CAPOS_OK);
	cr_assert_eq(xfer_commit(&src, &src, &plan, rec), CAPOS_OK);
	struct cap_entry *e;
	cr_assert_eq(cap_table_lookup(&src, a, &e), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_lookup(&src, rec[0].cap_id, &e), CAPOS_OK);
	cr_assert_eq(cap_table_count(&src), 1u);
}

/* A drop that releases the object holding the plan aborts the plan again
 * (an endpoint call carrying its endpoint's last owner capability): the
 * nested abort must find nothing left to undo, so each copy is dropped
 * exactly once. */
static struct xfer_plan *reentrant_plan;
static int reentrant_drops;
static void reentrant_drop(const struct cap_entry *e)
{
	drop(e);
	reentrant_drops++;
	if (reentrant_plan)
		xfer_abort(&src, reentrant_plan, &ops);
}

Test(transfer, abort_reentered_from_a_drop_drops_each_copy_once)
{
	static const struct xfer_ops reentrant_ops = {transferable, retain, reentrant_drop};
	uint32_t a = give(&src, 1), b = give(&src, 2);
	struct capos_xfer_desc d[2] = {{.cap_id = a, .mode = CAPOS_XFER_COPY},
	                               {.cap_id = b, .mode = CAPOS_XFER_COPY}};
	struct xfer_plan plan;
	cr_assert_eq(xfer_prepare(&src, d, 2, &reentrant_ops, &plan), CAPOS_OK);
	cr_assert_eq(refs[1], 1);
	cr_assert_eq(refs[2], 1);
	reentrant_plan = &plan;
	reentrant_drops = 0;
	xfer_abort(&src, &plan, &reentrant_ops);
	reentrant_plan = 0;
	cr_assert_eq(reentrant_drops, 2);
	cr_assert_eq(refs[1], 0);
	cr_assert_eq(refs[2], 0);
	cr_assert_not(plan.prepared);
}
