/*
 * printf-style formatting: the one formatter behind the kernel log
 * (kprintf, panic; format_snprintf for buffers), the userspace runtime (capos_snprintf) and
 * the host tests.
 *
 * Conversions: %s %c %d %i %u %x %X %o %p %%; length modifiers hh, h, l,
 * ll, z, j, t; flags '-', '0', '+', ' ' and '#' (0x/0X for %x/%X, a leading
 * 0 for %o); a field width and a precision, each as digits or '*'.  An
 * integer precision is the minimum number of digits (zero with a zero
 * value prints no digits); a %s precision is the maximum length.  %s with
 * NULL prints "(null)".  No floating point: the kernel is built with
 * -mgeneral-regs-only.
 *
 * Two behaviours differ between the kernel log and the runtime; opts picks
 * them (0 is the kernel's):
 *   %p     kernel: "0x" and at least 16 zero-padded hex digits, so
 *          addresses line up in the log (flags other than the width are
 *          ignored).  FORMAT_PTR_NATURAL: "0x" and only the digits needed,
 *          with width, '-' and precision as for %x.
 *   bad    kernel: an unknown conversion prints "%?" and the character, a
 *          lone '%' at the end prints '%'.  FORMAT_BAD_VERBATIM: the whole
 *          bad specification (flags, width...) is printed as written.
 * Either way a bad format string shows in the output instead of reading
 * stray arguments.
 */
#ifndef CAPOS_LIB_FORMAT_H
#define CAPOS_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#define FORMAT_PTR_NATURAL  0x1u
#define FORMAT_BAD_VERBATIM 0x2u

typedef void (*format_putc_fn)(void *ctx, char c);

/* Returns the number of characters produced (at most INT32_MAX). */
int format_vopt(format_putc_fn out, void *ctx, unsigned opts, const char *fmt, va_list ap);
int format_v(format_putc_fn out, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: never writes past len, NUL-terminated when len > 0,
 * returns the untruncated length (so return >= len means truncated). */
int format_vsnprintf_opt(char *buf, size_t len, unsigned opts, const char *fmt, va_list ap);
int format_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int format_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends to the NUL-terminated string in buf (len bytes in all),
 * truncating at the end of buf; for building a line piece by piece. */
void format_append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
