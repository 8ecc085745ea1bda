/*
 * I/O APICs from the MADT: every pin masked at start; ISA IRQ n is routed
 * (through the MADT's source overrides) to vector IRQ_BASE + n on the boot
 * CPU, masked until ioapic_unmask_isa.
 */
#ifndef CAPOS_ARCH_IOAPIC_H
#define CAPOS_ARCH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* false when the MADT lists no usable I/O APIC. */
bool ioapic_init(uint8_t dest_apic_id);
void ioapic_unmask_isa(unsigned irq);
void ioapic_mask_isa(unsigned irq);

#endif
