/*
 * The driver side of the Nic capability (schema/nic.capnp) over a started
 * virtio-net device (lib/virtio/virtio_net.h): the shared-memory frame
 * ring, the counters the client sees, and the checks that keep a hostile
 * client from touching anything but its own ring.  No IPC here: the
 * service (services/virtio_net) decodes calls with lib/nic_server.c and
 * calls these; the host tests drive both against the fake device.
 *
 * Ring memory (one MemoryObject the driver allocates and maps, the client
 * maps too): page 0 holds struct nic_ring_ctl, TX slots start at page 1,
 * RX slots follow.  The client produces TX and consumes RX; the driver the
 * opposite.  Each side writes only its own two indices.
 */
#ifndef CAPOS_LIB_NIC_CORE_H
#define CAPOS_LIB_NIC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_ring.h"
#include "virtio/virtio_net.h"

#define NIC_BATCH_MAX      64u /* frames per sendBatch / receive call */
#define NIC_RING_SLOTS     64u /* each direction; a power of two */
#define NIC_SLOT_SIZE      2048u
#define NIC_RING_PAGE      4096u
#define NIC_RING_TX_OFFSET NIC_RING_PAGE
#define NIC_RING_RX_OFFSET (NIC_RING_TX_OFFSET + NIC_RING_SLOTS * NIC_SLOT_SIZE)
#define NIC_RING_BYTES     (NIC_RING_RX_OFFSET + NIC_RING_SLOTS * NIC_SLOT_SIZE)
#define NIC_RING_PAGES     (NIC_RING_BYTES / NIC_RING_PAGE)
#define NIC_MTU            1500u

/* Page 0 of the ring: free-running indices, each written by one side. */
struct nic_ring_ctl {
	uint32_t tx_prod; /* client */
	uint32_t tx_cons; /* driver */
	uint32_t rx_prod; /* driver */
	uint32_t rx_cons; /* client */
};

enum nic_err {
	NIC_OK = 0,
	NIC_ERR_EMPTY = -1,  /* nothing received */
	NIC_ERR_ARG = -2,    /* a client value out of range (refused, counted) */
	NIC_ERR_RING = -3,   /* no ring attached, or the ring is broken */
	NIC_ERR_DEVICE = -4, /* the device broke the protocol: reset needed */
	NIC_ERR_BUSY = -5,   /* the ring is already handed out */
};

/* What Nic.counters reports (NicCounters). */
struct nic_counters {
	uint64_t rx_frames, rx_bytes, rx_drops, rx_errors;
	uint64_t tx_frames, tx_bytes, tx_drops, tx_errors;
	uint64_t device_errors;
};

struct nic_core {
	struct vnet *vn;
	bool ring_attached;
	struct nic_ring_ctl *ctl;
	struct fring tx, rx;     /* driver: TX consumer, RX producer */
	uint64_t client_refused; /* client values refused (indices, counts, params) */
	uint8_t scratch[VNET_FRAME_MAX];
};

void nic_core_init(struct nic_core *c, struct vnet *vn);

/*
 * Lays the ring over zeroed mem (NIC_RING_BYTES, page-aligned, shared with
 * the client).  NIC_ERR_BUSY on a second call: one client, one ring.
 */
int nic_ring_attach(struct nic_core *c, void *mem, size_t len);

/*
 * txKick: the client says it has produced TX slots up to `producer`.  A
 * value more than NIC_RING_SLOTS ahead of what the driver consumed (or
 * behind it) is refused with NIC_ERR_ARG and counted; otherwise the
 * frames up to it (as far as the shared index and the free TX buffers
 * allow) go to the device with one notify.  Slots with a bad length are
 * skipped and counted in txErrors.  *consumer: the driver's index after.
 */
int nic_tx_kick(struct nic_core *c, uint32_t producer, uint32_t *consumer);

/*
 * Moves received frames from the device into the RX ring while it has
 * room and publishes the producer index.  Returns how many moved, or
 * NIC_ERR_DEVICE / NIC_ERR_RING.
 */
int nic_rx_pump(struct nic_core *c);

/*
 * rxWait's test: true when the driver's RX producer differs from the
 * client's `consumer` (frames wait).  A consumer ahead of the producer or
 * more than a ring behind it is refused (NIC_ERR_ARG, counted).
 */
int nic_rx_ready(struct nic_core *c, uint32_t consumer, bool *ready, uint32_t *producer);

/* sendBatch: queues frames (at most NIC_BATCH_MAX) with one notify.
 * *accepted counts bad-length frames (skipped, txErrors) as taken. */
int nic_send(struct nic_core *c, const void *const frames[], const uint32_t lens[],
             unsigned n, uint32_t *accepted);

/* receive: the next frame for the IPC path (NIC_ERR_EMPTY if none; the
 * ring owns received frames once attached: NIC_ERR_RING). */
int nic_recv(struct nic_core *c, void *buf, uint32_t cap, uint32_t *len);

/* Takes back finished TX buffers first, so sent frames are counted. */
void nic_get_counters(struct nic_core *c, struct nic_counters *out);

#endif
