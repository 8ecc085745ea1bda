/*
 * A bounded, always NUL-terminated message builder for the manifest
 * checks' error messages (validate.c, limits.c): no libc needed.
 */
#ifndef CAPOS_LIB_MANIFEST_MSG_H
#define CAPOS_LIB_MANIFEST_MSG_H

#include "manifest/manifest.h"

struct msg {
	char *buf;
	size_t cap;
	size_t len;
};

static inline void msg_putc(struct msg *m, char c)
{
	if (m->len + 1 < m->cap) {
		m->buf[m->len++] = c;
		m->buf[m->len] = '\0';
	}
}

static inline void msg_cstr(struct msg *m, const char *s)
{
	while (*s)
		msg_putc(m, *s++);
}

/* Quoted, with non-printable bytes escaped so hostile names stay readable. */
static inline void msg_qstr(struct msg *m, struct mf_str s)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t n = s.len > 64 ? 64 : s.len;

	msg_putc(m, '"');
	for (uint32_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			msg_putc(m, (char)c);
		} else {
			msg_cstr(m, "\\x");
			msg_putc(m, hex[c >> 4]);
			msg_putc(m, hex[c & 15]);
		}
	}
	msg_putc(m, '"');
	if (n < s.len)
		msg_cstr(m, "...");
}

static inline void msg_uint(struct msg *m, uint64_t v)
{
	char digits[21];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		msg_putc(m, digits[--n]);
}

#endif
