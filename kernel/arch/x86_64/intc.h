/*
 * Interrupt controller choice and vector ownership.
 *
 * intc_init finds the local APIC and I/O APIC through the ACPI MADT and
 * switches to them, masking the 8259s for good; without them (or with the
 * boot argument `noapic`) it stays on the 8259 PIC and logs why.
 *
 * Vectors: 0-31 exceptions; 32-47 ISA IRQs (either controller); 0x50-0xdf
 * handed out by intc_vector_alloc (MSI/MSI-X); 0xef LAPIC timer; 0xfe
 * LAPIC error; 0xff LAPIC spurious.
 */
#ifndef CAPOS_ARCH_INTC_H
#define CAPOS_ARCH_INTC_H

#include <stdbool.h>

#include "arch/x86_64/trap.h"

#define INTC_DYN_FIRST 0x50
#define INTC_DYN_LAST  0xdf

void intc_init(void);
bool intc_apic_mode(void);

/* ISA IRQ 0..15 on whichever controller is in use. */
void intc_unmask(unsigned irq);
void intc_mask(unsigned irq);
/* Called by trap.c for vectors 32-47: true when the IRQ was spurious (no
 * handler must run); otherwise the interrupt has been acknowledged. */
bool intc_ack_isa(unsigned irq);

/* A free vector in INTC_DYN_FIRST..INTC_DYN_LAST now owned by fn, or -1
 * when all are taken.  `who` is logged. */
int intc_vector_alloc(irq_handler_fn fn, const char *who);
void intc_vector_free(int vector);
unsigned intc_vectors_in_use(void);
/* The fixed handler for the LAPIC timer vector. */
void intc_set_timer_handler(irq_handler_fn fn);

/* Called by trap.c for vectors 48-255. */
void intc_dispatch(struct trap_frame *tf);

/* Destination for MSI/MSI-X messages aimed at the boot CPU. */
uint64_t intc_msi_address(void);

#endif
