/*
 * Kernel time.
 *
 * ktime_ns(): monotonic nanoseconds since timer_init, from the TSC
 * calibrated against the 8254 PIT (channel 2, gated through port 0x61).
 *
 * Timer interrupts: with the local APIC, its timer runs one-shot (or in
 * TSC-deadline mode where CPUID offers it), re-armed on every interrupt
 * for the next heartbeat (TIMER_TICK_NS) and earlier on request through
 * timer_arm_at(), so a deadline fires within the timer's resolution, not
 * at the next 10 ms tick.  Without an APIC the PIT runs periodic at
 * TIMER_HZ on IRQ 0 and deadlines round up to its ticks.
 *
 * Every timer interrupt calls timer_tick_hook (trap.h) after the next
 * heartbeat is armed.
 */
#ifndef CAPOS_ARCH_TIMER_H
#define CAPOS_ARCH_TIMER_H

#include <stdint.h>

#define TIMER_HZ      100                               /* heartbeat rate */
#define TIMER_TICK_NS (UINT64_C(1000000000) / TIMER_HZ) /* 10 ms */

void timer_init(void);

/* Nanoseconds since timer_init; monotonic. */
uint64_t ktime_ns(void);

/* Timer interrupts taken so far. */
uint64_t timer_ticks(void);

/* An interrupt no later than deadline_ns (ktime); earlier arming stays. */
void timer_arm_at(uint64_t deadline_ns);

/* The deadline `timeout_ns` from now (saturating at UINT64_MAX = none),
 * with an interrupt armed for it: every timeout (cap_enter, endpoint
 * CALL/RECV) is made here. */
uint64_t timer_arm_after(uint64_t timeout_ns);

/* Granularity of timer_arm_at in ns (1 for a 1 GHz LAPIC timer, the PIT
 * period without an APIC) and the calibrated TSC rate. */
uint64_t timer_resolution_ns(void);
uint64_t timer_tsc_hz(void);

#endif
