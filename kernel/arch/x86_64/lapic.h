/*
 * The local APIC (xAPIC MMIO mode): enable, EOI, and its timer in one-shot
 * or TSC-deadline mode.  Reached through the direct map (the firmware's
 * MTRRs make the APIC page uncached).
 */
#ifndef CAPOS_ARCH_LAPIC_H
#define CAPOS_ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_TIMER_VECTOR    0xef
#define LAPIC_ERROR_VECTOR    0xfe
#define LAPIC_SPURIOUS_VECTOR 0xff

/* Enables the local APIC at phys (0: the address in IA32_APIC_BASE); masks
 * LINT0/LINT1 (the 8259 is not used through it) and the timer.  false when
 * the CPU has none or it cannot be enabled. */
bool lapic_init(uint64_t phys);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* Timer: divide-by-1 count-down from count to 0, one interrupt. */
void lapic_timer_oneshot(uint32_t count);
uint32_t lapic_timer_current(void);
/* Timer in TSC-deadline mode: interrupt when the TSC reaches deadline. */
void lapic_timer_deadline_mode(void);
void lapic_timer_deadline(uint64_t tsc);
void lapic_timer_stop(void);

#endif
