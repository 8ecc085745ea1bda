/* Capability transfer: prepare / commit / abort (see transfer.h). */
#include "transfer.h"

/* Undo items [0, n) of a plan. */
static void undo(struct cap_table *src, struct xfer_plan *plan, uint32_t n,
                 const struct xfer_ops *ops)
{
	for (uint32_t i = 0; i < n; i++) {
		struct xfer_item *it = &plan->item[i];
		if (it->mode == CAPOS_XFER_MOVE)
			(void)cap_table_unreserve(src, it->src_id);
		else if (ops && ops->drop)
			ops->drop(&it->entry);
	}
}

/* The same slot named twice where either is a move is refused: a move
 * hands over the sender's only reference. */
static bool conflicts(const struct capos_xfer_desc *desc, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++)
		if (desc[j].cap_id == desc[i].cap_id &&
		    (desc[j].mode == CAPOS_XFER_MOVE || desc[i].mode == CAPOS_XFER_MOVE))
			return true;
	return false;
}

int xfer_prepare(struct cap_table *src, const struct capos_xfer_desc *desc, uint32_t count,
                 const struct xfer_ops *ops, struct xfer_plan *plan)
{
	plan->count = 0;
	plan->prepared = false;
	if (count > CAPOS_XFER_MAX)
		return CAPOS_ERR_BAD_TRANSFER;
	for (uint32_t i = 0; i < count; i++) {
		const struct capos_xfer_desc *d = &desc[i];
		int err = CAPOS_OK;
		struct cap_entry *e = 0;
		/* Malformed, or the slot is not held or already in transit. */
		if ((d->mode != CAPOS_XFER_COPY && d->mode != CAPOS_XFER_MOVE) || d->badge != 0 ||
		    conflicts(desc, i) || cap_table_lookup(src, d->cap_id, &e) != CAPOS_OK)
			err = CAPOS_ERR_BAD_TRANSFER;
		else if (ops && ops->transferable && !ops->transferable(e))
			err = CAPOS_ERR_NOT_PERMITTED;
		else if (d->mode == CAPOS_XFER_MOVE)
			err = cap_table_reserve(src, d->cap_id, &e);
		if (err) {
			undo(src, plan, i, ops);
			return err;
		}
		struct xfer_item *it = &plan->item[i];
		it->src_id = d->cap_id;
		it->mode = d->mode;
		it->entry = *e;
		if (d->mode == CAPOS_XFER_COPY && ops && ops->retain)
			ops->retain(&it->entry);
	}
	plan->count = count;
	plan->prepared = true;
	return CAPOS_OK;
}

int xfer_commit(struct cap_table *src, struct cap_table *dst, struct xfer_plan *plan,
                struct capos_cap_record *records)
{
	if (!plan->prepared)
		return CAPOS_ERR_BAD_TRANSFER;
	/* Room first (the table grows now): the inserts below cannot fail. */
	if (cap_table_ensure(dst, plan->count) != CAPOS_OK)
		return CAPOS_ERR_NO_RESOURCES;
	uint32_t ids[CAPOS_XFER_MAX];
	for (uint32_t i = 0; i < plan->count; i++) {
		int err = cap_table_insert(dst, &plan->item[i].entry, &ids[i]);
		if (err) {
			/* Cannot happen after the room check; leave no trace anyway. */
			for (uint32_t j = 0; j < i; j++)
				(void)cap_table_remove(dst, ids[j], 0);
			return err;
		}
	}
	for (uint32_t i = 0; i < plan->count; i++) {
		struct xfer_item *it = &plan->item[i];
		if (it->mode == CAPOS_XFER_MOVE)
			(void)cap_table_take_reserved(src, it->src_id, 0);
		records[i] = (struct capos_cap_record){
			.cap_id = ids[i],
			.reserved = 0,
			.interface_id = it->entry.interface_id,
		};
	}
	plan->prepared = false;
	return CAPOS_OK;
}

void xfer_abort(struct cap_table *src, struct xfer_plan *plan, const struct xfer_ops *ops)
{
	if (!plan->prepared)
		return;
	/* Marked first: a drop in undo may release the object that holds this
	 * plan and abort it again; the second abort must find nothing to do. */
	plan->prepared = false;
	undo(src, plan, plan->count, ops);
}
