/*
 * Eva driver for lib/transfer.c: a sender's table holding a few
 * capabilities, any descriptors a user could write (any ids, modes and
 * badges, any count up to twice CAPOS_XFER_MAX) through xfer_prepare with
 * stub ops (transferable or not, chosen per call), then a commit into a
 * receiver's table (full or not) or an abort.
 */
#include "__fc_builtin.h"
#include "cap_table_ops.h"
#include "transfer.h"

#define SLOTS 8u

static int object;
static struct capos_xfer_desc desc[2 * CAPOS_XFER_MAX];
static struct capos_cap_record records[CAPOS_XFER_MAX];

static bool stub_transferable(const struct cap_entry *e)
{
	(void)e;
	return Frama_C_interval(0, 1);
}
static void stub_retain(const struct cap_entry *e) { (void)e; }
static void stub_drop(const struct cap_entry *e) { (void)e; }

int main(void)
{
	const struct xfer_ops ops = {stub_transferable, stub_retain, stub_drop};
	struct cap_table src, dst;
	/* Zeroed so that the items past the ones xfer_prepare wrote read as
	 * initialised: Eva merges loop iterations and loses which were. */
	struct xfer_plan plan = {0};
	if (cap_table_init(&src, &fc_ops, 0, SLOTS) != 0 ||
	    cap_table_init(&dst, &fc_ops, 0, Frama_C_unsigned_int_interval(0, SLOTS)) != 0)
		return 0;
	for (int i = 0; i < 3; i++) {
		struct cap_entry e = {.object = &object, .interface_id = 1, .type = 1};
		uint32_t id;
		(void)cap_table_insert(&src, &e, &id);
	}
	Frama_C_make_unknown((char *)desc, sizeof(desc));
	uint32_t count = Frama_C_unsigned_int_interval(0, 2 * CAPOS_XFER_MAX);
	if (xfer_prepare(&src, desc, count, &ops, &plan) == CAPOS_OK) {
		if (Frama_C_interval(0, 1))
			(void)xfer_commit(&src, &dst, &plan, records);
		else
			xfer_abort(&src, &plan, &ops);
	}
	return 0;
}
