/* virtio-net driver logic: see virtio_net.h. */
#include "virtio_net.h"

#include "kstring.h"

#define POOL_ALIGN 4096

static size_t round_up(size_t x)
{
	return (x + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
}

size_t vnet_pool_size(uint16_t qsize)
{
	return 2 * round_up(virtq_mem_size(qsize)) + 2 * (size_t)qsize * VNET_BUF_SIZE;
}

static int fail(struct vnet *n, int err)
{
	virtio_dev_fail(&n->dev);
	return err;
}

static void reset_buffers(struct vnet *n)
{
	for (uint16_t i = 0; i < n->qsize; i++) {
		n->rx_idle[i] = i;
		n->tx_free[i] = i;
	}
	n->rx_nidle = n->tx_nfree = n->qsize;
}

static int setup_queues(struct vnet *n, uint8_t *pool, uint16_t msix_vector)
{
	size_t ring = round_up(virtq_mem_size(n->qsize));
	int err = virtq_init(&n->rx, n->dev.ops, VNET_RXQ, n->qsize, pool, ring, false);
	if (!err)
		err = virtq_init(&n->tx, n->dev.ops, VNET_TXQ, n->qsize, pool + ring, ring, false);
	n->rx.msix_vector = n->tx.msix_vector = msix_vector;
	if (!err)
		err = virtio_dev_config_vector(&n->dev, msix_vector);
	if (!err)
		err = virtio_dev_setup_queue(&n->dev, &n->rx);
	if (!err)
		err = virtio_dev_setup_queue(&n->dev, &n->tx);
	n->rx_bufs = pool + 2 * ring;
	n->tx_bufs = n->rx_bufs + (size_t)n->qsize * VNET_BUF_SIZE;
	return err;
}

int vnet_start(struct vnet *n, const struct virtio_ops *ops,
               const struct virtio_pci_layout *layout, void *pool, size_t pool_len,
               uint16_t qsize, uint16_t msix_vector)
{
	memset(n, 0, sizeof *n);
	n->qsize = qsize;
	if (qsize == 0 || (qsize & (qsize - 1)) || qsize > VIRTQ_MAX_SIZE ||
	    pool_len < vnet_pool_size(qsize) ||
	    ((uintptr_t)pool & 15))
		return VIRTIO_ERR_ARG;
	virtio_dev_init(&n->dev, ops, layout);
	int err = virtio_dev_begin(&n->dev);
	if (err)
		return err;
	/* clang-format off */
	err = virtio_dev_negotiate(&n->dev, VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
	                           VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM),
	                           VIRTIO_BIT(VIRTIO_NET_F_MAC));
	/* clang-format on */
	if (err)
		return err;
	n->has_status = (n->dev.features & VIRTIO_BIT(VIRTIO_NET_F_STATUS)) != 0;
	if (n->dev.num_queues < 2)
		return fail(n, VIRTIO_ERR_QUEUE);
	err = setup_queues(n, pool, msix_vector);
	if (!err)
		err = virtio_cfg_read_bytes(&n->dev, VIRTIO_NET_CFG_MAC, n->mac, sizeof n->mac);
	if (!err)
		err = virtio_dev_driver_ok(&n->dev);
	if (err)
		return fail(n, err);
	reset_buffers(n);
	n->started = true;
	vnet_refill_rx(n);
	return VIRTIO_OK;
}

unsigned vnet_refill_rx(struct vnet *n)
{
	unsigned posted = 0;
	while (n->rx_nidle) {
		uint16_t b = n->rx_idle[n->rx_nidle - 1];
		struct virtq_seg seg = {n->rx_bufs + (size_t)b * VNET_BUF_SIZE, VNET_BUF_SIZE, true};
		if (virtq_add(&n->rx, &seg, 1, b) != VIRTIO_OK)
			break;
		n->rx_nidle--;
		posted++;
	}
	virtq_publish(&n->rx);
	return posted;
}

static void rx_recycle(struct vnet *n, uint32_t b)
{
	n->rx_idle[n->rx_nidle++] = (uint16_t)b;
}

int vnet_receive(struct vnet *n, void *frame, uint32_t cap, uint32_t *len)
{
	for (;;) {
		uint32_t b, got;
		int err = virtq_get_used(&n->rx, &b, &got);
		if (err == VIRTIO_ERR_EMPTY) {
			if (n->rx_nidle)
				vnet_refill_rx(n); /* buffers of dropped frames go back too */
			return err;
		}
		if (err == VIRTIO_ERR_DEVICE) {
			n->c.rx_errors++;
			return err;
		}
		if (err == VIRTIO_ERR_LEN || got < VNET_HDR_LEN + VNET_FRAME_MIN) {
			n->c.rx_errors++;
			rx_recycle(n, b);
			continue;
		}
		uint32_t flen = got - VNET_HDR_LEN;
		if (flen > cap) {
			n->c.rx_drops++;
			rx_recycle(n, b);
			continue;
		}
		memcpy(frame, n->rx_bufs + (size_t)b * VNET_BUF_SIZE + VNET_HDR_LEN, flen);
		*len = flen;
		n->c.rx_frames++;
		n->c.rx_bytes += flen;
		rx_recycle(n, b);
		vnet_refill_rx(n);
		return VIRTIO_OK;
	}
}

int vnet_reclaim_tx(struct vnet *n)
{
	for (;;) {
		uint32_t b, got;
		int err = virtq_get_used(&n->tx, &b, &got);
		if (err == VIRTIO_ERR_EMPTY)
			return VIRTIO_OK;
		if (err == VIRTIO_ERR_DEVICE) {
			n->c.tx_errors++;
			return err;
		}
		/* TX buffers are read-only to the device; a nonzero length is a
		 * device quirk (counted by the queue), the frame still went. */
		n->c.tx_frames++;
		n->c.tx_bytes += n->tx_len[b];
		n->tx_free[n->tx_nfree++] = (uint16_t)b;
	}
}

static int send_one(struct vnet *n, const void *frame, uint32_t len)
{
	uint16_t b = n->tx_free[n->tx_nfree - 1];
	uint8_t *buf = n->tx_bufs + (size_t)b * VNET_BUF_SIZE;
	memset(buf, 0, VNET_HDR_LEN);
	memcpy(buf + VNET_HDR_LEN, frame, len);
	struct virtq_seg seg = {buf, VNET_HDR_LEN + len, false};
	int err = virtq_add(&n->tx, &seg, 1, b);
	if (err)
		return err;
	n->tx_nfree--;
	n->tx_len[b] = len;
	return VIRTIO_OK;
}

int vnet_send_batch(struct vnet *n, const void *const frames[], const uint32_t lens[],
                    unsigned count)
{
	int err = vnet_reclaim_tx(n);
	if (err)
		return err;
	unsigned taken = 0;
	for (; taken < count && n->tx_nfree; taken++) {
		if (lens[taken] < VNET_FRAME_MIN || lens[taken] > VNET_FRAME_MAX) {
			n->c.tx_errors++;
			continue;
		}
		err = send_one(n, frames[taken], lens[taken]);
		if (err == VIRTIO_ERR_DEVICE)
			return err;
		if (err) {
			n->c.tx_drops++;
			continue;
		}
	}
	virtq_publish(&n->tx);
	return (int)taken;
}

bool vnet_link_up(struct vnet *n)
{
	if (!n->has_status)
		return true; /* without the feature the link is assumed up (5.1.4) */
	uint8_t s[2];
	if (virtio_cfg_read_bytes(&n->dev, VIRTIO_NET_CFG_STATUS, s, 2) != VIRTIO_OK)
		return false;
	return (s[0] & VIRTIO_NET_S_LINK_UP) != 0;
}

int vnet_stop(struct vnet *n)
{
	int err = virtio_dev_reset(&n->dev);
	if (err)
		return err; /* the device may still write: the pool must not be reused */
	uint32_t b;
	while (virtq_detach(&n->rx, &b) == VIRTIO_OK)
		rx_recycle(n, b);
	while (virtq_detach(&n->tx, &b) == VIRTIO_OK) {
		n->c.tx_drops++;
		n->tx_free[n->tx_nfree++] = (uint16_t)b;
	}
	n->started = false;
	return VIRTIO_OK;
}

bool vnet_accounted(const struct vnet *n)
{
	return n->rx_nidle == n->qsize && n->tx_nfree == n->qsize;
}
