/*
 * printf-style formatter (see format.h).  Freestanding: no libc calls, so
 * the kernel, the runtime and the host tests link the same object code.
 */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

struct fmt_out {
	format_putc_fn putc;
	void *ctx;
	size_t count;
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

/* Emits the characters from..to (inclusive of to when it is not NUL). */
static void emit_span(struct fmt_out *o, const char *from, const char *to)
{
	for (const char *c = from; c <= to && *c; c++)
		emit(o, *c);
}

/* One conversion specification: "%[flags][width][.precision]". */
struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

/* Digits accumulate saturating, so "%99999999999d" cannot overflow an int. */
static const char *parse_int(const char *p, int *v)
{
	*v = 0;
	while (*p >= '0' && *p <= '9') {
		int d = *p++ - '0';
		*v = *v > (INT32_MAX - d) / 10 ? INT32_MAX : *v * 10 + d;
	}
	return p;
}

static const char *parse_spec(const char *p, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.prec = -1};
	for (;; p++) {
		if (*p == '-')
			sp->left = true;
		else if (*p == '0')
			sp->zero = true;
		else if (*p == '+')
			sp->plus = true;
		else if (*p == ' ')
			sp->space = true;
		else if (*p == '#')
			sp->alt = true;
		else
			break;
	}
	if (*p == '*') {
		int w = va_arg(*ap, int);
		if (w < 0) {
			sp->left = true;
			w = w == INT32_MIN ? INT32_MAX : -w;
		}
		sp->width = w;
		p++;
	} else {
		p = parse_int(p, &sp->width);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0) /* C: a negative precision is taken as none */
				sp->prec = -1;
			p++;
		} else {
			p = parse_int(p, &sp->prec);
		}
	}
	return p;
}

enum length { LEN_INT,
	      LEN_HH,
	      LEN_H,
	      LEN_L,
	      LEN_LL,
	      LEN_Z,
	      LEN_J,
	      LEN_T };

static const char *parse_length(const char *p, enum length *len)
{
	*len = LEN_INT;
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			*len = LEN_HH;
			return p + 2;
		}
		*len = LEN_H;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			*len = LEN_LL;
			return p + 2;
		}
		*len = LEN_L;
		return p + 1;
	case 'z':
		*len = LEN_Z;
		return p + 1;
	case 'j':
		*len = LEN_J;
		return p + 1;
	case 't':
		*len = LEN_T;
		return p + 1;
	default:
		return p;
	}
}

/* One case per C length modifier, even where two of the types are the same
 * here (size_t and uintmax_t are both unsigned long on x86_64). */
/* NOLINTBEGIN(bugprone-branch-clone) */
static uint64_t take_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	case LEN_T: return (uint64_t)va_arg(*ap, ptrdiff_t);
	case LEN_INT: break;
	}
	return va_arg(*ap, unsigned int);
}

static int64_t take_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z: return (int64_t)va_arg(*ap, size_t);
	case LEN_J: return va_arg(*ap, intmax_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	case LEN_INT: break;
	}
	return va_arg(*ap, int);
}
/* NOLINTEND(bugprone-branch-clone) */

/*
 * Emits [spaces][sign][prefix][zeros]digits[spaces].  The precision is the
 * minimum digit count (0 with value 0: no digits); the '0' flag pads with
 * zeros only when there is no precision, as in C.
 */
static void emit_number(struct fmt_out *o, const struct spec *sp, uint64_t v, bool negative,
                        unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	for (; v != 0; v /= base)
		tmp[n++] = digits[v % base];
	if (n == 0 && sp->prec != 0)
		tmp[n++] = '0';
	int zeros = sp->prec > n ? sp->prec - n : 0;
	/* clang-format off */
	char sign = negative ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	/* clang-format on */
	int plen = 0;
	while (prefix[plen])
		plen++;
	int body = n + zeros + (sign ? 1 : 0) + plen;
	int pad = sp->width > body ? sp->width - body : 0;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!sp->left)
		emit_pad(o, ' ', pad);
	if (sign)
		emit(o, sign);
	for (int i = 0; i < plen; i++)
		emit(o, prefix[i]);
	emit_pad(o, '0', zeros);
	while (n > 0)
		emit(o, tmp[--n]);
	if (sp->left)
		emit_pad(o, ' ', pad);
}

static void emit_chars(struct fmt_out *o, const struct spec *sp, const char *s, int n)
{
	if (!sp->left)
		emit_pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		emit(o, s[i]);
	if (sp->left)
		emit_pad(o, ' ', sp->width - n);
}

static void emit_string(struct fmt_out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	int n = 0;
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	emit_chars(o, sp, s, n);
}

static void emit_pointer(struct fmt_out *o, struct spec sp, uint64_t v, unsigned opts)
{
	if (!(opts & FORMAT_PTR_NATURAL)) {
		/* The kernel log's fixed-width address: 0x + 16 digits. */
		sp.zero = true;
		sp.left = false;
		sp.prec = -1;
		if (sp.width < 18)
			sp.width = 18;
	}
	emit_number(o, &sp, v, false, 16, false, "0x");
}

int format_vopt(format_putc_fn putc, void *ctx, unsigned opts, const char *fmt, va_list ap_in)
{
	struct fmt_out o = {putc, ctx, 0};
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			emit(&o, *p);
			continue;
		}
		const char *start = p;
		struct spec sp;
		enum length len;
		p = parse_spec(p + 1, &sp, &ap);
		p = parse_length(p, &len);
		if (*p != 'd' && *p != 'i') /* only signed conversions take '+'/' ' */
			sp.plus = sp.space = false;
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = take_signed(&ap, len);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			emit_number(&o, &sp, mag, v < 0, 10, false, "");
			break;
		}
		case 'u':
			emit_number(&o, &sp, take_unsigned(&ap, len), false, 10, false, "");
			break;
		case 'x':
		case 'X': {
			uint64_t v = take_unsigned(&ap, len);
			const char *pre = sp.alt && v != 0 ? (*p == 'x' ? "0x" : "0X") : "";
			emit_number(&o, &sp, v, false, 16, *p == 'X', pre);
			break;
		}
		case 'o': {
			uint64_t v = take_unsigned(&ap, len);
			/* '#': the first digit is a 0; a precision may already give it. */
			int digits = 0;
			for (uint64_t t = v; t; t /= 8)
				digits++;
			const char *pre = sp.alt && v != 0 && sp.prec <= digits ? "0" : "";
			if (sp.alt && v == 0 && sp.prec == 0)
				sp.prec = 1;
			emit_number(&o, &sp, v, false, 8, false, pre);
			break;
		}
		case 'p':
			emit_pointer(&o, sp, (uint64_t)(uintptr_t)va_arg(ap, void *), opts);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			emit_chars(&o, &sp, &c, 1);
			break;
		}
		case 's':
			emit_string(&o, &sp, va_arg(ap, const char *));
			break;
		case '%':
			emit(&o, '%');
			break;
		case '\0':
			/* A lone '%' (maybe with flags) at the end: print it, stop. */
			if (opts & FORMAT_BAD_VERBATIM)
				emit_span(&o, start, p);
			else
				emit(&o, '%');
			goto done;
		default:
			if (opts & FORMAT_BAD_VERBATIM) {
				emit_span(&o, start, p);
			} else {
				emit(&o, '%');
				emit(&o, '?');
				emit(&o, *p);
			}
			break;
		}
	}
done:
	va_end(ap);
	return o.count > INT32_MAX ? INT32_MAX : (int)o.count;
}

int format_v(format_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
	return format_vopt(putc, ctx, 0, fmt, ap);
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

int format_vsnprintf_opt(char *buf, size_t len, unsigned opts, const char *fmt, va_list ap)
{
	struct buf_ctx b = {buf, len, 0};
	int n = format_vopt(buf_putc, &b, opts, fmt, ap);
	if (len)
		buf[b.pos < len ? b.pos : len - 1] = '\0';
	return n;
}

int format_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	return format_vsnprintf_opt(buf, len, 0, fmt, ap);
}

int format_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

void format_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = 0;
	while (used < len && buf[used])
		used++;
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}
