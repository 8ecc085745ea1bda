/*
 * printf-style formatting into a caller buffer (no FILE, no locale).
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, length modifiers hh h l ll z
 * j t, flags '-' '0' ' ' '+' '#', width and precision (also '*').
 * %s with NULL prints "(null)".  Unknown conversions are printed verbatim.
 * %p prints 0x and only the digits needed (0x0 for NULL).  The formatter is
 * the kernel's (lib/format.c, with FORMAT_PTR_NATURAL | FORMAT_BAD_VERBATIM).
 *
 * Like C99 snprintf: always NUL-terminates when size > 0 and returns the
 * length the full output would have had, so truncation is detectable
 * (return >= size); never writes past size.
 */
#ifndef CAPOS_RT_FMT_H
#define CAPOS_RT_FMT_H

#include <stdarg.h>
#include <stddef.h>

int capos_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int capos_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* CAPOS_RT_FMT_H */
