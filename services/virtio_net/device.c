/*
 * Device bring-up from the device caps: the BAR through DeviceMmio
 * (volatile, uncached), buffers in the DMAPool (device address = pool
 * base + offset), config space only as the read-only copy DeviceMmio.info
 * gives, parsed by lib/virtio/virtio_pci.c.
 */
#include <capos/device.h>
#include <capos/rt.h>

#include "device.capnp.h"
#include "vnet_svc.h"

/* ---- virtio_ops over the mapped BAR and pool ---- */

static uint32_t bar_read(void *ctx, uint8_t bar, uint32_t off, unsigned width)
{
	struct vnet_svc *s = ctx;
	if (bar != s->bar_index || (uint64_t)off + width > s->bar_size)
		return 0xffffffffu; /* the parser keeps every region inside the BAR */
	volatile uint8_t *p = s->bar + off;
	switch (width) {
	case 1: return *p;
	case 2: return *(volatile uint16_t *)p;
	default: return *(volatile uint32_t *)p;
	}
}

static void bar_write(void *ctx, uint8_t bar, uint32_t off, unsigned width, uint32_t v)
{
	struct vnet_svc *s = ctx;
	if (bar != s->bar_index || (uint64_t)off + width > s->bar_size)
		return;
	volatile uint8_t *p = s->bar + off;
	switch (width) {
	case 1: *p = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)p = (uint16_t)v; break;
	default: *(volatile uint32_t *)p = v; break;
	}
}

static uint64_t dma_addr(void *ctx, const void *va, uint32_t len)
{
	struct vnet_svc *s = ctx;
	uintptr_t a = (uintptr_t)va, base = (uintptr_t)s->pool_va;
	if (a < base || a - base > s->pool_size || len > s->pool_size - (a - base))
		return VIRTIO_DMA_BAD;
	return s->pool_dev + (a - base);
}

static void barrier(void *ctx)
{
	(void)ctx;
	/* clang-format off */
	__asm__ volatile("mfence" ::: "memory");
	/* clang-format on */
}

/* ---- config space: the copy DeviceMmio.info returned ---- */

struct cfg_copy {
	const uint8_t *bytes;
};

static uint32_t cfg_read32(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	(void)bus, (void)dev, (void)fn;
	const struct cfg_copy *c = ctx;
	if (off > CAPOS_DEVICE_CONFIG_BYTES - 4 || (off & 3))
		return 0xffffffffu;
	const uint8_t *p = c->bytes + off;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void cfg_write32(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	(void)ctx, (void)bus, (void)dev, (void)fn, (void)off, (void)v; /* the kernel owns config */
}

static int find_cap(struct vnet_svc *s, const char *name, uint64_t iface, uint32_t *id)
{
	const struct capos_capset_entry *e = capos_capset_find(&capos_rt.capset, name, iface);
	if (e == NULL) {
		capos_printf("[%s] no '%s' capability of the right kind in my CapSet\n", s->name, name);
		return -1;
	}
	*id = e->cap_id;
	return 0;
}

static int fail(struct vnet_svc *s, const char *what, const struct capos_call_error *err)
{
	char text[160];
	capos_error_format(err, text, sizeof text);
	capos_printf("[%s] %s: %s\n", s->name, what, text);
	return -1;
}

/* The granted function as lib/pci sees it: only the granted BAR exists. */
static int parse_layout(struct vnet_svc *s, const struct capos_device_info *info,
                        struct virtio_pci_layout *layout)
{
	/* clang-format off */
	struct cfg_copy copy = { info->config };
	struct pci_cfg_ops ops = { &copy, cfg_read32, cfg_write32 };
	struct pci_device d = { .bus = info->bus, .dev = info->device, .fn = info->function,
	                        .vendor = info->vendor_id, .device = info->device_id,
	                        .class_code = info->class_code, .subclass = info->subclass };
	d.bars[info->bar] = (struct pci_bar){ info->bar_is64 ? PCI_BAR_MEM64 : PCI_BAR_MEM32,
	                                      info->bar_prefetchable, 0, info->bar_size };
	/* clang-format on */
	int err = virtio_pci_parse(&ops, &d, layout);
	if (err)
		capos_printf("[%s] virtio capabilities refused: %s\n", s->name, virtio_strerror(err));
	return err;
}

static int map_caps(struct vnet_svc *s, struct capos_device_info *info)
{
	struct capos_call_error err;
	if (capos_device_mmio_info(&capos_rt_ring, s->mmio, info, &err))
		return fail(s, "DeviceMmio.info", &err);
	capos_printf("[%s] device %02x:%02x.%x %04x:%04x, BAR%u %lu KiB\n", s->name, info->bus,
	             info->device, info->function, info->vendor_id, info->device_id, info->bar,
	             (unsigned long)(info->bar_size / 1024));
	s->bar_index = info->bar;
	s->bar_size = info->bar_size;
	volatile void *bar;
	if (capos_device_mmio_map(&capos_rt_ring, s->mmio, 0, info->bar_size, 0, &bar, &err))
		return fail(s, "DeviceMmio.map", &err);
	s->bar = (volatile uint8_t *)bar;
	if (capos_dma_pool_device_address(&capos_rt_ring, s->pool, &s->pool_dev, &s->pool_size,
	                                  &s->iommu, &err))
		return fail(s, "DMAPool.deviceAddress", &err);
	void *va;
	if (capos_dma_pool_map(&capos_rt_ring, s->pool, 0, &va, &err))
		return fail(s, "DMAPool.map", &err);
	s->pool_va = va;
	capos_printf("[%s] DMA pool %lu KiB at device address %#lx (%s)\n", s->name,
	             (unsigned long)(s->pool_size / 1024), (unsigned long)s->pool_dev,
	             s->iommu ? "IOMMU domain" : "physical, no IOMMU");
	return 0;
}

static int bind_interrupt(struct vnet_svc *s)
{
	struct capos_call_error err;
	if (capos_interrupt_bind(&capos_rt_ring, s->irq, s->note, VNET_SVC_IRQ_BIT, &err))
		return fail(s, "Interrupt.bind", &err);
	return 0;
}

int vnet_svc_start(struct vnet_svc *s)
{
	if (find_cap(s, "mmio", device_DeviceMmio_ID, &s->mmio) ||
	    find_cap(s, "dma", device_DMAPool_ID, &s->pool) ||
	    find_cap(s, "irq", device_Interrupt_ID, &s->irq) ||
	    find_cap(s, "events", device_Notification_ID, &s->note))
		return -1;
	static struct capos_device_info info;
	if (map_caps(s, &info))
		return -1;
	struct virtio_pci_layout layout;
	if (parse_layout(s, &info, &layout))
		return -1;
	if (vnet_pool_size(VNET_SVC_QSIZE) > s->pool_size) {
		capos_printf("[%s] DMA pool too small: %lu bytes, queues of %u need %lu\n", s->name,
		             (unsigned long)s->pool_size, VNET_SVC_QSIZE,
		             (unsigned long)vnet_pool_size(VNET_SVC_QSIZE));
		return -1;
	}
	if (bind_interrupt(s))
		return -1;
	s->ops = (struct virtio_ops){s, bar_read, bar_write, dma_addr, barrier};
	int err = vnet_start(&s->vn, &s->ops, &layout, s->pool_va, s->pool_size, VNET_SVC_QSIZE,
	                     VNET_SVC_MSIX_ENTRY);
	if (err) {
		capos_printf("[%s] device start failed: %s\n", s->name, virtio_strerror(err));
		return -1;
	}
	const uint8_t *m = s->vn.mac;
	capos_printf("[%s] features offered %#lx, negotiated %#lx\n", s->name,
	             (unsigned long)s->vn.dev.offered, (unsigned long)s->vn.dev.features);
	capos_printf("[%s] MAC %02x:%02x:%02x:%02x:%02x:%02x\n", s->name, m[0], m[1], m[2], m[3],
	             m[4], m[5]);
	capos_printf("[%s] link %s, %u RX buffers posted, interrupts on MSI-X entry %u\n", s->name,
	             vnet_link_up(&s->vn) ? "up" : "down", (unsigned)s->vn.rx.in_flight,
	             VNET_SVC_MSIX_ENTRY);
	nic_core_init(&s->core, &s->vn);
	return 0;
}

int vnet_svc_stop(struct vnet_svc *s)
{
	int err = vnet_stop(&s->vn);
	bool ok = err == 0 && vnet_accounted(&s->vn);
	capos_printf("[%s] device reset, %s\n", s->name,
	             ok ? "every buffer back" : "buffers NOT all back (device did not reset)");
	return ok ? 0 : -1;
}
