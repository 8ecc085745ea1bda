/*
 * printf-style formatting shared by the kernel log, ksnprintf and tests.
 *
 * Conversions: %s %c %d %i %u %x %X %o %p %%; length modifiers h, hh, l, ll,
 * z; flags '0' and '-'; a field width (digits or '*'); a precision for %s
 * (".N" or ".*").  %p prints 0x followed by 16 hex digits.  An unknown
 * conversion is printed literally as "%?" followed by the character, so a
 * bad format string shows in the log instead of reading stray arguments.
 */
#ifndef CAPOS_LIB_FORMAT_H
#define CAPOS_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_putc_fn)(void *ctx, char c);

/* Returns the number of characters produced. */
int format_v(format_putc_fn out, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: NUL-terminated when len > 0; returns the full length. */
int format_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int format_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
