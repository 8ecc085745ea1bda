/*
 * Console client over the generated Cap'n Proto code (capos/console.h).
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
#include "capos.capnp.h"

/* Room for a CapException with a short message. */
#define RESULT_BYTES 512u
/* Params messages up to this size are built on the stack. */
#define STACK_ARENA_WORDS 80u

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

/* Encodes write(data) or writeLine(text) and performs the call. */
static int console_send(const struct capos_console *c, bool line, const void *bytes, size_t len,
                        struct capos_call_error *err)
{
	if (c == NULL || c->ring == NULL || !c->cap.valid)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	if (len > CAPOS_CONSOLE_MAX_BYTES)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT);
	/* segment table + root pointer + list bytes (+ NUL) + slack */
	size_t words = 4 + (len + 1 + 7) / 8;
	uint64_t stack_arena[STACK_ARENA_WORDS];
	uint64_t *arena = stack_arena;
	if (words > STACK_ARENA_WORDS) {
		arena = malloc(words * 8);
		if (arena == NULL)
			return capos_error_local(err, CAPOS_ERR_NO_RESOURCES);
	}
	struct capnp_builder b;
	capnp_builder_init(&b, arena, words * 8);
	uint16_t method;
	if (line) {
		capos_Console_writeLine_Params_builder p = capos_Console_writeLine_Params_init_root(&b);
		capos_Console_writeLine_Params_set_text(p, bytes, len);
		method = capos_Console_writeLine_METHOD;
	} else {
		capos_Console_write_Params_builder p = capos_Console_write_Params_init_root(&b);
		capos_Console_write_Params_set_data(p, bytes, len);
		method = capos_Console_write_METHOD;
	}
	size_t msg_len = 0;
	int ret;
	if (capnp_builder_finish(&b, &msg_len) != CAPNP_OK) {
		ret = capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	} else {
		uint64_t result[RESULT_BYTES / 8];
		struct capos_call call = {
			.cap_id = c->cap.cap_id,
			.method_id = method,
			.params = arena,
			.params_len = (uint32_t)msg_len,
			.result = result,
			.result_cap = sizeof(result),
		};
		ret = capos_call(c->ring, &call, NULL, err);
	}
	if (arena != stack_arena)
		free(arena);
	return ret;
}

int capos_console_write(const struct capos_console *c, const void *data, size_t len,
                        struct capos_call_error *err)
{
	return console_send(c, false, data, len, err);
}

int capos_console_write_line_n(const struct capos_console *c, const char *text, size_t len,
                               struct capos_call_error *err)
{
	return console_send(c, true, text, len, err);
}

int capos_console_write_line(const struct capos_console *c, const char *text,
                             struct capos_call_error *err)
{
	return console_send(c, true, text, strlen(text), err);
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
