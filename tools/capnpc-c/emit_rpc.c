/*
 * Emission of interface client stubs and server dispatch tables into
 * <file>.rpc.h / <file>.rpc.c (docs/capnp-c.md, "Interfaces: client stubs
 * and server dispatch").  The code stands on the runtime's capos/rpc.h.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capnpc.h"

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

/* The C names of the method being emitted's params and results structs
 * (P_I_m_Params, or a named struct such as capos_CapGrant). */
static char *ps_name, *rs_name;

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

static void emit_reply_type(struct gen *g, const char *IM, const struct flat_field *r, uint32_t nr)
{
	FILE *h = g->rh;
	fprintf(h, "typedef struct {\n\t%s_Results_reader results; /* every field */\n", IM);
	for (uint32_t i = 0; i < nr; i++) {
		const char *n = c_name(r[i].name);
		switch (r[i].kind) {
		case FLAT_PRIM: fprintf(h, "\t%s %s;\n", r[i].ctype, n); break;
		case FLAT_TEXT: fprintf(h, "\tstruct capnp_text %s;\n", n); break;
		case FLAT_DATA: fprintf(h, "\tstruct capnp_data %s;\n", n); break;
		case FLAT_CAP: fprintf(h, "\tstruct capos_cap %s; /* owned: drop it */\n", n); break;
		default: break;
		}
	}
	fprintf(h, "\tstruct capos_rpc_result rpc; /* the message the fields point into */\n} %s_Reply;\n",
	        IM);
}

/* After a successful send: the reader and the flat fields, and (with_caps)
 * the result caps the cap fields name, releasing the others; without, the
 * caps are left to the caller (capos_rpc_take_cap / capos_rpc_release_rest). */
static void emit_reply_decode(struct gen *g, const struct flat_field *r, uint32_t nr, bool with_caps)
{
	FILE *c = g->rc;
	fprintf(c, "\tcap_reply->results = %s_read_root(&cap_reply->rpc.msg);\n", rs_name);
	if (!with_caps) {
		for (uint32_t i = 0; i < nr; i++)
			if (r[i].kind == FLAT_PRIM || r[i].kind == FLAT_TEXT || r[i].kind == FLAT_DATA)
				fprintf(c, "\tcap_reply->%s = %s_get_%s(cap_reply->results);\n",
				        c_name(r[i].name), rs_name, r[i].name);
		fprintf(c, "\tif (cap_reply == &rpc_scratch)\n\t\tcapos_rpc_release_rest(&cap_reply->rpc);\n"
		           "\tif (capnp_reader_error(&cap_reply->rpc.msg) != CAPNP_OK) {\n"
		           "\t\tcapos_rpc_release_rest(&cap_reply->rpc);\n"
		           "\t\treturn capos_error_local(cap_err, CAPOS_ERR_BAD_MESSAGE);\n\t}\n\treturn 0;\n");
		return;
	}
	bool caps = false;
	for (uint32_t i = 0; i < nr; i++) {
		const char *n = c_name(r[i].name);
		if (r[i].kind == FLAT_PRIM || r[i].kind == FLAT_TEXT || r[i].kind == FLAT_DATA)
			fprintf(c, "\tcap_reply->%s = %s_get_%s(cap_reply->results);\n", n, rs_name,
			        r[i].name);
		if (r[i].kind == FLAT_CAP)
			caps = true;
	}
	if (caps)
		fprintf(c, "\tint rpc_bad = 0;\n");
	for (uint32_t i = 0; i < nr; i++) {
		if (r[i].kind != FLAT_CAP)
			continue;
		fprintf(c, "\tuint32_t rpc_%u = %s_get_%s(cap_reply->results);\n", i, rs_name,
		        r[i].name);
		fprintf(c, "\tif (rpc_%u != CAPNP_NO_CAP && rpc_bad == 0)\n\t\trpc_bad = "
		           "capos_rpc_take_cap(&cap_reply->rpc, rpc_%u, %s, &cap_reply->%s);\n",
		        i, i,
		        r[i].iface_id, c_name(r[i].name));
	}
	fprintf(c, "\tcapos_rpc_release_rest(&cap_reply->rpc);\n");
	if (caps) {
		fprintf(c, "\tif (rpc_bad == 0 && capnp_reader_error(&cap_reply->rpc.msg) != CAPNP_OK)\n"
		           "\t\trpc_bad = CAPOS_ERR_BAD_MESSAGE;\n\tif (rpc_bad != 0) {\n");
		for (uint32_t i = 0; i < nr; i++)
			if (r[i].kind == FLAT_CAP)
				fprintf(c, "\t\tcapos_rpc_drop_cap(&cap_reply->rpc, &cap_reply->%s);\n",
				        c_name(r[i].name));
		fprintf(c, "\t\treturn capos_error_local(cap_err, rpc_bad);\n\t}\n\treturn 0;\n");
	} else {
		fprintf(c, "\tif (capnp_reader_error(&cap_reply->rpc.msg) != CAPNP_OK)\n"
		           "\t\treturn capos_error_local(cap_err, CAPOS_ERR_BAD_MESSAGE);\n\treturn 0;\n");
	}
}

static void emit_call_stub(struct gen *g, const char *IM, const char *I, const char *M,
                           const struct flat_field *r, uint32_t nr)
{
	char *proto = gen_xasprintf(
		"int %s_Call(const %s_Client *cap_client,\n\tint (*cap_fill)(%s_Params_builder params, "
		"struct capos_rpc_out *out, void *arg),\n\tvoid *cap_arg, %s_Reply *cap_reply, "
		"struct capos_call_error *cap_err)",
		IM, I, IM, IM);
	fprintf(g->rh, "%s;\n", proto);
	fprintf(g->rc, "\n%s\n{\n", proto);
	fprintf(g->rc,
	        "\t%s_Reply rpc_scratch;\n\tif (cap_reply == NULL)\n\t\tcap_reply = &rpc_scratch;\n"
	        "\t__builtin_memset(cap_reply, 0, offsetof(%s_Reply, rpc));\n"
	        "\tstruct capos_rpc_out rpc_out;\n\tcapos_rpc_out_init(&rpc_out, 0);\n"
	        "\twhile (capos_rpc_build(&rpc_out)) {\n"
	        "\t\t%s_Params_builder rpc_p = %s_init_root(&rpc_out.b);\n"
	        "\t\tint rpc_e = cap_fill != NULL ? cap_fill(rpc_p, &rpc_out, cap_arg) : 0;\n"
	        "\t\tif (rpc_e != 0)\n\t\t\trpc_out.err = rpc_e;\n\t}\n"
	        "\tint rpc_e = capos_rpc_send(&cap_client->c, %s_%s_METHOD, &rpc_out, &cap_reply->rpc, "
	        "cap_err);\n"
	        "\tif (rpc_e != 0)\n\t\treturn rpc_e;\n",
	        IM, IM, IM, ps_name, I, M);
	emit_reply_decode(g, r, nr, false);
	fprintf(g->rc, "}\n");
	free(proto);
}

static void emit_flat_stub(struct gen *g, const char *IM, const char *I, const char *M,
                           const struct flat_field *p, uint32_t np, const struct flat_field *r,
                           uint32_t nr)
{
	FILE *c = g->rc;
	char *pbuf = NULL;
	size_t plen = 0;
	FILE *pf = open_memstream(&pbuf, &plen);
	flat_params(pf, p, np);
	fclose(pf);
	char *proto = gen_xasprintf("int %s(const %s_Client *cap_client%s,\n\t%s_Reply *cap_reply, "
	                            "struct capos_call_error *cap_err)",
	                            IM, I, pbuf, IM);
	fprintf(g->rh, "%s;\n", proto);
	fprintf(c, "\n%s\n{\n", proto);
	fprintf(c, "\t%s_Reply rpc_scratch;\n\tif (cap_reply == NULL)\n\t\tcap_reply = &rpc_scratch;\n"
	           "\t__builtin_memset(cap_reply, 0, offsetof(%s_Reply, rpc));\n",
	        IM, IM);
	fprintf(c, "\tsize_t rpc_hint = 0");
	for (uint32_t i = 0; i < np; i++) {
		const char *n = c_name(p[i].name);
		if (p[i].kind == FLAT_TEXT)
			fprintf(c, " + (%s != NULL ? __builtin_strlen(%s) + 8 : 0)", n, n);
		else if (p[i].kind == FLAT_DATA)
			fprintf(c, " + %s_len + 8", p[i].name);
	}
	fprintf(c, ";\n\tstruct capos_rpc_out rpc_out;\n\tcapos_rpc_out_init(&rpc_out, rpc_hint);\n"
	           "\twhile (capos_rpc_build(&rpc_out)) {\n");
	fprintf(c, "\t\t%s_Params_builder rpc_p = %s_init_root(&rpc_out.b);\n", IM, ps_name);
	bool used_p = false;
	for (uint32_t i = 0; i < np; i++) {
		const char *n = c_name(p[i].name);
		const char *F = p[i].name;
		switch (p[i].kind) {
		case FLAT_PRIM:
			fprintf(c, "\t\t%s_set_%s(rpc_p, %s);\n", ps_name, F, n);
			used_p = true;
			break;
		case FLAT_TEXT:
			fprintf(c, "\t\tif (%s != NULL)\n\t\t\t%s_set_%s(rpc_p, %s, "
			           "__builtin_strlen(%s));\n",
			        n, ps_name, F, n, n);
			used_p = true;
			break;
		case FLAT_DATA:
			fprintf(c, "\t\tif (%s != NULL)\n\t\t\t%s_set_%s(rpc_p, %s, %s_len);\n", n,
			        ps_name, F, n, F);
			used_p = true;
			break;
		case FLAT_CAP:
			fprintf(c, "\t\tuint32_t rpc_%u = capos_rpc_pass_cap(&rpc_out, %s, false);\n"
			           "\t\tif (rpc_%u != CAPNP_NO_CAP)\n\t\t\t%s_set_%s(rpc_p, rpc_%u);\n",
			        i, n, i, ps_name, F, i);
			used_p = true;
			break;
		default: break;
		}
	}
	if (!used_p)
		fprintf(c, "\t\t(void)rpc_p;\n");
	fprintf(c, "\t}\n\tint rpc_e = capos_rpc_send(&cap_client->c, %s_%s_METHOD, &rpc_out, "
	           "&cap_reply->rpc, cap_err);\n\tif (rpc_e != 0)\n\t\treturn rpc_e;\n",
	        I, M);
	emit_reply_decode(g, r, nr, true);
	fprintf(c, "}\n");
	free(proto);
	free(pbuf);
}

static const char *short_name(schema_Node_reader n)
{
	const char *dn = schema_Node_get_displayName(n).str;
	const char *s = strchr(dn, ':') ? strchr(dn, ':') + 1 : dn;
	return s;
}

void emit_rpc(struct gen *g, schema_Node_reader n)
{
	FILE *h = g->rh, *c = g->rc;
	uint64_t id = schema_Node_get_id(n);
	char *I = gen_cname(g, id);
	const char *shown = short_name(n);
	struct capnp_list ml = schema_Node_interface_get_methods(schema_Node_get_interface(n));
	uint32_t nm = capnp_list_len(ml);
	for (uint32_t i = 0; i < nm; i++) {
		const char *M = schema_Method_get_name(schema_Method_list_get(ml, i)).str;
		if (M[0] >= 'A' && M[0] <= 'Z') {
			/* clang-format off */
			fprintf(stderr, "capnpc-c: warning: %s: interface %s: no client stubs or "
				"server dispatch: method %s starts with a capital and would clash with "
				"the generated %s_Client/_Server names\n", g->filename, shown, M, I);
			/* clang-format on */
			fprintf(h, "\n/* interface %s: no stubs (see capnpc-c's warning) */\n", shown);
			g->warnings++;
			free(I);
			return;
		}
	}
	fprintf(h, "\n/* interface %s: client stubs and server dispatch */\n", shown);
	fprintf(h, "typedef struct { struct capos_client c; } %s_Client;\n", I);
	fprintf(h, "static inline int %s_Client_bind(%s_Client *c, struct capos_ring *r, "
	           "struct capos_cap cap)\n{\n\treturn capos_client_bind(&c->c, r, cap, %s_ID);\n}\n",
	        I, I, I);
	fprintf(h, "#if !defined(CAPOS_HOST)\nstatic inline int %s_Client_open(%s_Client *c, "
	           "const char *name)\n{\n\treturn capos_client_open(&c->c, name, %s_ID);\n}\n#endif\n",
	        I, I, I);
	for (uint32_t i = 0; i < nm; i++) {
		schema_Method_reader m = schema_Method_list_get(ml, i);
		const char *M = schema_Method_get_name(m).str;
		char *IM = gen_xasprintf("%s_%s", I, M);
		uint32_t np, nr;
		bool pflat, rflat;
		ps_name = gen_cname(g, schema_Method_get_paramStructType(m));
		rs_name = gen_cname(g, schema_Method_get_resultStructType(m));
		struct flat_field *p = fields_of(g, schema_Method_get_paramStructType(m), &np, &pflat);
		struct flat_field *r = fields_of(g, schema_Method_get_resultStructType(m), &nr, &rflat);
		fprintf(h, "\n/* %s.%s */\n", shown, M);
		emit_reply_type(g, IM, r, nr);
		emit_call_stub(g, IM, I, M, r, nr);
		if (pflat)
			emit_flat_stub(g, IM, I, M, p, np, r, nr);
		free_fields(p, np);
		free_fields(r, nr);
		free(IM);
		free(ps_name);
		free(rs_name);
	}
	fprintf(h, "\n/* %s's server: one handler per method (NULL: unimplemented). */\n", shown);
	fprintf(h, "typedef struct {\n");
	for (uint32_t i = 0; i < nm; i++) {
		const char *M = schema_Method_get_name(schema_Method_list_get(ml, i)).str;
		fprintf(h, "\tint (*%s)(void *self, struct capos_rpc_ctx *rc, %s_%s_Params_reader in,\n"
		           "\t\t%s_%s_Results_builder out);\n",
		        c_name(M), I, M, I, M);
	}
	if (nm == 0)
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
	if (nm == 0) {
		fprintf(c, "\t(void)server;\n\t(void)self;\n\treturn capos_rpc_unimplemented(rc);\n}\n");
		free(I);
		return;
	}
	fprintf(c, "\tconst %s_Server *s = server;\n\tswitch (rc->call->method_id) {\n", I);
	for (uint32_t i = 0; i < nm; i++) {
		schema_Method_reader m = schema_Method_list_get(ml, i);
		const char *M = schema_Method_get_name(m).str;
		char *PS = gen_cname(g, schema_Method_get_paramStructType(m));
		char *RS = gen_cname(g, schema_Method_get_resultStructType(m));
		fprintf(c, "\tcase %s_%s_METHOD:\n\t\tif (s->%s == NULL)\n\t\t\tbreak;\n"
		           "\t\treturn s->%s(self, rc, %s_read_root(&rc->in),\n"
		           "\t\t\t%s_init_root(&rc->out));\n",
		        I, M, c_name(M), c_name(M), PS, RS);
		free(PS);
		free(RS);
	}
	fprintf(c, "\tdefault:\n\t\tbreak;\n\t}\n\treturn capos_rpc_unimplemented(rc);\n}\n");
	free(I);
}
