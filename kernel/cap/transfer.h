/*
 * Capability transfer for the kernel: lib/transfer.h over the kernel's
 * capability types (registry.h decides what is transferable and how a
 * copied reference is taken and dropped) and user memory.
 */
#ifndef CAPOS_CAP_TRANSFER_H
#define CAPOS_CAP_TRANSFER_H

#include <capos/abi.h>

#include <transfer.h> /* lib/transfer.h (-Ilib precedes -Ikernel) */

struct process;

extern const struct xfer_ops kcap_xfer_ops;

/* Reads sqe's transfer descriptors from p (they follow the params at
 * addr + capos_align8(len)) and prepares them against p's table.
 * CAPOS_OK (plan->count may be 0), CAPOS_ERR_BAD_BUFFER or an
 * xfer_prepare error. */
int kxfer_prepare_sqe(struct process *p, const struct capos_sqe *sqe, struct xfer_plan *plan);

/* Counters for the log: transfers committed, rolled back, refused. */
struct kxfer_stats {
	uint64_t committed;
	uint64_t rolled_back;
	uint64_t refused;
};
extern struct kxfer_stats kxfer_stats;

#endif
