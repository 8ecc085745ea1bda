/* Split virtqueue, driver side (see virtqueue.h for the trust model). */
#include "virtqueue.h"

#include "kstring.h"

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static size_t avail_off(uint16_t size)
{
	return (size_t)16 * size;
}

static size_t used_off(uint16_t size)
{
	return align_up(avail_off(size) + 6 + (size_t)2 * size, 4);
}

size_t virtq_mem_size(uint16_t size)
{
	return used_off(size) + 6 + (size_t)8 * size;
}

static bool power_of_two(uint16_t x)
{
	return x && !(x & (x - 1));
}

int virtq_init(struct virtq *q, const struct virtio_ops *ops, uint16_t index, uint16_t size,
               void *mem, size_t mem_len, bool event_idx)
{
	if (!power_of_two(size) || size > VIRTQ_MAX_SIZE || mem_len < virtq_mem_size(size) ||
	    ((uintptr_t)mem & 15))
		return VIRTIO_ERR_ARG;
	memset(q, 0, sizeof *q);
	memset(mem, 0, virtq_mem_size(size));
	q->ops = ops;
	q->index = index;
	q->size = size;
	q->event_idx = event_idx;
	q->msix_vector = VIRTIO_MSI_NO_VECTOR;
	q->desc = mem;
	q->avail = (volatile uint16_t *)((uint8_t *)mem + avail_off(size));
	q->used = (volatile uint16_t *)((uint8_t *)mem + used_off(size));
	q->used_ring = (volatile struct virtq_used_elem *)(q->used + 2);
	for (uint16_t i = 0; i < size; i++)
		q->next[i] = i + 1u < size ? (uint16_t)(i + 1u) : (uint16_t)VIRTQ_NONE;
	q->free_head = 0;
	q->num_free = size;
	return VIRTIO_OK;
}

static void write64(const struct virtio_dev *v, uint32_t off, uint64_t val)
{
	const struct virtio_region *c = &v->layout.common;
	v->ops->write(v->ops->ctx, c->bar, c->off + off, 4, (uint32_t)val);
	v->ops->write(v->ops->ctx, c->bar, c->off + off + 4, 4, (uint32_t)(val >> 32));
}

int virtio_dev_setup_queue(struct virtio_dev *v, struct virtq *q)
{
	const struct virtio_region *c = &v->layout.common;
	const struct virtio_ops *o = v->ops;
	if (v->state != VIRTIO_S_FEATURES_OK)
		return VIRTIO_ERR_STATE;
	if (q->event_idx && !(v->features & VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX)))
		return VIRTIO_ERR_ARG;
	o->write(o->ctx, c->bar, c->off + VIRTIO_COMMON_Q_SELECT, 2, q->index);
	uint16_t max = (uint16_t)o->read(o->ctx, c->bar, c->off + VIRTIO_COMMON_Q_SIZE, 2);
	if (max == 0 || max < q->size) {
		v->errors++;
		return VIRTIO_ERR_QUEUE;
	}
	uint64_t desc = o->dma_addr(o->ctx, (const void *)q->desc, (uint32_t)avail_off(q->size));
	uint64_t avail = o->dma_addr(o->ctx, (const void *)q->avail, 6 + 2u * q->size);
	uint64_t used = o->dma_addr(o->ctx, (const void *)q->used, 6 + 8u * q->size);
	if (desc == VIRTIO_DMA_BAD || avail == VIRTIO_DMA_BAD || used == VIRTIO_DMA_BAD) {
		q->c.dma_errors++;
		return VIRTIO_ERR_DMA;
	}
	uint16_t noff = (uint16_t)o->read(o->ctx, c->bar, c->off + VIRTIO_COMMON_Q_NOFF, 2);
	uint64_t at = (uint64_t)noff * v->layout.notify_mult;
	if (at + 2 > v->layout.notify.len) {
		v->errors++;
		return VIRTIO_ERR_QUEUE;
	}
	o->write(o->ctx, c->bar, c->off + VIRTIO_COMMON_Q_MSIX, 2, q->msix_vector);
	if ((uint16_t)o->read(o->ctx, c->bar, c->off + VIRTIO_COMMON_Q_MSIX, 2) != q->msix_vector) {
		v->errors++;
		return VIRTIO_ERR_QUEUE;
	}
	q->notify_bar = v->layout.notify.bar;
	q->notify_off = v->layout.notify.off + (uint32_t)at;
	o->write(o->ctx, c->bar, c->off + VIRTIO_COMMON_Q_SIZE, 2, q->size);
	write64(v, VIRTIO_COMMON_Q_DESC, desc);
	write64(v, VIRTIO_COMMON_Q_AVAIL, avail);
	write64(v, VIRTIO_COMMON_Q_USED, used);
	o->write(o->ctx, c->bar, c->off + VIRTIO_COMMON_Q_ENABLE, 2, 1);
	return VIRTIO_OK;
}

int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n, uint32_t token)
{
	uint64_t addr[VIRTQ_MAX_CHAIN];
	uint32_t writable = 0;
	if (q->broken)
		return VIRTIO_ERR_DEVICE;
	if (n == 0 || n > VIRTQ_MAX_CHAIN || n > q->size)
		return VIRTIO_ERR_ARG;
	if (n > q->num_free)
		return VIRTIO_ERR_FULL;
	for (unsigned i = 0; i < n; i++) {
		/* The device reads out segments before writing in segments. */
		if (segs[i].len == 0 || (i && segs[i - 1].device_writes && !segs[i].device_writes))
			return VIRTIO_ERR_ARG;
		addr[i] = q->ops->dma_addr(q->ops->ctx, segs[i].va, segs[i].len);
		if (addr[i] == VIRTIO_DMA_BAD) {
			q->c.dma_errors++;
			return VIRTIO_ERR_DMA;
		}
		if (segs[i].device_writes)
			writable += segs[i].len;
	}
	uint16_t head = q->free_head, d = head;
	for (unsigned i = 0; i < n; i++) {
		q->desc[d].addr = addr[i];
		q->desc[d].len = segs[i].len;
		q->desc[d].flags = (uint16_t)((segs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
		                              (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		q->desc[d].next = i + 1 < n ? q->next[d] : 0;
		if (i + 1 < n)
			d = q->next[d];
	}
	q->free_head = q->next[d];
	q->num_free = (uint16_t)(q->num_free - n);
	q->chain_len[head] = (uint16_t)n;
	q->writable[head] = writable;
	q->token[head] = token;
	q->avail[2 + (q->avail_idx & (q->size - 1))] = head;
	q->avail_idx++;
	q->in_flight++;
	q->c.added++;
	return VIRTIO_OK;
}

static bool need_event(uint16_t event, uint16_t now, uint16_t old)
{
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

bool virtq_publish(struct virtq *q)
{
	uint16_t old = q->published, now = q->avail_idx;
	if (old == now || q->broken)
		return false;
	q->ops->barrier(q->ops->ctx); /* descriptors and ring slots before the index */
	q->avail[1] = now;
	q->published = now;
	q->ops->barrier(q->ops->ctx); /* the index before reading the device's wishes */
	bool notify = q->event_idx ? need_event(q->used[2 + 4 * q->size], now, old)
	                           : !(q->used[0] & VIRTQ_USED_F_NO_NOTIFY);
	if (!notify) {
		q->c.notifies_suppressed++;
		return false;
	}
	q->ops->write(q->ops->ctx, q->notify_bar, q->notify_off, 2, q->index);
	q->c.notifies++;
	return true;
}

static void free_chain(struct virtq *q, uint16_t head)
{
	uint16_t last = head;
	for (uint16_t i = 1; i < q->chain_len[head]; i++)
		last = q->next[last];
	q->next[last] = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + q->chain_len[head]);
	q->chain_len[head] = 0;
	q->in_flight--;
}

static int broken(struct virtq *q, uint64_t *counter)
{
	(*counter)++;
	q->broken = true;
	return VIRTIO_ERR_DEVICE;
}

int virtq_get_used(struct virtq *q, uint32_t *token, uint32_t *len)
{
	if (q->broken)
		return VIRTIO_ERR_DEVICE;
	uint16_t idx = q->used[1];
	if (idx == q->last_used)
		return VIRTIO_ERR_EMPTY;
	if ((uint16_t)(idx - q->last_used) > q->in_flight)
		return broken(q, &q->c.bad_index);
	q->ops->barrier(q->ops->ctx); /* the index before the entry it covers */
	volatile struct virtq_used_elem *e = &q->used_ring[q->last_used & (q->size - 1)];
	uint32_t id = e->id, n = e->len; /* read once: the device may change them */
	if (id >= q->size || q->chain_len[id] == 0)
		return broken(q, &q->c.bad_id);
	free_chain(q, (uint16_t)id);
	q->last_used++;
	if (q->event_idx)
		q->avail[2 + q->size] = q->last_used; /* used_event */
	*token = q->token[id];
	if (n > q->writable[id]) {
		q->c.bad_len++;
		*len = 0;
		return VIRTIO_ERR_LEN;
	}
	*len = n;
	q->c.used++;
	return VIRTIO_OK;
}

/* With EVENT_IDX the device ignores the flag and the used_event hint is
 * simply left behind; either way this is only a hint to the device. */
void virtq_disable_interrupts(struct virtq *q)
{
	q->avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
}

bool virtq_enable_interrupts(struct virtq *q)
{
	q->avail[0] = 0;
	if (q->event_idx)
		q->avail[2 + q->size] = q->last_used;
	q->ops->barrier(q->ops->ctx); /* publish the wish before looking again */
	return q->used[1] == q->last_used;
}

int virtq_detach(struct virtq *q, uint32_t *token)
{
	for (uint16_t i = 0; i < q->size; i++) {
		if (q->chain_len[i]) {
			*token = q->token[i];
			free_chain(q, i);
			return VIRTIO_OK;
		}
	}
	return VIRTIO_ERR_EMPTY;
}
