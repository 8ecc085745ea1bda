/* CMOS RTC reads (see rtc.h); the decoding is lib/rtc_time.c. */
#include "arch/x86_64/rtc.h"

#include "arch/x86_64/io.h"
#include "rtc_time.h"

#define CMOS_INDEX       0x70
#define CMOS_DATA        0x71
#define RTC_SECONDS      0x00
#define RTC_MINUTES      0x02
#define RTC_HOURS        0x04
#define RTC_STATUS_A     0x0a
#define RTC_STATUS_B     0x0b
#define RTC_A_UPDATING   0x80u /* the clock is changing its registers (< 2 ms) */
#define RTC_UPDATE_SPINS 100000u
#define RTC_TRIES        3u

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

/* Waits out an update in progress; false if it never ends. */
static bool wait_not_updating(void)
{
	for (unsigned i = 0; i < RTC_UPDATE_SPINS; i++)
		if (!(cmos_read(RTC_STATUS_A) & RTC_A_UPDATING))
			return true;
	return false;
}

bool rtc_read_seconds(uint32_t *sod)
{
	/* Two equal readings in a row: no update slipped in between. */
	for (unsigned t = 0; t < RTC_TRIES; t++) {
		if (!wait_not_updating())
			return false;
		uint8_t s = cmos_read(RTC_SECONDS), m = cmos_read(RTC_MINUTES),
			h = cmos_read(RTC_HOURS);
		if (!wait_not_updating())
			return false;
		if (s != cmos_read(RTC_SECONDS) || m != cmos_read(RTC_MINUTES) ||
		    h != cmos_read(RTC_HOURS))
			continue;
		return rtc_seconds_of_day(s, m, h, cmos_read(RTC_STATUS_B), sod);
	}
	return false;
}
