/* Self-tests of the interrupt and PCI layer (run with test=<name>). */
#include "arch/x86_64/intc.h"
#include "arch/x86_64/io.h"
#include "dev/msi.h"
#include "dev/pci_bus.h"
#include "log.h"
#include "selftest/selftest.h"

#define CHECK(c)                                                 \
	do {                                                     \
		if (!(c)) {                                      \
			kprintf("msix: check failed: %s\n", #c); \
			fails++;                                 \
		}                                                \
	} while (0)

static void no_op(struct trap_frame *tf) { (void)tf; }

/* Needs a virtio-net device (-device virtio-net-pci): routes its MSI-X
 * entry 0 to a vector, reads the table back, refuses an entry beyond the
 * table, runs the vector allocator dry, and leaves no vector behind.  The
 * device is never started, so no interrupt is delivered here. */
SELFTEST(msix)
{
	int fails = 0;
	const struct pci_device *d = pci_find(0x1af4, 0x1041);
	if (!d)
		d = pci_find(0x1af4, 0x1000);
	if (!d || !d->msix_cap) {
		kprintf("msix: no virtio-net function with MSI-X\n");
		return 1;
	}
	unsigned before = intc_vectors_in_use();
	int v = msix_route(d, 0, no_op, "selftest msix");
	CHECK(v >= INTC_DYN_FIRST && v <= INTC_DYN_LAST);
	uint32_t e[4] = {0};
	CHECK(msix_read_entry(d, 0, e));
	CHECK(e[0] == (uint32_t)intc_msi_address() && e[1] == 0);
	CHECK(e[2] == (uint32_t)v);
	CHECK((e[3] & 1) == 0);
	kprintf("msix: entry 0 reads back address %x data %x control %x\n", e[0], e[2], e[3]);
	int bad = msix_route(d, d->msix_table_size, no_op, "selftest msix");
	kprintf("msix: entry %u refused: %s\n", d->msix_table_size, msi_strerror(bad));
	CHECK(bad == MSI_ERR_BAD_ENTRY);
	msix_unroute(d, 0, v);
	CHECK(msix_read_entry(d, 0, e) && (e[3] & 1) == 1);

	/* Exhaust the allocator, then give everything back. */
	unsigned got = 0;
	int vs[INTC_DYN_LAST - INTC_DYN_FIRST + 1];
	for (int w; (w = intc_vector_alloc(no_op, "selftest fill")) >= 0;)
		vs[got++] = w;
	kprintf("msix: %u vectors allocated before the allocator ran dry\n", got);
	CHECK(got == INTC_DYN_LAST - INTC_DYN_FIRST + 1 - before);
	CHECK(msix_route(d, 0, no_op, "selftest msix") == MSI_ERR_NO_VECTOR);
	for (unsigned i = 0; i < got; i++)
		intc_vector_free(vs[i]);
	kprintf("msix: vectors in use before %u after %u\n", before, intc_vectors_in_use());
	CHECK(intc_vectors_in_use() == before);
	return fails;
}

static volatile unsigned pit_irqs;
static void count_pit(struct trap_frame *tf)
{
	(void)tf;
	pit_irqs++;
}

/* An ISA interrupt through whichever controller is in use: PIT channel 0
 * at 1 kHz on IRQ 0 (GSI 2 through the MADT override on QEMU) until five
 * have arrived, then masked and stopped.  Without an APIC this takes over
 * the PIT heartbeat for good: the self-test ends the boot anyway. */
SELFTEST(isa_irq)
{
	unsigned divisor = 1193182u / 1000;
	irq_set_handler(IRQ_TIMER, count_pit);
	outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
	outb(0x40, divisor & 0xff);
	outb(0x40, divisor >> 8);
	intc_unmask(IRQ_TIMER);
	while (pit_irqs < 5)
		__asm__ volatile("hlt");
	intc_mask(IRQ_TIMER);
	outb(0x43, 0x30); /* mode 0, no reload: one last edge at most */
	outb(0x40, 0);
	outb(0x40, 0);
	kprintf("isa_irq: PIT IRQ 0 arrived %u times through the %s\n", pit_irqs,
	        intc_apic_mode() ? "I/O APIC" : "8259 PIC");
	irq_set_handler(IRQ_TIMER, 0);
	return 0;
}
