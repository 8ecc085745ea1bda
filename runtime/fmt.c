/*
 * A small vsnprintf (see capos/fmt.h).  Output goes through put(), which
 * counts every character and stores only those that fit, so the return
 * value is the untruncated length as in C99.
 */
#include <capos/fmt.h>
#include <stdbool.h>
#include <stdint.h>
#include <capos/string.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	size_t n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;
	if (!sp->left)
		put_n(o, ' ', pad);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		put_n(o, ' ', pad);
}

static void emit_num(struct out *o, const struct spec *sp, uint64_t v, bool neg,
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
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	int plen = prefix ? (int)strlen(prefix) : 0;
	int body = n + zeros + (sign ? 1 : 0) + plen;
	int pad = sp->width > body ? sp->width - body : 0;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!sp->left)
		put_n(o, ' ', pad);
	if (sign)
		put(o, sign);
	for (const char *c = prefix; c && *c; c++)
		put(o, *c);
	put_n(o, '0', zeros);
	while (n > 0)
		put(o, tmp[--n]);
	if (sp->left)
		put_n(o, ' ', pad);
}

enum len_mod { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T };

/* One case per C length modifier, even where two of the types are the same
 * here (size_t and uintmax_t are both unsigned long on x86_64). */
/* NOLINTBEGIN(bugprone-branch-clone) */
static uint64_t arg_unsigned(va_list *ap, enum len_mod m)
{
	switch (m) {
	case L_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case L_H: return (unsigned short)va_arg(*ap, unsigned int);
	case L_L: return va_arg(*ap, unsigned long);
	case L_LL: return va_arg(*ap, unsigned long long);
	case L_Z: return va_arg(*ap, size_t);
	case L_J: return va_arg(*ap, uintmax_t);
	case L_T: return (uint64_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, enum len_mod m)
{
	switch (m) {
	case L_HH: return (signed char)va_arg(*ap, int);
	case L_H: return (short)va_arg(*ap, int);
	case L_L: return va_arg(*ap, long);
	case L_LL: return va_arg(*ap, long long);
	case L_Z: return (int64_t)va_arg(*ap, size_t);
	case L_J: return va_arg(*ap, intmax_t);
	case L_T: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}
/* NOLINTEND(bugprone-branch-clone) */

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-') sp->left = true;
		else if (*f == '0') sp->zero = true;
		else if (*f == '+') sp->plus = true;
		else if (*f == ' ') sp->space = true;
		else if (*f == '#') sp->alt = true;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp->prec = sp->prec * 10 + (*f++ - '0');
		}
	}
	return f;
}

static const char *parse_len(const char *f, enum len_mod *m)
{
	*m = L_NONE;
	switch (*f) {
	case 'h':
		if (f[1] == 'h') { *m = L_HH; return f + 2; }
		*m = L_H; return f + 1;
	case 'l':
		if (f[1] == 'l') { *m = L_LL; return f + 2; }
		*m = L_L; return f + 1;
	case 'z': *m = L_Z; return f + 1;
	case 'j': *m = L_J; return f + 1;
	case 't': *m = L_T; return f + 1;
	default: return f;
	}
}

int capos_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *f = fmt; *f != '\0'; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		const char *start = f;
		struct spec sp;
		enum len_mod m;
		f = parse_spec(f + 1, &sp, &ap);
		f = parse_len(f, &m);
		switch (*f) {
		case '%':
			put(&o, '%');
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			struct spec one = sp;
			one.prec = 1;
			if (c[0] == '\0') { /* strlen would see nothing */
				int pad = sp.width > 1 ? sp.width - 1 : 0;
				if (!sp.left) put_n(&o, ' ', pad);
				put(&o, '\0');
				if (sp.left) put_n(&o, ' ', pad);
			} else {
				emit_str(&o, &one, c);
			}
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			emit_str(&o, &sp, s ? s : "(null)");
			break;
		}
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, m);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			emit_num(&o, &sp, mag, v < 0, 10, false, NULL);
			break;
		}
		case 'u':
			emit_num(&o, &sp, arg_unsigned(&ap, m), false, 10, false, NULL);
			break;
		case 'x':
		case 'X': {
			uint64_t v = arg_unsigned(&ap, m);
			const char *pre = sp.alt && v != 0 ? (*f == 'x' ? "0x" : "0X") : NULL;
			emit_num(&o, &sp, v, false, 16, *f == 'X', pre);
			break;
		}
		case 'o': {
			uint64_t v = arg_unsigned(&ap, m);
			emit_num(&o, &sp, v, false, 8, false, sp.alt && v != 0 ? "0" : NULL);
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(ap, void *);
			sp.plus = sp.space = false;
			emit_num(&o, &sp, v, false, 16, false, "0x");
			break;
		}
		case '\0':
			/* A lone '%' at the end: print it, stop. */
			for (const char *c = start; *c; c++)
				put(&o, *c);
			f--;
			break;
		default:
			for (const char *c = start; c <= f; c++)
				put(&o, *c);
			break;
		}
	}
	va_end(ap);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int capos_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = capos_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
