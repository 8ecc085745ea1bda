/* Capability transfer over the kernel's capability types (transfer.h). */
#include "cap/transfer.h"

#include "cap/registry.h"
#include "proc/process.h"

struct kxfer_stats kxfer_stats;

static bool k_transferable(const struct cap_entry *e)
{
	const struct kcap_type *t = kcap_type_of((enum kcap_kind)e->type);
	if (e->type == KCAP_BOOT_PACKAGE && e->badge == 0)
		return false; /* the whole manifest stays with init */
	return t != 0 && t->transferable;
}

static void k_retain(const struct cap_entry *e)
{
	const struct kcap_type *t = kcap_type_of((enum kcap_kind)e->type);
	if (t && t->retain)
		t->retain(e->object);
}

static void k_drop(const struct cap_entry *e) { kcap_drop(e); }

const struct xfer_ops kcap_xfer_ops = {k_transferable, k_retain, k_drop};

int kxfer_prepare_sqe(struct process *p, const struct capos_sqe *sqe, struct xfer_plan *plan)
{
	if (sqe->xfer_cap_count == 0)
		return xfer_prepare(proc_caps(p), 0, 0, &kcap_xfer_ops, plan); /* empty plan */
	struct capos_xfer_desc desc[CAPOS_XFER_MAX];
	if (sqe->xfer_cap_count > CAPOS_XFER_MAX) {
		kxfer_stats.refused++;
		return CAPOS_ERR_BAD_TRANSFER;
	}
	/* One copy of the descriptors: the process cannot change them after
	 * they were checked. */
	if (user_copy_in(p, desc, sqe->addr + capos_align8(sqe->len),
	                 sqe->xfer_cap_count * sizeof(desc[0])) != CAPOS_OK) {
		kxfer_stats.refused++;
		return CAPOS_ERR_BAD_BUFFER;
	}
	int err = xfer_prepare(proc_caps(p), desc, sqe->xfer_cap_count, &kcap_xfer_ops, plan);
	if (err)
		kxfer_stats.refused++;
	return err;
}
