/* Emission of struct and group accessors (readers and builders). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capnpc.h"

/* How a primitive schema type maps to C and to the runtime. */
struct prim {
	const char *ctype; /* getter/setter type                         */
	const char *raw;   /* runtime suffix: u8/u16/u32/u64            */
	const char *lit;   /* literal macro of the raw type              */
	unsigned bytes;    /* 0 for Bool (bit addressed)                 */
	bool is_float;
};

static bool prim_of(unsigned which, struct prim *p)
{
	static const struct {
		unsigned which;
		struct prim p;
	} table[] = {
		{schema_Type_which_bool, {"bool", "bool", "", 0, false}},
		{schema_Type_which_int8, {"int8_t", "u8", "UINT8_C", 1, false}},
		{schema_Type_which_int16, {"int16_t", "u16", "UINT16_C", 2, false}},
		{schema_Type_which_int32, {"int32_t", "u32", "UINT32_C", 4, false}},
		{schema_Type_which_int64, {"int64_t", "u64", "UINT64_C", 8, false}},
		{schema_Type_which_uint8, {"uint8_t", "u8", "UINT8_C", 1, false}},
		{schema_Type_which_uint16, {"uint16_t", "u16", "UINT16_C", 2, false}},
		{schema_Type_which_uint32, {"uint32_t", "u32", "UINT32_C", 4, false}},
		{schema_Type_which_uint64, {"uint64_t", "u64", "UINT64_C", 8, false}},
		{schema_Type_which_float32, {"float", "u32", "UINT32_C", 4, true}},
		{schema_Type_which_float64, {"double", "u64", "UINT64_C", 8, true}},
		{schema_Type_which_enum, {NULL, "u16", "UINT16_C", 2, false}},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (table[i].which == which) {
			*p = table[i].p;
			return true;
		}
	}
	return false;
}

/* The default value's bit pattern, as stored XORed on the wire. */
static uint64_t default_bits(schema_Value_reader v, unsigned which)
{
	switch (which) {
	case schema_Type_which_bool: return schema_Value_get_bool(v);
	case schema_Type_which_int8: return (uint8_t)schema_Value_get_int8(v);
	case schema_Type_which_int16: return (uint16_t)schema_Value_get_int16(v);
	case schema_Type_which_int32: return (uint32_t)schema_Value_get_int32(v);
	case schema_Type_which_int64: return (uint64_t)schema_Value_get_int64(v);
	case schema_Type_which_uint8: return schema_Value_get_uint8(v);
	case schema_Type_which_uint16: return schema_Value_get_uint16(v);
	case schema_Type_which_uint32: return schema_Value_get_uint32(v);
	case schema_Type_which_uint64: return schema_Value_get_uint64(v);
	case schema_Type_which_float32: return capnp_f32_bits(schema_Value_get_float32(v));
	case schema_Type_which_float64: return capnp_f64_bits(schema_Value_get_float64(v));
	case schema_Type_which_enum: return schema_Value_get_enum(v);
	default: return 0;
	}
}

/* Wire element size a list of this element type must have. */
const char *elem_size_name(unsigned which)
{
	switch (which) {
	case schema_Type_which_void: return "CAPNP_ELEM_VOID";
	case schema_Type_which_bool: return "CAPNP_ELEM_BIT";
	case schema_Type_which_int8:
	case schema_Type_which_uint8: return "CAPNP_ELEM_BYTE";
	case schema_Type_which_int16:
	case schema_Type_which_uint16:
	case schema_Type_which_enum: return "CAPNP_ELEM_2B";
	case schema_Type_which_int32:
	case schema_Type_which_uint32:
	case schema_Type_which_float32: return "CAPNP_ELEM_4B";
	case schema_Type_which_int64:
	case schema_Type_which_uint64:
	case schema_Type_which_float64: return "CAPNP_ELEM_8B";
	case schema_Type_which_struct: return "CAPNP_ELEM_COMPOSITE";
	default: return "CAPNP_ELEM_POINTER";
	}
}

void emit_struct_typedefs(struct gen *g, schema_Node_reader n)
{
	char *name = gen_cname(g, schema_Node_get_id(n));
	fprintf(g->h, "typedef struct { struct capnp_struct s; } %s_reader;\n", name);
	fprintf(g->h, "typedef struct { struct capnp_struct_builder s; } %s_builder;\n", name);
	free(name);
}

/* Per-field context while emitting one struct. */
struct fctx {
	const char *sname;  /* C name of the struct   */
	const char *fname;  /* field name             */
	char guard[96];     /* "" or discriminant test on r */
	char set_disc[128]; /* "" or statement setting the discriminant on b */
};

static void emit_primitive(struct gen *g, struct fctx *f, schema_Field_slot_reader slot,
                           schema_Type_reader type, unsigned which)
{
	FILE *h = g->h;
	struct prim p;
	char *enum_name = NULL;
	if (!prim_of(which, &p)) {
		gen_error(g, "%s.%s: unsupported type", f->sname, f->fname);
		return;
	}
	if (which == schema_Type_which_enum) {
		uint64_t tid = schema_Type_enum_get_typeId(schema_Type_get_enum(type));
		gen_use_type_file(g, tid);
		char *cn = gen_cname(g, tid);
		enum_name = gen_xasprintf("enum %s", cn);
		free(cn);
		p.ctype = enum_name;
	}
	uint32_t off = schema_Field_slot_get_offset(slot);
	uint64_t def = default_bits(schema_Field_slot_get_defaultValue(slot), which);
	if (p.is_float)
		fprintf(h, "#if CAPNP_HAVE_FLOAT\n");
	if (p.bytes == 0) {
		fprintf(h, "static inline bool %s_get_%s(%s_reader r)\n{\n", f->sname, f->fname, f->sname);
		if (f->guard[0])
			fprintf(h, "\treturn (%s) ? capnp_struct_bool(&r.s, %u) != %d : %d;\n}\n",
			        f->guard, off, (int)def, (int)def);
		else
			fprintf(h, "\treturn capnp_struct_bool(&r.s, %u)%s;\n}\n", off,
			        def ? " != 1" : "");
		fprintf(h, "static inline void %s_set_%s(%s_builder b, bool v)\n{\n%s", f->sname,
		        f->fname, f->sname, f->set_disc);
		fprintf(h, "\tcapnp_sb_set_bool(b.s, %u, v != %d);\n}\n", off, (int)def);
	} else {
		char defl[64];
		snprintf(defl, sizeof defl, "%s(0x%llx)", p.lit, (unsigned long long)def);
		char raw[512];
		if (f->guard[0] && def)
			snprintf(raw, sizeof raw, "((%s) ? capnp_struct_%s(&r.s, %u) ^ %s : %s)",
			         f->guard, p.raw, off * p.bytes, defl, defl);
		else if (f->guard[0])
			snprintf(raw, sizeof raw, "((%s) ? capnp_struct_%s(&r.s, %u) : 0)", f->guard,
			         p.raw, off * p.bytes);
		else if (def)
			snprintf(raw, sizeof raw, "(capnp_struct_%s(&r.s, %u) ^ %s)", p.raw,
			         off * p.bytes, defl);
		else
			snprintf(raw, sizeof raw, "capnp_struct_%s(&r.s, %u)", p.raw, off * p.bytes);
		fprintf(h, "static inline %s %s_get_%s(%s_reader r)\n{\n", p.ctype, f->sname,
		        f->fname, f->sname);
		if (p.is_float)
			fprintf(h, "\treturn capnp_bits_f%u(%s);\n}\n", p.bytes * 8, raw);
		else
			fprintf(h, "\treturn (%s)%s;\n}\n", p.ctype, raw);
		fprintf(h, "static inline void %s_set_%s(%s_builder b, %s v)\n{\n%s", f->sname,
		        f->fname, f->sname, p.ctype, f->set_disc);
		char conv[64];
		if (p.is_float)
			snprintf(conv, sizeof conv, "capnp_f%u_bits(v)", p.bytes * 8);
		else
			snprintf(conv, sizeof conv, "(uint%u_t)v", p.bytes * 8);
		if (def)
			fprintf(h, "\tcapnp_sb_set_%s(b.s, %u, (uint%u_t)(%s ^ %s));\n}\n", p.raw,
			        off * p.bytes, p.bytes * 8, conv, defl);
		else
			fprintf(h, "\tcapnp_sb_set_%s(b.s, %u, %s);\n}\n", p.raw, off * p.bytes,
			        conv);
	}
	if (p.is_float)
		fprintf(h, "#endif\n");
	free(enum_name);
}

static void emit_has(struct gen *g, struct fctx *f, uint32_t idx)
{
	fprintf(g->h, "static inline bool %s_has_%s(%s_reader r)\n{\n", f->sname, f->fname, f->sname);
	if (f->guard[0])
		fprintf(g->h, "\treturn (%s) && capnp_struct_has(&r.s, %u);\n}\n", f->guard, idx);
	else
		fprintf(g->h, "\treturn capnp_struct_has(&r.s, %u);\n}\n", idx);
}

/* "if (!(guard)) return <dflt>;" or nothing. */
static void emit_guard_return(struct gen *g, struct fctx *f, const char *dflt)
{
	if (f->guard[0])
		fprintf(g->h, "\tif (!(%s))\n\t\treturn %s;\n", f->guard, dflt);
}

static void emit_blob(struct gen *g, struct fctx *f, schema_Field_slot_reader slot, bool text)
{
	FILE *h = g->h;
	uint32_t idx = schema_Field_slot_get_offset(slot);
	schema_Value_reader dv = schema_Field_slot_get_defaultValue(slot);
	const char *kind = text ? "text" : "data";
	/* The default as a C literal. */
	char *defp = NULL;
	size_t deflen = 0;
	char *buf = NULL;
	size_t bufsz = 0;
	FILE *mem = open_memstream(&buf, &bufsz);
	if (text && schema_Value_has_text(dv)) {
		struct capnp_text t = schema_Value_get_text(dv);
		gen_c_string(mem, t.str, t.len);
		deflen = t.len;
	} else if (!text && schema_Value_has_data(dv)) {
		struct capnp_data d = schema_Value_get_data(dv);
		fputs("(const uint8_t *)", mem);
		gen_c_string(mem, (const char *)d.ptr, d.len);
		deflen = d.len;
	} else {
		fputs(text ? "\"\"" : "(const uint8_t *)\"\"", mem);
	}
	fclose(mem);
	defp = buf;
	emit_has(g, f, idx);
	fprintf(h, "static inline struct capnp_%s %s_get_%s(%s_reader r)\n{\n", kind, f->sname,
	        f->fname, f->sname);
	if (f->guard[0])
		fprintf(h, "\tif (!(%s))\n\t\treturn (struct capnp_%s){ %s, %zu };\n", f->guard, kind,
		        defp, deflen);
	fprintf(h, "\treturn capnp_struct_get_%s(&r.s, %u, %s, %zu);\n}\n", kind, idx, defp, deflen);
	fprintf(h, "static inline void %s_set_%s(%s_builder b, const %s *p, size_t len)\n{\n%s",
	        f->sname, f->fname, f->sname, text ? "char" : "void", f->set_disc);
	fprintf(h, "\tcapnp_sb_set_%s(b.s, %u, p, len);\n}\n", kind, idx);
	free(defp);
}

/*
 * A struct/list/AnyPointer field's default value, if it has one: copied
 * into a standalone message whose reader the getters fall back to when the
 * pointer is null (or the union member is not the active one).  Returns the
 * reader's C name (caller frees) or NULL when the default is null.
 */
static char *pointer_default(struct gen *g, struct fctx *f, schema_Field_slot_reader slot)
{
	schema_Value_reader dv = schema_Field_slot_get_defaultValue(slot);
	if (!schema_Value_has_list(dv) && !schema_Value_has_struct(dv) &&
	    !schema_Value_has_anyPointer(dv))
		return NULL;
	struct words w = {0};
	gen_copy_value(g, dv, &w);
	char *name = gen_xasprintf("%s_%s_default", f->sname, f->fname);
	gen_emit_value_reader(g, name, &w);
	free(w.w);
	return name;
}

/* "if (!(guard) || !has) return <dflt>;" for a field with a default. */
static void emit_default_return(struct gen *g, struct fctx *f, uint32_t idx, const char *dflt)
{
	if (f->guard[0])
		fprintf(g->h, "\tif (!(%s) || !capnp_struct_has(&r.s, %u))\n\t\treturn %s;\n",
		        f->guard, idx, dflt);
	else
		fprintf(g->h, "\tif (!capnp_struct_has(&r.s, %u))\n\t\treturn %s;\n", idx, dflt);
}

static void emit_pointer(struct gen *g, struct fctx *f, schema_Field_slot_reader slot,
                         schema_Type_reader type, unsigned which)
{
	FILE *h = g->h;
	uint32_t idx = schema_Field_slot_get_offset(slot);
	const char *S = f->sname, *F = f->fname;
	switch (which) {
	case schema_Type_which_text:
	case schema_Type_which_data:
		emit_blob(g, f, slot, which == schema_Type_which_text);
		return;
	case schema_Type_which_struct: {
		char *dname = pointer_default(g, f, slot);
		uint64_t tid = schema_Type_struct_get_typeId(schema_Type_get_struct(type));
		gen_use_type_file(g, tid);
		schema_Node_reader *tn = gen_find(g, tid);
		if (!tn) {
			free(dname);
			return;
		}
		schema_Node_struct_reader ts = schema_Node_get_struct(*tn);
		char *T = gen_cname(g, tid);
		emit_has(g, f, idx);
		fprintf(h, "static inline %s_reader %s_get_%s(%s_reader r)\n{\n", T, S, F, S);
		char dflt[256];
		if (dname) {
			snprintf(dflt, sizeof dflt, "(%s_reader){ capnp_reader_root(&%s) }", T, dname);
			emit_default_return(g, f, idx, dflt);
		} else {
			snprintf(dflt, sizeof dflt, "(%s_reader){ { .m = r.s.m } }", T);
			emit_guard_return(g, f, dflt);
		}
		free(dname);
		fprintf(h, "\treturn (%s_reader){ capnp_struct_get_struct(&r.s, %u) };\n}\n", T, idx);
		fprintf(h, "static inline %s_builder %s_init_%s(%s_builder b)\n{\n%s", T, S, F, S,
		        f->set_disc);
		fprintf(h, "\treturn (%s_builder){ capnp_sb_init_struct(b.s, %u, %u, %u) };\n}\n", T,
		        idx, schema_Node_struct_get_dataWordCount(ts),
		        schema_Node_struct_get_pointerCount(ts));
		free(T);
		return;
	}
	case schema_Type_which_list: {
		char *dname = pointer_default(g, f, slot);
		schema_Type_reader et = schema_Type_list_get_elementType(schema_Type_get_list(type));
		unsigned ew = schema_Type_which(et);
		emit_has(g, f, idx);
		fprintf(h, "static inline struct capnp_list %s_get_%s(%s_reader r)\n{\n", S, F, S);
		if (dname) {
			char *dflt = gen_xasprintf("capnp_reader_root_list(&%s, %s)", dname,
			                           elem_size_name(ew));
			emit_default_return(g, f, idx, dflt);
			free(dflt);
			free(dname);
		} else {
			emit_guard_return(g, f, "(struct capnp_list){ .m = r.s.m }");
		}
		fprintf(h, "\treturn capnp_struct_get_list(&r.s, %u, %s);\n}\n", idx,
		        elem_size_name(ew));
		fprintf(h, "static inline struct capnp_list_builder %s_init_%s(%s_builder b, "
		           "uint32_t n)\n{\n%s",
		        S, F, S, f->set_disc);
		if (ew == schema_Type_which_struct) {
			uint64_t tid = schema_Type_struct_get_typeId(schema_Type_get_struct(et));
			gen_use_type_file(g, tid);
			schema_Node_reader *tn = gen_find(g, tid);
			if (!tn)
				return;
			schema_Node_struct_reader ts = schema_Node_get_struct(*tn);
			fprintf(h, "\treturn capnp_sb_init_struct_list(b.s, %u, %u, %u, n);\n}\n", idx,
			        schema_Node_struct_get_dataWordCount(ts),
			        schema_Node_struct_get_pointerCount(ts));
		} else {
			if (ew == schema_Type_which_enum)
				gen_use_type_file(g, schema_Type_enum_get_typeId(schema_Type_get_enum(et)));
			fprintf(h, "\treturn capnp_sb_init_list(b.s, %u, %s, n);\n}\n", idx,
			        elem_size_name(ew));
		}
		return;
	}
	case schema_Type_which_interface:
		gen_use_type_file(g, schema_Type_interface_get_typeId(schema_Type_get_interface(type)));
		emit_has(g, f, idx);
		fprintf(h, "static inline uint32_t %s_get_%s(%s_reader r)\n{\n", S, F, S);
		emit_guard_return(g, f, "CAPNP_NO_CAP");
		fprintf(h, "\treturn capnp_struct_get_cap(&r.s, %u);\n}\n", idx);
		fprintf(h, "static inline void %s_set_%s(%s_builder b, uint32_t cap)\n{\n%s", S, F, S,
		        f->set_disc);
		fprintf(h, "\tcapnp_sb_set_cap(b.s, %u, cap);\n}\n", idx);
		return;
	case schema_Type_which_anyPointer: {
		char *dname = pointer_default(g, f, slot);
		emit_has(g, f, idx);
		fprintf(h, "static inline struct capnp_struct %s_get_%s_struct(%s_reader r)\n{\n", S, F, S);
		char *dflt = dname ? gen_xasprintf("capnp_reader_root(&%s)", dname) : NULL;
		if (dflt)
			emit_default_return(g, f, idx, dflt);
		else
			emit_guard_return(g, f, "(struct capnp_struct){ .m = r.s.m }");
		free(dflt);
		fprintf(h, "\treturn capnp_struct_get_struct(&r.s, %u);\n}\n", idx);
		fprintf(h, "static inline struct capnp_list %s_get_%s_list(%s_reader r, "
		           "enum capnp_elem_size want)\n{\n",
		        S, F, S);
		dflt = dname ? gen_xasprintf("capnp_reader_root_list(&%s, want)", dname) : NULL;
		if (dflt)
			emit_default_return(g, f, idx, dflt);
		else
			emit_guard_return(g, f, "(struct capnp_list){ .m = r.s.m }");
		free(dflt);
		free(dname);
		fprintf(h, "\treturn capnp_struct_get_list(&r.s, %u, want);\n}\n", idx);
		fprintf(h, "static inline struct capnp_struct_builder %s_init_%s_struct(%s_builder b, "
		           "uint16_t data_words, uint16_t ptr_count)\n{\n%s",
		        S, F, S, f->set_disc);
		fprintf(h, "\treturn capnp_sb_init_struct(b.s, %u, data_words, ptr_count);\n}\n", idx);
		fprintf(h, "static inline struct capnp_list_builder %s_init_%s_list(%s_builder b, "
		           "enum capnp_elem_size size, uint32_t n)\n{\n%s",
		        S, F, S, f->set_disc);
		fprintf(h, "\treturn capnp_sb_init_list(b.s, %u, size, n);\n}\n", idx);
		fprintf(h, "static inline void %s_clear_%s(%s_builder b)\n{\n%s", S, F, S, f->set_disc);
		fprintf(h, "\tcapnp_sb_clear_ptr(b.s, %u);\n}\n", idx);
		return;
	}
	default:
		gen_error(g, "%s.%s: unsupported pointer type %u", S, F, which);
	}
}

static void emit_group(struct gen *g, struct fctx *f, schema_Field_reader field)
{
	uint64_t tid = schema_Field_group_get_typeId(schema_Field_get_group(field));
	char *T = gen_cname(g, tid);
	FILE *h = g->h;
	fprintf(h, "static inline %s_reader %s_get_%s(%s_reader r)\n{\n", T, f->sname, f->fname,
	        f->sname);
	char dflt[256];
	snprintf(dflt, sizeof dflt, "(%s_reader){ { .m = r.s.m } }", T);
	emit_guard_return(g, f, dflt);
	fprintf(h, "\treturn (%s_reader){ r.s };\n}\n", T);
	fprintf(h, "static inline %s_builder %s_init_%s(%s_builder b)\n{\n%s", T, f->sname,
	        f->fname, f->sname, f->set_disc);
	fprintf(h, "\treturn (%s_builder){ b.s };\n}\n", T);
	free(T);
}

static int cmp_code_order(const void *a, const void *b)
{
	uint16_t x = schema_Field_get_codeOrder(*(const schema_Field_reader *)a);
	uint16_t y = schema_Field_get_codeOrder(*(const schema_Field_reader *)b);
	return (x > y) - (x < y);
}

static schema_Field_reader *sorted_fields(struct capnp_list fl)
{
	uint32_t n = capnp_list_len(fl);
	schema_Field_reader *v = calloc(n ? n : 1, sizeof *v);
	for (uint32_t i = 0; i < n; i++)
		v[i] = schema_Field_list_get(fl, i);
	qsort(v, n, sizeof *v, cmp_code_order);
	return v;
}

/* One field's accessors; unions set the discriminant (offset doff bytes). */
static void emit_field(struct gen *g, struct fctx *f, schema_Field_reader field, unsigned doff)
{
	const char *S = f->sname;
	uint16_t d = schema_Field_get_discriminantValue(field);
	if (d != 0xffff) {
		snprintf(f->guard, sizeof f->guard, "capnp_struct_u16(&r.s, %u) == %u", doff, d);
		snprintf(f->set_disc, sizeof f->set_disc, "\tcapnp_sb_set_u16(b.s, %u, %u);\n",
		         doff, d);
	}
	if (schema_Field_which(field) == schema_Field_which_group) {
		emit_group(g, f, field);
		return;
	}
	schema_Field_slot_reader slot = schema_Field_get_slot(field);
	schema_Type_reader type = schema_Field_slot_get_type(slot);
	unsigned which = schema_Type_which(type);
	if (which == schema_Type_which_void) {
		if (d != 0xffff)
			fprintf(g->h, "static inline void %s_set_%s(%s_builder b)\n{\n%s}\n", S,
			        f->fname, S, f->set_disc);
	} else if (which <= schema_Type_which_float64 || which == schema_Type_which_enum) {
		emit_primitive(g, f, slot, type, which);
	} else {
		emit_pointer(g, f, slot, type, which);
	}
}

void emit_struct(struct gen *g, schema_Node_reader n)
{
	FILE *h = g->h;
	schema_Node_struct_reader st = schema_Node_get_struct(n);
	uint64_t id = schema_Node_get_id(n);
	char *S = gen_cname(g, id);
	bool group = schema_Node_struct_get_isGroup(st);
	unsigned dw = schema_Node_struct_get_dataWordCount(st);
	unsigned pc = schema_Node_struct_get_pointerCount(st);
	unsigned doff = (unsigned)schema_Node_struct_get_discriminantOffset(st) * 2;
	struct capnp_list fl = schema_Node_struct_get_fields(st);
	uint32_t nf = capnp_list_len(fl);
	schema_Field_reader *fields = sorted_fields(fl);

	fprintf(h, "\n/* %s %s */\n", group ? "group" : "struct",
	        schema_Node_get_displayName(n).str);
	fprintf(h, "#define %s_ID UINT64_C(0x%016llx)\n", S, (unsigned long long)id);
	fprintf(h, "static inline %s_reader %s_from(struct capnp_struct s)\n{\n\treturn (%s_reader){ s };\n}\n",
	        S, S, S);
	if (!group) {
		fprintf(h, "#define %s_DATA_WORDS %u\n#define %s_PTR_COUNT %u\n", S, dw, S, pc);
		fprintf(h, "static inline %s_reader %s_read_root(struct capnp_reader *m)\n{\n"
		           "\treturn (%s_reader){ capnp_reader_root(m) };\n}\n",
		        S, S, S);
		fprintf(h, "static inline %s_builder %s_init_root(struct capnp_builder *b)\n{\n"
		           "\treturn (%s_builder){ capnp_builder_root(b, %u, %u) };\n}\n",
		        S, S, S, dw, pc);
		fprintf(h, "static inline %s_reader %s_list_get(struct capnp_list l, uint32_t i)\n{\n"
		           "\treturn (%s_reader){ capnp_list_get_struct(l, i) };\n}\n",
		        S, S, S);
		fprintf(h, "static inline %s_builder %s_list_at(struct capnp_list_builder l, uint32_t i)\n{\n"
		           "\treturn (%s_builder){ capnp_lb_struct_at(l, i) };\n}\n",
		        S, S, S);
	}
	if (schema_Node_struct_get_discriminantCount(st) > 0) {
		fprintf(h, "enum %s_which {\n", S);
		for (uint32_t i = 0; i < nf; i++) {
			uint16_t d = schema_Field_get_discriminantValue(fields[i]);
			if (d != 0xffff)
				fprintf(h, "\t%s_which_%s = %u,\n", S,
				        schema_Field_get_name(fields[i]).str, d);
		}
		fprintf(h, "};\n");
		fprintf(h, "static inline enum %s_which %s_which(%s_reader r)\n{\n"
		           "\treturn (enum %s_which)capnp_struct_u16(&r.s, %u);\n}\n",
		        S, S, S, S, doff);
	}
	const char *short_name = strchr(schema_Node_get_displayName(n).str, ':');
	short_name = short_name ? short_name + 1 : schema_Node_get_displayName(n).str;
	for (uint32_t i = 0; i < nf; i++) {
		schema_Field_reader field = fields[i];
		struct fctx f = {.sname = S, .fname = schema_Field_get_name(field).str};
		schema_Field_ordinal_reader ord = schema_Field_get_ordinal(field);
		int ordinal = schema_Field_ordinal_which(ord) == schema_Field_ordinal_which_explicit
		                      ? schema_Field_ordinal_get_explicit(ord)
		                      : -1;
		char *display = gen_xasprintf("%s.%s", short_name, f.fname);
		struct item it;
		gen_item_begin(g, &it, "field", f.fname, display, ordinal);
		emit_field(g, &f, field, doff);
		gen_item_end(g, &it);
		free(display);
	}
	free(fields);
	free(S);
}
