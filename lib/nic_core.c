/* The driver side of the Nic: see nic_core.h. */
#include "nic_core.h"

#include "kstring.h"

#define TX_CHUNK 32u /* frames handed to vnet_send_batch at once */

void nic_core_init(struct nic_core *c, struct vnet *vn)
{
	*c = (struct nic_core){.vn = vn};
}

int nic_ring_attach(struct nic_core *c, void *mem, size_t len)
{
	if (c->ring_attached)
		return NIC_ERR_BUSY;
	if (len < NIC_RING_BYTES || ((uintptr_t)mem & (NIC_RING_PAGE - 1)))
		return NIC_ERR_ARG;
	uint8_t *base = mem;
	struct nic_ring_ctl *ctl = mem;
	if (fring_init(&c->tx, base + NIC_RING_TX_OFFSET, NIC_RING_SLOTS, NIC_SLOT_SIZE,
	               &ctl->tx_prod, &ctl->tx_cons, false) != FRING_OK ||
	    fring_init(&c->rx, base + NIC_RING_RX_OFFSET, NIC_RING_SLOTS, NIC_SLOT_SIZE,
	               &ctl->rx_prod, &ctl->rx_cons, true) != FRING_OK)
		return NIC_ERR_ARG;
	c->ctl = ctl;
	c->ring_attached = true;
	return NIC_OK;
}

/* Free TX buffers after taking back what the device finished. */
static int tx_room(struct nic_core *c, unsigned *room)
{
	if (vnet_reclaim_tx(c->vn) != VIRTIO_OK)
		return NIC_ERR_DEVICE;
	*room = c->vn->tx_nfree;
	return NIC_OK;
}

/* Up to max_slots slots (max_frames good frames) from the TX ring to the
 * device in one batch; *taken: slots consumed, bad ones included. */
static int tx_chunk(struct nic_core *c, unsigned max_slots, unsigned max_frames, unsigned *taken)
{
	const void *frames[TX_CHUNK];
	uint32_t lens[TX_CHUNK];
	unsigned n = 0, slots = 0;
	if (max_frames > TX_CHUNK)
		max_frames = TX_CHUNK;
	while (slots < max_slots && n < max_frames) {
		const uint8_t *f;
		uint32_t len;
		int err = fring_peek(&c->tx, &f, &len);
		if (err == FRING_ERR_LEN) {
			slots++; /* skipped and counted by the ring */
			continue;
		}
		if (err == FRING_ERR_EMPTY)
			break;
		if (err)
			return NIC_ERR_RING;
		frames[n] = f;
		lens[n++] = len;
		fring_skip(&c->tx);
		slots++;
	}
	*taken = slots;
	if (n == 0)
		return NIC_OK;
	/* The slots are not given back before the copy into DMA buffers. */
	int sent = vnet_send_batch(c->vn, frames, lens, n);
	return sent < 0 ? NIC_ERR_DEVICE : NIC_OK;
}

int nic_tx_kick(struct nic_core *c, uint32_t producer, uint32_t *consumer)
{
	if (!c->ring_attached || c->tx.broken)
		return NIC_ERR_RING;
	*consumer = c->tx.mine;
	uint32_t ahead = producer - c->tx.mine;
	if (ahead > NIC_RING_SLOTS) {
		c->client_refused++;
		return NIC_ERR_ARG;
	}
	int err = NIC_OK;
	while (ahead > 0) {
		unsigned room;
		err = tx_room(c, &room);
		if (err || room == 0)
			break; /* the rest stays in the ring: the client kicks again */
		unsigned taken = 0;
		err = tx_chunk(c, ahead, room, &taken);
		if (err || taken == 0)
			break;
		ahead -= taken;
	}
	fring_publish(&c->tx);
	*consumer = c->tx.mine;
	return err;
}

int nic_rx_pump(struct nic_core *c)
{
	if (!c->ring_attached || c->rx.broken)
		return NIC_ERR_RING;
	int moved = 0, err = NIC_OK;
	for (;;) {
		int room = fring_count(&c->rx);
		if (room < 0) {
			err = NIC_ERR_RING;
			break;
		}
		if (room == 0)
			break; /* the rest waits in the device's RX queue */
		uint32_t len;
		int e = vnet_receive(c->vn, c->scratch, sizeof c->scratch, &len);
		if (e == VIRTIO_ERR_EMPTY)
			break;
		if (e) {
			err = NIC_ERR_DEVICE;
			break;
		}
		if (fring_put(&c->rx, c->scratch, len) == FRING_OK)
			moved++;
	}
	if (moved)
		fring_publish(&c->rx);
	return err ? err : moved;
}

int nic_rx_ready(struct nic_core *c, uint32_t consumer, bool *ready, uint32_t *producer)
{
	if (!c->ring_attached || c->rx.broken)
		return NIC_ERR_RING;
	*producer = c->rx.mine;
	if (c->rx.mine - consumer > NIC_RING_SLOTS) {
		c->client_refused++;
		return NIC_ERR_ARG;
	}
	*ready = consumer != c->rx.mine;
	return NIC_OK;
}

int nic_send(struct nic_core *c, const void *const frames[], const uint32_t lens[],
             unsigned n, uint32_t *accepted)
{
	*accepted = 0;
	if (n > NIC_BATCH_MAX) {
		c->client_refused++;
		return NIC_ERR_ARG;
	}
	int sent = vnet_send_batch(c->vn, frames, lens, n);
	if (sent < 0)
		return NIC_ERR_DEVICE;
	*accepted = (uint32_t)sent;
	return NIC_OK;
}

int nic_recv(struct nic_core *c, void *buf, uint32_t cap, uint32_t *len)
{
	if (c->ring_attached)
		return NIC_ERR_RING;
	int e = vnet_receive(c->vn, buf, cap, len);
	if (e == VIRTIO_ERR_EMPTY)
		return NIC_ERR_EMPTY;
	return e ? NIC_ERR_DEVICE : NIC_OK;
}

void nic_get_counters(struct nic_core *c, struct nic_counters *out)
{
	const struct vnet *v = c->vn;
	(void)vnet_reclaim_tx(c->vn); /* a broken queue shows in device_errors */
	*out = (struct nic_counters){
		.rx_frames = v->c.rx_frames,
		.rx_bytes = v->c.rx_bytes,
		.rx_drops = v->c.rx_drops,
		.rx_errors = v->c.rx_errors,
		.tx_frames = v->c.tx_frames,
		.tx_bytes = v->c.tx_bytes,
		.tx_drops = v->c.tx_drops,
		.tx_errors = v->c.tx_errors,
	};
	/* The client's malformed ring slots and indices are TX errors too. */
	out->tx_errors += c->tx.bad_len + c->tx.bad_index + c->rx.bad_index + c->client_refused;
	out->device_errors = v->dev.errors + v->rx.c.bad_len + v->rx.c.bad_id + v->rx.c.bad_index +
	                     v->tx.c.bad_len + v->tx.c.bad_id + v->tx.c.bad_index;
}
