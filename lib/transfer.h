/*
 * Capability transfer between two capability tables (CALL and RETURN
 * sideband descriptors, include/capos/abi.h struct capos_xfer_desc).
 *
 * Two phases, so a transfer can wait (a CALL queued on an endpoint until the
 * server receives it) and still be all-or-nothing:
 *   xfer_prepare  validates every descriptor of one SQE against the sender's
 *                 table.  Copies take an object reference (ops->retain) so
 *                 the object outlives a sender that releases its slot
 *                 meanwhile; moves reserve the sender's slot (it is "in
 *                 transit": lookup, remove and a second move see it as
 *                 absent).  Any failure undoes what was done: nothing held.
 *   xfer_commit   inserts every capability into the receiver's table (after
 *                 checking there is room for all) and only then removes the
 *                 moved slots from the sender.  On failure nothing changed
 *                 and the plan is still prepared: call xfer_abort.
 *   xfer_abort    rolls a prepared plan back: moves unreserved, copy
 *                 references dropped.
 * Errors: CAPOS_ERR_BAD_TRANSFER (too many descriptors, bad mode, non-zero
 * badge, slot not held or already in transit, the same slot moved twice or
 * moved and copied), CAPOS_ERR_NOT_PERMITTED (ops->transferable refused it),
 * CAPOS_ERR_NO_RESOURCES (receiver table full).
 *
 * Freestanding; shared by the kernel and the host tests.
 */
#ifndef CAPOS_LIB_TRANSFER_H
#define CAPOS_LIB_TRANSFER_H

#include <capos/abi.h>
#include <stdbool.h>
#include <stdint.h>

#include "cap_table.h"

struct xfer_ops {
	/* May this capability leave its table? */
	bool (*transferable)(const struct cap_entry *e);
	/* One more / one less table reference to e->object. */
	void (*retain)(const struct cap_entry *e);
	void (*drop)(const struct cap_entry *e);
};

struct xfer_item {
	uint32_t src_id;        /* sender's slot                        */
	uint32_t mode;          /* CAPOS_XFER_COPY / CAPOS_XFER_MOVE     */
	struct cap_entry entry; /* what the receiver gets               */
};

struct xfer_plan {
	uint32_t count;
	bool prepared;
	struct xfer_item item[CAPOS_XFER_MAX];
};

int xfer_prepare(struct cap_table *src, const struct capos_xfer_desc *desc, uint32_t count,
                 const struct xfer_ops *ops, struct xfer_plan *plan);

/* records[] (plan->count entries) receives the new ids and interface ids. */
int xfer_commit(struct cap_table *src, struct cap_table *dst, struct xfer_plan *plan,
                struct capos_cap_record *records);

void xfer_abort(struct cap_table *src, struct xfer_plan *plan, const struct xfer_ops *ops);

#endif /* CAPOS_LIB_TRANSFER_H */
