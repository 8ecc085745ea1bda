/*
 * Console client (capos/console.h) over the generated Console stubs
 * (generated/capos.capnp.rpc.h).
 */
#include <capos/console.h>
#include <capos/fmt.h>
#include <capos/heap.h>
#include <capos/string.h>
#include <stdarg.h>
#include <stdbool.h>
#if defined(CAPOS_HOST)
#include <stdlib.h> /* host tests: the C library's malloc */
#endif
#include "capnp/capnp.h"
#include "capos.capnp.rpc.h"

int capos_console_from_cap(struct capos_console *c, struct capos_ring *r, struct capos_cap cap)
{
	memset(c, 0, sizeof(*c));
	if (!cap.valid)
		return CAPOS_ERR_BAD_CAP;
	if (cap.interface_id != capos_Console_ID)
		return CAPOS_ERR_NOT_PERMITTED;
	c->ring = r;
	c->cap = cap;
	return 0;
}

int capos_console_open(struct capos_console *c, struct capos_ring *r,
                       const struct capos_capset *cs, const char *name)
{
	memset(c, 0, sizeof(*c));
	const struct capos_capset_entry *e = capos_capset_find(cs, name, capos_Console_ID);
	if (e == NULL) {
		for (uint32_t i = 0; i < cs->count; i++)
			if (strncmp(cs->entries[i].name, name, CAPOS_CAP_NAME_MAX) == 0)
				return CAPOS_ERR_NOT_PERMITTED;
		return CAPOS_ERR_BAD_CAP;
	}
	return capos_console_from_cap(c, r, capos_cap_borrow(e));
}

/* The generated client (capos.capnp.rpc.h) on c's ring and handle. */
static capos_Console_Client client_of(const struct capos_console *c)
{
	capos_Console_Client cl = {{.ring = c->ring, .cap = c->cap}};
	return cl;
}

struct text_arg {
	const char *text;
	size_t len;
};

/* writeLine's params from a counted (not NUL-terminated) text. */
static int fill_text(capos_Console_writeLine_Params_builder p, struct capos_rpc_out *o, void *arg)
{
	(void)o;
	const struct text_arg *t = arg;
	capos_Console_writeLine_Params_set_text(p, t->text, t->len);
	return 0;
}

int capos_console_write(const struct capos_console *c, const void *data, size_t len,
                        struct capos_call_error *err)
{
	if (c == NULL)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	if (len > CAPOS_CONSOLE_MAX_BYTES)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT);
	capos_Console_Client cl = client_of(c);
	return capos_Console_write(&cl, data, len, NULL, err);
}

int capos_console_write_line_n(const struct capos_console *c, const char *text, size_t len,
                               struct capos_call_error *err)
{
	if (c == NULL)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	if (len > CAPOS_CONSOLE_MAX_BYTES)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT);
	capos_Console_Client cl = client_of(c);
	struct text_arg t = {text, len};
	return capos_Console_writeLine_Call(&cl, fill_text, &t, NULL, err);
}

int capos_console_write_line(const struct capos_console *c, const char *text,
                             struct capos_call_error *err)
{
	return capos_console_write_line_n(c, text, strlen(text), err);
}

int capos_console_vprintf(const struct capos_console *c, const char *fmt, va_list ap)
{
	char small[256];
	va_list again;
	va_copy(again, ap);
	int n = capos_vsnprintf(small, sizeof(small), fmt, ap);
	int ret;
	if ((size_t)n < sizeof(small)) {
		ret = capos_console_write(c, small, (size_t)n, NULL);
	} else {
		/* Too long for the stack buffer: format again into the heap. */
		char *big = malloc((size_t)n + 1);
		if (big == NULL) {
			ret = CAPOS_ERR_NO_RESOURCES;
		} else {
			capos_vsnprintf(big, (size_t)n + 1, fmt, again);
			ret = capos_console_write(c, big, (size_t)n, NULL);
			free(big);
		}
	}
	va_end(again);
	return ret;
}

int capos_console_printf(const struct capos_console *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = capos_console_vprintf(c, fmt, ap);
	va_end(ap);
	return ret;
}
