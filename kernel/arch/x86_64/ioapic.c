/* I/O APIC redirection tables (see ioapic.h). */
#include "arch/x86_64/ioapic.h"

#include "arch/x86_64/trap.h"
#include "dev/acpi_tables.h"
#include "log.h"
#include "mem/vmm.h"

#define REG_ID         0x00
#define REG_VERSION    0x01
#define REG_REDIR      0x10
#define RTE_MASKED     (1u << 16)
#define RTE_LEVEL      (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)
#define ISA_IRQS       16

struct ioapic {
	volatile uint32_t *mmio;
	uint32_t gsi_base;
	unsigned pins;
};

static struct ioapic chips[ACPI_MAX_IOAPICS];
static unsigned chip_count;
static uint32_t isa_gsi[ISA_IRQS];
static uint32_t isa_low[ISA_IRQS]; /* redirection entry, low word, unmasked */

static uint32_t rd(const struct ioapic *c, uint32_t reg)
{
	c->mmio[0] = reg;
	return c->mmio[4];
}

static void wr(const struct ioapic *c, uint32_t reg, uint32_t v)
{
	c->mmio[0] = reg;
	c->mmio[4] = v;
}

static const struct ioapic *chip_of(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; i < chip_count; i++) {
		if (gsi >= chips[i].gsi_base && gsi - chips[i].gsi_base < chips[i].pins) {
			*pin = gsi - chips[i].gsi_base;
			return &chips[i];
		}
	}
	return 0;
}

static void set_entry(uint32_t gsi, uint32_t low, uint8_t dest)
{
	unsigned pin;
	const struct ioapic *c = chip_of(gsi, &pin);
	if (!c)
		return;
	wr(c, REG_REDIR + 2 * pin + 1, (uint32_t)dest << 24);
	wr(c, REG_REDIR + 2 * pin, low);
}

/* Flags are the MADT's MPS INTI bits; 0 means the bus default (ISA: edge, high). */
static uint32_t isa_entry(unsigned irq, uint16_t flags)
{
	uint32_t low = IRQ_BASE + irq;
	if ((flags & 3u) == 3u)
		low |= RTE_ACTIVE_LOW;
	if (((flags >> 2) & 3u) == 3u)
		low |= RTE_LEVEL;
	return low;
}

bool ioapic_init(uint8_t dest)
{
	for (unsigned i = 0; i < acpi.ioapic_count; i++) {
		uint32_t addr = acpi.ioapics[i].addr;
		struct ioapic *c = &chips[chip_count];
		c->mmio = phys_to_virt(addr);
		c->gsi_base = acpi.ioapics[i].gsi_base;
		c->pins = ((rd(c, REG_VERSION) >> 16) & 0xffu) + 1;
		for (unsigned p = 0; p < c->pins; p++)
			wr(c, REG_REDIR + 2 * p, RTE_MASKED);
		kprintf("ioapic: id %u at %x: %u pins, GSI %u-%u, all masked\n", acpi.ioapics[i].id,
		        addr, c->pins, c->gsi_base, c->gsi_base + c->pins - 1);
		chip_count++;
	}
	if (chip_count == 0)
		return false;
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		uint16_t flags;
		isa_gsi[irq] = acpi_isa_gsi(&acpi, (uint8_t)irq, &flags);
		isa_low[irq] = isa_entry(irq, flags);
		unsigned pin;
		if (irq == 2 && isa_gsi[irq] == 2)
			continue; /* the 8259 cascade: nothing is wired there */
		if (!chip_of(isa_gsi[irq], &pin))
			continue;
		set_entry(isa_gsi[irq], isa_low[irq] | RTE_MASKED, dest);
	}
	kprintf("ioapic: ISA IRQ n -> vector %u+n on APIC id %u (IRQ 0 on GSI %u), masked until used\n",
	        IRQ_BASE, dest, isa_gsi[0]);
	return true;
}

void ioapic_unmask_isa(unsigned irq)
{
	unsigned pin;
	const struct ioapic *c;
	if (irq >= ISA_IRQS || !(c = chip_of(isa_gsi[irq], &pin)))
		return;
	wr(c, REG_REDIR + 2 * pin, isa_low[irq]);
	kprintf("ioapic: ISA IRQ %u (GSI %u, %s, active %s) unmasked\n", irq, isa_gsi[irq],
	        isa_low[irq] & RTE_LEVEL ? "level" : "edge",
	        isa_low[irq] & RTE_ACTIVE_LOW ? "low" : "high");
}

void ioapic_mask_isa(unsigned irq)
{
	unsigned pin;
	const struct ioapic *c;
	if (irq >= ISA_IRQS || !(c = chip_of(isa_gsi[irq], &pin)))
		return;
	wr(c, REG_REDIR + 2 * pin, isa_low[irq] | RTE_MASKED);
}
