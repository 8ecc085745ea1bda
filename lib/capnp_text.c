/* Cap'n Proto text form from schema information (see capnp_text.h). */
#include "capnp_text.h"

#include <stdarg.h>

#include "format.h"
#include "kstring.h"

#define NO_DISCRIMINANT 0xffffu
#define MAX_DEPTH       16u
#define TEXT_MAX        512u

/* ------------------------------------------------------------------ */
/* Schema lookups                                                     */
/* ------------------------------------------------------------------ */

int ctext_schema_init(struct ctext_schema *s, struct capnp_reader *m)
{
	schema_CodeGeneratorRequest_reader r = schema_CodeGeneratorRequest_read_root(m);
	s->nodes = schema_CodeGeneratorRequest_get_nodes(r);
	return capnp_reader_error(m) == CAPNP_OK && s->nodes.len > 0 ? 0 : -1;
}

bool ctext_node(const struct ctext_schema *s, uint64_t id, schema_Node_reader *out)
{
	for (uint32_t i = 0; i < s->nodes.len; i++) {
		schema_Node_reader n = schema_Node_list_get(s->nodes, i);
		if (schema_Node_get_id(n) == id) {
			*out = n;
			return true;
		}
	}
	return false;
}

struct capnp_text ctext_node_name(schema_Node_reader n)
{
	struct capnp_text t = schema_Node_get_displayName(n);
	uint32_t skip = schema_Node_get_displayNamePrefixLength(n);
	if (skip > t.len)
		skip = t.len;
	t.str += skip;
	t.len -= skip;
	return t;
}

static bool text_eq(struct capnp_text t, const char *s, size_t len)
{
	return t.len == len && memcmp(t.str, s, len) == 0;
}

static void method_from(uint64_t iface, schema_Method_reader m, uint16_t ordinal,
                        struct ctext_method *out)
{
	out->interface_id = iface;
	out->ordinal = ordinal;
	out->params_id = schema_Method_get_paramStructType(m);
	out->results_id = schema_Method_get_resultStructType(m);
	out->name = schema_Method_get_name(m);
}

bool ctext_method_at(const struct ctext_schema *s, uint64_t iface, uint32_t i,
                     struct ctext_method *out)
{
	schema_Node_reader n;
	if (!ctext_node(s, iface, &n) || schema_Node_which(n) != schema_Node_which_interface)
		return false;
	struct capnp_list ms = schema_Node_interface_get_methods(schema_Node_get_interface(n));
	if (i >= ms.len)
		return false;
	method_from(iface, schema_Method_list_get(ms, i), (uint16_t)i, out);
	return true;
}

static int find_method(const struct ctext_schema *s, uint64_t iface, const char *name, size_t len,
                       struct ctext_method *out, unsigned depth)
{
	schema_Node_reader n;
	if (depth > MAX_DEPTH || !ctext_node(s, iface, &n) ||
	    schema_Node_which(n) != schema_Node_which_interface)
		return -1;
	schema_Node_interface_reader in = schema_Node_get_interface(n);
	struct capnp_list ms = schema_Node_interface_get_methods(in);
	for (uint32_t i = 0; i < ms.len; i++) {
		schema_Method_reader m = schema_Method_list_get(ms, i);
		if (text_eq(schema_Method_get_name(m), name, len)) {
			method_from(iface, m, (uint16_t)i, out);
			return 0;
		}
	}
	struct capnp_list sup = schema_Node_interface_get_superclasses(in);
	for (uint32_t i = 0; i < sup.len; i++) {
		uint64_t id = schema_Superclass_get_id(schema_Superclass_list_get(sup, i));
		if (find_method(s, id, name, len, out, depth + 1) == 0)
			return 0;
	}
	return -2;
}

int ctext_find_method(const struct ctext_schema *s, uint64_t iface, const char *name, size_t len,
                      struct ctext_method *out)
{
	schema_Node_reader n;
	if (!ctext_node(s, iface, &n) || schema_Node_which(n) != schema_Node_which_interface)
		return -1;
	return find_method(s, iface, name, len, out, 0) == 0 ? 0 : -2;
}

/* The struct node id names, with its sizes; false if it is none. */
static bool struct_node(const struct ctext_schema *s, uint64_t id, schema_Node_reader *n)
{
	return ctext_node(s, id, n) && schema_Node_which(*n) == schema_Node_which_struct;
}

/* ------------------------------------------------------------------ */
/* Where a value goes: a struct field, a list element, or nowhere     */
/* (counting a list's elements before it is made).                    */
/* ------------------------------------------------------------------ */

enum tgt_kind { TGT_NONE,
	        TGT_FIELD,
	        TGT_ELEM };

struct tgt {
	enum tgt_kind kind;
	struct capnp_struct_builder sb; /* TGT_FIELD */
	uint32_t off;                   /* data: in units of the type; pointer: index */
	uint64_t dflt;                  /* a data field's default, XORed in */
	struct capnp_list_builder lb;   /* TGT_ELEM */
	uint32_t i;
};

static unsigned data_bits(enum schema_Type_which w)
{
	switch (w) {
	case schema_Type_which_bool:
		return 1;
	case schema_Type_which_int8:
	case schema_Type_which_uint8:
		return 8;
	case schema_Type_which_int16:
	case schema_Type_which_uint16:
	case schema_Type_which_enum:
		return 16;
	case schema_Type_which_int32:
	case schema_Type_which_uint32:
	case schema_Type_which_float32:
		return 32;
	case schema_Type_which_int64:
	case schema_Type_which_uint64:
	case schema_Type_which_float64:
		return 64;
	default:
		return 0; /* void or a pointer */
	}
}

static void put_bits(const struct tgt *t, unsigned bits, uint64_t v)
{
	if (t->kind == TGT_FIELD) {
		v ^= t->dflt;
		uint32_t o = t->off;
		switch (bits) {
		case 1:
			capnp_sb_set_bool(t->sb, o, v & 1);
			break;
		case 8:
			capnp_sb_set_u8(t->sb, o, (uint8_t)v);
			break;
		case 16:
			capnp_sb_set_u16(t->sb, o * 2, (uint16_t)v);
			break;
		case 32:
			capnp_sb_set_u32(t->sb, o * 4, (uint32_t)v);
			break;
		case 64:
			capnp_sb_set_u64(t->sb, o * 8, v);
			break;
		default:
			break;
		}
	} else if (t->kind == TGT_ELEM) {
		switch (bits) {
		case 1:
			capnp_lb_set_bool(t->lb, t->i, v & 1);
			break;
		case 8:
			capnp_lb_set_u8(t->lb, t->i, (uint8_t)v);
			break;
		case 16:
			capnp_lb_set_u16(t->lb, t->i, (uint16_t)v);
			break;
		case 32:
			capnp_lb_set_u32(t->lb, t->i, (uint32_t)v);
			break;
		case 64:
			capnp_lb_set_u64(t->lb, t->i, v);
			break;
		default:
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The parser                                                         */
/* ------------------------------------------------------------------ */

struct parser {
	const struct ctext_schema *s;
	const char *p, *start, *end;
	struct capnp_builder *b;
	const struct ctext_caps *caps;
	struct ctext_error *err;
	bool failed;
	unsigned depth;
};

__attribute__((format(printf, 3, 4))) static int fail_at(struct parser *P, const char *at,
                                                         const char *fmt, ...)
{
	if (P->failed)
		return -1;
	P->failed = true;
	P->err->column = (uint32_t)(at - P->start) + 1;
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(P->err->message, sizeof P->err->message, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_space(struct parser *P)
{
	while (P->p < P->end && (*P->p == ' ' || *P->p == '\t' || *P->p == '\n' || *P->p == '\r'))
		P->p++;
}

static bool accept(struct parser *P, char c)
{
	skip_space(P);
	if (P->p < P->end && *P->p == c) {
		P->p++;
		return true;
	}
	return false;
}

static int expect(struct parser *P, char c)
{
	if (accept(P, c))
		return 0;
	if (P->p >= P->end)
		return fail_at(P, P->p, "'%c' expected at the end", c);
	return fail_at(P, P->p, "'%c' expected, found '%c'", c, *P->p);
}

static bool ident_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
}

/* An identifier (a field, enumerant or cap name): its length, 0 if none. */
static size_t ident(struct parser *P, const char **at)
{
	skip_space(P);
	*at = P->p;
	const char *q = P->p;
	if (q < P->end && ident_char(*q, true))
		while (q < P->end && ident_char(*q, q == P->p))
			q++;
	P->p = q;
	return (size_t)(q - *at);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A quoted string (C escapes) or 0x"hex" into buf; its length or -1. */
static int string(struct parser *P, uint8_t *buf, size_t cap, bool hex_ok)
{
	skip_space(P);
	const char *at = P->p;
	size_t n = 0;
	if (hex_ok && P->end - P->p >= 3 && P->p[0] == '0' && P->p[1] == 'x' && P->p[2] == '"') {
		P->p += 3;
		for (;;) {
			if (P->p >= P->end)
				return fail_at(P, at, "unterminated 0x\"...\"");
			if (*P->p == '"')
				break;
			if (*P->p == ' ') {
				P->p++;
				continue;
			}
			int hi = hex_digit(*P->p), lo = P->p + 1 < P->end ? hex_digit(P->p[1]) : -1;
			if (hi < 0 || lo < 0)
				return fail_at(P, P->p, "two hex digits expected in 0x\"...\"");
			if (n == cap)
				return fail_at(P, at, "data longer than %u bytes", (unsigned)cap);
			buf[n++] = (uint8_t)(hi * 16 + lo);
			P->p += 2;
		}
		P->p++;
		return (int)n;
	}
	if (P->p >= P->end || *P->p != '"')
		return fail_at(P, at, "a quoted string expected");
	P->p++;
	for (;;) {
		if (P->p >= P->end)
			return fail_at(P, at, "unterminated string");
		char c = *P->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (P->p >= P->end)
				return fail_at(P, at, "unterminated string");
			const char *esc = P->p - 1;
			char e = *P->p++;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			case '\\':
			case '"':
			case '\'':
			case '?': c = e; break;
			case 'x': {
				int hi = P->p < P->end ? hex_digit(*P->p) : -1;
				int lo = P->p + 1 < P->end ? hex_digit(P->p[1]) : -1;
				if (hi < 0 || lo < 0)
					return fail_at(P, esc, "\\x needs two hex digits");
				c = (char)(hi * 16 + lo);
				P->p += 2;
				break;
			}
			default:
				if (e >= '0' && e <= '7') {
					unsigned v = (unsigned)(e - '0');
					for (int k = 0; k < 2 && P->p < P->end && *P->p >= '0' && *P->p <= '7'; k++)
						v = v * 8 + (unsigned)(*P->p++ - '0');
					if (v > 255)
						return fail_at(P, esc, "octal escape above \\377");
					c = (char)v;
					break;
				}
				return fail_at(P, esc, "unknown escape \\%c", e);
			}
		}
		if (n == cap)
			return fail_at(P, at, "string longer than %u bytes", (unsigned)cap);
		buf[n++] = (uint8_t)c;
	}
	return (int)n;
}

/* A number: integer (decimal, 0x hex) or, with float_ok, a decimal
 * fraction and exponent.  neg: a leading minus. */
struct number {
	bool neg, is_float;
	uint64_t mag;
	double f;
};

static double pow10i(int e)
{
	double r = 1, b = 10;
	unsigned u = (unsigned)(e < 0 ? -e : e);
	while (u) {
		if (u & 1)
			r *= b;
		b *= b;
		u >>= 1;
	}
	return r;
}

static int number(struct parser *P, struct number *n, bool float_ok)
{
	skip_space(P);
	const char *at = P->p;
	*n = (struct number){0};
	if (P->p < P->end && (*P->p == '-' || *P->p == '+'))
		n->neg = *P->p++ == '-';
	if (P->end - P->p > 2 && P->p[0] == '0' && (P->p[1] == 'x' || P->p[1] == 'X') &&
	    hex_digit(P->p[2]) >= 0) {
		P->p += 2;
		while (P->p < P->end && hex_digit(*P->p) >= 0) {
			if (n->mag >> 60)
				return fail_at(P, at, "number too large");
			n->mag = n->mag * 16 + (uint64_t)hex_digit(*P->p++);
		}
		return 0;
	}
	if (P->p >= P->end || *P->p < '0' || *P->p > '9')
		return fail_at(P, at, "a number expected");
	uint64_t mant = 0;
	int exp10 = 0, digits = 0;
	bool overflow = false;
	while (P->p < P->end && *P->p >= '0' && *P->p <= '9') {
		unsigned d = (unsigned)(*P->p++ - '0');
		if (mant > (UINT64_MAX - d) / 10) {
			overflow = true;
			exp10++;
		} else {
			mant = mant * 10 + d;
		}
		digits++;
	}
	if (P->p < P->end && (*P->p == '.' || *P->p == 'e' || *P->p == 'E')) {
		if (!float_ok)
			return fail_at(P, at, "an integer expected");
		n->is_float = true;
		if (*P->p == '.') {
			P->p++;
			while (P->p < P->end && *P->p >= '0' && *P->p <= '9') {
				unsigned d = (unsigned)(*P->p++ - '0');
				if (mant <= (UINT64_MAX - d) / 10 && mant < (1ull << 53)) {
					mant = mant * 10 + d;
					exp10--;
				}
			}
		}
		if (P->p < P->end && (*P->p == 'e' || *P->p == 'E')) {
			P->p++;
			bool eneg = false;
			if (P->p < P->end && (*P->p == '-' || *P->p == '+'))
				eneg = *P->p++ == '-';
			if (P->p >= P->end || *P->p < '0' || *P->p > '9')
				return fail_at(P, at, "an exponent expected");
			int e = 0;
			while (P->p < P->end && *P->p >= '0' && *P->p <= '9')
				if ((e = e * 10 + (*P->p++ - '0')) > 9999)
					return fail_at(P, at, "exponent too large");
			exp10 += eneg ? -e : e;
		}
	} else if (overflow) {
		return fail_at(P, at, "number too large");
	}
	(void)digits;
	n->mag = mant;
	if (n->is_float) {
		/* Exact for a mantissa below 2^53 and |exp10| <= 22 (one
		 * correctly rounded operation); close enough beyond. */
		double m = (double)mant;
		n->f = exp10 < 0 ? m / pow10i(exp10) : m * pow10i(exp10);
		if (n->neg)
			n->f = -n->f;
	}
	return 0;
}

static int value(struct parser *P, schema_Type_reader type, const struct tgt *t);

/* Sets a struct field, group or union member named at the cursor. */
static int struct_body(struct parser *P, schema_Node_reader node, struct capnp_struct_builder sb,
                       bool dry);

static int integer_value(struct parser *P, enum schema_Type_which w, const struct tgt *t)
{
	skip_space(P);
	const char *at = P->p;
	struct number n;
	if (number(P, &n, false) < 0)
		return -1;
	unsigned bits = data_bits(w);
	bool sign = w == schema_Type_which_int8 || w == schema_Type_which_int16 ||
	            w == schema_Type_which_int32 || w == schema_Type_which_int64;
	uint64_t v;
	if (sign) {
		uint64_t lim = 1ull << (bits - 1); /* magnitude of the minimum */
		if ((n.neg && n.mag > lim) || (!n.neg && n.mag >= lim))
			return fail_at(P, at, "out of range for Int%u", bits);
		v = n.neg ? (uint64_t)0 - n.mag : n.mag;
	} else {
		if (n.neg && n.mag != 0)
			return fail_at(P, at, "negative value for UInt%u", bits);
		if (bits < 64 && n.mag >> bits)
			return fail_at(P, at, "out of range for UInt%u", bits);
		v = n.mag;
	}
	put_bits(t, bits, v);
	return 0;
}

static int float_value(struct parser *P, enum schema_Type_which w, const struct tgt *t)
{
	struct number n;
	skip_space(P);
	const char *at;
	size_t len = ident(P, &at);
	double f;
	if (len == 3 && memcmp(at, "inf", 3) == 0)
		f = __builtin_inf();
	else if (len == 3 && memcmp(at, "nan", 3) == 0)
		f = __builtin_nan("");
	else if (len != 0)
		return fail_at(P, at, "a number expected");
	else if (number(P, &n, true) < 0)
		return -1;
	else
		f = n.is_float ? n.f : (n.neg ? -(double)n.mag : (double)n.mag);
	if (w == schema_Type_which_float32) {
		float g = (float)f;
		uint32_t u;
		memcpy(&u, &g, 4);
		put_bits(t, 32, u);
	} else {
		uint64_t u;
		memcpy(&u, &f, 8);
		put_bits(t, 64, u);
	}
	return 0;
}

static int enum_value(struct parser *P, schema_Type_reader type, const struct tgt *t)
{
	const char *at;
	size_t len = ident(P, &at);
	uint64_t id = schema_Type_enum_get_typeId(schema_Type_get_enum(type));
	schema_Node_reader n;
	if (!ctext_node(P->s, id, &n) || schema_Node_which(n) != schema_Node_which_enum)
		return fail_at(P, at, "enum %lx is not in the schemas", (unsigned long)id);
	struct capnp_list es = schema_Node_enum_get_enumerants(schema_Node_get_enum(n));
	if (len == 0)
		return fail_at(P, at, "an enumerant of %.*s expected", (int)ctext_node_name(n).len,
		               ctext_node_name(n).str);
	for (uint32_t i = 0; i < es.len; i++)
		if (text_eq(schema_Enumerant_get_name(schema_Enumerant_list_get(es, i)), at, len)) {
			put_bits(t, 16, i);
			return 0;
		}
	return fail_at(P, at, "%.*s has no enumerant '%.*s'", (int)ctext_node_name(n).len,
	               ctext_node_name(n).str, (int)len, at);
}

static int text_value(struct parser *P, bool is_data, const struct tgt *t)
{
	uint8_t buf[TEXT_MAX];
	int n = string(P, buf, sizeof buf, is_data);
	if (n < 0)
		return -1;
	if (!is_data && strnlen((const char *)buf, (size_t)n) != (size_t)n)
		return fail_at(P, P->p, "Text may not hold a NUL byte");
	if (t->kind == TGT_FIELD) {
		if (is_data)
			capnp_sb_set_data(t->sb, t->off, buf, (size_t)n);
		else
			capnp_sb_set_text(t->sb, t->off, (const char *)buf, (size_t)n);
	} else if (t->kind == TGT_ELEM) {
		if (is_data)
			capnp_lb_set_data(t->lb, t->i, buf, (size_t)n);
		else
			capnp_lb_set_text(t->lb, t->i, (const char *)buf, (size_t)n);
	}
	return 0;
}

static int cap_value(struct parser *P, const struct tgt *t)
{
	const char *at;
	size_t len = ident(P, &at);
	if (len == 0)
		return fail_at(P, at, "a capability name expected");
	if (len == 4 && memcmp(at, "null", 4) == 0)
		return 0;
	int idx = P->caps && P->caps->lookup ? P->caps->lookup(P->caps->ctx, at, len) : -1;
	if (idx < 0)
		return fail_at(P, at, "no capability '%.*s'", (int)len, at);
	if (t->kind == TGT_FIELD)
		capnp_sb_set_cap(t->sb, t->off, (uint32_t)idx);
	else if (t->kind == TGT_ELEM)
		capnp_lb_set_cap(t->lb, t->i, (uint32_t)idx);
	return 0;
}

static int struct_value(struct parser *P, schema_Type_reader type, const struct tgt *t)
{
	uint64_t id = schema_Type_struct_get_typeId(schema_Type_get_struct(type));
	schema_Node_reader n;
	if (!struct_node(P->s, id, &n))
		return fail_at(P, P->p, "struct %lx is not in the schemas", (unsigned long)id);
	schema_Node_struct_reader st = schema_Node_get_struct(n);
	uint16_t dw = schema_Node_struct_get_dataWordCount(st);
	uint16_t pc = schema_Node_struct_get_pointerCount(st);
	struct capnp_struct_builder sb = {0};
	if (t->kind == TGT_FIELD)
		sb = capnp_sb_init_struct(t->sb, t->off, dw, pc);
	else if (t->kind == TGT_ELEM)
		sb = capnp_lb_struct_at(t->lb, t->i);
	return struct_body(P, n, sb, t->kind == TGT_NONE);
}

/* Elements of a list at the cursor (after '['), counted without building. */
static int count_elems(struct parser *P, schema_Type_reader elem, uint32_t *count)
{
	const char *save = P->p;
	struct tgt none = {.kind = TGT_NONE};
	uint32_t n = 0;
	if (!accept(P, ']')) {
		do {
			if (value(P, elem, &none) < 0)
				return -1;
			n++;
		} while (accept(P, ','));
		if (expect(P, ']') < 0)
			return -1;
	}
	P->p = save;
	*count = n;
	return 0;
}

static enum capnp_elem_size elem_size(enum schema_Type_which w)
{
	switch (data_bits(w)) {
	case 1:
		return CAPNP_ELEM_BIT;
	case 8:
		return CAPNP_ELEM_BYTE;
	case 16:
		return CAPNP_ELEM_2B;
	case 32:
		return CAPNP_ELEM_4B;
	case 64:
		return CAPNP_ELEM_8B;
	default:
		return w == schema_Type_which_void ? CAPNP_ELEM_VOID : CAPNP_ELEM_POINTER;
	}
}

static int list_value(struct parser *P, schema_Type_reader type, const struct tgt *t)
{
	schema_Type_reader elem = schema_Type_list_get_elementType(schema_Type_get_list(type));
	enum schema_Type_which ew = schema_Type_which(elem);
	if (expect(P, '[') < 0)
		return -1;
	uint32_t n = 0;
	if (count_elems(P, elem, &n) < 0)
		return -1;
	struct tgt e = {.kind = TGT_NONE};
	if (t->kind != TGT_NONE) {
		e.kind = TGT_ELEM;
		uint8_t *slot = 0;
		if (t->kind == TGT_FIELD)
			slot = capnp_sb_slot_(t->sb, t->off);
		if (ew == schema_Type_which_struct) {
			schema_Node_reader sn;
			uint64_t id = schema_Type_struct_get_typeId(schema_Type_get_struct(elem));
			if (!struct_node(P->s, id, &sn))
				return fail_at(P, P->p, "struct %lx is not in the schemas", (unsigned long)id);
			schema_Node_struct_reader st = schema_Node_get_struct(sn);
			uint16_t dw = schema_Node_struct_get_dataWordCount(st);
			uint16_t pc = schema_Node_struct_get_pointerCount(st);
			e.lb = t->kind == TGT_FIELD
			               ? capnp_slot_init_struct_list(P->b, slot, dw, pc, n)
			               : capnp_lb_init_struct_list(t->lb, t->i, dw, pc, n);
		} else {
			enum capnp_elem_size sz = elem_size(ew);
			e.lb = t->kind == TGT_FIELD ? capnp_slot_init_list(P->b, slot, sz, n)
			                            : capnp_lb_init_list(t->lb, t->i, sz, n);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0 && expect(P, ',') < 0)
			return -1;
		e.i = i;
		if (value(P, elem, &e) < 0)
			return -1;
	}
	return expect(P, ']');
}

static int value(struct parser *P, schema_Type_reader type, const struct tgt *t)
{
	if (P->depth++ > MAX_DEPTH)
		return fail_at(P, P->p, "nested more than %u deep", MAX_DEPTH);
	enum schema_Type_which w = schema_Type_which(type);
	int rc;
	const char *at;
	size_t len;
	switch (w) {
	case schema_Type_which_void:
		len = ident(P, &at);
		rc = len == 4 && memcmp(at, "void", 4) == 0 ? 0 : fail_at(P, at, "void expected");
		break;
	case schema_Type_which_bool:
		len = ident(P, &at);
		if (len == 4 && memcmp(at, "true", 4) == 0)
			put_bits(t, 1, 1), rc = 0;
		else if (len == 5 && memcmp(at, "false", 5) == 0)
			put_bits(t, 1, 0), rc = 0;
		else
			rc = fail_at(P, at, "true or false expected");
		break;
	case schema_Type_which_float32:
	case schema_Type_which_float64:
		rc = float_value(P, w, t);
		break;
	case schema_Type_which_text:
	case schema_Type_which_data:
		rc = text_value(P, w == schema_Type_which_data, t);
		break;
	case schema_Type_which_enum:
		rc = enum_value(P, type, t);
		break;
	case schema_Type_which_struct:
		rc = expect(P, '(') < 0 ? -1 : struct_value(P, type, t);
		break;
	case schema_Type_which_list:
		rc = list_value(P, type, t);
		break;
	case schema_Type_which_interface:
		rc = cap_value(P, t);
		break;
	case schema_Type_which_anyPointer:
		rc = fail_at(P, P->p, "AnyPointer values cannot be written as text");
		break;
	default:
		rc = data_bits(w) ? integer_value(P, w, t) : fail_at(P, P->p, "unknown type %u", w);
		break;
	}
	P->depth--;
	return rc;
}

/* A data field's default value's bits (what the wire value is XORed with). */
static uint64_t default_bits(schema_Field_slot_reader slot, enum schema_Type_which w)
{
	if (!schema_Field_slot_has_defaultValue(slot))
		return 0;
	schema_Value_reader v = schema_Field_slot_get_defaultValue(slot);
	switch (w) {
	case schema_Type_which_bool:
		return schema_Value_get_bool(v);
	case schema_Type_which_int8:
		return (uint8_t)schema_Value_get_int8(v);
	case schema_Type_which_int16:
		return (uint16_t)schema_Value_get_int16(v);
	case schema_Type_which_int32:
		return (uint32_t)schema_Value_get_int32(v);
	case schema_Type_which_int64:
		return (uint64_t)schema_Value_get_int64(v);
	case schema_Type_which_uint8:
		return schema_Value_get_uint8(v);
	case schema_Type_which_uint16:
		return schema_Value_get_uint16(v);
	case schema_Type_which_uint32:
		return schema_Value_get_uint32(v);
	case schema_Type_which_uint64:
		return schema_Value_get_uint64(v);
	case schema_Type_which_enum:
		return schema_Value_get_enum(v);
	case schema_Type_which_float32:
		return capnp_struct_u32(&v.s, 4);
	case schema_Type_which_float64:
		return capnp_struct_u64(&v.s, 8);
	default:
		return 0;
	}
}

static int field_value(struct parser *P, schema_Node_reader node, schema_Field_reader f,
                       struct capnp_struct_builder sb, bool dry)
{
	uint16_t disc = schema_Field_get_discriminantValue(f);
	if (!dry && disc != NO_DISCRIMINANT) {
		uint32_t off = schema_Node_struct_get_discriminantOffset(schema_Node_get_struct(node));
		capnp_sb_set_u16(sb, off * 2, disc);
	}
	if (schema_Field_which(f) == schema_Field_which_group) {
		uint64_t id = schema_Field_group_get_typeId(schema_Field_get_group(f));
		schema_Node_reader g;
		if (!struct_node(P->s, id, &g))
			return fail_at(P, P->p, "group %lx is not in the schemas", (unsigned long)id);
		if (expect(P, '(') < 0)
			return -1;
		return struct_body(P, g, sb, dry);
	}
	schema_Field_slot_reader slot = schema_Field_get_slot(f);
	schema_Type_reader type = schema_Field_slot_get_type(slot);
	enum schema_Type_which w = schema_Type_which(type);
	struct tgt t = {.kind = dry ? TGT_NONE : TGT_FIELD, .sb = sb};
	t.off = schema_Field_slot_get_offset(slot);
	t.dflt = default_bits(slot, w);
	return value(P, type, &t);
}

static int struct_body(struct parser *P, schema_Node_reader node, struct capnp_struct_builder sb,
                       bool dry)
{
	struct capnp_list fields = schema_Node_struct_get_fields(schema_Node_get_struct(node));
	if (accept(P, ')'))
		return 0;
	do {
		const char *at;
		size_t len = ident(P, &at);
		if (len == 0)
			return fail_at(P, at, "a field name expected");
		schema_Field_reader f;
		bool found = false;
		for (uint32_t i = 0; i < fields.len && !found; i++) {
			f = schema_Field_list_get(fields, i);
			found = text_eq(schema_Field_get_name(f), at, len);
		}
		if (!found)
			return fail_at(P, at, "%.*s has no field '%.*s'", (int)ctext_node_name(node).len,
			               ctext_node_name(node).str, (int)len, at);
		if (expect(P, '=') < 0 || field_value(P, node, f, sb, dry) < 0)
			return -1;
	} while (accept(P, ','));
	return expect(P, ')');
}

int ctext_build(const struct ctext_schema *s, uint64_t struct_id, const char *text, size_t len,
                struct capnp_builder *b, const struct ctext_caps *caps, struct ctext_error *err)
{
	struct parser P = {.s = s, .p = text, .start = text, .end = text + len, .b = b, .caps = caps, .err = err};
	err->column = 0;
	err->message[0] = '\0';
	schema_Node_reader n;
	if (!struct_node(s, struct_id, &n))
		return fail_at(&P, text, "struct %lx is not in the schemas", (unsigned long)struct_id);
	schema_Node_struct_reader st = schema_Node_get_struct(n);
	struct capnp_struct_builder sb = capnp_builder_root(
		b, schema_Node_struct_get_dataWordCount(st), schema_Node_struct_get_pointerCount(st));
	skip_space(&P);
	if (P.p == P.end) /* nothing: every field its default */
		return capnp_builder_error(b) == CAPNP_OK ? 0 : fail_at(&P, text, "message too large");
	if (expect(&P, '(') < 0 || struct_body(&P, n, sb, false) < 0)
		return -1;
	skip_space(&P);
	if (P.p != P.end)
		return fail_at(&P, P.p, "unexpected '%c' after the value", *P.p);
	if (capnp_builder_error(b) != CAPNP_OK)
		return fail_at(&P, text, "message too large for the call");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The printer                                                        */
/* ------------------------------------------------------------------ */

struct printer {
	const struct ctext_schema *s;
	const struct ctext_caps *caps;
	struct ctext_out *out;
	bool bad;
};

static void put(struct printer *R, const char *s, size_t n)
{
	struct ctext_out *o = R->out;
	if (o->truncated || o->cap == 0)
		return;
	if (o->len + n + 4 > o->cap) {
		o->truncated = true;
		size_t room = o->cap - o->len > 4 ? o->cap - o->len - 4 : 0;
		memcpy(o->buf + o->len, s, room);
		o->len += room;
		memcpy(o->buf + o->len, "...", 4);
		o->len += 3;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void puts_(struct printer *R, const char *s) { put(R, s, strlen(s)); }

__attribute__((format(printf, 2, 3))) static void putf(struct printer *R, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	va_start(ap, fmt);
	int n = format_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(R, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* As kj prints floats: %g with 15 (Float64) or 6 (Float32) significant
 * digits, more when those do not read back (up to 17 / 9), no "+" in the
 * exponent.  Written out here: the freestanding formatter has no %g. */
static void put_float(struct printer *R, double v, bool single)
{
	if (v != v) {
		puts_(R, "nan");
		return;
	}
	if (v < 0 || (v == 0 && 1 / v < 0)) {
		puts_(R, "-");
		v = -v;
	}
	if (v == __builtin_inf()) {
		puts_(R, "inf");
		return;
	}
	if (v == 0) {
		puts_(R, "0");
		return;
	}
	int prec = single ? 6 : 15, max = single ? 9 : 17;
	char dig[20] = {0};
	int exp10 = 0;
	for (;; prec++) {
		/* v = 0.d1d2d3... * 10^exp10 */
		int e = 0;
		double x = v;
		while (x >= 1) {
			x /= 10;
			e++;
		}
		while (x < 0.1) {
			x *= 10;
			e--;
		}
		/* Digits of x rounded to prec places, done in integers once
		 * x * 10^prec fits. */
		double scaled = x * pow10i(prec);
		uint64_t u = (uint64_t)(scaled + 0.5);
		if (u >= (uint64_t)pow10i(prec)) {
			u /= 10;
			e++;
		}
		for (int i = prec - 1; i >= 0; i--) {
			dig[i] = (char)('0' + u % 10);
			u /= 10;
		}
		exp10 = e;
		/* Read back; stop when it is the same number. */
		double back = 0;
		for (int i = 0; i < prec; i++)
			back = back * 10 + (dig[i] - '0');
		int sh = exp10 - prec;
		back = sh < 0 ? back / pow10i(sh) : back * pow10i(sh);
		bool same = single ? (float)back == (float)v : back == v;
		if (same || prec >= max)
			break;
	}
	int nd = prec;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	int X = exp10 - 1; /* %g's exponent */
	if (X < -4 || X >= prec) {
		put(R, dig, 1);
		if (nd > 1) {
			puts_(R, ".");
			put(R, dig + 1, (size_t)(nd - 1));
		}
		putf(R, "e%s%02d", X < 0 ? "-" : "", X < 0 ? -X : X);
	} else if (X < 0) {
		puts_(R, "0.");
		for (int i = 0; i < -X - 1; i++)
			puts_(R, "0");
		put(R, dig, (size_t)nd);
	} else {
		put(R, dig, (size_t)(X + 1 < nd ? X + 1 : nd));
		for (int i = nd; i < X + 1; i++)
			puts_(R, "0");
		if (nd > X + 1) {
			puts_(R, ".");
			put(R, dig + X + 1, (size_t)(nd - X - 1));
		}
	}
}

static void put_string(struct printer *R, const uint8_t *p, size_t n, bool data)
{
	puts_(R, "\"");
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		const char *e = 0;
		switch (c) {
		case '\a': e = "\\a"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\v': e = "\\v"; break;
		case '\'': e = "\\'"; break;
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		default: break;
		}
		if (e)
			puts_(R, e);
		else if (c < 0x20 || c == 0x7f || (data && c >= 0x80))
			putf(R, "\\%03o", c);
		else
			put(R, (const char *)&c, 1);
	}
	puts_(R, "\"");
}

static void print_struct(struct printer *R, schema_Node_reader node, struct capnp_struct v,
                         unsigned depth);

static void print_cap(struct printer *R, uint32_t idx)
{
	const char *name = R->caps && R->caps->name ? R->caps->name(R->caps->ctx, idx) : 0;
	if (idx == CAPNP_NO_CAP)
		puts_(R, "null");
	else if (name)
		puts_(R, name);
	else
		putf(R, "cap#%u", idx);
}

static void print_enum(struct printer *R, schema_Type_reader type, uint16_t v)
{
	schema_Node_reader n;
	uint64_t id = schema_Type_enum_get_typeId(schema_Type_get_enum(type));
	if (ctext_node(R->s, id, &n) && schema_Node_which(n) == schema_Node_which_enum) {
		struct capnp_list es = schema_Node_enum_get_enumerants(schema_Node_get_enum(n));
		if (v < es.len) {
			struct capnp_text t = schema_Enumerant_get_name(schema_Enumerant_list_get(es, v));
			put(R, t.str, t.len);
			return;
		}
	}
	putf(R, "%u", v);
}

/* A data value of type w from raw bits. */
static void print_bits(struct printer *R, schema_Type_reader type, uint64_t u)
{
	switch (schema_Type_which(type)) {
	case schema_Type_which_void:
		puts_(R, "void");
		break;
	case schema_Type_which_bool:
		puts_(R, u & 1 ? "true" : "false");
		break;
	case schema_Type_which_int8:
		putf(R, "%d", (int8_t)u);
		break;
	case schema_Type_which_int16:
		putf(R, "%d", (int16_t)u);
		break;
	case schema_Type_which_int32:
		putf(R, "%d", (int32_t)u);
		break;
	case schema_Type_which_int64:
		putf(R, "%lld", (long long)(int64_t)u);
		break;
	case schema_Type_which_uint8:
	case schema_Type_which_uint16:
	case schema_Type_which_uint32:
	case schema_Type_which_uint64:
		putf(R, "%llu", (unsigned long long)u);
		break;
	case schema_Type_which_float32: {
		float f;
		uint32_t b = (uint32_t)u;
		memcpy(&f, &b, 4);
		put_float(R, f, true);
		break;
	}
	case schema_Type_which_float64: {
		double d;
		memcpy(&d, &u, 8);
		put_float(R, d, false);
		break;
	}
	case schema_Type_which_enum:
		print_enum(R, type, (uint16_t)u);
		break;
	default:
		break;
	}
}

static uint64_t list_bits(struct capnp_list l, uint32_t i, unsigned bits)
{
	switch (bits) {
	case 1:
		return capnp_list_get_bool(l, i);
	case 8:
		return capnp_list_get_u8(l, i);
	case 16:
		return capnp_list_get_u16(l, i);
	case 32:
		return capnp_list_get_u32(l, i);
	case 64:
		return capnp_list_get_u64(l, i);
	default:
		return 0;
	}
}

/* The element size a list of elem is read with. */
static enum capnp_elem_size list_want(schema_Type_reader elem)
{
	enum schema_Type_which w = schema_Type_which(elem);
	return w == schema_Type_which_struct ? CAPNP_ELEM_COMPOSITE : elem_size(w);
}

static void print_list(struct printer *R, schema_Type_reader type, struct capnp_list l,
                       unsigned depth)
{
	schema_Type_reader elem = schema_Type_list_get_elementType(schema_Type_get_list(type));
	enum schema_Type_which w = schema_Type_which(elem);
	puts_(R, "[");
	for (uint32_t i = 0; i < l.len && !R->out->truncated; i++) {
		if (i)
			puts_(R, ", ");
		if (w == schema_Type_which_text) {
			struct capnp_text t = capnp_list_get_text(l, i);
			put_string(R, (const uint8_t *)t.str, t.len, false);
		} else if (w == schema_Type_which_data) {
			struct capnp_data d = capnp_list_get_data(l, i);
			put_string(R, d.ptr, d.len, true);
		} else if (w == schema_Type_which_struct) {
			schema_Node_reader n;
			if (struct_node(R->s, schema_Type_struct_get_typeId(schema_Type_get_struct(elem)),
			                &n))
				print_struct(R, n, capnp_list_get_struct(l, i), depth + 1);
		} else if (w == schema_Type_which_list) {
			schema_Type_reader inner =
				schema_Type_list_get_elementType(schema_Type_get_list(elem));
			print_list(R, elem, capnp_list_get_list(l, i, list_want(inner)), depth + 1);
		} else if (w == schema_Type_which_interface) {
			print_cap(R, capnp_list_get_cap(l, i));
		} else {
			print_bits(R, elem, list_bits(l, i, data_bits(w)));
		}
	}
	puts_(R, "]");
}

/* Prints a pointer field; false when it is null (then nothing is printed). */
static bool print_pointer(struct printer *R, schema_Type_reader type, struct capnp_struct *v,
                          uint32_t idx, unsigned depth, const char *prefix, struct capnp_text name)
{
	enum schema_Type_which w = schema_Type_which(type);
	if (!capnp_struct_has(v, idx) || v->sg == NULL) /* an empty struct has no pointers */
		return false;
	puts_(R, prefix);
	put(R, name.str, name.len);
	puts_(R, " = ");
	if (w == schema_Type_which_text) {
		struct capnp_text t = capnp_struct_get_text(v, idx, "", 0);
		put_string(R, (const uint8_t *)t.str, t.len, false);
	} else if (w == schema_Type_which_data) {
		struct capnp_data d = capnp_struct_get_data(v, idx, 0, 0);
		put_string(R, d.ptr, d.len, true);
	} else if (w == schema_Type_which_struct) {
		schema_Node_reader n;
		if (struct_node(R->s, schema_Type_struct_get_typeId(schema_Type_get_struct(type)), &n))
			print_struct(R, n, capnp_struct_get_struct(v, idx), depth + 1);
		else
			puts_(R, "(?)");
	} else if (w == schema_Type_which_list) {
		schema_Type_reader inner = schema_Type_list_get_elementType(schema_Type_get_list(type));
		print_list(R, type, capnp_struct_get_list(v, idx, list_want(inner)), depth + 1);
	} else if (w == schema_Type_which_interface) {
		print_cap(R, capnp_struct_get_cap(v, idx));
	} else {
		puts_(R, "<AnyPointer>");
	}
	return true;
}

static uint64_t field_bits(const struct capnp_struct *v, uint32_t off, unsigned bits)
{
	switch (bits) {
	case 1:
		return capnp_struct_bool(v, off);
	case 8:
		return capnp_struct_u8(v, off);
	case 16:
		return capnp_struct_u16(v, off * 2);
	case 32:
		return capnp_struct_u32(v, off * 4);
	case 64:
		return capnp_struct_u64(v, off * 8);
	default:
		return 0;
	}
}

static void print_struct(struct printer *R, schema_Node_reader node, struct capnp_struct v,
                         unsigned depth)
{
	if (depth > MAX_DEPTH) {
		puts_(R, "(...)");
		R->bad = true;
		return;
	}
	schema_Node_struct_reader st = schema_Node_get_struct(node);
	struct capnp_list fields = schema_Node_struct_get_fields(st);
	uint16_t active = NO_DISCRIMINANT;
	if (schema_Node_struct_get_discriminantCount(st))
		active = capnp_struct_u16(&v, schema_Node_struct_get_discriminantOffset(st) * 2);
	const char *sep = "";
	puts_(R, "(");
	for (uint32_t i = 0; i < fields.len && !R->out->truncated; i++) {
		schema_Field_reader f = schema_Field_list_get(fields, i);
		uint16_t disc = schema_Field_get_discriminantValue(f);
		if (disc != NO_DISCRIMINANT && disc != active)
			continue;
		struct capnp_text name = schema_Field_get_name(f);
		if (schema_Field_which(f) == schema_Field_which_group) {
			schema_Node_reader g;
			uint64_t id = schema_Field_group_get_typeId(schema_Field_get_group(f));
			if (!struct_node(R->s, id, &g))
				continue;
			puts_(R, sep);
			put(R, name.str, name.len);
			puts_(R, " = ");
			print_struct(R, g, v, depth + 1);
			sep = ", ";
			continue;
		}
		schema_Field_slot_reader slot = schema_Field_get_slot(f);
		schema_Type_reader type = schema_Field_slot_get_type(slot);
		enum schema_Type_which w = schema_Type_which(type);
		uint32_t off = schema_Field_slot_get_offset(slot);
		unsigned bits = data_bits(w);
		if (bits || w == schema_Type_which_void) {
			puts_(R, sep);
			put(R, name.str, name.len);
			puts_(R, " = ");
			print_bits(R, type, field_bits(&v, off, bits) ^ default_bits(slot, w));
			sep = ", ";
		} else if (print_pointer(R, type, &v, off, depth, sep, name)) {
			sep = ", ";
		}
	}
	puts_(R, ")");
}

int ctext_print(const struct ctext_schema *s, uint64_t struct_id, struct capnp_struct v,
                const struct ctext_caps *caps, struct ctext_out *out)
{
	struct printer R = {.s = s, .caps = caps, .out = out};
	out->len = 0;
	out->truncated = false;
	if (out->cap)
		out->buf[0] = '\0';
	schema_Node_reader n;
	if (!struct_node(s, struct_id, &n)) {
		putf(&R, "(struct %llx not in the schemas)", (unsigned long long)struct_id);
		return -1;
	}
	print_struct(&R, n, v, 0);
	if (v.m && capnp_reader_error(v.m) != CAPNP_OK)
		R.bad = true;
	return R.bad ? -1 : 0;
}
