/*
 * Kernel log: formatted output to the COM1 serial port.
 *
 * kprintf understands %s %c %d %i %u %x %X %o %p %% with the h/hh/l/ll/z/j/t
 * length modifiers, a field width, a precision and the '0', '-', '+', ' '
 * and '#' flags (lib/format.h; the same formatter as the runtime's).
 */
#ifndef CAPOS_KERNEL_LOG_H
#define CAPOS_KERNEL_LOG_H

#include <stdarg.h>
#include <stddef.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* To format into a buffer, use format_snprintf (lib/format.h). */

/*
 * A kernel bug: prints "PANIC: <reason>", the caller's registers, and exits
 * QEMU with QEMU_EXIT_PANIC (status 37).  Never use it for bad user input.
 */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Panics with file:line when cond is false. */
#define KASSERT(cond)                                                  \
	do {                                                           \
		if (!(cond))                                           \
			panic("assertion '%s' failed at %s:%d", #cond, \
			      __FILE__, __LINE__);                     \
	} while (0)

#endif
