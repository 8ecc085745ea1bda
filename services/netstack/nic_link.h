/*
 * The netstack's side of the Nic capability (schema/nic.capnp): frames
 * out and in, over the shared frame ring (Nic.frameRing, lib/frame_ring.c)
 * when the driver offers it, else over sendBatch/receive messages.
 * docs/networking.md, "The netstack service".
 */
#ifndef CAPOS_NETSTACK_NIC_LINK_H
#define CAPOS_NETSTACK_NIC_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capos/abi.h>
#include <capos/frame_allocator.h>
#include <capos/handle.h>

#include "frame_ring.h"

#define NIC_LINK_BATCH 32u /* frames per sendBatch/receive: 32 x 1514 B < 64 KiB */
#define NIC_LINK_KICKS 4u  /* txKick calls in flight at once */

/* The frame ring's control page as docs/devices.md orders it: four
 * free-running indices, each written by one side only. */
struct nic_ring_ctrl {
	uint32_t tx_prod; /* ours    */
	uint32_t tx_cons; /* driver's */
	uint32_t rx_prod; /* driver's */
	uint32_t rx_cons; /* ours    */
};

struct nic_link_stats {
	uint64_t tx_frames, tx_dropped, rx_frames, rx_bad, calls_failed;
	uint64_t waits;    /* rxWait/receive calls answered */
	uint64_t kicks;    /* txKick calls made */
	uint64_t deferred; /* flushes that found every kick in flight */
};

/* A txKick submitted without waiting: its CQE is collected with the
 * loop's others (nic_link_complete). */
struct nic_kick {
	uint64_t ud; /* 0: free */
	uint64_t params[8], result[8];
};

struct nic_link {
	struct capos_cap nic;
	bool ring; /* the frame ring is in use */
	struct capos_memory_object ring_mem;
	struct fring tx, rx;
	uint32_t tx_unkicked; /* ring: frames put since the last txKick */
	/* message path: frames queued for the next sendBatch */
	uint8_t *batch; /* NIC_LINK_BATCH x 1514 bytes */
	uint16_t batch_len[NIC_LINK_BATCH];
	uint32_t batch_count;
	void *tx_msg, *rx_msg; /* 64 KiB each: sendBatch params, receive results
	                                    (apart: a frame delivered from rx_msg may be
	                                    answered, and a full batch sent, meanwhile) */
	/* The one blocking call (rxWait on the ring, receive on messages),
	 * submitted without waiting: its CQE wakes the event loop. */
	uint64_t wait_ud; /* 0: none outstanding */
	uint16_t wait_method;
	uint64_t wait_params[8], wait_result[32];
	bool wait_done; /* its CQE is in wait_cqe, not collected yet */
	struct capos_cqe wait_cqe;
	struct nic_kick kick[NIC_LINK_KICKS];
	struct nic_link_stats stats;
	bool gone; /* the driver is gone (disconnected, bad cap) */
};

/* Reads the MAC and sets up a path (ring if offered, else messages);
 * logs which.  Returns 0 or a negative CAPOS_ERR_*. */
int nic_link_open(struct nic_link *l, struct capos_cap nic, uint8_t mac[6]);

/* ethif_ops.send: queues one frame (sent by nic_link_flush, or at once
 * when the queue is full).  Returns 1, or -1 when it had to be dropped. */
int nic_link_send(void *link, const uint8_t *frame, size_t len);

/* Hands queued frames to the driver: on the ring one txKick, submitted
 * and not waited for (it goes with the loop's next cap_enter; with every
 * kick in flight the frames wait for the next flush); on messages one
 * sendBatch, waited for. */
void nic_link_flush(struct nic_link *l);

/* A completion the event loop reaped: true if it was this link's (the
 * wait for frames, or a kick), which it then keeps or accounts. */
bool nic_link_complete(struct nic_link *l, const struct capos_cqe *cqe);

/* Submits the blocking wait for frames (up to timeout_ns) unless one is
 * outstanding; does not wait for it: cap_enter wakes when it completes. */
void nic_link_arm(struct nic_link *l, uint64_t timeout_ns);

/* If the outstanding wait completed (nic_link_complete saw it), collects
 * it; then passes every
 * received frame to deliver.  Returns true when the wait completed (the
 * caller need not sleep). */
typedef void (*nic_link_deliver_fn)(void *ctx, const uint8_t *frame, size_t len);
bool nic_link_collect(struct nic_link *l, nic_link_deliver_fn deliver, void *ctx);

#endif
