/*
 * Self-test of DMA remapping with a real device: a modern virtio-net
 * function (disable-legacy=on, iommu_platform=on) behind QEMU's
 * intel-iommu.  A minimal transmit queue is built in one page mapped in
 * the device's domain:
 *   1. a descriptor pointing at a mapped buffer: the device reads it and
 *      hands the descriptor back through the used ring;
 *   2. a descriptor pointing at an unmapped IOVA: the device's read is
 *      refused, the fault is logged and the kernel goes on;
 *   3. the domain destroyed: the device is blocked outright.
 * Frames, domains and vectors return to their baseline.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"
#include "arch/x86_64/timer.h"
#include "dev/iommu.h"
#include "dev/pci_bus.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "selftest/selftest.h"

#define CHECK(c)                                                  \
	do {                                                      \
		if (!(c)) {                                       \
			kprintf("iommu: check failed: %s\n", #c); \
			fails++;                                  \
		}                                                 \
	} while (0)

/* virtio 1.0 PCI (spec 4.1.4) */
#define PCI_CAP_VENDOR    0x09
#define VIRTIO_CFG_COMMON 1
#define VIRTIO_CFG_NOTIFY 2
#define VQ_SIZE           8
#define TX_QUEUE          1
#define ST_ACK            1u
#define ST_DRIVER         2u
#define ST_DRIVER_OK      4u
#define ST_FEATURES_OK    8u
#define ST_NEEDS_RESET    64u
#define F_VERSION_1       (1u << 0) /* feature bits 32+ */
#define F_ACCESS_PLATFORM (1u << 1)

#define IOVA_RING  0x10000ull
#define IOVA_BUF   0x20000ull
#define IOVA_WRONG 0x7fff0000ull           /* never mapped */
#define WAIT_NS    (20ull * 1000000000ull) /* a generous bound, not a timing check */

struct common_cfg {
	uint32_t dev_feature_select, dev_feature, drv_feature_select, drv_feature;
	uint16_t msix_config, num_queues;
	uint8_t status, generation;
	uint16_t q_select, q_size, q_msix, q_enable, q_notify_off;
	uint64_t q_desc, q_avail, q_used;
};
struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vnet {
	const struct pci_device *pci;
	volatile struct common_cfg *cfg;
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
};

/* The virtio capability of cfg type `type`: its BAR and offset, mapped. */
static volatile uint8_t *virtio_cap(const struct pci_device *d, uint8_t type, uint8_t *at)
{
	const struct pci_cfg_ops *ops = pci_cfg();
	uint8_t p = pci_read8(ops, d->bus, d->dev, d->fn, PCI_CAP_PTR) & 0xfc;
	for (unsigned n = 0; p >= 0x40 && n < PCI_MAX_CAPS; n++) {
		uint8_t id = pci_read8(ops, d->bus, d->dev, d->fn, p);
		if (id == PCI_CAP_VENDOR && pci_read8(ops, d->bus, d->dev, d->fn, p + 3) == type) {
			uint8_t bar = pci_read8(ops, d->bus, d->dev, d->fn, p + 4);
			uint32_t off = ops->read32(ops->ctx, d->bus, d->dev, d->fn, p + 8);
			if (bar >= PCI_MAX_BARS || d->bars[bar].type < PCI_BAR_MEM32 ||
			    d->bars[bar].base + off >= (4ull << 30))
				return 0;
			*at = p;
			return phys_to_virt(d->bars[bar].base + off);
		}
		p = pci_read8(ops, d->bus, d->dev, d->fn, p + 1) & 0xfc;
	}
	return 0;
}

static bool vnet_find(struct vnet *v)
{
	v->pci = pci_find(0x1af4, 0x1041);
	if (!v->pci)
		return false;
	uint8_t at;
	v->cfg = (volatile struct common_cfg *)virtio_cap(v->pci, VIRTIO_CFG_COMMON, &at);
	v->notify_base = virtio_cap(v->pci, VIRTIO_CFG_NOTIFY, &at);
	if (!v->cfg || !v->notify_base)
		return false;
	const struct pci_cfg_ops *ops = pci_cfg();
	v->notify_mult = ops->read32(ops->ctx, v->pci->bus, v->pci->dev, v->pci->fn, at + 16);
	uint16_t cmd = pci_read16(ops, v->pci->bus, v->pci->dev, v->pci->fn, PCI_COMMAND);
	ops->write32(ops->ctx, v->pci->bus, v->pci->dev, v->pci->fn, PCI_COMMAND,
	             cmd | PCI_CMD_MEM | PCI_CMD_MASTER);
	return true;
}

/* Reset: once status reads 0 the device has stopped using its queues. */
static void vnet_reset(struct vnet *v)
{
	v->cfg->status = 0;
	for (unsigned i = 0; i < 1000000 && v->cfg->status != 0; i++)
		__asm__ volatile("pause");
}

/* Negotiates VERSION_1 + ACCESS_PLATFORM and enables the TX queue at the
 * ring IOVAs; false when the device does not offer both features. */
static bool vnet_start_tx(struct vnet *v)
{
	vnet_reset(v);
	v->cfg->status = ST_ACK | ST_DRIVER;
	v->cfg->dev_feature_select = 1;
	uint32_t hi = v->cfg->dev_feature;
	if ((hi & (F_VERSION_1 | F_ACCESS_PLATFORM)) != (F_VERSION_1 | F_ACCESS_PLATFORM)) {
		kprintf("iommu: virtio-net lacks VERSION_1/ACCESS_PLATFORM (iommu_platform=on?)\n");
		return false;
	}
	v->cfg->drv_feature_select = 0;
	v->cfg->drv_feature = 0;
	v->cfg->drv_feature_select = 1;
	v->cfg->drv_feature = F_VERSION_1 | F_ACCESS_PLATFORM;
	v->cfg->status = ST_ACK | ST_DRIVER | ST_FEATURES_OK;
	if (!(v->cfg->status & ST_FEATURES_OK))
		return false;
	v->cfg->q_select = TX_QUEUE;
	v->cfg->q_size = VQ_SIZE;
	v->cfg->q_msix = 0xffff;
	v->cfg->q_desc = IOVA_RING;
	v->cfg->q_avail = IOVA_RING + 0x100;
	v->cfg->q_used = IOVA_RING + 0x200;
	v->cfg->q_enable = 1;
	v->cfg->status = ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK;
	return true;
}

/* Posts descriptor n (buffer at iova) as the queue's n-th buffer and kicks. */
static void vnet_send(struct vnet *v, uint8_t *ring, uint16_t n, uint64_t iova, uint32_t len)
{
	struct vq_desc *desc = (struct vq_desc *)ring;
	volatile uint16_t *avail = (uint16_t *)(ring + 0x100);
	desc[n] = (struct vq_desc){.addr = iova, .len = len};
	avail[2 + n] = n; /* ring[n] = descriptor n */
	/* clang-format off */
	__asm__ volatile("" ::: "memory");
	/* clang-format on */
	avail[1] = (uint16_t)(n + 1); /* idx */
	/* clang-format off */
	__asm__ volatile("mfence" ::: "memory");
	/* clang-format on */
	v->cfg->q_select = TX_QUEUE;
	volatile uint16_t *kick =
		(volatile uint16_t *)(v->notify_base + v->cfg->q_notify_off * v->notify_mult);
	*kick = TX_QUEUE;
}

static uint64_t ktime_nsec_since(uint64_t t0) { return ktime_ns() - t0; }

static uint16_t used_idx(const uint8_t *ring) { return *(volatile const uint16_t *)(ring + 0x202); }

/* Sleeps on interrupts until done() or the bound passes. */
static bool wait_for(bool (*done)(const void *), const void *arg)
{
	uint64_t end = ktime_ns() + WAIT_NS;
	while (!done(arg)) {
		if (ktime_ns() > end)
			return false;
		timer_arm_at(ktime_ns() + 1000000);
		halt();
	}
	return true;
}
static bool ring_used(const void *ring) { return used_idx(ring) != 0; }
static unsigned long fault_base;
static bool faulted(const void *arg)
{
	(void)arg;
	return iommu_fault_count(0) > fault_base;
}

/* An ARP request for 10.0.2.2 behind a zeroed virtio-net header. */
static uint32_t fill_frame(uint8_t *buf)
{
	static const uint8_t arp[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
		10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2};
	memset(buf, 0, 12 + 60);
	memcpy(buf + 12, arp, sizeof arp);
	return 12 + 60;
}

static int expect_fault(uint16_t sid, uint64_t iova, const char *what)
{
	int fails = 0;
	bool got = wait_for(faulted, 0);
	struct iommu_fault f;
	iommu_fault_count(&f);
	CHECK(got);
	CHECK(f.source == sid);
	CHECK(f.addr == iova);
	kprintf("iommu: %s: fault %s, source %04x, iova %lx, reason %u\n", what,
	        got ? "seen" : "MISSING", f.source, f.addr, f.reason);
	return fails;
}

SELFTEST(iommu)
{
	int fails = 0;
	struct vnet v;
	if (!iommu_enabled()) {
		kprintf("iommu: remapping is off (needs -machine q35 -device intel-iommu)\n");
		return 1;
	}
	if (!vnet_find(&v)) {
		kprintf("iommu: no modern virtio-net (disable-legacy=on) with common/notify caps\n");
		return 1;
	}
	uint64_t frames_before = pmm_free_count();
	unsigned vectors_before = intc_vectors_in_use();
	uint16_t sid = (uint16_t)(v.pci->bus << 8 | v.pci->dev << 3 | v.pci->fn);
	int err;
	struct iommu_domain *dom = iommu_domain_create(v.pci->bus, v.pci->dev, v.pci->fn,
	                                               "selftest iommu", &err);
	if (!dom) {
		kprintf("iommu: domain refused: %s\n", iommu_strerror(err));
		return 1;
	}
	struct iommu_domain *twice = iommu_domain_create(v.pci->bus, v.pci->dev, v.pci->fn,
	                                                 "selftest again", &err);
	kprintf("iommu: second domain for the same function refused: %s\n", iommu_strerror(err));
	CHECK(!twice && err == IOMMU_ERR_BUSY);

	uint64_t ring_pa = pmm_alloc(), buf_pa = pmm_alloc(); /* zeroed */
	uint8_t *ring = phys_to_virt(ring_pa), *buf = phys_to_virt(buf_pa);
	CHECK(iommu_map(dom, IOVA_RING, ring_pa, IOPT_READ | IOPT_WRITE) == IOPT_OK);
	CHECK(iommu_map(dom, IOVA_BUF, buf_pa, IOPT_READ) == IOPT_OK);
	CHECK(iommu_map(dom, IOVA_BUF, buf_pa, IOPT_READ) == IOPT_ERR_MAPPED);
	CHECK(iommu_map(dom, 1ull << 48, buf_pa, IOPT_READ) == IOPT_ERR_RANGE);
	uint32_t len = fill_frame(buf);
	kprintf("iommu: domain with 2 pages mapped holds %lu frame(s) of tables\n",
	        frames_before - pmm_free_count() - 2);

	/* 1. Mapped: the device reads the descriptor and the buffer. */
	fault_base = iommu_fault_count(0);
	if (!vnet_start_tx(&v))
		return 1;
	vnet_send(&v, ring, 0, IOVA_BUF, len);
	bool sent = wait_for(ring_used, ring);
	CHECK(sent);
	CHECK(iommu_fault_count(0) == fault_base);
	CHECK(!(v.cfg->status & ST_NEEDS_RESET));
	kprintf("iommu: mapped buffer: used ring idx %u, device status %x, faults %lu\n",
	        used_idx(ring), v.cfg->status, iommu_fault_count(0) - fault_base);

	/* 2. The next descriptor at an IOVA nobody mapped: the read is refused
	 * and logged.  QEMU 7.2 then hands the device a bounce buffer that no
	 * guest memory went into, so whether and when the descriptor comes
	 * back is QEMU's business: only the fault is checked. */
	fault_base = iommu_fault_count(0);
	vnet_send(&v, ring, 1, IOVA_WRONG, len);
	fails += expect_fault(sid, IOVA_WRONG, "unmapped buffer");

	/* Quiesce, then unmap (each unmap waits for its invalidation), then
	 * free: the frames come back only after the device cannot reach them. */
	vnet_reset(&v);
	uint64_t pa, t0 = ktime_ns();
	CHECK(iommu_unmap(dom, IOVA_BUF, &pa) == IOPT_OK && pa == buf_pa);
	kprintf("iommu: unmap with a completed IOTLB invalidation took %lu ns\n", ktime_nsec_since(t0));
	CHECK(iommu_unmap(dom, IOVA_BUF, &pa) == IOPT_ERR_UNMAPPED);
	pmm_free(buf_pa);
	CHECK(iommu_domain_destroy(dom) == 1); /* the ring page, still mapped */

	/* 3. No domain: the device is blocked (the ring page is not yet freed,
	 * so a wrongly surviving translation could not hit a reused frame). */
	fault_base = iommu_fault_count(0);
	if (vnet_start_tx(&v)) {
		vnet_send(&v, ring, 0, IOVA_BUF, len);
		fails += expect_fault(sid, IOVA_RING, "no domain");
	}
	vnet_reset(&v);
	pmm_free(ring_pa);

	kprintf("iommu: frames free before %lu after %lu, domains %u, vectors before %u after %u\n",
	        frames_before, pmm_free_count(), iommu_domain_count(), vectors_before,
	        intc_vectors_in_use());
	CHECK(pmm_free_count() == frames_before);
	CHECK(iommu_domain_count() == 0);
	CHECK(intc_vectors_in_use() == vectors_before);
	return fails;
}
