/*
 * capnp_rt: our half of the reference round trips (tests/capnp/roundtrip.sh).
 *
 *   capnp_rt encode [--packed] CASE    write test message CASE to stdout
 *   capnp_rt dump [--packed] ROOT      read a message from stdin with the
 *                                      generated readers and print it as JSON
 *                                      in the layout of `capnp convert binary:json`
 *   capnp_rt cases                     list the cases and their root types
 *
 * The script compares both directions with the reference `capnp convert`
 * and with hand-written expected JSON in tests/capnp/cases/.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capnp/capnp.h"
#include "fieldkinds.capnp.h"

static uint64_t arena[1 << 16];

/* ---- cases ------------------------------------------------------------ */

static void build_inner(fieldkinds_Inner_builder in, uint32_t id, const char *label)
{
	fieldkinds_Inner_set_id(in, id);
	if (label)
		fieldkinds_Inner_set_label(in, label, strlen(label));
}

static void case_all_zero(struct capnp_builder *b)
{
	fieldkinds_AllTypes_init_root(b);
}

static void case_all_full(struct capnp_builder *b)
{
	fieldkinds_AllTypes_builder a = fieldkinds_AllTypes_init_root(b);
	fieldkinds_AllTypes_set_boolField(a, true);
	fieldkinds_AllTypes_set_int8Field(a, -8);
	fieldkinds_AllTypes_set_int16Field(a, -1616);
	fieldkinds_AllTypes_set_int32Field(a, -323232);
	fieldkinds_AllTypes_set_int64Field(a, -646464646464);
	fieldkinds_AllTypes_set_uint8Field(a, 250);
	fieldkinds_AllTypes_set_uint16Field(a, 65000);
	fieldkinds_AllTypes_set_uint32Field(a, 4000000000u);
	fieldkinds_AllTypes_set_uint64Field(a, 18000000000000000000ull);
	fieldkinds_AllTypes_set_float32Field(a, 1.25f);
	fieldkinds_AllTypes_set_float64Field(a, -3.5);
	fieldkinds_AllTypes_set_textField(a, "hello, world", 12);
	fieldkinds_AllTypes_set_dataField(a, "\x00\x01\xfe\xff", 4);
	build_inner(fieldkinds_AllTypes_init_structField(a), 77, "inner");
	fieldkinds_AllTypes_set_enumField(a, fieldkinds_Color_blue);
	fieldkinds_AllTypes_init_voidList(a, 3);
	struct capnp_list_builder l = fieldkinds_AllTypes_init_boolList(a, 10);
	for (uint32_t i = 0; i < 10; i++)
		capnp_lb_set_bool(l, i, i % 3 == 0);
	l = fieldkinds_AllTypes_init_int8List(a, 3);
	capnp_lb_set_i8(l, 0, -128);
	capnp_lb_set_i8(l, 1, 0);
	capnp_lb_set_i8(l, 2, 127);
	l = fieldkinds_AllTypes_init_int16List(a, 2);
	capnp_lb_set_i16(l, 0, -32768);
	capnp_lb_set_i16(l, 1, 32767);
	l = fieldkinds_AllTypes_init_int32List(a, 4);
	for (uint32_t i = 0; i < 4; i++)
		capnp_lb_set_i32(l, i, -(int32_t)i * 1000);
	l = fieldkinds_AllTypes_init_int64List(a, 2);
	capnp_lb_set_i64(l, 0, INT64_MIN);
	capnp_lb_set_i64(l, 1, INT64_MAX);
	l = fieldkinds_AllTypes_init_uint8List(a, 2);
	capnp_lb_set_u8(l, 0, 1);
	capnp_lb_set_u8(l, 1, 255);
	l = fieldkinds_AllTypes_init_uint16List(a, 1);
	capnp_lb_set_u16(l, 0, 65535);
	l = fieldkinds_AllTypes_init_uint32List(a, 3);
	capnp_lb_set_u32(l, 0, 0);
	capnp_lb_set_u32(l, 1, 1);
	capnp_lb_set_u32(l, 2, UINT32_MAX);
	l = fieldkinds_AllTypes_init_uint64List(a, 2);
	capnp_lb_set_u64(l, 0, 1);
	capnp_lb_set_u64(l, 1, UINT64_MAX);
	l = fieldkinds_AllTypes_init_float32List(a, 2);
	capnp_lb_set_f32(l, 0, 0.5f);
	capnp_lb_set_f32(l, 1, -1024.0f);
	l = fieldkinds_AllTypes_init_float64List(a, 2);
	capnp_lb_set_f64(l, 0, 0.5);
	capnp_lb_set_f64(l, 1, 1e100);
	l = fieldkinds_AllTypes_init_textList(a, 3);
	capnp_lb_set_text(l, 0, "a", 1);
	capnp_lb_set_text(l, 1, "", 0);
	capnp_lb_set_text(l, 2, "tab\there", 8);
	l = fieldkinds_AllTypes_init_dataList(a, 2);
	capnp_lb_set_data(l, 0, "\x01", 1);
	capnp_lb_set_data(l, 1, "", 0);
	l = fieldkinds_AllTypes_init_structList(a, 3);
	for (uint32_t i = 0; i < 3; i++)
		build_inner(fieldkinds_Inner_list_at(l, i), 100 + i, i == 1 ? NULL : "x");
	l = fieldkinds_AllTypes_init_enumList(a, 3);
	capnp_lb_set_u16(l, 0, fieldkinds_Color_green);
	capnp_lb_set_u16(l, 1, fieldkinds_Color_red);
	capnp_lb_set_u16(l, 2, fieldkinds_Color_blue);
	l = fieldkinds_AllTypes_init_listList(a, 3);
	capnp_lb_init_list(l, 0, CAPNP_ELEM_4B, 0);
	struct capnp_list_builder in = capnp_lb_init_list(l, 1, CAPNP_ELEM_4B, 2);
	capnp_lb_set_i32(in, 0, 7);
	capnp_lb_set_i32(in, 1, -8);
	in = capnp_lb_init_list(l, 2, CAPNP_ELEM_4B, 1);
	capnp_lb_set_i32(in, 0, 9);
	fieldkinds_AllTypes_set_word(a, "union text", 10);
	fieldkinds_AllTypes_choice_set_color(fieldkinds_AllTypes_init_choice(a), fieldkinds_Color_green);
	fieldkinds_AllTypes_grp_builder g = fieldkinds_AllTypes_init_grp(a);
	fieldkinds_AllTypes_grp_set_a(g, 9);
	fieldkinds_AllTypes_grp_set_b(g, "grp", 3);
}

static void case_all_extremes(struct capnp_builder *b)
{
	fieldkinds_AllTypes_builder a = fieldkinds_AllTypes_init_root(b);
	fieldkinds_AllTypes_set_int8Field(a, INT8_MIN);
	fieldkinds_AllTypes_set_int16Field(a, INT16_MAX);
	fieldkinds_AllTypes_set_int32Field(a, INT32_MIN);
	fieldkinds_AllTypes_set_int64Field(a, INT64_MAX);
	fieldkinds_AllTypes_set_uint8Field(a, UINT8_MAX);
	fieldkinds_AllTypes_set_uint16Field(a, UINT16_MAX);
	fieldkinds_AllTypes_set_uint32Field(a, UINT32_MAX);
	fieldkinds_AllTypes_set_uint64Field(a, UINT64_MAX);
	fieldkinds_AllTypes_set_float32Field(a, -0.125f);
	fieldkinds_AllTypes_set_float64Field(a, 123456789.0625);
	fieldkinds_AllTypes_set_textField(a, "", 0);
	fieldkinds_AllTypes_set_dataField(a, "", 0);
	fieldkinds_AllTypes_set_enumField(a, fieldkinds_Color_green);
	fieldkinds_AllTypes_init_structList(a, 0);
	fieldkinds_AllTypes_init_textList(a, 0);
	fieldkinds_AllTypes_set_number(a, INT64_MIN);
	fieldkinds_AllTypes_choice_set_flag(fieldkinds_AllTypes_init_choice(a), true);
	fieldkinds_AllTypes_set_textField(a, "caf\xc3\xa9 \xe2\x9c\x93", 9);
}

static void case_all_nested_union(struct capnp_builder *b)
{
	fieldkinds_AllTypes_builder a = fieldkinds_AllTypes_init_root(b);
	build_inner(fieldkinds_AllTypes_init_nested(a), 5, "in the union");
	fieldkinds_AllTypes_choice_set_none(fieldkinds_AllTypes_init_choice(a));
	struct capnp_list_builder l = fieldkinds_AllTypes_init_structList(a, 40);
	for (uint32_t i = 0; i < 40; i++)
		build_inner(fieldkinds_Inner_list_at(l, i), i * i, NULL);
}

/* Large enough that the reference splits its encoding into several
 * segments joined by far pointers. */
static void case_all_big(struct capnp_builder *b)
{
	fieldkinds_AllTypes_builder a = fieldkinds_AllTypes_init_root(b);
	struct capnp_list_builder t = fieldkinds_AllTypes_init_textList(a, 1500);
	struct capnp_list_builder n = fieldkinds_AllTypes_init_int64List(a, 1500);
	for (uint32_t i = 0; i < 1500; i++) {
		char item[32];
		int len = snprintf(item, sizeof item, "item-%u", i);
		capnp_lb_set_text(t, i, item, (size_t)len);
		capnp_lb_set_i64(n, i, (int64_t)i * i);
	}
}

static void case_defaults_empty(struct capnp_builder *b)
{
	fieldkinds_Defaults_init_root(b);
}

static void case_defaults_set(struct capnp_builder *b)
{
	fieldkinds_Defaults_builder d = fieldkinds_Defaults_init_root(b);
	fieldkinds_Defaults_set_boolDefault(d, false);
	fieldkinds_Defaults_set_int8Default(d, 0);
	fieldkinds_Defaults_set_int16Default(d, -1);
	fieldkinds_Defaults_set_int32Default(d, 0);
	fieldkinds_Defaults_set_int64Default(d, 1);
	fieldkinds_Defaults_set_uint8Default(d, 0);
	fieldkinds_Defaults_set_uint16Default(d, 1);
	fieldkinds_Defaults_set_uint32Default(d, 0);
	fieldkinds_Defaults_set_uint64Default(d, 0);
	fieldkinds_Defaults_set_float32Default(d, 0);
	fieldkinds_Defaults_set_float64Default(d, 2.25);
	fieldkinds_Defaults_set_enumDefault(d, fieldkinds_Color_red);
	fieldkinds_Defaults_set_textDefault(d, "other", 5);
	fieldkinds_Defaults_set_dataDefault(d, "\x09", 1);
}

static void case_outer_nested(struct capnp_builder *b)
{
	fieldkinds_Outer_builder o = fieldkinds_Outer_init_root(b);
	for (int depth = 0; depth < 3; depth++) {
		fieldkinds_Outer_Middle_builder m = fieldkinds_Outer_init_middle(o);
		fieldkinds_Outer_Middle_set_level(m, depth % 2 ? fieldkinds_Outer_Middle_Level_high
		                                               : fieldkinds_Outer_Middle_Level_low);
		build_inner(fieldkinds_Outer_Middle_init_inner(m), (uint32_t)depth, "deep");
		struct capnp_list_builder l = fieldkinds_Outer_init_middles(o, 2);
		fieldkinds_Outer_Middle_set_level(fieldkinds_Outer_Middle_list_at(l, 1),
		                                  fieldkinds_Outer_Middle_Level_high);
		o = fieldkinds_Outer_init_child(o);
	}
}

static const struct tcase {
	const char *name;
	const char *root;
	void (*build)(struct capnp_builder *b);
} cases[] = {
	{"all_zero", "AllTypes", case_all_zero},
	{"all_full", "AllTypes", case_all_full},
	{"all_extremes", "AllTypes", case_all_extremes},
	{"all_nested_union", "AllTypes", case_all_nested_union},
	{"all_big", "AllTypes", case_all_big},
	{"defaults_empty", "Defaults", case_defaults_empty},
	{"defaults_set", "Defaults", case_defaults_set},
	{"outer_nested", "Outer", case_outer_nested},
};

/* ---- JSON output in the reference's layout --------------------------- */

#include "json_out.h"

static void json_str(const char *s, uint32_t len)
{
	putchar('"');
	for (uint32_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			printf("\\n");
		else if (c == '\t')
			printf("\\t");
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_data(struct capnp_data d)
{
	printf("[");
	for (uint32_t i = 0; i < d.len; i++)
		printf("%s%u", i ? ", " : "", d.ptr[i]);
	printf("]");
}

static const char *color_name(unsigned c)
{
	static const char *n[] = {"red", "green", "blue"};
	return c < 3 ? n[c] : "?";
}

static void json_f64(double v) { printf("%.17g", v); }

static void dump_inner(fieldkinds_Inner_reader r)
{
	open_obj();
	key("id");
	printf("%" PRIu32, fieldkinds_Inner_get_id(r));
	if (fieldkinds_Inner_has_label(r)) {
		struct capnp_text t = fieldkinds_Inner_get_label(r);
		key("label");
		json_str(t.str, t.len);
	}
	close_obj();
}

#define DUMP_LIST(field, fmt_expr)                                        \
	if (fieldkinds_AllTypes_has_##field(r)) {                         \
		struct capnp_list l = fieldkinds_AllTypes_get_##field(r); \
		key(#field);                                              \
		printf("[");                                              \
		for (uint32_t i = 0; i < capnp_list_len(l); i++) {        \
			if (i)                                            \
				printf(", ");                             \
			fmt_expr;                                         \
		}                                                         \
		printf("]");                                              \
	}

static void dump_all(fieldkinds_AllTypes_reader r)
{
	open_obj();
	key("voidField");
	printf("null");
	key("boolField");
	printf(fieldkinds_AllTypes_get_boolField(r) ? "true" : "false");
	key("int8Field");
	printf("%d", fieldkinds_AllTypes_get_int8Field(r));
	key("int16Field");
	printf("%d", fieldkinds_AllTypes_get_int16Field(r));
	key("int32Field");
	printf("%" PRId32, fieldkinds_AllTypes_get_int32Field(r));
	key("int64Field");
	printf("\"%" PRId64 "\"", fieldkinds_AllTypes_get_int64Field(r));
	key("uint8Field");
	printf("%u", fieldkinds_AllTypes_get_uint8Field(r));
	key("uint16Field");
	printf("%u", fieldkinds_AllTypes_get_uint16Field(r));
	key("uint32Field");
	printf("%" PRIu32, fieldkinds_AllTypes_get_uint32Field(r));
	key("uint64Field");
	printf("\"%" PRIu64 "\"", fieldkinds_AllTypes_get_uint64Field(r));
	key("float32Field");
	json_f64(fieldkinds_AllTypes_get_float32Field(r));
	key("float64Field");
	json_f64(fieldkinds_AllTypes_get_float64Field(r));
	if (fieldkinds_AllTypes_has_textField(r)) {
		struct capnp_text t = fieldkinds_AllTypes_get_textField(r);
		key("textField");
		json_str(t.str, t.len);
	}
	if (fieldkinds_AllTypes_has_dataField(r)) {
		key("dataField");
		json_data(fieldkinds_AllTypes_get_dataField(r));
	}
	if (fieldkinds_AllTypes_has_structField(r)) {
		key("structField");
		dump_inner(fieldkinds_AllTypes_get_structField(r));
	}
	key("enumField");
	printf("\"%s\"", color_name(fieldkinds_AllTypes_get_enumField(r)));
	DUMP_LIST(voidList, printf("null"))
	DUMP_LIST(boolList, printf(capnp_list_get_bool(l, i) ? "true" : "false"))
	DUMP_LIST(int8List, printf("%d", capnp_list_get_i8(l, i)))
	DUMP_LIST(int16List, printf("%d", capnp_list_get_i16(l, i)))
	DUMP_LIST(int32List, printf("%" PRId32, capnp_list_get_i32(l, i)))
	DUMP_LIST(int64List, printf("\"%" PRId64 "\"", capnp_list_get_i64(l, i)))
	DUMP_LIST(uint8List, printf("%u", capnp_list_get_u8(l, i)))
	DUMP_LIST(uint16List, printf("%u", capnp_list_get_u16(l, i)))
	DUMP_LIST(uint32List, printf("%" PRIu32, capnp_list_get_u32(l, i)))
	DUMP_LIST(uint64List, printf("\"%" PRIu64 "\"", capnp_list_get_u64(l, i)))
	DUMP_LIST(float32List, json_f64(capnp_list_get_f32(l, i)))
	DUMP_LIST(float64List, json_f64(capnp_list_get_f64(l, i)))
	DUMP_LIST(textList, { struct capnp_text t = capnp_list_get_text(l, i); json_str(t.str, t.len); })
	DUMP_LIST(dataList, json_data(capnp_list_get_data(l, i)))
	DUMP_LIST(structList, dump_inner(fieldkinds_Inner_list_get(l, i)))
	DUMP_LIST(enumList, printf("\"%s\"", color_name(capnp_list_get_u16(l, i))))
	DUMP_LIST(listList, {
		struct capnp_list in = capnp_list_get_list(l, i, CAPNP_ELEM_4B);
		printf("[");
		for (uint32_t j = 0; j < capnp_list_len(in); j++)
			printf("%s%" PRId32, j ? ", " : "", capnp_list_get_i32(in, j));
		printf("]");
	})
	fieldkinds_AllTypes_choice_reader c = fieldkinds_AllTypes_get_choice(r);
	key("choice");
	open_obj();
	switch (fieldkinds_AllTypes_choice_which(c)) {
	case fieldkinds_AllTypes_choice_which_none:
		key("none");
		printf("null");
		break;
	case fieldkinds_AllTypes_choice_which_flag:
		key("flag");
		printf(fieldkinds_AllTypes_choice_get_flag(c) ? "true" : "false");
		break;
	case fieldkinds_AllTypes_choice_which_color:
		key("color");
		printf("\"%s\"", color_name(fieldkinds_AllTypes_choice_get_color(c)));
		break;
	}
	close_obj();
	fieldkinds_AllTypes_grp_reader g = fieldkinds_AllTypes_get_grp(r);
	key("grp");
	open_obj();
	key("a");
	printf("%u", fieldkinds_AllTypes_grp_get_a(g));
	if (fieldkinds_AllTypes_grp_has_b(g)) {
		struct capnp_text t = fieldkinds_AllTypes_grp_get_b(g);
		key("b");
		json_str(t.str, t.len);
	}
	close_obj();
	switch (fieldkinds_AllTypes_which(r)) {
	case fieldkinds_AllTypes_which_unset:
		key("unset");
		printf("null");
		break;
	case fieldkinds_AllTypes_which_number:
		key("number");
		printf("\"%" PRId64 "\"", fieldkinds_AllTypes_get_number(r));
		break;
	case fieldkinds_AllTypes_which_word:
		if (fieldkinds_AllTypes_has_word(r)) {
			struct capnp_text t = fieldkinds_AllTypes_get_word(r);
			key("word");
			json_str(t.str, t.len);
		}
		break;
	case fieldkinds_AllTypes_which_nested:
		if (fieldkinds_AllTypes_has_nested(r)) {
			key("nested");
			dump_inner(fieldkinds_AllTypes_get_nested(r));
		}
		break;
	}
	close_obj();
}

static void dump_defaults(fieldkinds_Defaults_reader r)
{
	open_obj();
	key("boolDefault");
	printf(fieldkinds_Defaults_get_boolDefault(r) ? "true" : "false");
	key("int8Default");
	printf("%d", fieldkinds_Defaults_get_int8Default(r));
	key("int16Default");
	printf("%d", fieldkinds_Defaults_get_int16Default(r));
	key("int32Default");
	printf("%" PRId32, fieldkinds_Defaults_get_int32Default(r));
	key("int64Default");
	printf("\"%" PRId64 "\"", fieldkinds_Defaults_get_int64Default(r));
	key("uint8Default");
	printf("%u", fieldkinds_Defaults_get_uint8Default(r));
	key("uint16Default");
	printf("%u", fieldkinds_Defaults_get_uint16Default(r));
	key("uint32Default");
	printf("%" PRIu32, fieldkinds_Defaults_get_uint32Default(r));
	key("uint64Default");
	printf("\"%" PRIu64 "\"", fieldkinds_Defaults_get_uint64Default(r));
	key("float32Default");
	json_f64(fieldkinds_Defaults_get_float32Default(r));
	key("float64Default");
	json_f64(fieldkinds_Defaults_get_float64Default(r));
	key("enumDefault");
	printf("\"%s\"", color_name(fieldkinds_Defaults_get_enumDefault(r)));
	/* The reference prints pointer fields only when set. */
	if (fieldkinds_Defaults_has_textDefault(r)) {
		struct capnp_text t = fieldkinds_Defaults_get_textDefault(r);
		key("textDefault");
		json_str(t.str, t.len);
	}
	if (fieldkinds_Defaults_has_dataDefault(r)) {
		key("dataDefault");
		json_data(fieldkinds_Defaults_get_dataDefault(r));
	}
	close_obj();
}

static void dump_middle(fieldkinds_Outer_Middle_reader m)
{
	open_obj();
	key("level");
	printf("\"%s\"", fieldkinds_Outer_Middle_get_level(m) ? "high" : "low");
	if (fieldkinds_Outer_Middle_has_inner(m)) {
		key("inner");
		dump_inner(fieldkinds_Outer_Middle_get_inner(m));
	}
	close_obj();
}

static void dump_outer(fieldkinds_Outer_reader o)
{
	open_obj();
	if (fieldkinds_Outer_has_middle(o)) {
		key("middle");
		dump_middle(fieldkinds_Outer_get_middle(o));
	}
	if (fieldkinds_Outer_has_middles(o)) {
		struct capnp_list l = fieldkinds_Outer_get_middles(o);
		key("middles");
		printf("[");
		for (uint32_t i = 0; i < capnp_list_len(l); i++) {
			if (i)
				printf(", ");
			dump_middle(fieldkinds_Outer_Middle_list_get(l, i));
		}
		printf("]");
	}
	if (fieldkinds_Outer_has_child(o)) {
		key("child");
		dump_outer(fieldkinds_Outer_get_child(o));
	}
	close_obj();
}

/* ---- main -------------------------------------------------------------- */

static int usage(FILE *f)
{
	fprintf(f, "usage: capnp_rt encode [--packed] CASE | dump [--packed] ROOT | cases\n"
	           "Encodes a test message or prints one read from stdin as JSON.\n");
	return f == stdout ? 0 : 2;
}

static int encode(const char *name, int packed)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strcmp(cases[i].name, name) != 0)
			continue;
		struct capnp_builder b;
		capnp_builder_init(&b, arena, sizeof arena);
		cases[i].build(&b);
		size_t len;
		int err = capnp_builder_finish(&b, &len);
		if (err) {
			fprintf(stderr, "capnp_rt: build %s: %s\n", name, capnp_strerror(err));
			return 1;
		}
		if (packed) {
			static uint8_t out[sizeof arena * 2];
			size_t plen;
			if (capnp_pack(arena, len, out, sizeof out, &plen) != CAPNP_OK)
				return 1;
			fwrite(out, 1, plen, stdout);
		} else {
			fwrite(arena, 1, len, stdout);
		}
		return 0;
	}
	fprintf(stderr, "capnp_rt: unknown case %s\n", name);
	return 2;
}

static int dump(const char *root, int packed)
{
	static uint8_t in[sizeof arena], un[sizeof arena * 2];
	size_t len = fread(in, 1, sizeof in, stdin);
	const uint8_t *msg = in;
	if (packed) {
		if (capnp_unpack(in, len, un, sizeof un, &len) != CAPNP_OK) {
			fprintf(stderr, "capnp_rt: bad packed input\n");
			return 1;
		}
		msg = un;
	}
	static struct capnp_reader m;
	int err = capnp_reader_init(&m, msg, len);
	if (err) {
		fprintf(stderr, "capnp_rt: %s\n", capnp_strerror(err));
		return 1;
	}
	if (!strcmp(root, "AllTypes"))
		dump_all(fieldkinds_AllTypes_read_root(&m));
	else if (!strcmp(root, "Defaults"))
		dump_defaults(fieldkinds_Defaults_read_root(&m));
	else if (!strcmp(root, "Outer"))
		dump_outer(fieldkinds_Outer_read_root(&m));
	else
		return usage(stderr);
	printf("\n");
	if (capnp_reader_error(&m)) {
		fprintf(stderr, "capnp_rt: reading: %s\n", capnp_strerror(capnp_reader_error(&m)));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	if (!strcmp(argv[1], "cases")) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
			printf("%s %s\n", cases[i].name, cases[i].root);
		return 0;
	}
	int packed = argc > 2 && !strcmp(argv[2], "--packed");
	if (argc != 3 + packed)
		return usage(stderr);
	if (!strcmp(argv[1], "encode"))
		return encode(argv[2 + packed], packed);
	if (!strcmp(argv[1], "dump"))
		return dump(argv[2 + packed], packed);
	return usage(stderr);
}
