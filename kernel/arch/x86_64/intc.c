/* Interrupt controller choice, vector allocation and dispatch (see intc.h). */
#include "arch/x86_64/intc.h"

#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/pic.h"
#include "boot_info.h"
#include "dev/acpi_tables.h"
#include "log.h"

#define MSI_BASE 0xfee00000ull

static bool apic_mode;
static uint32_t boot_apic_id;
static irq_handler_fn vector_fn[256];
static const char *vector_owner[256];
static irq_handler_fn timer_fn;
static uint64_t spurious_count, error_count, stray_count;

/* The ACPI tables are parsed either way: PCI wants the MCFG too. */
static const char *why_not_apic(void)
{
	char buf[4];
	bool tables = acpi_tables_init();
	if (boot_arg("noapic", buf, sizeof buf))
		return "boot argument noapic";
	if (!tables)
		return "no ACPI tables";
	if (!acpi.has_madt)
		return "no usable MADT";
	if (acpi.ioapic_count == 0)
		return "the MADT lists no I/O APIC";
	if (!lapic_init(acpi.lapic_addr))
		return "the local APIC could not be enabled";
	return 0;
}

void intc_init(void)
{
	pic_init(); /* remapped and masked in either mode: firmware may have left it live */
	const char *why = why_not_apic();
	if (why) {
		kprintf("intc: staying on the 8259 PIC (%s)\n", why);
		return;
	}
	boot_apic_id = lapic_id();
	if (!ioapic_init((uint8_t)boot_apic_id)) {
		kprintf("intc: staying on the 8259 PIC (no I/O APIC answered)\n");
		return;
	}
	pic_disable();
	apic_mode = true;
	kprintf("intc: local APIC + I/O APIC in use, 8259 PIC masked; MSI vectors %u-%u\n",
	        INTC_DYN_FIRST, INTC_DYN_LAST);
}

bool intc_apic_mode(void) { return apic_mode; }

void intc_unmask(unsigned irq)
{
	if (apic_mode)
		ioapic_unmask_isa(irq);
	else
		pic_unmask(irq);
}

void intc_mask(unsigned irq)
{
	if (apic_mode)
		ioapic_mask_isa(irq);
	else
		pic_mask(irq);
}

bool intc_ack_isa(unsigned irq)
{
	if (apic_mode) {
		lapic_eoi();
		return false;
	}
	/* IRQ 7/15 without an in-service bit are spurious: no EOI on that PIC. */
	if ((irq == 7 || irq == 15) && pic_is_spurious(irq))
		return true;
	pic_eoi(irq);
	return false;
}

int intc_vector_alloc(irq_handler_fn fn, const char *who)
{
	for (int v = INTC_DYN_FIRST; v <= INTC_DYN_LAST; v++) {
		if (vector_fn[v])
			continue;
		vector_fn[v] = fn;
		vector_owner[v] = who;
		kprintf("intc: vector %d allocated to %s\n", v, who);
		return v;
	}
	kprintf("intc: no free vector for %s\n", who);
	return -1;
}

void intc_vector_free(int v)
{
	if (v < INTC_DYN_FIRST || v > INTC_DYN_LAST || !vector_fn[v])
		return;
	kprintf("intc: vector %d released by %s\n", v, vector_owner[v]);
	vector_fn[v] = 0;
	vector_owner[v] = 0;
}

unsigned intc_vectors_in_use(void)
{
	unsigned n = 0;
	for (int v = INTC_DYN_FIRST; v <= INTC_DYN_LAST; v++)
		n += vector_fn[v] != 0;
	return n;
}

void intc_set_timer_handler(irq_handler_fn fn) { timer_fn = fn; }

void intc_dispatch(struct trap_frame *tf)
{
	unsigned v = (unsigned)tf->vector;
	if (v == LAPIC_SPURIOUS_VECTOR) {
		spurious_count++; /* never acknowledged: nothing is in service */
		return;
	}
	if (!apic_mode) {
		stray_count++;
		return;
	}
	lapic_eoi();
	if (v == LAPIC_TIMER_VECTOR && timer_fn) {
		timer_fn(tf);
	} else if (v == LAPIC_ERROR_VECTOR) {
		if (error_count++ < 4)
			kprintf("lapic: error interrupt (%lu so far)\n", error_count);
	} else if (vector_fn[v]) {
		vector_fn[v](tf);
	} else if (stray_count++ < 4) {
		kprintf("intc: interrupt on unowned vector %u ignored (%lu so far)\n", v, stray_count);
	}
}

uint64_t intc_msi_address(void) { return MSI_BASE | (uint64_t)boot_apic_id << 12; }
