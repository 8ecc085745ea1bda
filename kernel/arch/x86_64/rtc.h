/*
 * The CMOS real-time clock, read for wall-clock seconds.  The kernel's
 * PIT tick count is not wall time under QEMU TCG: ticks are lost when a
 * busy host runs QEMU late (a 120 s watchdog counted in ticks fired after
 * 142 s on a loaded machine).  QEMU's RTC follows the host clock.
 */
#ifndef CAPOS_ARCH_RTC_H
#define CAPOS_ARCH_RTC_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds since midnight in *sod; false when the clock gave no stable,
 * valid reading (then the caller falls back to timer ticks). */
bool rtc_read_seconds(uint32_t *sod);

#endif
