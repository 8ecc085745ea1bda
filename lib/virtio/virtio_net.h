/*
 * virtio-net (virtio 1.0, 5.1) on top of virtio.h and virtqueue.h: one RX
 * and one TX queue of equal size, fixed 2 KiB buffers carved from the
 * driver's DMA pool (12-byte virtio_net_hdr, then at most 1514 bytes of
 * Ethernet frame), MAC from config space, link status when the device
 * offers it.  No checksum or segmentation offload: frames go out whole.
 *
 * Buffers are accounted: every RX buffer is either posted to the device or
 * idle here, every TX buffer either in flight or free, and vnet_stop
 * (reset, then take back what was in flight) returns both to the full
 * count, which vnet_accounted checks.
 */
#ifndef CAPOS_LIB_VIRTIO_NET_H
#define CAPOS_LIB_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "virtqueue.h"

#define VIRTIO_NET_F_MAC      5
#define VIRTIO_NET_F_STATUS   16
#define VIRTIO_NET_S_LINK_UP  1u
#define VIRTIO_NET_CFG_MAC    0
#define VIRTIO_NET_CFG_STATUS 6

#define VNET_RXQ       0
#define VNET_TXQ       1
#define VNET_HDR_LEN   12   /* with VERSION_1 num_buffers is always there */
#define VNET_FRAME_MIN 14   /* an Ethernet header */
#define VNET_FRAME_MAX 1514 /* no VLAN tag, no FCS */
#define VNET_BUF_SIZE  2048

struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == VNET_HDR_LEN, "virtio_net_hdr layout");

struct vnet_counters {
	uint64_t rx_frames, rx_bytes, rx_drops, rx_errors;
	uint64_t tx_frames, tx_bytes, tx_drops, tx_errors;
};

struct vnet {
	struct virtio_dev dev;
	struct virtq rx, tx;
	uint16_t qsize;
	bool has_status;
	bool started;
	uint8_t mac[6];
	uint8_t *rx_bufs, *tx_bufs;                 /* qsize * VNET_BUF_SIZE each, in the pool */
	uint16_t rx_idle[VIRTQ_MAX_SIZE], rx_nidle; /* not posted to the device */
	uint16_t tx_free[VIRTQ_MAX_SIZE], tx_nfree; /* not in flight */
	uint32_t tx_len[VIRTQ_MAX_SIZE];            /* frame bytes per TX buffer in flight */
	struct vnet_counters c;
};

/* DMA pool bytes vnet_start needs for queues of qsize. */
size_t vnet_pool_size(uint16_t qsize);

/*
 * Full bring-up: reset, ACKNOWLEDGE, DRIVER, negotiate (VERSION_1 and MAC
 * required; STATUS and ACCESS_PLATFORM wanted: dma_addr already gives
 * whatever address the device must use, IOVA or physical), both queues,
 * MAC, DRIVER_OK, RX filled.  msix_vector (or VIRTIO_MSI_NO_VECTOR) is
 * programmed for both queues and for config changes.  pool is 16-byte aligned DMA memory of vnet_pool_size(qsize)
 * bytes.  On failure the device is left FAILED (or reset) and nothing is
 * posted.
 */
int vnet_start(struct vnet *n, const struct virtio_ops *ops,
               const struct virtio_pci_layout *layout, void *pool, size_t pool_len,
               uint16_t qsize, uint16_t msix_vector);

/* Posts every idle RX buffer; one notify at most. Returns how many. */
unsigned vnet_refill_rx(struct vnet *n);

/*
 * Copies the next received frame (without virtio_net_hdr) into frame,
 * recycling its buffer.  VIRTIO_ERR_EMPTY when none is waiting.  Runts,
 * overlong lengths and frames larger than cap are dropped and counted and
 * the next one is tried; their buffers are posted again.  VIRTIO_ERR_DEVICE:
 * the queue is broken, stop.
 */
int vnet_receive(struct vnet *n, void *frame, uint32_t cap, uint32_t *len);

/*
 * Queues up to count frames with one notify; returns how many were taken
 * (fewer when TX buffers run out: the caller retries after completions),
 * or VIRTIO_ERR_DEVICE.  A frame shorter than an Ethernet header or
 * longer than VNET_FRAME_MAX is skipped and counted in tx_errors.
 */
int vnet_send_batch(struct vnet *n, const void *const frames[], const uint32_t lens[],
                    unsigned count);

/* Takes back TX buffers the device has finished with; counts tx_frames. */
int vnet_reclaim_tx(struct vnet *n);

bool vnet_link_up(struct vnet *n);

/* Resets the device (it can no longer touch the pool) and takes every
 * buffer back. */
int vnet_stop(struct vnet *n);

/* Every buffer is idle/free: nothing is in the device's hands. */
bool vnet_accounted(const struct vnet *n);

#endif
