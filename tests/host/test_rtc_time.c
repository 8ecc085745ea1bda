/* lib/rtc_time.c: CMOS RTC registers to seconds, for the kernel watchdog. */
#include <criterion/criterion.h>

#include "rtc_time.h"

static uint32_t sod(uint8_t s, uint8_t m, uint8_t h, uint8_t b)
{
	uint32_t v = 0xdeadbeef;
	cr_assert(rtc_seconds_of_day(s, m, h, b, &v), "%02x:%02x:%02x b=%02x refused", h, m, s, b);
	return v;
}

Test(rtc_time, bcd_and_binary_24h)
{
	cr_assert_eq(sod(0x59, 0x59, 0x23, RTC_B_24H), 86399);
	cr_assert_eq(sod(0x00, 0x00, 0x00, RTC_B_24H), 0);
	cr_assert_eq(sod(0x07, 0x30, 0x12, RTC_B_24H), 12 * 3600 + 30 * 60 + 7);
	cr_assert_eq(sod(59, 59, 23, RTC_B_24H | RTC_B_BINARY), 86399);
	cr_assert_eq(sod(7, 30, 12, RTC_B_24H | RTC_B_BINARY), 12 * 3600 + 30 * 60 + 7);
}

Test(rtc_time, twelve_hour_mode)
{
	cr_assert_eq(sod(0x00, 0x00, 0x12, 0), 0);                       /* 12 AM */
	cr_assert_eq(sod(0x00, 0x00, 0x12 | RTC_HOUR_PM, 0), 12 * 3600); /* 12 PM */
	cr_assert_eq(sod(0x00, 0x00, 0x01 | RTC_HOUR_PM, 0), 13 * 3600);
	cr_assert_eq(sod(0, 0, 11 | RTC_HOUR_PM, RTC_B_BINARY), 23 * 3600);
}

Test(rtc_time, bad_values_are_refused)
{
	uint32_t v = 7;
	cr_assert_not(rtc_seconds_of_day(0x5a, 0, 0, RTC_B_24H, &v)); /* bad BCD digit */
	cr_assert_not(rtc_seconds_of_day(0x60, 0, 0, RTC_B_24H, &v)); /* 60 seconds */
	cr_assert_not(rtc_seconds_of_day(0, 0x60, 0, RTC_B_24H, &v));
	cr_assert_not(rtc_seconds_of_day(0, 0, 0x24, RTC_B_24H, &v));
	cr_assert_not(rtc_seconds_of_day(0, 0, 0x00, 0, &v)); /* hour 0 in 12h mode */
	cr_assert_not(rtc_seconds_of_day(0, 0, 0x13, 0, &v));
	cr_assert_not(rtc_seconds_of_day(60, 0, 0, RTC_B_24H | RTC_B_BINARY, &v));
	cr_assert_not(rtc_seconds_of_day(0xff, 0xff, 0xff, RTC_B_24H, &v));
	cr_assert_eq(v, 7);
}

Test(rtc_time, elapsed_crosses_midnight)
{
	cr_assert_eq(rtc_elapsed(100, 220), 120);
	cr_assert_eq(rtc_elapsed(5, 5), 0);
	cr_assert_eq(rtc_elapsed(86390, 10), 20);
	cr_assert_eq(rtc_elapsed(86399, 0), 1);
}
