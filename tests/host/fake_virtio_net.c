/* The fake virtio-net device: see fake_virtio_net.h. */
#include "fake_virtio_net.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/virtqueue.h"
#include "virtio/virtio_net.h"

void *fake_dev_ptr(struct fake_net *f, uint64_t addr, uint64_t len)
{
	if (addr < FAKE_POOL_DEV || addr - FAKE_POOL_DEV > f->pool_len ||
	    len > f->pool_len - (addr - FAKE_POOL_DEV)) {
		f->dma_faults++;
		return NULL;
	}
	return f->pool + (addr - FAKE_POOL_DEV);
}

static uint64_t dma_addr(void *ctx, const void *va, uint32_t len)
{
	struct fake_net *f = ctx;
	const uint8_t *p = va;
	if (p < f->pool || p > f->pool + f->pool_len || len > (size_t)(f->pool + f->pool_len - p))
		return VIRTIO_DMA_BAD;
	return FAKE_POOL_DEV + (uint64_t)(p - f->pool);
}

static void barrier(void *ctx)
{
	struct fake_net *f = ctx;
	f->barriers++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static uint16_t *avail_ring(struct fake_net *f, struct fake_vq *q)
{
	return fake_dev_ptr(f, q->avail, 6 + 2u * q->size);
}

static uint16_t *used_ring(struct fake_net *f, struct fake_vq *q)
{
	return fake_dev_ptr(f, q->used, 6 + 8u * q->size);
}

int fake_net_take_avail(struct fake_net *f, unsigned qi)
{
	struct fake_vq *q = &f->q[qi];
	uint16_t *av = avail_ring(f, q);
	cr_assert(av, "avail ring outside the pool");
	if (av[1] == q->last_avail)
		return -1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return av[2 + (q->last_avail++ & (q->size - 1))];
}

void fake_net_push_used(struct fake_net *f, unsigned qi, uint32_t id, uint32_t len, uint16_t step)
{
	struct fake_vq *q = &f->q[qi];
	uint16_t *u = used_ring(f, q);
	cr_assert(u, "used ring outside the pool");
	struct virtq_used_elem *e = (struct virtq_used_elem *)(u + 2);
	e[q->used_idx & (q->size - 1)] = (struct virtq_used_elem){id, len};
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->used_idx = (uint16_t)(q->used_idx + step);
	u[1] = q->used_idx;
	f->isr |= 1;
}

/* Walks a chain from head, copying readable bytes into out (for TX). */
static uint32_t read_chain(struct fake_net *f, struct fake_vq *q, uint16_t head, uint8_t *out,
                           uint32_t cap)
{
	struct virtq_desc *d = fake_dev_ptr(f, q->desc, 16u * q->size);
	cr_assert(d, "descriptor table outside the pool");
	uint32_t got = 0;
	uint16_t i = head;
	for (unsigned hops = 0; hops < q->size; hops++) {
		cr_assert_lt(i, q->size, "descriptor index out of range");
		cr_assert(!(d[i].flags & VIRTQ_DESC_F_WRITE), "writable descriptor on TX");
		uint8_t *src = fake_dev_ptr(f, d[i].addr, d[i].len);
		cr_assert(src, "TX descriptor outside the pool");
		uint32_t n = d[i].len < cap - got ? d[i].len : cap - got;
		memcpy(out + got, src, n);
		got += n;
		if (!(d[i].flags & VIRTQ_DESC_F_NEXT))
			return got;
		i = d[i].next;
	}
	cr_assert_fail("descriptor chain loops");
	return got;
}

void fake_net_tx(struct fake_net *f)
{
	int head;
	while ((head = fake_net_take_avail(f, VNET_TXQ)) >= 0) {
		uint8_t buf[2048];
		uint32_t n = read_chain(f, &f->q[VNET_TXQ], (uint16_t)head, buf, sizeof buf);
		cr_assert_geq(n, VNET_HDR_LEN);
		if (f->tx_count < FAKE_TX_KEEP) {
			memcpy(f->tx[f->tx_count], buf + VNET_HDR_LEN, n - VNET_HDR_LEN);
			f->tx_len[f->tx_count] = n - VNET_HDR_LEN;
		}
		f->tx_count++;
		fake_net_push_used(f, VNET_TXQ, (uint32_t)head, f->tx_used_len, 1);
	}
}

bool fake_net_rx(struct fake_net *f, const void *frame, uint32_t len)
{
	struct fake_vq *q = &f->q[VNET_RXQ];
	int head = fake_net_take_avail(f, VNET_RXQ);
	if (head < 0)
		return false;
	struct virtq_desc *d = fake_dev_ptr(f, q->desc, 16u * q->size);
	cr_assert(d);
	cr_assert(d[head].flags & VIRTQ_DESC_F_WRITE, "RX buffer not device-writable");
	cr_assert_geq(d[head].len, VNET_HDR_LEN + len);
	uint8_t *dst = fake_dev_ptr(f, d[head].addr, d[head].len);
	cr_assert(dst, "RX descriptor outside the pool");
	memset(dst, 0, VNET_HDR_LEN);
	memcpy(dst + VNET_HDR_LEN, frame, len);
	fake_net_push_used(f, VNET_RXQ, (uint32_t)head, VNET_HDR_LEN + len, 1);
	return true;
}

static void reset(struct fake_net *f)
{
	f->status = 0;
	f->driver_features = 0;
	/* clang-format off */
	for (unsigned i = 0; i < 2; i++)
		f->q[i] = (struct fake_vq){ .max = 256, .notify_off = (uint16_t)i,
		                           .msix = VIRTIO_MSI_NO_VECTOR };
	/* clang-format on */
	f->config_msix = VIRTIO_MSI_NO_VECTOR;
}

static uint32_t common_read(struct fake_net *f, uint32_t off)
{
	struct fake_vq *q = f->qsel < 2 ? &f->q[f->qsel] : NULL;
	switch (off) {
	/* clang-format off */
	case VIRTIO_COMMON_DF: return f->dfsel == 0 ? (uint32_t)f->offered :
	                              f->dfsel == 1 ? (uint32_t)(f->offered >> 32) : 0;
		/* clang-format on */
	case VIRTIO_COMMON_NUMQ: return f->num_queues;
	case VIRTIO_COMMON_MSIX: return f->config_msix;
	case VIRTIO_COMMON_Q_MSIX: return q ? q->msix : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_COMMON_STATUS: return f->status;
	case VIRTIO_COMMON_CFGGEN:
		if (f->cfg_churn) {
			f->cfg_churn--;
			f->cfggen++;
		}
		return f->cfggen;
	case VIRTIO_COMMON_Q_SELECT: return f->qsel;
	case VIRTIO_COMMON_Q_SIZE: return q ? (q->size ? q->size : q->max) : 0;
	case VIRTIO_COMMON_Q_ENABLE: return q ? q->enabled : 0;
	case VIRTIO_COMMON_Q_NOFF: return q ? q->notify_off : 0;
	default: return 0;
	}
}

static void set_half(uint64_t *r, uint32_t off, uint32_t v)
{
	if (off & 4)
		*r = (*r & 0xffffffffull) | (uint64_t)v << 32;
	else
		*r = (*r & ~0xffffffffull) | v;
}

static void status_write(struct fake_net *f, uint8_t v)
{
	if (v == 0) {
		reset(f);
		if (f->stuck_reset)
			f->status = VIRTIO_STATUS_ACKNOWLEDGE;
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(f->status & VIRTIO_STATUS_FEATURES_OK)) {
		bool subset = (f->driver_features & ~f->offered) == 0;
		if (f->refuse_features || !subset)
			v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	}
	f->status = v;
}

static void common_write(struct fake_net *f, uint32_t off, uint32_t v)
{
	struct fake_vq *q = f->qsel < 2 ? &f->q[f->qsel] : NULL;
	if (off >= VIRTIO_COMMON_Q_DESC && off < VIRTIO_COMMON_LEN) {
		cr_assert(q, "queue address for an absent queue");
		/* clang-format off */
		uint64_t *r = off < VIRTIO_COMMON_Q_AVAIL ? &q->desc :
		              off < VIRTIO_COMMON_Q_USED ? &q->avail : &q->used;
		/* clang-format on */
		set_half(r, off, v);
		return;
	}
	switch (off) {
	case VIRTIO_COMMON_DFSELECT: f->dfsel = v; break;
	case VIRTIO_COMMON_GFSELECT: f->gfsel = v; break;
	case VIRTIO_COMMON_GF:
		if (f->gfsel < 2)
			set_half(&f->driver_features, f->gfsel * 4, v);
		break;
	case VIRTIO_COMMON_STATUS: status_write(f, (uint8_t)v); break;
	case VIRTIO_COMMON_Q_SELECT: f->qsel = (uint16_t)v; break;
	case VIRTIO_COMMON_MSIX:
		f->config_msix = v < f->msix_entries ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_COMMON_Q_MSIX:
		if (q)
			q->msix = v < f->msix_entries ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_COMMON_Q_SIZE:
		cr_assert(q && v <= q->max, "queue size above the device maximum");
		q->size = (uint16_t)v;
		break;
	case VIRTIO_COMMON_Q_ENABLE:
		cr_assert(q && f->status & VIRTIO_STATUS_FEATURES_OK, "queue enabled before FEATURES_OK");
		q->enabled = v != 0;
		break;
	default: break;
	}
}

static uint32_t bar_read(void *ctx, uint8_t bar, uint32_t off, unsigned width)
{
	struct fake_net *f = ctx;
	cr_assert_eq(bar, FAKE_BAR, "read from BAR %u", bar);
	cr_assert_leq(off + width, FAKE_BAR_SIZE, "read outside the BAR");
	if (off < FAKE_ISR)
		return common_read(f, off);
	if (off == FAKE_ISR) {
		uint8_t v = f->isr;
		f->isr = 0;
		return v;
	}
	if (off >= FAKE_DEVCFG && off + width <= FAKE_DEVCFG + FAKE_DEVCFG_LEN) {
		uint8_t cfg[FAKE_DEVCFG_LEN] = {0};
		memcpy(cfg, f->mac, 6);
		cfg[6] = (uint8_t)f->net_status;
		cfg[7] = (uint8_t)(f->net_status >> 8);
		uint32_t v = 0;
		memcpy(&v, cfg + (off - FAKE_DEVCFG), width);
		return v;
	}
	return 0;
}

static void bar_write(void *ctx, uint8_t bar, uint32_t off, unsigned width, uint32_t v)
{
	struct fake_net *f = ctx;
	cr_assert_eq(bar, FAKE_BAR, "write to BAR %u", bar);
	cr_assert_leq(off + width, FAKE_BAR_SIZE, "write outside the BAR");
	if (off < FAKE_ISR) {
		common_write(f, off, v);
		return;
	}
	if (off >= FAKE_NOTIFY) {
		uint32_t qi = (off - FAKE_NOTIFY) / FAKE_NOTIFY_MULT;
		cr_assert_lt(qi, 2, "notify for an absent queue");
		cr_assert_eq(v, qi, "notify value is not the queue index");
		cr_assert(f->q[qi].enabled, "notify on a disabled queue");
		f->notifies[qi]++;
		if (qi == VNET_TXQ && !f->hold_tx)
			fake_net_tx(f);
	}
}

void fake_net_init(struct fake_net *f, size_t pool_len)
{
	memset(f, 0, sizeof *f);
	f->pool_len = pool_len;
	f->pool = aligned_alloc(4096, (pool_len + 4095) & ~(size_t)4095);
	cr_assert(f->pool);
	memset(f->pool, 0xa5, pool_len); /* the driver must zero what it relies on */
	f->offered = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
	             VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX);
	f->num_queues = 3;   /* rx, tx, control */
	f->msix_entries = 3; /* QEMU's virtio-net default: vectors=3 with one queue pair */
	memcpy(f->mac, (uint8_t[]){0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, 6);
	f->net_status = VIRTIO_NET_S_LINK_UP;
	reset(f);
	/* clang-format off */
	f->ops = (struct virtio_ops){ .ctx = f, .read = bar_read, .write = bar_write,
	                              .dma_addr = dma_addr, .barrier = barrier };
	/* clang-format on */
}

void fake_net_free(struct fake_net *f)
{
	free(f->pool);
	f->pool = NULL;
}

struct virtio_pci_layout fake_net_layout(void)
{
	return (struct virtio_pci_layout){
		.common = {FAKE_BAR, FAKE_COMMON, VIRTIO_COMMON_LEN},
		.isr = {FAKE_BAR, FAKE_ISR, 1},
		.device = {FAKE_BAR, FAKE_DEVCFG, FAKE_DEVCFG_LEN},
		.notify = {FAKE_BAR, FAKE_NOTIFY, 0x1000},
		.notify_mult = FAKE_NOTIFY_MULT,
	};
}
