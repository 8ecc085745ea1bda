/*
 * CMOS real-time clock values to seconds: the raw time registers
 * (seconds, minutes, hours) in the encoding status register B says
 * (BCD or binary, 12- or 24-hour), to seconds since midnight, and the
 * seconds between two such readings.  Pure logic, unit-tested on the
 * host; kernel/arch/x86_64/rtc.c reads the registers.
 */
#ifndef CAPOS_LIB_RTC_TIME_H
#define CAPOS_LIB_RTC_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_B_24H       0x02u /* status B: hours are 0..23 (else 1..12 + PM bit) */
#define RTC_B_BINARY    0x04u /* status B: values are binary (else BCD)         */
#define RTC_HOUR_PM     0x80u /* 12-hour mode: set in the hour register for PM  */
#define RTC_DAY_SECONDS 86400u

/* Seconds since midnight in *out; false when a value is out of range
 * (a bad BCD digit, 61 seconds...): the reading is not to be trusted. */
bool rtc_seconds_of_day(uint8_t sec, uint8_t min, uint8_t hour, uint8_t status_b,
                        uint32_t *out);

/* Seconds from reading `from` to reading `to`, across one midnight at most. */
uint32_t rtc_elapsed(uint32_t from, uint32_t to);

#endif
