/*
 * Typed client of the Console capability (schema/capos.capnp):
 *   write @0 (data :Data)      bytes as-is
 *   writeLine @1 (text :Text)  text + "\n"
 * Each call encodes the params with the generated code, submits one CALL
 * and waits for its completion; errors are typed (capos/call.h).  The
 * kernel's Console takes at most 4096 bytes per call (docs/processes.md);
 * longer ones come back as an invalidArgument exception.
 */
#ifndef CAPOS_RT_CONSOLE_H
#define CAPOS_RT_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <capos/call.h>
#include <capos/capset.h>
#include <capos/handle.h>
#include <capos/ring.h>

struct capos_console {
	struct capos_ring *ring;
	struct capos_cap cap;
};

/* Largest text/data the client will encode (the ABI's 64 KiB params cap). */
#define CAPOS_CONSOLE_MAX_BYTES (64u * 1024u - 64u)

/*
 * Binds c to the CapSet entry `name` if it is a Console; returns 0 or
 * CAPOS_ERR_BAD_CAP (absent) / CAPOS_ERR_NOT_PERMITTED (another interface).
 */
int capos_console_open(struct capos_console *c, struct capos_ring *r,
                       const struct capos_capset *cs, const char *name);
/* Binds c to a handle whose interface must be Console. */
int capos_console_from_cap(struct capos_console *c, struct capos_ring *r, struct capos_cap cap);

int capos_console_write(const struct capos_console *c, const void *data, size_t len,
                        struct capos_call_error *err);
int capos_console_write_line(const struct capos_console *c, const char *text,
                             struct capos_call_error *err);
int capos_console_write_line_n(const struct capos_console *c, const char *text, size_t len,
                               struct capos_call_error *err);
/* Formats (capos/fmt.h) and writes the result with one `write` call
 * (formatted on the stack, or in the heap when longer than 255 bytes). */
int capos_console_printf(const struct capos_console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int capos_console_vprintf(const struct capos_console *c, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif /* CAPOS_RT_CONSOLE_H */
