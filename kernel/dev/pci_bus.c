/* PCI enumeration and config access (see pci_bus.h). */
#include "dev/pci_bus.h"

#include "arch/x86_64/io.h"
#include "dev/acpi_tables.h"
#include "log.h"
#include "mem/vmm.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc

static struct pci_device table[PCI_TABLE_MAX];
static unsigned count;
static const struct acpi_ecam *ecam; /* segment 0 window, or NULL */

static uint32_t port_addr(uint8_t b, uint8_t d, uint8_t f, uint16_t off)
{
	return 0x80000000u | (uint32_t)b << 16 | (uint32_t)(d & 31) << 11 | (uint32_t)(f & 7) << 8 |
	       (off & 0xfcu);
}

static uint32_t port_read(void *ctx, uint8_t b, uint8_t d, uint8_t f, uint16_t off)
{
	(void)ctx;
	if (off >= 256)
		return 0xffffffffu;
	outl(CFG_ADDR, port_addr(b, d, f, off));
	return inl(CFG_DATA);
}

static void port_write(void *ctx, uint8_t b, uint8_t d, uint8_t f, uint16_t off, uint32_t v)
{
	(void)ctx;
	if (off >= 256)
		return;
	outl(CFG_ADDR, port_addr(b, d, f, off));
	outl(CFG_DATA, v);
}

/* The function's 4 KiB of ECAM, or NULL when the bus is outside the window. */
static volatile uint32_t *ecam_fn(uint8_t b, uint8_t d, uint8_t f)
{
	if (b < ecam->bus_start || b > ecam->bus_end)
		return 0;
	uint64_t pa = ecam->base + ((uint64_t)(b - ecam->bus_start) << 20) +
	              ((uint64_t)(d & 31) << 15) + ((uint64_t)(f & 7) << 12);
	return phys_to_virt(pa);
}

static uint32_t ecam_read(void *ctx, uint8_t b, uint8_t d, uint8_t f, uint16_t off)
{
	volatile uint32_t *fn = ecam_fn(b, d, f);
	if (!fn || off >= 4096)
		return fn ? 0xffffffffu : port_read(ctx, b, d, f, off);
	return fn[off / 4];
}

static void ecam_write(void *ctx, uint8_t b, uint8_t d, uint8_t f, uint16_t off, uint32_t v)
{
	volatile uint32_t *fn = ecam_fn(b, d, f);
	if (!fn) {
		port_write(ctx, b, d, f, off, v);
		return;
	}
	if (off < 4096)
		fn[off / 4] = v;
}

static const struct pci_cfg_ops port_ops = {.read32 = port_read, .write32 = port_write};
static const struct pci_cfg_ops ecam_ops = {.read32 = ecam_read, .write32 = ecam_write};

const struct pci_cfg_ops *pci_cfg(void) { return ecam ? &ecam_ops : &port_ops; }

static const char *class_name(uint8_t c)
{
	static const char *const names[] = {
		"unclassified",
		"storage",
		"network",
		"display",
		"multimedia",
		"memory",
		"bridge",
		"communication",
		"system",
		"input",
		"docking",
		"processor",
		"serial bus",
	};
	return c < sizeof names / sizeof names[0] ? names[c] : "other";
}

static void log_device(const struct pci_device *d)
{
	static const char pins[] = "-ABCD";
	kprintf("pci: %02x:%02x.%u %04x:%04x class %02x.%02x.%02x (%s)%s, irq pin INT%c line %u%s%s%s\n",
	        d->bus, d->dev, d->fn, d->vendor, d->device, d->class_code, d->subclass, d->prog_if,
	        class_name(d->class_code), d->header_type == 1 ? " bridge" : "",
	        d->irq_pin ? pins[d->irq_pin] : '-', d->irq_line, d->msi_cap ? ", MSI" : "",
	        d->msix_cap ? ", MSI-X" : "", d->pcie_cap ? ", PCIe" : "");
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		const struct pci_bar *b = &d->bars[i];
		if (b->type == PCI_BAR_NONE)
			continue;
		kprintf("pci:   bar%u %s%s %lx size %lx\n", i, pci_bar_type_name(b->type),
		        b->prefetchable ? " prefetchable" : "", b->base, b->size);
	}
	if (d->msix_cap)
		kprintf("pci:   MSI-X %u vectors, table bar%u+%x, PBA bar%u+%x\n", d->msix_table_size,
		        d->msix_table_bar, d->msix_table_off, d->msix_pba_bar, d->msix_pba_off);
	if (d->header_type == 1)
		kprintf("pci:   bridge to buses %u-%u\n", d->secondary_bus, d->subordinate_bus);
	if (d->cap_err != PCI_OK)
		kprintf("pci:   capability list ignored past the error: %s\n", pci_strerror(d->cap_err));
	if (d->bar_err != PCI_OK)
		kprintf("pci:   malformed BAR(s) ignored\n");
}

void pci_bus_init(void)
{
	ecam = 0;
	for (unsigned i = 0; i < acpi.ecam_count; i++) {
		/* The direct map covers the low 4 GiB at least; a window above it
		 * is left alone and the ports are used. */
		uint64_t end = acpi.ecam[i].base + ((uint64_t)(acpi.ecam[i].bus_end -
		                                               acpi.ecam[i].bus_start + 1)
		                                    << 20);
		if (acpi.ecam[i].segment == 0 && end <= (4ull << 30))
			ecam = &acpi.ecam[i];
	}
	unsigned dropped;
	count = pci_enumerate(pci_cfg(), table, PCI_TABLE_MAX, &dropped);
	for (unsigned i = 0; i < count; i++)
		log_device(&table[i]);
	kprintf("pci: %u function(s) via %s\n", count,
	        ecam ? "ECAM" : "legacy config ports 0xcf8/0xcfc");
	if (dropped)
		kprintf("pci: %u function(s) beyond the table's %d entries not recorded\n", dropped,
		        PCI_TABLE_MAX);
}

unsigned pci_device_count(void) { return count; }

const struct pci_device *pci_device_at(unsigned i) { return i < count ? &table[i] : 0; }

const struct pci_device *pci_find_class(uint8_t class_code, uint8_t subclass)
{
	for (unsigned i = 0; i < count; i++)
		if (table[i].class_code == class_code && table[i].subclass == subclass &&
		    table[i].header_type == 0)
			return &table[i];
	return 0;
}

const struct pci_device *pci_find(uint16_t vendor, uint16_t device)
{
	for (unsigned i = 0; i < count; i++)
		if (table[i].vendor == vendor && table[i].device == device)
			return &table[i];
	return 0;
}
