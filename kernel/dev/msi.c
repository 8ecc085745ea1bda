/* MSI / MSI-X routing (see msi.h). */
#include "dev/msi.h"

#include "arch/x86_64/intc.h"
#include "dev/pci_bus.h"
#include "log.h"
#include "mem/vmm.h"

#define MSIX_ENTRY_SIZE  16
#define MSIX_CTRL_MASKED 1u
#define LOW_4G           (4ull << 30)

const char *msi_strerror(int err)
{
	switch (err) {
	case MSI_ERR_NO_CAP: return "no MSI/MSI-X capability";
	case MSI_ERR_BAD_ENTRY: return "MSI-X entry beyond the table";
	case MSI_ERR_BAD_TABLE: return "MSI-X table outside a mapped memory BAR";
	case MSI_ERR_NO_VECTOR: return "no free interrupt vector";
	case MSI_ERR_NO_APIC: return "no local APIC in use (8259 PIC mode)";
	}
	return "unknown error";
}

/* Sets bits in the command register (the status half is written as 0,
 * which leaves its write-1-to-clear bits alone). */
static void command_set(const struct pci_device *d, uint16_t bits)
{
	const struct pci_cfg_ops *ops = pci_cfg();
	uint16_t cmd = pci_read16(ops, d->bus, d->dev, d->fn, PCI_COMMAND);
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, PCI_COMMAND, (uint16_t)(cmd | bits));
}

/* The entry's words in the direct map, NULL unless the whole entry lies in
 * a memory BAR below 4 GiB. */
static volatile uint32_t *msix_entry(const struct pci_device *d, unsigned entry)
{
	const struct pci_bar *bar = &d->bars[d->msix_table_bar];
	if (bar->type != PCI_BAR_MEM32 && bar->type != PCI_BAR_MEM64)
		return 0;
	uint64_t off = d->msix_table_off + (uint64_t)entry * MSIX_ENTRY_SIZE;
	if (off + MSIX_ENTRY_SIZE > bar->size || bar->base + bar->size > LOW_4G)
		return 0;
	return phys_to_virt(bar->base + off);
}

bool msix_read_entry(const struct pci_device *d, unsigned entry, uint32_t out[4])
{
	volatile uint32_t *e = d->msix_cap && entry < d->msix_table_size ? msix_entry(d, entry) : 0;
	if (!e)
		return false;
	for (int i = 0; i < 4; i++)
		out[i] = e[i];
	return true;
}

int msix_route(const struct pci_device *d, unsigned entry, irq_handler_fn fn, const char *who)
{
	if (!d->msix_cap)
		return MSI_ERR_NO_CAP;
	if (!intc_apic_mode())
		return MSI_ERR_NO_APIC;
	if (entry >= d->msix_table_size)
		return MSI_ERR_BAD_ENTRY;
	volatile uint32_t *e = msix_entry(d, entry);
	if (!e)
		return MSI_ERR_BAD_TABLE;
	int vector = intc_vector_alloc(fn, who);
	if (vector < 0)
		return MSI_ERR_NO_VECTOR;
	command_set(d, PCI_CMD_MEM | PCI_CMD_INTX_OFF);
	uint64_t addr = intc_msi_address();
	e[3] = MSIX_CTRL_MASKED; /* masked while the address and data change */
	e[0] = (uint32_t)addr;
	e[1] = (uint32_t)(addr >> 32);
	e[2] = (uint32_t)vector; /* fixed delivery, edge */
	e[3] = 0;
	pci_msix_set_enable(pci_cfg(), d, true);
	kprintf("msi: %02x:%02x.%u MSI-X entry %u -> vector %d (%s)\n", d->bus, d->dev, d->fn, entry,
	        vector, who);
	return vector;
}

void msix_unroute(const struct pci_device *d, unsigned entry, int vector)
{
	volatile uint32_t *e = d->msix_cap && entry < d->msix_table_size ? msix_entry(d, entry) : 0;
	if (e)
		e[3] = MSIX_CTRL_MASKED;
	intc_vector_free(vector);
	kprintf("msi: %02x:%02x.%u MSI-X entry %u masked, vector %d released\n", d->bus, d->dev,
	        d->fn, entry, vector);
}

void msix_set_masked(const struct pci_device *d, unsigned entry, bool masked)
{
	volatile uint32_t *e = d->msix_cap && entry < d->msix_table_size ? msix_entry(d, entry) : 0;
	if (e)
		e[3] = masked ? MSIX_CTRL_MASKED : 0;
}

int msi_route(const struct pci_device *d, irq_handler_fn fn, const char *who)
{
	if (!d->msi_cap)
		return MSI_ERR_NO_CAP;
	if (!intc_apic_mode())
		return MSI_ERR_NO_APIC;
	int vector = intc_vector_alloc(fn, who);
	if (vector < 0)
		return MSI_ERR_NO_VECTOR;
	command_set(d, PCI_CMD_INTX_OFF);
	if (pci_msi_enable(pci_cfg(), d, intc_msi_address(), (uint32_t)vector) != PCI_OK) {
		intc_vector_free(vector);
		return MSI_ERR_NO_CAP;
	}
	kprintf("msi: %02x:%02x.%u MSI -> vector %d (%s)\n", d->bus, d->dev, d->fn, vector, who);
	return vector;
}

void msi_unroute(const struct pci_device *d, int vector)
{
	if (d->msi_cap) {
		const struct pci_cfg_ops *ops = pci_cfg();
		uint32_t hdr = ops->read32(ops->ctx, d->bus, d->dev, d->fn, d->msi_cap);
		ops->write32(ops->ctx, d->bus, d->dev, d->fn, d->msi_cap, hdr & ~(1u << 16));
	}
	intc_vector_free(vector);
}
