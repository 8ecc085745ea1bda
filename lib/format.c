/*
 * printf-style formatter (see format.h).  No floating point: the kernel is
 * built with -mgeneral-regs-only.
 */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

struct fmt_out {
	format_putc_fn putc;
	void *ctx;
	int count;
};

static void emit(struct fmt_out *o, char c)
{
	o->putc(o->ctx, c);
	o->count++;
}

static void emit_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

/* Emits digits (already reversed in tmp) with sign/prefix and padding. */
static void emit_number(struct fmt_out *o, uint64_t v, unsigned base, bool upper,
			bool negative, const char *prefix, int width, bool zero,
			bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int plen = 0;
	while (prefix[plen])
		plen++;
	int len = n + plen + (negative ? 1 : 0);
	if (!left && !zero)
		emit_pad(o, ' ', width - len);
	if (negative)
		emit(o, '-');
	for (int i = 0; i < plen; i++)
		emit(o, prefix[i]);
	if (!left && zero)
		emit_pad(o, '0', width - len);
	while (n)
		emit(o, tmp[--n]);
	if (left)
		emit_pad(o, ' ', width - len);
}

enum length { LEN_HH, LEN_H, LEN_INT, LEN_L, LEN_LL, LEN_Z };

static uint64_t take_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_INT: return va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	}
	return 0;
}

static int64_t take_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_INT: return va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z: return (int64_t)va_arg(*ap, size_t);
	}
	return 0;
}

int format_v(format_putc_fn putc, void *ctx, const char *fmt, va_list ap_in)
{
	struct fmt_out o = { putc, ctx, 0 };
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			emit(&o, *p);
			continue;
		}
		p++;
		bool zero = false, left = false;
		for (;; p++) {
			if (*p == '0')
				zero = true;
			else if (*p == '-')
				left = true;
			else
				break;
		}
		int width = 0;
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		}
		int precision = -1;
		if (*p == '.') {
			p++;
			precision = 0;
			if (*p == '*') {
				precision = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					precision = precision * 10 + (*p++ - '0');
			}
		}
		enum length len = LEN_INT;
		if (*p == 'h') {
			len = LEN_H;
			if (*++p == 'h') {
				len = LEN_HH;
				p++;
			}
		} else if (*p == 'l') {
			len = LEN_L;
			if (*++p == 'l') {
				len = LEN_LL;
				p++;
			}
		} else if (*p == 'z') {
			len = LEN_Z;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = take_signed(&ap, len);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			emit_number(&o, mag, 10, false, v < 0, "", width, zero, left);
			break;
		}
		case 'u':
			emit_number(&o, take_unsigned(&ap, len), 10, false, false, "", width, zero, left);
			break;
		case 'x':
		case 'X':
			emit_number(&o, take_unsigned(&ap, len), 16, *p == 'X', false, "", width, zero, left);
			break;
		case 'o':
			emit_number(&o, take_unsigned(&ap, len), 8, false, false, "", width, zero, left);
			break;
		case 'p': {
			uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
			emit_number(&o, v, 16, false, false, "0x", width > 18 ? width : 18, true, false);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!left)
				emit_pad(&o, ' ', width - 1);
			emit(&o, c);
			if (left)
				emit_pad(&o, ' ', width - 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = 0;
			while (s[n] && (precision < 0 || n < precision))
				n++;
			if (!left)
				emit_pad(&o, ' ', width - n);
			for (int i = 0; i < n; i++)
				emit(&o, s[i]);
			if (left)
				emit_pad(&o, ' ', width - n);
			break;
		}
		case '%':
			emit(&o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it and stop. */
			emit(&o, '%');
			va_end(ap);
			return o.count;
		default:
			emit(&o, '%');
			emit(&o, '?');
			emit(&o, *p);
			break;
		}
	}
	va_end(ap);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t len;
	size_t pos;
};

static void buf_putc(void *ctx, char c)
{
	struct buf_ctx *b = ctx;
	if (b->pos + 1 < b->len)
		b->buf[b->pos] = c;
	b->pos++;
}

int format_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct buf_ctx b = { buf, len, 0 };
	int n = format_v(buf_putc, &b, fmt, ap);
	if (len)
		buf[b.pos < len ? b.pos : len - 1] = '\0';
	return n;
}

int format_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
