/* CMOS RTC value decoding (see rtc_time.h). */
#include "rtc_time.h"

/* A register value in binary; false for a bad BCD digit. */
static bool decode(uint8_t v, uint8_t status_b, uint32_t *out)
{
	if (status_b & RTC_B_BINARY) {
		*out = v;
		return true;
	}
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return false;
	*out = (uint32_t)(v >> 4) * 10 + (v & 0x0f);
	return true;
}

bool rtc_seconds_of_day(uint8_t sec, uint8_t min, uint8_t hour, uint8_t status_b,
                        uint32_t *out)
{
	uint32_t s, m, h;
	bool pm = !(status_b & RTC_B_24H) && (hour & RTC_HOUR_PM);
	if (!(status_b & RTC_B_24H))
		hour &= (uint8_t)~RTC_HOUR_PM;
	if (!decode(sec, status_b, &s) || !decode(min, status_b, &m) ||
	    !decode(hour, status_b, &h))
		return false;
	if (!(status_b & RTC_B_24H)) {
		if (h < 1 || h > 12)
			return false;
		h = (h % 12) + (pm ? 12 : 0); /* 12 AM is 0, 12 PM is 12 */
	}
	if (s > 59 || m > 59 || h > 23)
		return false;
	*out = h * 3600 + m * 60 + s;
	return true;
}

uint32_t rtc_elapsed(uint32_t from, uint32_t to)
{
	return to >= from ? to - from : RTC_DAY_SECONDS - from + to;
}
