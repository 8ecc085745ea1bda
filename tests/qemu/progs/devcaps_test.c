/*
 * devcaps_test: a small virtio-net test driver on the device capabilities
 * (DeviceMmio, DMAPool, Interrupt, Notification), for the smokes
 * devcaps_iommu (q35 + intel-iommu) and devcaps_noiommu.
 *
 *  1. DeviceMmio.info and its config-space copy; hostile maps refused
 *     (outside the BAR, misaligned, empty, over the MSI-X table, a kernel
 *     hint); the BAR mapped uncached.
 *  2. DMAPool: its device address, mapped, written; hostile unmap/map.
 *  3. Interrupt: hostile binds refused, bound to bit 3 of 'events'.
 *  4. The device brought up with lib/virtio over those mappings; an ARP
 *     request for QEMU's gateway sent while nobody waits: the interrupt is
 *     latched in the Notification (poll finds it) and counted; acked; the
 *     gateway's reply then wakes a Notification.wait.
 *  5. With an IOMMU: a frame whose descriptor carries a device address
 *     outside the pool; the device's read faults (the kernel logs it and
 *     goes on).
 *  6. A second driver for the same device: spawning this service again
 *     (through a copy of the root spawner) is refused while it holds the
 *     device.
 *  7. Exits with the device live: the kernel quiesces it (bus mastering
 *     off, reset) before the pool's frames come back (smoke checks the log).
 */
#include "demo.h"
#include "capos.capnp.h"
#include "device.capnp.h"
#include <capos/capset.h>
#include <capos/device.h>

#include "eth_arp.h"
#include "pci.h"
#include "virtio/virtio.h"
#include "virtio/virtio_net.h"

#define NAME    "devcaps_test"
#define MS      1000000ull
#define QSIZE   16
#define IRQ_BIT 3
#define P       4096ull

static struct capos_ring *r = &capos_rt_ring;
static struct capos_device_info info;

/* ---- the device through the caps ---------------------------------------- */

struct drv {
	volatile uint8_t *bar; /* BAR 4, uncached */
	uint8_t *pool;
	uint64_t pool_dev, pool_size;
	bool lie; /* hand the device an address outside the pool */
};

static uint32_t bar_read(void *ctx, uint8_t bar, uint32_t off, unsigned width)
{
	struct drv *d = ctx;
	(void)bar; /* the layout was checked to be in BAR 4 */
	volatile uint8_t *a = d->bar + off;
	if (width == 1)
		return *a;
	if (width == 2)
		return *(volatile uint16_t *)a;
	return *(volatile uint32_t *)a;
}

static void bar_write(void *ctx, uint8_t bar, uint32_t off, unsigned width, uint32_t v)
{
	struct drv *d = ctx;
	(void)bar;
	volatile uint8_t *a = d->bar + off;
	if (width == 1)
		*a = (uint8_t)v;
	else if (width == 2)
		*(volatile uint16_t *)a = (uint16_t)v;
	else
		*(volatile uint32_t *)a = v;
}

static uint64_t dma_addr(void *ctx, const void *va, uint32_t len)
{
	struct drv *d = ctx;
	const uint8_t *p = va;
	if (p < d->pool || p + len > d->pool + d->pool_size)
		return VIRTIO_DMA_BAD;
	uint64_t a = d->pool_dev + (uint64_t)(p - d->pool);
	return d->lie ? d->pool_dev + d->pool_size + 0x100000 + (a - d->pool_dev) : a;
}

static void barrier(void *ctx)
{
	(void)ctx;
	/* clang-format off */
	__asm__ volatile("mfence" ::: "memory");
	/* clang-format on */
}

/* Config space reads from the copy DeviceMmio.info returned. */
static uint32_t cfg_read32(void *ctx, uint8_t b, uint8_t dv, uint8_t f, uint16_t off)
{
	(void)ctx, (void)b, (void)dv, (void)f;
	uint32_t v = 0;
	if (off <= CAPOS_DEVICE_CONFIG_BYTES - 4)
		memcpy(&v, &info.config[off & ~3u], 4);
	return v;
}

static void cfg_write32(void *ctx, uint8_t b, uint8_t dv, uint8_t f, uint16_t off, uint32_t v)
{
	(void)ctx, (void)b, (void)dv, (void)f, (void)off, (void)v; /* never: config is the kernel's */
}

static uint32_t find(const char *name, uint64_t iface)
{
	const struct capos_capset_entry *e = capos_capset_find(&capos_rt.capset, name, iface);
	DEMO_CHECK(NAME, e != 0, "'%s' in the CapSet\n", name);
	return e ? e->cap_id : 0;
}

static bool invalid(int ret, const struct capos_call_error *e)
{
	return ret != 0 && e->kind == CAPOS_ERROR_EXCEPTION &&
	       e->exception_type == capos_CapException_Type_invalidArgument;
}

#define HOSTILE(what, call)                                                  \
	do {                                                                 \
		struct capos_call_error e_ = {0};                            \
		int r_ = (call);                                             \
		DEMO_CHECK(NAME, invalid(r_, &e_), "%s refused: %s\n", what, \
		           r_ ? e_.message : "accepted!");                   \
	} while (0)

/* ---- steps ---------------------------------------------------------------- */

static volatile uint8_t *mmio_step(uint32_t mmio, uint32_t table)
{
	struct capos_call_error err;
	int ret = capos_device_mmio_info(r, mmio, &info, &err);
	uint32_t id = 0;
	memcpy(&id, info.config, 4);
	DEMO_CHECK(NAME, ret == 0 && info.vendor_id == 0x1af4 && info.device_id == 0x1041,
	           "info: %02x:%02x.%u %04x:%04x class %02x, bar %u size %lx\n", info.bus,
	           info.device, info.function, info.vendor_id, info.device_id, info.class_code,
	           info.bar, (unsigned long)info.bar_size);
	DEMO_CHECK(NAME, id == (0x1041u << 16 | 0x1af4u), "config copy starts with 1af4:1041\n");
	uint64_t size = info.bar_size;
	volatile void *a = 0;
	HOSTILE("map at the BAR's end", capos_device_mmio_map(r, mmio, size, P, 0, &a, &e_));
	HOSTILE("map past the BAR's end", capos_device_mmio_map(r, mmio, 0, size + P, 0, &a, &e_));
	HOSTILE("map of a huge length wrapping", capos_device_mmio_map(r, mmio, P, ~0ull - P + 1, 0, &a, &e_));
	HOSTILE("misaligned map", capos_device_mmio_map(r, mmio, 0x10, P, 0, &a, &e_));
	HOSTILE("empty map", capos_device_mmio_map(r, mmio, 0, 0, 0, &a, &e_));
	HOSTILE("map at a kernel address", capos_device_mmio_map(r, mmio, 0, P, 0xffff800000000000ull, &a, &e_));
	HOSTILE("map of the MSI-X table page", capos_device_mmio_map(r, table, 0, P, 0, &a, &e_));
	HOSTILE("unmap of an address never mapped", capos_device_mmio_unmap(r, mmio, 0x500000000ull, &e_));
	ret = capos_device_mmio_map(r, mmio, 0, size, 0, &a, &err);
	DEMO_CHECK(NAME, ret == 0 && a != 0, "BAR %u mapped uncached (%lx bytes)\n", info.bar,
	           (unsigned long)size);
	return ret == 0 ? a : 0;
}

static bool pool_step(uint32_t pool, struct drv *d)
{
	struct capos_call_error err;
	bool iommu = false;
	int ret = capos_dma_pool_device_address(r, pool, &d->pool_dev, &d->pool_size, &iommu, &err);
	DEMO_CHECK(NAME, ret == 0 && d->pool_size == 128 * 1024,
	           "pool: %lu bytes at device address %s (%s)\n", (unsigned long)d->pool_size,
	           iommu ? "10000000" : "<physical>",
	           iommu ? "an IOVA of its own VT-d domain" : "physical: no IOMMU");
	void *va = 0;
	HOSTILE("pool map at a kernel address", capos_dma_pool_map(r, pool, 0xffff800000000000ull, &va, &e_));
	HOSTILE("pool map at a misaligned hint", capos_dma_pool_map(r, pool, 0x600000123ull, &va, &e_));
	ret = capos_dma_pool_map(r, pool, 0, &va, &err);
	d->pool = va;
	bool zero = ret == 0;
	for (uint64_t i = 0; zero && i < d->pool_size; i += 512)
		zero = d->pool[i] == 0;
	DEMO_CHECK(NAME, ret == 0 && zero, "pool mapped, zeroed\n");
	HOSTILE("pool unmap of another address", capos_dma_pool_unmap(r, pool, (uint64_t)(uintptr_t)va + P, &e_));
	return iommu;
}

static void irq_step(uint32_t irq, uint32_t note, uint32_t mmio)
{
	struct capos_call_error err;
	HOSTILE("bind to a cap id that is not held", capos_interrupt_bind(r, irq, 0x3ff, IRQ_BIT, &e_));
	HOSTILE("bind to a DeviceMmio cap", capos_interrupt_bind(r, irq, mmio, IRQ_BIT, &e_));
	HOSTILE("bind to bit 64", capos_interrupt_bind(r, irq, note, 64, &e_));
	struct capos_interrupt_info ii;
	int ret = capos_interrupt_info(r, irq, &ii, &err);
	DEMO_CHECK(NAME, ret == 0 && ii.msix && ii.entry == 0, "interrupt: MSI-X entry %u\n", ii.entry);
	ret = capos_interrupt_bind(r, irq, note, IRQ_BIT, &err);
	DEMO_CHECK(NAME, ret == 0, "interrupt bound to bit %u of 'events'\n", IRQ_BIT);
}

/* Sends the ARP request; returns after the device used it (polled,
 * nobody waiting on the Notification meanwhile). */
static bool send_arp(struct vnet *n, uint32_t note)
{
	uint8_t frame[64];
	size_t len = arp_build_request(frame, sizeof frame, n->mac, IPV4(10, 0, 2, 15), IPV4(10, 0, 2, 2));
	const void *frames[1] = {frame};
	uint32_t lens[1] = {(uint32_t)len};
	if (vnet_send_batch(n, frames, lens, 1) != 1)
		return false;
	for (unsigned i = 0; i < 2000 && n->c.tx_frames == 0; i++) {
		vnet_reclaim_tx(n);
		uint64_t bits = 0;
		capos_notification_poll(r, note, 1ull << 60, &bits, 0); /* a kernel entry, no wait */
		demo_spin(20000);
	}
	return n->c.tx_frames == 1;
}

static void traffic_step(struct drv *d, uint32_t irq, uint32_t note)
{
	static struct vnet n;
	static const struct virtio_ops ops = {0, bar_read, bar_write, dma_addr, barrier};
	struct virtio_ops o = ops;
	o.ctx = d;
	static struct virtio_ops live;
	live = o;
	struct pci_cfg_ops cfg = {0, cfg_read32, cfg_write32};
	struct pci_device pd = {.vendor = info.vendor_id, .device = info.device_id};
	pd.bars[info.bar] = (struct pci_bar){info.bar_is64 ? PCI_BAR_MEM64 : PCI_BAR_MEM32,
	                                     info.bar_prefetchable, 0, info.bar_size};
	struct virtio_pci_layout l;
	int ret = virtio_pci_parse(&cfg, &pd, &l);
	DEMO_CHECK(NAME, ret == 0 && l.common.bar == info.bar && l.notify.bar == info.bar,
	           "virtio layout from the config copy: all in bar %u\n", info.bar);
	if (ret)
		return;
	ret = vnet_start(&n, &live, &l, d->pool, d->pool_size, QSIZE, 0);
	DEMO_CHECK(NAME, ret == 0, "virtio-net up: mac %02x:%02x:%02x:%02x:%02x:%02x\n", n.mac[0],
	           n.mac[1], n.mac[2], n.mac[3], n.mac[4], n.mac[5]);
	if (ret)
		return;
	virtq_enable_interrupts(&n.tx);
	virtq_enable_interrupts(&n.rx);
	struct capos_call_error err;
	DEMO_CHECK(NAME, send_arp(&n, note), "ARP request sent and used by the device, nobody waiting\n");
	uint64_t bits = 0;
	ret = capos_notification_poll(r, note, 1u << IRQ_BIT, &bits, &err);
	struct capos_interrupt_info ii = {0};
	capos_interrupt_info(r, irq, &ii, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == 1u << IRQ_BIT && ii.delivered >= 1,
	           "the interrupt was latched in the Notification (poll: %lx) and counted\n",
	           (unsigned long)bits);
	/* The reply: sleep in Notification.wait until the interrupt. */
	bool got = false;
	for (unsigned tries = 0; tries < 20 && !got; tries++) {
		capos_interrupt_ack(r, irq, &err);
		uint8_t frame[VNET_FRAME_MAX];
		uint32_t len = 0;
		while (!got && vnet_receive(&n, frame, sizeof frame, &len) == 0) {
			struct arp_packet a;
			got = arp_parse_reply(frame, len, &a) == ARP_OK && a.sender_ip == IPV4(10, 0, 2, 2);
			if (got)
				capos_printf("[%s] gateway 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n",
				             demo_name(NAME), a.sender_mac[0], a.sender_mac[1],
				             a.sender_mac[2], a.sender_mac[3], a.sender_mac[4],
				             a.sender_mac[5]);
		}
		if (!got && virtq_enable_interrupts(&n.rx))
			capos_notification_wait(r, note, 1u << IRQ_BIT, 250 * MS, &bits, &err);
	}
	DEMO_CHECK(NAME, got, "ARP reply received after sleeping in Notification.wait\n");
	if (!d->pool_dev || d->pool_dev != 0x10000000) {
		capos_printf("[%s] no IOMMU: the wrong-address test needs VT-d\n", demo_name(NAME));
		return;
	}
	/* A descriptor the device must read from outside the pool. */
	d->lie = true;
	uint8_t frame[64];
	size_t len = arp_build_request(frame, sizeof frame, n.mac, IPV4(10, 0, 2, 15), IPV4(10, 0, 2, 2));
	const void *frames[1] = {frame};
	uint32_t lens[1] = {(uint32_t)len};
	ret = vnet_send_batch(&n, frames, lens, 1);
	d->lie = false;
	DEMO_CHECK(NAME, ret == 1, "frame queued at a device address 1 MiB past the pool's end "
	                           "(%lx and up)\n",
	           (unsigned long)(d->pool_dev + d->pool_size + 0x100000));
	capos_notification_wait(r, note, 1u << IRQ_BIT, 200 * MS, &bits, &err);
	capos_printf("[%s] leaving the device live: the kernel must quiesce it\n", demo_name(NAME));
}

/* Spawns a second instance of this service: the kernel must refuse to
 * make it the device's caps while this one holds them. */
static void second_driver_step(uint32_t spawner)
{
	static uint64_t params[16], result[64];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, NAME, strlen(NAME));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, NAME, strlen(NAME));
	capos_ProcessSpawner_spawn_Params_init_grants(p, 0);
	capnp_builder_finish(&b, &len);
	/* clang-format off */
	struct capos_call c = {.cap_id = spawner, .method_id = capos_ProcessSpawner_spawn_METHOD,
	                       .params = params, .params_len = (uint32_t)len,
	                       .result = result, .result_cap = sizeof result};
	/* clang-format on */
	struct capos_reply reply;
	struct capos_call_error err;
	int ret = capos_call(r, &c, &reply, &err);
	DEMO_CHECK(NAME, ret != 0 && err.kind == CAPOS_ERROR_EXCEPTION,
	           "a second driver for the device refused: %s\n", ret ? err.message : "spawned!");
}

int main(void)
{
	uint32_t note = find("events", device_Notification_ID);
	uint32_t mmio = find("mmio", device_DeviceMmio_ID);
	uint32_t table = find("mmio_table", device_DeviceMmio_ID);
	uint32_t irq = find("irq", device_Interrupt_ID);
	uint32_t pool = find("dma", device_DMAPool_ID);
	if (!note || !mmio || !table || !irq || !pool)
		return demo_finish(NAME);
	struct drv d = {0};
	d.bar = mmio_step(mmio, table);
	pool_step(pool, &d);
	irq_step(irq, note, mmio);
	const struct capos_capset_entry *sp =
		capos_capset_find(&capos_rt.capset, "spawner", capos_ProcessSpawner_ID);
	if (sp)
		second_driver_step(sp->cap_id);
	if (d.bar && d.pool)
		traffic_step(&d, irq, note);
	return demo_finish(NAME);
}
