/*
 * Emission of interface client stubs and server dispatch tables into
 * <file>.rpc.h / <file>.rpc.c (docs/capnp-c.md, "Interfaces: client stubs
 * and server dispatch").  The code stands on the runtime's capos/rpc.h.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capnpc.h"

/* capos/rpc.h: CAPOS_RPC_WIRE(k, ordinal) keeps 10 bits for the ordinal
 * and 6 for k. */
#define ORDINAL_MAX   1023u
#define ANCESTORS_MAX 64u

/* C keywords a schema name may be (the generated names are prefixed, but
 * struct members and parameters are not). */
static const char *c_name(const char *name)
{
	static const char *kw[] = {
		"auto",
		"break",
		"case",
		"char",
		"const",
		"continue",
		"default",
		"do",
		"double",
		"else",
		"enum",
		"extern",
		"float",
		"for",
		"goto",
		"if",
		"inline",
		"int",
		"long",
		"register",
		"restrict",
		"return",
		"short",
		"signed",
		"sizeof",
		"static",
		"struct",
		"switch",
		"typedef",
		"union",
		"unsigned",
		"void",
		"volatile",
		"while",
		"bool",
		"true",
		"false",
		"results",
		"rpc",
	};
	static char buf[8][128];
	static unsigned next;
	for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
		if (strcmp(name, kw[i]) == 0) {
			char *b = buf[next++ % 8];
			snprintf(b, sizeof buf[0], "%s_", name);
			return b;
		}
	}
	return name;
}

/* How one top-level field of a params/results struct is passed flat. */
enum flat { FLAT_NONE,
	    FLAT_SKIP,
	    FLAT_PRIM,
	    FLAT_TEXT,
	    FLAT_DATA,
	    FLAT_CAP };

struct flat_field {
	enum flat kind;
	const char *name;
	char *ctype;    /* FLAT_PRIM: the C type          */
	char *iface_id; /* FLAT_CAP: the interface's _ID  */
};

static char *prim_ctype(struct gen *g, schema_Type_reader t)
{
	switch (schema_Type_which(t)) {
	case schema_Type_which_bool: return strdup("bool");
	case schema_Type_which_int8: return strdup("int8_t");
	case schema_Type_which_int16: return strdup("int16_t");
	case schema_Type_which_int32: return strdup("int32_t");
	case schema_Type_which_int64: return strdup("int64_t");
	case schema_Type_which_uint8: return strdup("uint8_t");
	case schema_Type_which_uint16: return strdup("uint16_t");
	case schema_Type_which_uint32: return strdup("uint32_t");
	case schema_Type_which_uint64: return strdup("uint64_t");
	case schema_Type_which_float32: return strdup("float");
	case schema_Type_which_float64: return strdup("double");
	case schema_Type_which_enum: {
		char *e = gen_cname(g, schema_Type_enum_get_typeId(schema_Type_get_enum(t)));
		char *s = gen_xasprintf("enum %s", e);
		free(e);
		return s;
	}
	default: return NULL;
	}
}

static void classify(struct gen *g, schema_Field_reader f, struct flat_field *out)
{
	*out = (struct flat_field){.kind = FLAT_NONE, .name = schema_Field_get_name(f).str};
	if (schema_Field_get_discriminantValue(f) != 0xffff ||
	    schema_Field_which(f) != schema_Field_which_slot)
		return;
	schema_Type_reader t = schema_Field_slot_get_type(schema_Field_get_slot(f));
	unsigned w = schema_Type_which(t);
	if (w == schema_Type_which_void) {
		out->kind = FLAT_SKIP;
	} else if (w == schema_Type_which_text) {
		out->kind = FLAT_TEXT;
	} else if (w == schema_Type_which_data) {
		out->kind = FLAT_DATA;
	} else if (w == schema_Type_which_interface) {
		char *I = gen_cname(g, schema_Type_interface_get_typeId(schema_Type_get_interface(t)));
		out->iface_id = gen_xasprintf("%s_ID", I);
		free(I);
		out->kind = FLAT_CAP;
	} else if ((out->ctype = prim_ctype(g, t)) != NULL) {
		/* Floats are accessible only where the runtime has them. */
		/* clang-format off */
		out->kind = (w == schema_Type_which_float32 || w == schema_Type_which_float64)
				    ? FLAT_NONE : FLAT_PRIM;
		/* clang-format on */
	}
}

/* The struct's fields classified; *flat: every field can be passed flat. */
static struct flat_field *fields_of(struct gen *g, uint64_t sid, uint32_t *n, bool *flat)
{
	*n = 0;
	*flat = true;
	schema_Node_reader *sn = gen_find(g, sid);
	if (!sn || schema_Node_which(*sn) != schema_Node_which_struct) {
		*flat = false;
		return calloc(1, sizeof(struct flat_field));
	}
	struct capnp_list fl = schema_Node_struct_get_fields(schema_Node_get_struct(*sn));
	*n = capnp_list_len(fl);
	struct flat_field *v = calloc(*n + 1, sizeof *v);
	for (uint32_t i = 0; i < *n; i++) {
		classify(g, schema_Field_list_get(fl, i), &v[i]);
		if (v[i].kind == FLAT_NONE)
			*flat = false;
	}
	return v;
}

static void free_fields(struct flat_field *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(v[i].ctype);
		free(v[i].iface_id);
	}
	free(v);
}

/* Parameters of the flat stub for the params' fields. */
static void flat_params(FILE *f, const struct flat_field *p, uint32_t np)
{
	for (uint32_t i = 0; i < np; i++) {
		const char *n = c_name(p[i].name);
		switch (p[i].kind) {
		case FLAT_PRIM: fprintf(f, ", %s %s", p[i].ctype, n); break;
		case FLAT_TEXT: fprintf(f, ", const char *%s", n); break;
		case FLAT_DATA: fprintf(f, ", const void *%s, size_t %s_len", n, p[i].name); break;
		case FLAT_CAP: fprintf(f, ", const struct capos_cap *%s", n); break;
		default: break;
		}
	}
}

/* One method a client or server of the interface being emitted offers:
 * its own, or one inherited through `extends` from ancestor k. */
struct entry {
	uint64_t iface; /* the interface that declares it          */
	uint32_t k;     /* its index in the ancestor list (0: own) */
	schema_Method_reader m;
	char *F;       /* function prefix: I_m                    */
	char *T;       /* type prefix: A_m (A declares m)         */
	char *wire;    /* the SQE method id expression            */
	char *ps, *rs; /* the params and results struct C names   */
	struct flat_field *p, *r;
	uint32_t np, nr;
	bool pflat;
};

static void emit_reply_type(struct gen *g, const struct entry *e)
{
	FILE *h = g->rh;
	fprintf(h, "typedef struct %s_Reply %s_Reply;\n", e->T, e->T);
	fprintf(h, "struct %s_Reply {\n\t%s_Results_reader results; /* every field */\n", e->T, e->T);
	for (uint32_t i = 0; i < e->nr; i++) {
		const char *n = c_name(e->r[i].name);
		switch (e->r[i].kind) {
		case FLAT_PRIM: fprintf(h, "\t%s %s;\n", e->r[i].ctype, n); break;
		case FLAT_TEXT: fprintf(h, "\tstruct capnp_text %s;\n", n); break;
		case FLAT_DATA: fprintf(h, "\tstruct capnp_data %s;\n", n); break;
		case FLAT_CAP: fprintf(h, "\tstruct capos_cap %s; /* owned: drop it */\n", n); break;
		default: break;
		}
	}
	fprintf(h, "\tstruct capos_rpc_result rpc; /* the message the fields point into */\n};\n");
}

static bool has_caps(const struct flat_field *r, uint32_t nr)
{
	for (uint32_t i = 0; i < nr; i++)
		if (r[i].kind == FLAT_CAP)
			return true;
	return false;
}

/* F_reply: a call's outcome into the reply.  cap_mode 0: the result caps
 * are left to the caller (the _Call form); 1: the cap fields are adopted
 * and the other caps released; 2: every cap released (no reply wanted). */
static void emit_reply_decode(struct gen *g, const struct entry *e)
{
	FILE *c = g->rc;
	fprintf(c, "\nstatic int %s_reply(%s_Reply *cap_reply, int rpc_e, int cap_mode, "
	           "struct capos_call_error *cap_err)\n{\n",
	        e->F, e->T);
	fprintf(c, "\tif (rpc_e != 0) {\n\t\t__builtin_memset(cap_reply, 0, offsetof(%s_Reply, rpc));\n"
	           "\t\treturn rpc_e;\n\t}\n",
	        e->T);
	fprintf(c, "\tcap_reply->results = %s_from(cap_reply->rpc.root);\n", e->rs);
	for (uint32_t i = 0; i < e->nr; i++) {
		const struct flat_field *f = &e->r[i];
		if (f->kind == FLAT_PRIM || f->kind == FLAT_TEXT || f->kind == FLAT_DATA)
			fprintf(c, "\tcap_reply->%s = %s_get_%s(cap_reply->results);\n", c_name(f->name),
			        e->rs, f->name);
	}
	if (!has_caps(e->r, e->nr)) {
		fprintf(c, "\treturn capos_rpc_check(&cap_reply->rpc, cap_mode != 0, cap_err);\n}\n");
		return;
	}
	fprintf(c, "\tint rpc_bad = 0;\n\tif (cap_mode == 1) {\n");
	for (uint32_t i = 0; i < e->nr; i++) {
		const struct flat_field *f = &e->r[i];
		if (f->kind != FLAT_CAP)
			continue;
		fprintf(c, "\t\tuint32_t rpc_%u = %s_get_%s(cap_reply->results);\n", i, e->rs, f->name);
		fprintf(c, "\t\tif (rpc_%u != CAPNP_NO_CAP && rpc_bad == 0)\n\t\t\trpc_bad = "
		           "capos_rpc_take_cap(&cap_reply->rpc, rpc_%u, %s, &cap_reply->%s);\n",
		        i, i, f->iface_id, c_name(f->name));
	}
	fprintf(c, "\t}\n\tif (rpc_bad != 0)\n\t\tcapos_error_local(cap_err, rpc_bad);\n"
	           "\telse\n\t\trpc_bad = capos_rpc_check(&cap_reply->rpc, cap_mode != 0, cap_err);\n"
	           "\tif (rpc_bad != 0) {\n");
	for (uint32_t i = 0; i < e->nr; i++)
		if (e->r[i].kind == FLAT_CAP)
			fprintf(c, "\t\tcapos_rpc_drop_cap(&cap_reply->rpc, &cap_reply->%s);\n",
			        c_name(e->r[i].name));
	fprintf(c, "\t\tcapos_rpc_release_rest(&cap_reply->rpc);\n\t}\n\treturn rpc_bad;\n}\n");
}

/* The flat params as a struct (F_args) and the fill that copies them into
 * the params root (F_fill); nothing for a method without params. */
static void emit_flat_fill(struct gen *g, const struct entry *e)
{
	FILE *c = g->rc;
	bool any = false;
	for (uint32_t i = 0; i < e->np; i++)
		any |= e->p[i].kind != FLAT_SKIP;
	if (!any)
		return;
	fprintf(c, "\nstruct %s_args {\n", e->F);
	for (uint32_t i = 0; i < e->np; i++) {
		const struct flat_field *f = &e->p[i];
		const char *n = c_name(f->name);
		switch (f->kind) {
		case FLAT_PRIM: fprintf(c, "\t%s %s;\n", f->ctype, n); break;
		case FLAT_TEXT: fprintf(c, "\tconst char *%s;\n\tsize_t %s_len;\n", n, f->name); break;
		case FLAT_DATA: fprintf(c, "\tconst void *%s;\n\tsize_t %s_len;\n", n, f->name); break;
		case FLAT_CAP: fprintf(c, "\tconst struct capos_cap *%s;\n", n); break;
		default: break;
		}
	}
	fprintf(c, "};\n\nstatic int %s_fill(struct capnp_struct_builder rpc_b, struct capos_rpc_out "
	           "*rpc_o, const void *rpc_v)\n{\n\tconst struct %s_args *a = rpc_v;\n"
	           "\t%s_builder rpc_p = {rpc_b};\n",
	        e->F, e->F, e->ps);
	bool cap = false;
	for (uint32_t i = 0; i < e->np; i++) {
		const struct flat_field *f = &e->p[i];
		const char *n = c_name(f->name);
		switch (f->kind) {
		case FLAT_PRIM: fprintf(c, "\t%s_set_%s(rpc_p, a->%s);\n", e->ps, f->name, n); break;
		case FLAT_TEXT:
		case FLAT_DATA:
			fprintf(c, "\tif (a->%s != NULL)\n\t\t%s_set_%s(rpc_p, a->%s, a->%s_len);\n", n,
			        e->ps, f->name, n, f->name);
			break;
		case FLAT_CAP:
			fprintf(c, "\tuint32_t rpc_%u = capos_rpc_pass_cap(rpc_o, a->%s, false);\n"
			           "\tif (rpc_%u != CAPNP_NO_CAP)\n\t\t%s_set_%s(rpc_p, rpc_%u);\n",
			        i, n, i, e->ps, f->name, i);
			cap = true;
			break;
		default: break;
		}
	}
	if (!cap)
		fprintf(c, "\t(void)rpc_o;\n");
	fprintf(c, "\treturn 0;\n}\n");
}

/* The statements that set up `a` (F_args) and `rpc_hint` from the flat
 * parameters; the fill and its argument to pass. */
static void emit_flat_args(struct gen *g, const struct entry *e, const char **fill,
                           const char **arg)
{
	FILE *c = g->rc;
	bool any = false;
	fprintf(c, "\tsize_t rpc_hint = 0;\n");
	for (uint32_t i = 0; i < e->np; i++) {
		const struct flat_field *f = &e->p[i];
		if (f->kind == FLAT_SKIP)
			continue;
		if (!any)
			fprintf(c, "\tstruct %s_args rpc_a = {0};\n", e->F);
		any = true;
		const char *n = c_name(f->name);
		fprintf(c, "\trpc_a.%s = %s;\n", n, n);
		if (f->kind == FLAT_TEXT)
			fprintf(c, "\trpc_a.%s_len = %s != NULL ? __builtin_strlen(%s) : 0;\n"
			           "\trpc_hint += rpc_a.%s_len + 8;\n",
			        f->name, n, n, f->name);
		else if (f->kind == FLAT_DATA)
			fprintf(c, "\trpc_a.%s_len = %s_len;\n\trpc_hint += %s_len + 8;\n", f->name, f->name,
			        f->name);
	}
	static char fbuf[256];
	snprintf(fbuf, sizeof fbuf, "%s_fill", e->F);
	*fill = any ? fbuf : "NULL";
	*arg = any ? "&rpc_a" : "NULL";
}

static const char *fill_proto = "int (*cap_fill)(%s_Params_builder params, struct capos_rpc_out "
				"*out, void *arg),\n\tvoid *cap_arg";

/* F_Call: any params, built by the caller's fill. */
static void emit_call_stub(struct gen *g, const struct entry *e, const char *I)
{
	FILE *c = g->rc;
	char *fp = gen_xasprintf(fill_proto, e->T);
	char *proto = gen_xasprintf("int %s_Call(const %s_Client *cap_client,\n\t%s, %s_Reply "
	                            "*cap_reply, struct capos_call_error *cap_err)",
	                            e->F, I, fp, e->T);
	fprintf(g->rh, "%s;\n", proto);
	fprintf(c, "\nstruct %s_call {\n\tint (*cap_fill)(%s_Params_builder params, struct "
	           "capos_rpc_out *out, void *arg);\n\tvoid *cap_arg;\n};\n",
	        e->F, e->T);
	fprintf(c, "\nstatic int %s_call_fill(struct capnp_struct_builder rpc_b, struct capos_rpc_out "
	           "*rpc_o, const void *rpc_v)\n{\n\tconst struct %s_call *a = rpc_v;\n"
	           "\treturn a->cap_fill != NULL ? a->cap_fill((%s_Params_builder){rpc_b}, rpc_o, "
	           "a->cap_arg) : 0;\n}\n",
	        e->F, e->F, e->T);
	fprintf(c, "\n%s\n{\n\tstruct %s_call rpc_a = {cap_fill, cap_arg};\n"
	           "\t%s_Reply rpc_scratch, *r = cap_reply;\n\tif (r == NULL)\n\t\tr = &rpc_scratch;\n"
	           "\tint rpc_e = capos_rpc_call(&cap_client->c, &%s_m, 0, %s_call_fill, &rpc_a, "
	           "&r->rpc, cap_err);\n"
	           "\treturn %s_reply(r, rpc_e, r == cap_reply ? 0 : 2, cap_err);\n}\n",
	        proto, e->F, e->T, e->F, e->F, e->F);
	free(proto);
	free(fp);
}

/* F: flat params, cap results adopted. */
static void emit_flat_stub(struct gen *g, const struct entry *e, const char *I)
{
	FILE *c = g->rc;
	char *pbuf = NULL;
	size_t plen = 0;
	FILE *pf = open_memstream(&pbuf, &plen);
	flat_params(pf, e->p, e->np);
	fclose(pf);
	char *proto = gen_xasprintf("int %s(const %s_Client *cap_client%s,\n\t%s_Reply *cap_reply, "
	                            "struct capos_call_error *cap_err)",
	                            e->F, I, pbuf, e->T);
	fprintf(g->rh, "%s;\n", proto);
	fprintf(c, "\n%s\n{\n", proto);
	const char *fill, *arg;
	emit_flat_args(g, e, &fill, &arg);
	fprintf(c, "\t%s_Reply rpc_scratch, *r = cap_reply;\n\tif (r == NULL)\n\t\tr = &rpc_scratch;\n"
	           "\tint rpc_e = capos_rpc_call(&cap_client->c, &%s_m, rpc_hint, %s, %s, &r->rpc, "
	           "cap_err);\n"
	           "\treturn %s_reply(r, rpc_e, r == cap_reply ? 1 : 2, cap_err);\n}\n",
	        e->T, e->F, fill, arg, e->F);
	free(proto);
	free(pbuf);
}

/* F_start / F_finish: the call submitted without waiting; flat params
 * when the method has them, else the caller's fill. */
static void emit_async_pair(struct gen *g, const struct entry *e, const char *I)
{
	FILE *c = g->rc;
	char *pbuf = NULL;
	size_t plen = 0;
	FILE *pf = open_memstream(&pbuf, &plen);
	if (e->pflat)
		flat_params(pf, e->p, e->np);
	fclose(pf);
	char *fp = gen_xasprintf(fill_proto, e->T);
	char *proto = gen_xasprintf("int %s_start(const %s_Client *cap_client%s%s,\n\tstruct "
	                            "capos_rpc_pending *cap_pending, struct capos_call_error *cap_err)",
	                            e->F, I, e->pflat ? pbuf : ",\n\t", e->pflat ? "" : fp);
	fprintf(g->rh, "%s;\n", proto);
	fprintf(c, "\n%s\n{\n", proto);
	if (e->pflat) {
		const char *fill, *arg;
		emit_flat_args(g, e, &fill, &arg);
		fprintf(c, "\treturn capos_rpc_start(&cap_client->c, &%s_m, rpc_hint, %s, %s, "
		           "cap_pending, cap_err);\n}\n",
		        e->F, fill, arg);
	} else {
		fprintf(c, "\tstruct %s_call rpc_a = {cap_fill, cap_arg};\n\treturn capos_rpc_start("
		           "&cap_client->c, &%s_m, 0, %s_call_fill, &rpc_a, cap_pending, cap_err);\n}\n",
		        e->F, e->F, e->F);
	}
	free(proto);
	proto = gen_xasprintf("int %s_finish(struct capos_rpc_pending *cap_pending, const struct "
	                      "capos_cqe *cap_cqe,\n\t%s_Reply *cap_reply, struct capos_call_error "
	                      "*cap_err)",
	                      e->F, e->T);
	fprintf(g->rh, "%s;\n", proto);
	fprintf(c, "\n%s\n{\n\t%s_Reply rpc_scratch, *r = cap_reply;\n\tif (r == NULL)\n\t\tr = "
	           "&rpc_scratch;\n\tint rpc_e = capos_rpc_complete(cap_pending, cap_cqe, &r->rpc, "
	           "cap_err);\n\treturn %s_reply(r, rpc_e, r != cap_reply ? 2 : %d, cap_err);\n}\n",
	        proto, e->T, e->F, e->pflat ? 1 : 0);
	free(proto);
	free(fp);
	free(pbuf);
}

static const char *short_name(schema_Node_reader n)
{
	const char *dn = schema_Node_get_displayName(n).str;
	const char *s = strchr(dn, ':') ? strchr(dn, ':') + 1 : dn;
	return s;
}

/* The interface and its ancestors, each once, depth first in declaration
 * order: the k of CAPOS_RPC_WIRE.  Returns how many (at most max). */
static uint32_t ancestors(struct gen *g, uint64_t id, uint64_t *v, uint32_t n, uint32_t max)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == id)
			return n;
	schema_Node_reader *node = gen_find(g, id);
	if (node == NULL || schema_Node_which(*node) != schema_Node_which_interface || n == max)
		return n;
	v[n++] = id;
	struct capnp_list sl = schema_Node_interface_get_superclasses(schema_Node_get_interface(*node));
	uint32_t ns = capnp_list_len(sl);
	for (uint32_t i = 0; i < ns; i++)
		n = ancestors(g, schema_Superclass_get_id(schema_Superclass_list_get(sl, i)), v, n, max);
	return n;
}

/* Every method the interface offers; NULL (with a warning) when it can
 * get no stubs.  Inherited methods whose name an earlier one took are
 * left out with a warning. */
static struct entry *entries_of(struct gen *g, schema_Node_reader n, uint32_t *count)
{
	uint64_t id = schema_Node_get_id(n);
	char *I = gen_cname(g, id);
	const char *shown = short_name(n);
	uint64_t anc[ANCESTORS_MAX + 1];
	uint32_t na = ancestors(g, id, anc, 0, ANCESTORS_MAX + 1);
	const char *why = na > ANCESTORS_MAX ? "it has too many ancestors" : NULL;
	struct entry *v = NULL;
	uint32_t nv = 0;
	for (uint32_t k = 0; k < na && why == NULL; k++) {
		schema_Node_reader *an = gen_find(g, anc[k]);
		struct capnp_list ml = schema_Node_interface_get_methods(schema_Node_get_interface(*an));
		if (k > 0)
			gen_use_type_file(g, anc[k]);
		char *A = gen_cname(g, anc[k]);
		uint32_t nm = capnp_list_len(ml);
		for (uint32_t i = 0; i < nm && why == NULL; i++) {
			schema_Method_reader m = schema_Method_list_get(ml, i);
			const char *M = schema_Method_get_name(m).str;
			if (M[0] >= 'A' && M[0] <= 'Z') {
				why = "a method name starts with a capital and would clash with the "
				      "generated _Client/_Server names";
				break;
			}
			if (i > ORDINAL_MAX) {
				why = "a method ordinal does not fit the SQE method id";
				break;
			}
			bool taken = false;
			for (uint32_t j = 0; j < nv; j++)
				taken |= strcmp(schema_Method_get_name(v[j].m).str, M) == 0;
			if (taken) {
				fprintf(stderr, "capnpc-c: warning: %s: interface %s: inherited method %s "
				                "of %s not offered: the name is taken\n",
				        g->filename, shown, M, short_name(*an));
				g->warnings++;
				continue;
			}
			struct entry *grown = realloc(v, (nv + 1) * sizeof *v);
			if (grown == NULL) {
				fprintf(stderr, "capnpc-c: out of memory\n");
				exit(1);
			}
			v = grown;
			struct entry *e = &v[nv++];
			*e = (struct entry){.iface = anc[k], .k = k, .m = m};
			e->F = gen_xasprintf("%s_%s", I, M);
			e->T = gen_xasprintf("%s_%s", A, M);
			e->wire = k == 0 ? gen_xasprintf("%s_METHOD", e->T)
			                 : gen_xasprintf("CAPOS_RPC_WIRE(%u, %s_METHOD)", k, e->T);
			e->ps = gen_cname(g, schema_Method_get_paramStructType(m));
			e->rs = gen_cname(g, schema_Method_get_resultStructType(m));
			bool rflat;
			e->p = fields_of(g, schema_Method_get_paramStructType(m), &e->np, &e->pflat);
			e->r = fields_of(g, schema_Method_get_resultStructType(m), &e->nr, &rflat);
		}
		free(A);
	}
	free(I);
	*count = nv;
	if (why != NULL) {
		fprintf(stderr, "capnpc-c: warning: %s: interface %s: no client stubs or server "
		                "dispatch: %s\n",
		        g->filename, shown, why);
		g->warnings++;
		for (uint32_t i = 0; i < nv; i++) {
			free(v[i].F);
			free(v[i].T);
			free(v[i].wire);
			free(v[i].ps);
			free(v[i].rs);
			free_fields(v[i].p, v[i].np);
			free_fields(v[i].r, v[i].nr);
		}
		free(v);
		*count = 0;
		return NULL;
	}
	return v ? v : calloc(1, sizeof *v);
}

static void emit_server(struct gen *g, const char *I, const char *shown, const struct entry *v,
                        uint32_t nv)
{
	FILE *h = g->rh, *c = g->rc;
	fprintf(h, "\n/* %s's server: one handler per method (NULL: unimplemented). */\n", shown);
	fprintf(h, "typedef struct {\n");
	for (uint32_t i = 0; i < nv; i++)
		fprintf(h, "\tint (*%s)(void *self, struct capos_rpc_ctx *rc, %s_Params_reader in,\n"
		           "\t\t%s_Results_builder out);\n",
		        c_name(schema_Method_get_name(v[i].m).str), v[i].T, v[i].T);
	if (nv == 0)
		fprintf(h, "\tint none; /* no methods */\n");
	fprintf(h, "} %s_Server;\n", I);
	fprintf(h, "int %s_Server_dispatch(const void *server, void *self, struct capos_rpc_ctx *rc);\n", I);
	fprintf(h, "#if !defined(CAPOS_HOST)\nstatic inline int %s_Server_serve(const struct capos_cap "
	           "*endpoint, const %s_Server *server,\n\tvoid *self)\n{\n\treturn capos_serve(endpoint, "
	           "%s_Server_dispatch, server, self, \"%s\");\n}\n",
	        I, I, I, shown);
	fprintf(h, "static inline int %s_Server_serve_named(const char *endpoint_name,\n\tconst "
	           "%s_Server *server, void *self)\n{\n\treturn capos_serve_named(endpoint_name, "
	           "%s_Server_dispatch, server, self, \"%s\");\n}\n#endif\n",
	        I, I, I, shown);
	fprintf(c, "\nint %s_Server_dispatch(const void *server, void *self, struct capos_rpc_ctx *rc)\n{\n", I);
	if (nv == 0) {
		fprintf(c, "\t(void)server;\n\t(void)self;\n\treturn capos_rpc_unimplemented(rc);\n}\n");
		return;
	}
	fprintf(c, "\tconst %s_Server *s = server;\n\tswitch (rc->call->method_id) {\n", I);
	for (uint32_t i = 0; i < nv; i++) {
		const char *M = c_name(schema_Method_get_name(v[i].m).str);
		fprintf(c, "\tcase %s:\n\t\tif (s->%s == NULL)\n\t\t\tbreak;\n"
		           "\t\treturn s->%s(self, rc, %s_read_root(&rc->in),\n"
		           "\t\t\t%s_init_root(&rc->out));\n",
		        v[i].wire, M, M, v[i].ps, v[i].rs);
	}
	fprintf(c, "\tdefault:\n\t\tbreak;\n\t}\n\treturn capos_rpc_unimplemented(rc);\n}\n");
}

void emit_rpc(struct gen *g, schema_Node_reader n)
{
	FILE *h = g->rh, *c = g->rc;
	uint64_t id = schema_Node_get_id(n);
	const char *shown = short_name(n);
	uint32_t nv;
	struct entry *v = entries_of(g, n, &nv);
	if (v == NULL) {
		fprintf(h, "\n/* interface %s: no stubs (see capnpc-c's warning) */\n", shown);
		return;
	}
	char *I = gen_cname(g, id);
	fprintf(h, "\n/* interface %s: client stubs and server dispatch */\n", shown);
	fprintf(h, "typedef struct { struct capos_client c; } %s_Client;\n", I);
	fprintf(h, "static inline int %s_Client_bind(%s_Client *c, struct capos_ring *r, "
	           "struct capos_cap cap)\n{\n\treturn capos_client_bind(&c->c, r, cap, %s_ID);\n}\n",
	        I, I, I);
	fprintf(h, "#if !defined(CAPOS_HOST)\nstatic inline int %s_Client_open(%s_Client *c, "
	           "const char *name)\n{\n\treturn capos_client_open(&c->c, name, %s_ID);\n}\n#endif\n",
	        I, I, I);
	for (uint32_t i = 0; i < nv; i++) {
		struct entry *e = &v[i];
		const char *M = schema_Method_get_name(e->m).str;
		if (e->k == 0) {
			fprintf(h, "\n/* %s.%s */\n", shown, M);
			emit_reply_type(g, e);
		} else {
			const char *from = short_name(*gen_find(g, e->iface));
			fprintf(h, "\n/* %s.%s, inherited from %s (SQE method id %s) */\n", shown, M, from,
			        e->wire);
			fprintf(h, "typedef struct %s_Reply %s_Reply;\n", e->T, e->T);
		}
		fprintf(c, "\nstatic const struct capos_rpc_method %s_m = {%s, %s_DATA_WORDS, "
		           "%s_PTR_COUNT};\n",
		        e->F, e->wire, e->ps, e->ps);
		emit_reply_decode(g, e);
		emit_call_stub(g, e, I);
		if (e->pflat) {
			emit_flat_fill(g, e);
			emit_flat_stub(g, e, I);
		}
		emit_async_pair(g, e, I);
	}
	emit_server(g, I, shown, v, nv);
	for (uint32_t i = 0; i < nv; i++) {
		free(v[i].F);
		free(v[i].T);
		free(v[i].wire);
		free(v[i].ps);
		free(v[i].rs);
		free_fields(v[i].p, v[i].np);
		free_fields(v[i].r, v[i].nr);
	}
	free(v);
	free(I);
}
