/* Emission of enums, constants and interface ids/method ordinals. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capnpc.h"

void emit_enum(struct gen *g, schema_Node_reader n)
{
	uint64_t id = schema_Node_get_id(n);
	char *E = gen_cname(g, id);
	struct capnp_list el = schema_Node_enum_get_enumerants(schema_Node_get_enum(n));
	fprintf(g->h, "\n/* enum %s */\n#define %s_ID UINT64_C(0x%016llx)\nenum %s {\n",
	        schema_Node_get_displayName(n).str, E, (unsigned long long)id, E);
	for (uint32_t i = 0; i < capnp_list_len(el); i++)
		fprintf(g->h, "\t%s_%s = %u,\n", E,
		        schema_Enumerant_get_name(schema_Enumerant_list_get(el, i)).str, i);
	fprintf(g->h, "};\n");
	free(E);
}

static void emit_float(FILE *h, double v, const char *suffix)
{
	if (isnan(v))
		fprintf(h, "__builtin_nan%s(\"\")", suffix);
	else if (isinf(v))
		fprintf(h, "%s__builtin_inf%s()", v < 0 ? "-" : "", suffix);
	else
		fprintf(h, "%a%s", v, suffix);
}

/* A struct/list/AnyPointer constant's value as a standalone message; returns
 * the name of its reader (caller frees). */
static char *emit_value_message(struct gen *g, const char *C, schema_Value_reader v)
{
	struct words w = {0};
	gen_copy_value(g, v, &w);
	char *name = gen_xasprintf("%s_msg", C);
	gen_emit_value_reader(g, name, &w);
	free(w.w);
	return name;
}

void emit_const(struct gen *g, schema_Node_reader n)
{
	FILE *h = g->h;
	char *C = gen_cname(g, schema_Node_get_id(n));
	schema_Node_const_reader cn = schema_Node_get_const(n);
	schema_Type_reader t = schema_Node_const_get_type(cn);
	schema_Value_reader v = schema_Node_const_get_value(cn);
	fprintf(h, "\n/* const %s */\n", schema_Node_get_displayName(n).str);
	switch (schema_Type_which(t)) {
	case schema_Type_which_void: fprintf(h, "/* (Void constant: no value) */\n"); break;
	case schema_Type_which_bool: fprintf(h, "#define %s %s\n", C, schema_Value_get_bool(v) ? "true" : "false"); break;
	case schema_Type_which_int8: fprintf(h, "#define %s INT8_C(%d)\n", C, schema_Value_get_int8(v)); break;
	case schema_Type_which_int16: fprintf(h, "#define %s INT16_C(%d)\n", C, schema_Value_get_int16(v)); break;
	case schema_Type_which_int32: {
		int32_t x = schema_Value_get_int32(v);
		if (x == INT32_MIN)
			fprintf(h, "#define %s (-INT32_C(2147483647) - 1)\n", C);
		else
			fprintf(h, "#define %s INT32_C(%" PRId32 ")\n", C, x);
		break;
	}
	case schema_Type_which_int64: {
		int64_t x = schema_Value_get_int64(v);
		if (x == INT64_MIN)
			fprintf(h, "#define %s (-INT64_C(9223372036854775807) - 1)\n", C);
		else
			fprintf(h, "#define %s INT64_C(%" PRId64 ")\n", C, x);
		break;
	}
	case schema_Type_which_uint8: fprintf(h, "#define %s UINT8_C(%u)\n", C, schema_Value_get_uint8(v)); break;
	case schema_Type_which_uint16: fprintf(h, "#define %s UINT16_C(%u)\n", C, schema_Value_get_uint16(v)); break;
	case schema_Type_which_uint32: fprintf(h, "#define %s UINT32_C(%" PRIu32 ")\n", C, schema_Value_get_uint32(v)); break;
	case schema_Type_which_uint64: fprintf(h, "#define %s UINT64_C(%" PRIu64 ")\n", C, schema_Value_get_uint64(v)); break;
	case schema_Type_which_float32:
		fprintf(h, "#define %s ", C);
		emit_float(h, schema_Value_get_float32(v), "f");
		fputc('\n', h);
		break;
	case schema_Type_which_float64:
		fprintf(h, "#define %s ", C);
		emit_float(h, schema_Value_get_float64(v), "");
		fputc('\n', h);
		break;
	case schema_Type_which_enum: {
		uint64_t tid = schema_Type_enum_get_typeId(schema_Type_get_enum(t));
		gen_use_type_file(g, tid);
		char *E = gen_cname(g, tid);
		fprintf(h, "#define %s ((enum %s)%u)\n", C, E, schema_Value_get_enum(v));
		free(E);
		break;
	}
	case schema_Type_which_text: {
		struct capnp_text s = schema_Value_get_text(v);
		fprintf(h, "#define %s ", C);
		gen_c_string(h, s.str, s.len);
		fprintf(h, "\n#define %s_LEN %u\n", C, s.len);
		break;
	}
	case schema_Type_which_data: {
		struct capnp_data d = schema_Value_get_data(v);
		fprintf(h, "extern const uint8_t %s[];\n#define %s_LEN %u\n", C, C, d.len);
		fprintf(g->c, "\nconst uint8_t %s[] = {", C);
		for (uint32_t i = 0; i < d.len; i++)
			fprintf(g->c, "%s0x%02x", i % 12 ? ", " : (i ? ",\n\t" : "\n\t"), d.ptr[i]);
		fprintf(g->c, "%s};\n", d.len ? "\n" : " 0 ");
		break;
	}
	case schema_Type_which_struct: {
		uint64_t tid = schema_Type_struct_get_typeId(schema_Type_get_struct(t));
		gen_use_type_file(g, tid);
		char *T = gen_cname(g, tid);
		char *msg = emit_value_message(g, C, v);
		fprintf(h, "static inline %s_reader %s_get(void)\n{\n"
		           "\treturn (%s_reader){ capnp_reader_root(&%s) };\n}\n",
		        T, C, T, msg);
		free(msg);
		free(T);
		break;
	}
	case schema_Type_which_list: {
		schema_Type_reader et = schema_Type_list_get_elementType(schema_Type_get_list(t));
		if (schema_Type_which(et) == schema_Type_which_struct)
			gen_use_type_file(g, schema_Type_struct_get_typeId(schema_Type_get_struct(et)));
		char *msg = emit_value_message(g, C, v);
		fprintf(h, "static inline struct capnp_list %s_get(void)\n{\n"
		           "\treturn capnp_reader_root_list(&%s, %s);\n}\n",
		        C, msg,
		        elem_size_name(schema_Type_which(et)));
		free(msg);
		break;
	}
	case schema_Type_which_anyPointer: {
		char *msg = emit_value_message(g, C, v);
		fprintf(h, "static inline struct capnp_struct %s_get_struct(void)\n{\n"
		           "\treturn capnp_reader_root(&%s);\n}\n",
		        C, msg);
		fprintf(h, "static inline struct capnp_list %s_get_list(enum capnp_elem_size want)\n{\n"
		           "\treturn capnp_reader_root_list(&%s, want);\n}\n",
		        C, msg);
		free(msg);
		break;
	}
	default:
		gen_error(g, "constants of this type (%u) are not supported", schema_Type_which(t));
	}
	free(C);
}

void emit_interface(struct gen *g, schema_Node_reader n)
{
	FILE *h = g->h;
	uint64_t id = schema_Node_get_id(n);
	char *I = gen_cname(g, id);
	struct capnp_list ml = schema_Node_interface_get_methods(schema_Node_get_interface(n));
	fprintf(h, "\n/* interface %s */\n#define %s_ID UINT64_C(0x%016llx)\n",
	        schema_Node_get_displayName(n).str, I, (unsigned long long)id);
	for (uint32_t i = 0; i < capnp_list_len(ml); i++) {
		schema_Method_reader m = schema_Method_list_get(ml, i);
		const char *M = schema_Method_get_name(m).str;
		fprintf(h, "#define %s_%s_METHOD %u\n", I, M, i);
		const char *part[2] = {"Params", "Results"};
		uint64_t sid[2] = {schema_Method_get_paramStructType(m),
		                   schema_Method_get_resultStructType(m)};
		for (int k = 0; k < 2; k++) {
			char *want = gen_xasprintf("%s_%s_%s", I, M, part[k]);
			char *have = gen_cname(g, sid[k]);
			gen_use_type_file(g, sid[k]);
			if (strcmp(want, have) != 0) {
				fprintf(h, "typedef %s_reader %s_reader;\n", have, want);
				fprintf(h, "typedef %s_builder %s_builder;\n", have, want);
			}
			free(want);
			free(have);
		}
	}
	free(I);
}
