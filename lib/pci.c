/* PCI config-space decoding and enumeration (see pci.h). */
#include "pci.h"

#include "kstring.h"

#define HDR_TYPE_MASK     0x7fu
#define HDR_MULTIFUNCTION 0x80u
#define CARDBUS_CAP_PTR   0x14
#define MSI_CTRL_ENABLE   0x1u
#define MSI_CTRL_MME      0x70u
#define MSI_CTRL_64BIT    0x80u
#define MSI_CTRL_MASKING  0x100u
#define MSIX_CTRL_ENABLE  0x8000u
#define MSIX_CTRL_MASKALL 0x4000u

uint8_t pci_read8(const struct pci_cfg_ops *ops, uint8_t b, uint8_t d, uint8_t f, uint16_t off)
{
	return (uint8_t)(ops->read32(ops->ctx, b, d, f, off & ~3u) >> ((off & 3u) * 8));
}

uint16_t pci_read16(const struct pci_cfg_ops *ops, uint8_t b, uint8_t d, uint8_t f, uint16_t off)
{
	return (uint16_t)(ops->read32(ops->ctx, b, d, f, off & ~3u) >> ((off & 2u) * 8));
}

const char *pci_bar_type_name(enum pci_bar_type t)
{
	switch (t) {
	case PCI_BAR_IO: return "io";
	case PCI_BAR_MEM32: return "mem32";
	case PCI_BAR_MEM64: return "mem64";
	case PCI_BAR_NONE: break;
	}
	return "none";
}

const char *pci_strerror(int err)
{
	switch (err) {
	case PCI_OK: return "ok";
	case PCI_ERR_ABSENT: return "no function";
	case PCI_ERR_MALFORMED: return "malformed register";
	case PCI_ERR_CAP_LOOP: return "capability list loops";
	case PCI_ERR_CAP_POINTER: return "capability pointer into the header";
	case PCI_ERR_FULL: return "table full";
	}
	return "unknown error";
}

/* Writes all-ones to a BAR register and returns what sticks, restoring it. */
static uint32_t bar_mask(const struct pci_cfg_ops *ops, const struct pci_device *d, uint16_t off)
{
	uint32_t orig = ops->read32(ops->ctx, d->bus, d->dev, d->fn, off);
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, off, 0xffffffffu);
	uint32_t m = ops->read32(ops->ctx, d->bus, d->dev, d->fn, off);
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, off, orig);
	return m;
}

/* Decodes BAR i; returns how many BAR registers it used (1 or 2), 0 if malformed. */
static unsigned probe_bar(const struct pci_cfg_ops *ops, struct pci_device *d, unsigned i,
                          unsigned nbars)
{
	uint16_t off = (uint16_t)(PCI_BAR0 + 4 * i);
	struct pci_bar *bar = &d->bars[i];
	uint32_t lo = ops->read32(ops->ctx, d->bus, d->dev, d->fn, off);
	uint32_t mlo = bar_mask(ops, d, off);
	if (lo & 1u) {
		uint32_t m = mlo & ~3u;
		if (m == 0)
			return 1;
		*bar = (struct pci_bar){.type = PCI_BAR_IO, .base = lo & ~3u, .size = m & -m};
		return 1;
	}
	unsigned kind = (lo >> 1) & 3u;
	if (kind == 3)
		return 0; /* reserved encoding */
	uint64_t base = lo & ~0xfu, mask = mlo & ~0xfu;
	unsigned used = 1;
	if (kind == 2) {
		if (i + 1 >= nbars)
			return 0; /* a 64-bit BAR needs the next register */
		uint16_t hoff = (uint16_t)(off + 4);
		base |= (uint64_t)ops->read32(ops->ctx, d->bus, d->dev, d->fn, hoff) << 32;
		mask |= (uint64_t)bar_mask(ops, d, hoff) << 32;
		used = 2;
	}
	if (mask == 0)
		return used;
	*bar = (struct pci_bar){.type = kind == 2 ? PCI_BAR_MEM64 : PCI_BAR_MEM32,
	                        .prefetchable = (lo & 8u) != 0,
	                        .base = base,
	                        .size = mask & -mask};
	return used;
}

int pci_probe_bars(const struct pci_cfg_ops *ops, struct pci_device *d)
{
	/* clang-format off */
	unsigned nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	/* clang-format on */
	memset(d->bars, 0, sizeof d->bars);
	d->bar_err = PCI_OK;
	if (nbars == 0)
		return PCI_OK;
	/* Decoding off while the BARs hold all-ones, so nothing answers there. */
	uint16_t cmd = pci_read16(ops, d->bus, d->dev, d->fn, PCI_COMMAND);
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, PCI_COMMAND,
	             cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < nbars;) {
		unsigned used = probe_bar(ops, d, i, nbars);
		if (used == 0) {
			d->bar_err = PCI_ERR_MALFORMED;
			memset(&d->bars[i], 0, sizeof d->bars[i]);
			used = 1;
		}
		i += used;
	}
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, PCI_COMMAND, cmd);
	return d->bar_err;
}

static void record_cap(const struct pci_cfg_ops *ops, struct pci_device *d, uint8_t id,
                       uint8_t at)
{
	if (id == PCI_CAP_MSI && !d->msi_cap) {
		d->msi_cap = at;
	} else if (id == PCI_CAP_PCIE && !d->pcie_cap) {
		d->pcie_cap = at;
	} else if (id == PCI_CAP_MSIX && !d->msix_cap) {
		uint16_t ctrl = pci_read16(ops, d->bus, d->dev, d->fn, (uint16_t)(at + 2));
		uint32_t table = ops->read32(ops->ctx, d->bus, d->dev, d->fn, (uint16_t)(at + 4));
		uint32_t pba = ops->read32(ops->ctx, d->bus, d->dev, d->fn, (uint16_t)(at + 8));
		if ((table & 7u) >= PCI_MAX_BARS || (pba & 7u) >= PCI_MAX_BARS) {
			d->cap_err = PCI_ERR_MALFORMED;
			return;
		}
		d->msix_cap = at;
		d->msix_table_size = (uint16_t)((ctrl & 0x7ffu) + 1);
		d->msix_table_bar = table & 7u;
		d->msix_table_off = table & ~7u;
		d->msix_pba_bar = pba & 7u;
		d->msix_pba_off = pba & ~7u;
	}
}

int pci_each_cap(const struct pci_cfg_ops *ops, const struct pci_device *d,
                 void (*fn)(void *arg, uint8_t id, uint8_t at), void *arg)
{
	if (!(pci_read16(ops, d->bus, d->dev, d->fn, PCI_STATUS) & PCI_STATUS_CAPS))
		return PCI_OK;
	uint16_t head = d->header_type == 2 ? CARDBUS_CAP_PTR : PCI_CAP_PTR;
	uint8_t at = pci_read8(ops, d->bus, d->dev, d->fn, head) & 0xfcu;
	uint64_t seen = 0; /* one bit per dword of the 256-byte space */
	while (at) {
		if (at < 0x40)
			return PCI_ERR_CAP_POINTER;
		if (seen & (1ull << (at >> 2)))
			return PCI_ERR_CAP_LOOP;
		seen |= 1ull << (at >> 2);
		uint16_t hdr = pci_read16(ops, d->bus, d->dev, d->fn, at);
		fn(arg, (uint8_t)hdr, at);
		at = (uint8_t)(hdr >> 8) & 0xfcu;
	}
	return PCI_OK;
}

struct walk_ctx {
	const struct pci_cfg_ops *ops;
	struct pci_device *d;
};

static void record_cap_cb(void *arg, uint8_t id, uint8_t at)
{
	struct walk_ctx *w = arg;
	record_cap(w->ops, w->d, id, at);
}

int pci_walk_caps(const struct pci_cfg_ops *ops, struct pci_device *d)
{
	d->msi_cap = d->msix_cap = d->pcie_cap = 0;
	d->cap_err = PCI_OK;
	struct walk_ctx w = {ops, d};
	int err = pci_each_cap(ops, d, record_cap_cb, &w);
	if (err != PCI_OK)
		d->cap_err = err;
	return d->cap_err;
}

int pci_read_function(const struct pci_cfg_ops *ops, uint8_t bus, uint8_t dev, uint8_t fn,
                      struct pci_device *d)
{
	memset(d, 0, sizeof *d);
	uint32_t id = ops->read32(ops->ctx, bus, dev, fn, PCI_VENDOR_ID);
	if ((id & 0xffffu) == PCI_VENDOR_NONE || (id & 0xffffu) == 0)
		return PCI_ERR_ABSENT;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	uint32_t cr = ops->read32(ops->ctx, bus, dev, fn, PCI_CLASS_REV);
	d->revision = (uint8_t)cr;
	d->prog_if = (uint8_t)(cr >> 8);
	d->subclass = (uint8_t)(cr >> 16);
	d->class_code = (uint8_t)(cr >> 24);
	uint8_t ht = pci_read8(ops, bus, dev, fn, PCI_HEADER_TYPE);
	d->header_type = ht & HDR_TYPE_MASK;
	d->multifunction = (ht & HDR_MULTIFUNCTION) != 0;
	if (d->header_type > 2) {
		d->bar_err = PCI_ERR_MALFORMED; /* unknown layout: identity only */
		return PCI_OK;
	}
	uint16_t irq = pci_read16(ops, bus, dev, fn, PCI_INTERRUPT);
	d->irq_line = (uint8_t)irq;
	d->irq_pin = (uint8_t)(irq >> 8) <= 4 ? (uint8_t)(irq >> 8) : 0;
	if (d->header_type == 1) {
		uint32_t buses = ops->read32(ops->ctx, bus, dev, fn, PCI_BUS_NUMBERS);
		d->secondary_bus = (uint8_t)(buses >> 8);
		d->subordinate_bus = (uint8_t)(buses >> 16);
	}
	pci_probe_bars(ops, d);
	pci_walk_caps(ops, d);
	return PCI_OK;
}

unsigned pci_enumerate(const struct pci_cfg_ops *ops, struct pci_device *out, unsigned max,
                       unsigned *dropped)
{
	bool queued[256] = {false};
	uint8_t queue[256];
	unsigned head = 0, tail = 0, found = 0;
	*dropped = 0;
	queue[tail++] = 0;
	queued[0] = true;
	while (head < tail) {
		uint8_t bus = queue[head++];
		for (unsigned dev = 0; dev < 32; dev++) {
			struct pci_device d;
			unsigned nfn = 1;
			for (unsigned fn = 0; fn < nfn; fn++) {
				if (pci_read_function(ops, bus, (uint8_t)dev, (uint8_t)fn, &d) != PCI_OK)
					continue;
				if (fn == 0 && d.multifunction)
					nfn = 8;
				if (d.header_type == 1 && d.secondary_bus > bus && !queued[d.secondary_bus]) {
					queued[d.secondary_bus] = true;
					queue[tail++] = d.secondary_bus;
				}
				if (found < max)
					out[found++] = d;
				else
					(*dropped)++;
			}
		}
	}
	return found;
}

int pci_msi_enable(const struct pci_cfg_ops *ops, const struct pci_device *d, uint64_t addr,
                   uint32_t data)
{
	if (!d->msi_cap)
		return PCI_ERR_ABSENT;
	uint8_t at = d->msi_cap;
	uint32_t hdr = ops->read32(ops->ctx, d->bus, d->dev, d->fn, at);
	uint16_t ctrl = (uint16_t)(hdr >> 16);
	bool is64 = (ctrl & MSI_CTRL_64BIT) != 0;
	if ((!is64 && (addr >> 32)) || (addr & 3u) || data > 0xffffu)
		return PCI_ERR_MALFORMED;
	uint16_t data_off = is64 ? 0xc : 0x8;
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, (uint16_t)(at + 4), (uint32_t)addr);
	if (is64)
		ops->write32(ops->ctx, d->bus, d->dev, d->fn, (uint16_t)(at + 8), (uint32_t)(addr >> 32));
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, (uint16_t)(at + data_off), data);
	if (ctrl & MSI_CTRL_MASKING)
		ops->write32(ops->ctx, d->bus, d->dev, d->fn, (uint16_t)(at + data_off + 4), 0);
	ctrl = (uint16_t)((ctrl & ~MSI_CTRL_MME) | MSI_CTRL_ENABLE);
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, at, (hdr & 0xffffu) | (uint32_t)ctrl << 16);
	return PCI_OK;
}

int pci_msix_set_enable(const struct pci_cfg_ops *ops, const struct pci_device *d, bool on)
{
	if (!d->msix_cap)
		return PCI_ERR_ABSENT;
	uint32_t hdr = ops->read32(ops->ctx, d->bus, d->dev, d->fn, d->msix_cap);
	uint32_t ctrl = hdr >> 16;
	ctrl = on ? (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL : ctrl & ~MSIX_CTRL_ENABLE;
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, d->msix_cap, (hdr & 0xffffu) | ctrl << 16);
	return PCI_OK;
}
