/*
 * upstream_rt: our half of the checks against upstream Cap'n Proto's own
 * test schema and messages (tests/capnp/upstream.sh), built with the code
 * capnpc-c generates for capnp/test.capnp.
 *
 *   upstream_rt dump ROOT FORMAT   read a message from stdin (FORMAT: binary,
 *                                  packed, flat, flat-packed) with the generated
 *                                  readers; print it as JSON in the layout of
 *                                  `capnp convert binary:json`.  ROOT:
 *                                  TestAllTypes, TestDefaults, TestLists.
 *                                  TestJsonAnnotations (compat/json-test.capnp)
 *                                  is printed in the text format instead, as
 *                                  its JSON form depends on annotations.
 *   upstream_rt defaults           an empty TestDefaults read through the
 *                                  generated readers: every default, as JSON
 *   upstream_rt listdefaults       an empty TestListDefaults: its `lists`
 *                                  default (lists of lists) as TestLists JSON
 *   upstream_rt uniondefaults      an empty TestUnionDefaults: its four
 *                                  defaults (unions in groups, unnamed unions),
 *                                  one JSON object per line
 *   upstream_rt constants          TestConstants' struct and list constants
 *                                  and globalStruct, as JSON
 *   upstream_rt encode FORMAT [SEGMENTS]
 *                                  read a TestAllTypes (binary) from stdin and
 *                                  write the same values set through the
 *                                  generated builders, in FORMAT (binary or
 *                                  packed).  SEGMENTS: a number N builds into
 *                                  segments of N words (far pointers);
 *                                  "exact" into segments just big enough for
 *                                  each object (double-far pointers)
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capnp/capnp.h"
#include "capnp/compat/json-test.capnp.h"
#include "capnp/test.capnp.h"

#define MAX_BYTES (1u << 20)

/* ---- JSON output in the reference's layout --------------------------- */

#include "json_out.h"

static void json_str(struct capnp_text t)
{
	putchar('"');
	for (uint32_t i = 0; i < t.len; i++) {
		unsigned char c = (unsigned char)t.str[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
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

static void json_f64(double v)
{
	if (isnan(v))
		printf("\"NaN\"");
	else if (isinf(v))
		printf(v < 0 ? "\"-Infinity\"" : "\"Infinity\"");
	else
		printf("%.17g", v);
}

static const char *enum_name(unsigned e)
{
	static const char *n[] = {"foo", "bar", "baz", "qux", "quux", "corge", "grault", "garply"};
	return e < 8 ? n[e] : "?";
}

#define LIST(name, getter, elem)                                   \
	do {                                                       \
		struct capnp_list l = getter;                      \
		key(name);                                         \
		printf("[");                                       \
		for (uint32_t i = 0; i < capnp_list_len(l); i++) { \
			if (i)                                     \
				printf(", ");                      \
			elem;                                      \
		}                                                  \
		printf("]");                                       \
	} while (0)

static void dump_all(test_TestAllTypes_reader r);

/*
 * Every field of TestAllTypes or TestDefaults (same fields, same layout),
 * P the C prefix.  Pointer fields are printed when present, or always when
 * `all` (to show the defaults the readers fall back to).
 */
#define DUMP_ALL_TYPES(P, r, all)                                                        \
	do {                                                                             \
		open_obj();                                                              \
		key("voidField");                                                        \
		printf("null");                                                          \
		key("boolField");                                                        \
		printf(P##_get_boolField(r) ? "true" : "false");                         \
		key("int8Field");                                                        \
		printf("%d", P##_get_int8Field(r));                                      \
		key("int16Field");                                                       \
		printf("%d", P##_get_int16Field(r));                                     \
		key("int32Field");                                                       \
		printf("%" PRId32, P##_get_int32Field(r));                               \
		key("int64Field");                                                       \
		printf("\"%" PRId64 "\"", P##_get_int64Field(r));                        \
		key("uInt8Field");                                                       \
		printf("%u", P##_get_uInt8Field(r));                                     \
		key("uInt16Field");                                                      \
		printf("%u", P##_get_uInt16Field(r));                                    \
		key("uInt32Field");                                                      \
		printf("%" PRIu32, P##_get_uInt32Field(r));                              \
		key("uInt64Field");                                                      \
		printf("\"%" PRIu64 "\"", P##_get_uInt64Field(r));                       \
		key("float32Field");                                                     \
		json_f64(P##_get_float32Field(r));                                       \
		key("float64Field");                                                     \
		json_f64(P##_get_float64Field(r));                                       \
		if ((all) || P##_has_textField(r)) {                                     \
			key("textField");                                                \
			json_str(P##_get_textField(r));                                  \
		}                                                                        \
		if ((all) || P##_has_dataField(r)) {                                     \
			key("dataField");                                                \
			json_data(P##_get_dataField(r));                                 \
		}                                                                        \
		if ((all) || P##_has_structField(r)) {                                   \
			key("structField");                                              \
			dump_all(P##_get_structField(r));                                \
		}                                                                        \
		key("enumField");                                                        \
		printf("\"%s\"", enum_name(P##_get_enumField(r)));                       \
		key("interfaceField");                                                   \
		printf("null");                                                          \
		if ((all) || P##_has_voidList(r))                                        \
			LIST("voidList", P##_get_voidList(r), printf("null"));           \
		if ((all) || P##_has_boolList(r))                                        \
			LIST("boolList", P##_get_boolList(r),                            \
			     printf(capnp_list_get_bool(l, i) ? "true" : "false"));      \
		if ((all) || P##_has_int8List(r))                                        \
			LIST("int8List", P##_get_int8List(r),                            \
			     printf("%d", capnp_list_get_i8(l, i)));                     \
		if ((all) || P##_has_int16List(r))                                       \
			LIST("int16List", P##_get_int16List(r),                          \
			     printf("%d", capnp_list_get_i16(l, i)));                    \
		if ((all) || P##_has_int32List(r))                                       \
			LIST("int32List", P##_get_int32List(r),                          \
			     printf("%" PRId32, capnp_list_get_i32(l, i)));              \
		if ((all) || P##_has_int64List(r))                                       \
			LIST("int64List", P##_get_int64List(r),                          \
			     printf("\"%" PRId64 "\"", capnp_list_get_i64(l, i)));       \
		if ((all) || P##_has_uInt8List(r))                                       \
			LIST("uInt8List", P##_get_uInt8List(r),                          \
			     printf("%u", capnp_list_get_u8(l, i)));                     \
		if ((all) || P##_has_uInt16List(r))                                      \
			LIST("uInt16List", P##_get_uInt16List(r),                        \
			     printf("%u", capnp_list_get_u16(l, i)));                    \
		if ((all) || P##_has_uInt32List(r))                                      \
			LIST("uInt32List", P##_get_uInt32List(r),                        \
			     printf("%" PRIu32, capnp_list_get_u32(l, i)));              \
		if ((all) || P##_has_uInt64List(r))                                      \
			LIST("uInt64List", P##_get_uInt64List(r),                        \
			     printf("\"%" PRIu64 "\"", capnp_list_get_u64(l, i)));       \
		if ((all) || P##_has_float32List(r))                                     \
			LIST("float32List", P##_get_float32List(r),                      \
			     json_f64(capnp_list_get_f32(l, i)));                        \
		if ((all) || P##_has_float64List(r))                                     \
			LIST("float64List", P##_get_float64List(r),                      \
			     json_f64(capnp_list_get_f64(l, i)));                        \
		if ((all) || P##_has_textList(r))                                        \
			LIST("textList", P##_get_textList(r),                            \
			     json_str(capnp_list_get_text(l, i)));                       \
		if ((all) || P##_has_dataList(r))                                        \
			LIST("dataList", P##_get_dataList(r),                            \
			     json_data(capnp_list_get_data(l, i)));                      \
		if ((all) || P##_has_structList(r))                                      \
			LIST("structList", P##_get_structList(r),                        \
			     dump_all(test_TestAllTypes_list_get(l, i)));                \
		if ((all) || P##_has_enumList(r))                                        \
			LIST("enumList", P##_get_enumList(r),                            \
			     printf("\"%s\"", enum_name(capnp_list_get_u16(l, i))));     \
		if (P##_has_interfaceList(r)) /* no default anywhere */                  \
			LIST("interfaceList", P##_get_interfaceList(r), printf("null")); \
		close_obj();                                                             \
	} while (0)

static void dump_all(test_TestAllTypes_reader r)
{
	DUMP_ALL_TYPES(test_TestAllTypes, r, 0);
}

static void dump_defaults(test_TestDefaults_reader r, int all)
{
	DUMP_ALL_TYPES(test_TestDefaults, r, all);
}

/* TestLists: each list of one-field structs, then the lists of lists. */
#define DUMP_FLIST(name, S, elem)                                                    \
	if (test_TestLists_has_##name(r))                                            \
	LIST(#name, test_TestLists_get_##name(r), {                                  \
		test_TestLists_##S##_reader e = test_TestLists_##S##_list_get(l, i); \
		(void)e;                                                             \
		open_obj();                                                          \
		key("f");                                                            \
		elem;                                                                \
		close_obj();                                                         \
	})

static void dump_lists(test_TestLists_reader r)
{
	open_obj();
	DUMP_FLIST(list0, Struct0, printf("null"));
	DUMP_FLIST(list1, Struct1, printf(test_TestLists_Struct1_get_f(e) ? "true" : "false"));
	DUMP_FLIST(list8, Struct8, printf("%u", test_TestLists_Struct8_get_f(e)));
	DUMP_FLIST(list16, Struct16, printf("%u", test_TestLists_Struct16_get_f(e)));
	DUMP_FLIST(list32, Struct32, printf("%" PRIu32, test_TestLists_Struct32_get_f(e)));
	DUMP_FLIST(list64, Struct64, printf("\"%" PRIu64 "\"", test_TestLists_Struct64_get_f(e)));
	DUMP_FLIST(listP, StructP, json_str(test_TestLists_StructP_get_f(e)));
	if (test_TestLists_has_int32ListList(r))
		LIST("int32ListList", test_TestLists_get_int32ListList(r), {
			struct capnp_list in = capnp_list_get_list(l, i, CAPNP_ELEM_4B);
			printf("[");
			for (uint32_t j = 0; j < capnp_list_len(in); j++)
				printf("%s%" PRId32, j ? ", " : "", capnp_list_get_i32(in, j));
			printf("]");
		});
	if (test_TestLists_has_textListList(r))
		LIST("textListList", test_TestLists_get_textListList(r), {
			struct capnp_list in = capnp_list_get_list(l, i, CAPNP_ELEM_POINTER);
			printf("[");
			for (uint32_t j = 0; j < capnp_list_len(in); j++) {
				printf("%s", j ? ", " : "");
				json_str(capnp_list_get_text(in, j));
			}
			printf("]");
		});
	if (test_TestLists_has_structListList(r))
		LIST("structListList", test_TestLists_get_structListList(r), {
			struct capnp_list in = capnp_list_get_list(l, i, CAPNP_ELEM_COMPOSITE);
			printf("[");
			for (uint32_t j = 0; j < capnp_list_len(in); j++) {
				printf("%s", j ? ", " : "");
				dump_all(test_TestAllTypes_list_get(in, j));
			}
			printf("]");
		});
	close_obj();
}

/* TestJsonAnnotations in the text format of `capnp convert binary:text`
 * (field names as declared; the JSON form renames and flattens them). */
static void text_str(struct capnp_text t) { json_str(t); }

static void text_data(struct capnp_data d)
{
	putchar('"');
	for (uint32_t i = 0; i < d.len; i++)
		printf("\\x%02x", d.ptr[i]);
	putchar('"');
}

static void text_value(json_Value_reader v)
{
	struct capnp_list l;
	switch (json_Value_which(v)) {
	case json_Value_which_null:
		printf("(null = void)");
		break;
	case json_Value_which_boolean:
		printf("(boolean = %s)", json_Value_get_boolean(v) ? "true" : "false");
		break;
	case json_Value_which_number:
		printf("(number = %.17g)", json_Value_get_number(v));
		break;
	case json_Value_which_string:
		printf("(string = ");
		text_str(json_Value_get_string(v));
		printf(")");
		break;
	case json_Value_which_array:
		printf("(array = [");
		l = json_Value_get_array(v);
		for (uint32_t i = 0; i < capnp_list_len(l); i++) {
			printf("%s", i ? ", " : "");
			text_value(json_Value_list_get(l, i));
		}
		printf("])");
		break;
	case json_Value_which_object:
		printf("(object = [");
		l = json_Value_get_object(v);
		for (uint32_t i = 0; i < capnp_list_len(l); i++) {
			json_Value_Field_reader f = json_Value_Field_list_get(l, i);
			printf("%s(name = ", i ? ", " : "");
			text_str(json_Value_Field_get_name(f));
			printf(", value = ");
			text_value(json_Value_Field_get_value(f));
			printf(")");
		}
		printf("])");
		break;
	default:
		printf("?"); /* call: not in the test data */
	}
}

static void dump_json_annotations(json_test_TestJsonAnnotations_reader r)
{
	static const char *enums[] = {"foo", "bar", "baz", "qux"};
	printf("(someField = ");
	text_str(json_test_TestJsonAnnotations_get_someField(r));
	json_test_TestJsonAnnotations_aGroup_reader g = json_test_TestJsonAnnotations_get_aGroup(r);
	printf(", aGroup = (flatFoo = %" PRIu32 ", flatBar = ",
	       json_test_TestJsonAnnotations_aGroup_get_flatFoo(g));
	text_str(json_test_TestJsonAnnotations_aGroup_get_flatBar(g));
	/* clang-format off */
	printf(", flatBaz = (hello = %s), doubleFlat = (flatQux = ",
	       json_test_TestJsonAnnotations_aGroup_flatBaz_get_hello(
		       json_test_TestJsonAnnotations_aGroup_get_flatBaz(g)) ? "true" : "false");
	/* clang-format on */
	text_str(json_test_TestJsonAnnotations_aGroup_doubleFlat_get_flatQux(
		json_test_TestJsonAnnotations_aGroup_get_doubleFlat(g)));
	json_test_TestJsonAnnotations_prefixedGroup_reader pg =
		json_test_TestJsonAnnotations_get_prefixedGroup(r);
	printf(")), prefixedGroup = (foo = ");
	text_str(json_test_TestJsonAnnotations_prefixedGroup_get_foo(pg));
	/* clang-format off */
	printf(", bar = %" PRIu32 ", baz = (hello = %s), morePrefix = (qux = ",
	       json_test_TestJsonAnnotations_prefixedGroup_get_bar(pg),
	       json_test_TestJsonAnnotations_prefixedGroup_baz_get_hello(
		       json_test_TestJsonAnnotations_prefixedGroup_get_baz(pg)) ? "true" : "false");
	/* clang-format on */
	text_str(json_test_TestJsonAnnotations_prefixedGroup_morePrefix_get_qux(
		json_test_TestJsonAnnotations_prefixedGroup_get_morePrefix(pg)));
	printf(")), aUnion = (");
	json_test_TestJsonAnnotations_aUnion_reader u = json_test_TestJsonAnnotations_get_aUnion(r);
	if (json_test_TestJsonAnnotations_aUnion_which(u) ==
	    json_test_TestJsonAnnotations_aUnion_which_foo) {
		json_test_TestJsonAnnotations_aUnion_foo_reader f =
			json_test_TestJsonAnnotations_aUnion_get_foo(u);
		printf("foo = (fooMember = ");
		text_str(json_test_TestJsonAnnotations_aUnion_foo_get_fooMember(f));
		printf(", multiMember = %" PRIu32 ")",
		       json_test_TestJsonAnnotations_aUnion_foo_get_multiMember(f));
	} else {
		json_test_TestJsonAnnotations_aUnion_bar_reader b =
			json_test_TestJsonAnnotations_aUnion_get_bar(u);
		printf("bar = (barMember = %" PRIu32 ", multiMember = ",
		       json_test_TestJsonAnnotations_aUnion_bar_get_barMember(b));
		text_str(json_test_TestJsonAnnotations_aUnion_bar_get_multiMember(b));
		printf(")");
	}
	printf("), dependency = (foo = ");
	text_str(json_test_TestJsonAnnotations2_get_foo(
		json_test_TestJsonAnnotations_get_dependency(r)));
	printf("), simpleGroup = (grault = ");
	text_str(json_test_TestJsonAnnotations_simpleGroup_get_grault(
		json_test_TestJsonAnnotations_get_simpleGroup(r)));
	printf("), enums = [");
	struct capnp_list l = json_test_TestJsonAnnotations_get_enums(r);
	for (uint32_t i = 0; i < capnp_list_len(l); i++)
		printf("%s%s", i ? ", " : "", enums[capnp_list_get_u16(l, i) & 3]);
	printf("], innerJson = ");
	text_value(json_test_TestJsonAnnotations_get_innerJson(r));
	printf(", testBase64 = ");
	text_data(json_test_TestJsonAnnotations_get_testBase64(r));
	printf(", testHex = ");
	text_data(json_test_TestJsonAnnotations_get_testHex(r));
	json_test_TestJsonAnnotations_bUnion_reader bu = json_test_TestJsonAnnotations_get_bUnion(r);
	if (json_test_TestJsonAnnotations_bUnion_which(bu) ==
	    json_test_TestJsonAnnotations_bUnion_which_foo) {
		printf(", bUnion = (foo = ");
		text_str(json_test_TestJsonAnnotations_bUnion_get_foo(bu));
		printf(")");
	} else {
		printf(", bUnion = (bar = %" PRIu32 ")",
		       json_test_TestJsonAnnotations_bUnion_get_bar(bu));
	}
	json_test_TestJsonAnnotations3_reader x = json_test_TestJsonAnnotations_get_externalUnion(r);
	if (json_test_TestJsonAnnotations3_which(x) == json_test_TestJsonAnnotations3_which_foo) {
		printf(", externalUnion = (foo = %" PRIu32 ")",
		       json_test_TestJsonAnnotations3_get_foo(x));
	} else {
		printf(", externalUnion = (bar = (value = ");
		text_str(json_test_TestFlattenedStruct_get_value(
			json_test_TestJsonAnnotations3_get_bar(x)));
		printf("))");
	}
	json_test_TestJsonAnnotations_unionWithVoid_reader w =
		json_test_TestJsonAnnotations_get_unionWithVoid(r);
	switch (json_test_TestJsonAnnotations_unionWithVoid_which(w)) {
	case json_test_TestJsonAnnotations_unionWithVoid_which_intValue:
		printf(", unionWithVoid = (intValue = %" PRIu32 ")",
		       json_test_TestJsonAnnotations_unionWithVoid_get_intValue(w));
		break;
	case json_test_TestJsonAnnotations_unionWithVoid_which_voidValue:
		printf(", unionWithVoid = (voidValue = void)");
		break;
	default:
		printf(", unionWithVoid = (textValue = ");
		text_str(json_test_TestJsonAnnotations_unionWithVoid_get_textValue(w));
		printf(")");
	}
	printf(")");
}

/* ---- building: the same values through the generated builders -------- */

static void copy_all(test_TestAllTypes_reader r, test_TestAllTypes_builder b);

#define COPY_LIST(name, size, set)                                                                 \
	if (test_TestAllTypes_has_##name(r)) {                                                     \
		struct capnp_list l = test_TestAllTypes_get_##name(r);                             \
		struct capnp_list_builder o = test_TestAllTypes_init_##name(b, capnp_list_len(l)); \
		(void)o;                                                                           \
		for (uint32_t i = 0; i < capnp_list_len(l); i++)                                   \
			set;                                                                       \
	}

/* In schema order, as upstream's initTestMessage sets them. */
static void copy_all(test_TestAllTypes_reader r, test_TestAllTypes_builder b)
{
	test_TestAllTypes_set_boolField(b, test_TestAllTypes_get_boolField(r));
	test_TestAllTypes_set_int8Field(b, test_TestAllTypes_get_int8Field(r));
	test_TestAllTypes_set_int16Field(b, test_TestAllTypes_get_int16Field(r));
	test_TestAllTypes_set_int32Field(b, test_TestAllTypes_get_int32Field(r));
	test_TestAllTypes_set_int64Field(b, test_TestAllTypes_get_int64Field(r));
	test_TestAllTypes_set_uInt8Field(b, test_TestAllTypes_get_uInt8Field(r));
	test_TestAllTypes_set_uInt16Field(b, test_TestAllTypes_get_uInt16Field(r));
	test_TestAllTypes_set_uInt32Field(b, test_TestAllTypes_get_uInt32Field(r));
	test_TestAllTypes_set_uInt64Field(b, test_TestAllTypes_get_uInt64Field(r));
	test_TestAllTypes_set_float32Field(b, test_TestAllTypes_get_float32Field(r));
	test_TestAllTypes_set_float64Field(b, test_TestAllTypes_get_float64Field(r));
	if (test_TestAllTypes_has_textField(r)) {
		struct capnp_text t = test_TestAllTypes_get_textField(r);
		test_TestAllTypes_set_textField(b, t.str, t.len);
	}
	if (test_TestAllTypes_has_dataField(r)) {
		struct capnp_data d = test_TestAllTypes_get_dataField(r);
		test_TestAllTypes_set_dataField(b, d.ptr, d.len);
	}
	if (test_TestAllTypes_has_structField(r))
		copy_all(test_TestAllTypes_get_structField(r), test_TestAllTypes_init_structField(b));
	test_TestAllTypes_set_enumField(b, test_TestAllTypes_get_enumField(r));
	COPY_LIST(voidList, VOID, (void)0)
	COPY_LIST(boolList, BIT, capnp_lb_set_bool(o, i, capnp_list_get_bool(l, i)))
	COPY_LIST(int8List, BYTE, capnp_lb_set_i8(o, i, capnp_list_get_i8(l, i)))
	COPY_LIST(int16List, 2B, capnp_lb_set_i16(o, i, capnp_list_get_i16(l, i)))
	COPY_LIST(int32List, 4B, capnp_lb_set_i32(o, i, capnp_list_get_i32(l, i)))
	COPY_LIST(int64List, 8B, capnp_lb_set_i64(o, i, capnp_list_get_i64(l, i)))
	COPY_LIST(uInt8List, BYTE, capnp_lb_set_u8(o, i, capnp_list_get_u8(l, i)))
	COPY_LIST(uInt16List, 2B, capnp_lb_set_u16(o, i, capnp_list_get_u16(l, i)))
	COPY_LIST(uInt32List, 4B, capnp_lb_set_u32(o, i, capnp_list_get_u32(l, i)))
	COPY_LIST(uInt64List, 8B, capnp_lb_set_u64(o, i, capnp_list_get_u64(l, i)))
	COPY_LIST(float32List, 4B, capnp_lb_set_f32(o, i, capnp_list_get_f32(l, i)))
	COPY_LIST(float64List, 8B, capnp_lb_set_f64(o, i, capnp_list_get_f64(l, i)))
	COPY_LIST(textList, POINTER, {
		struct capnp_text t = capnp_list_get_text(l, i);
		capnp_lb_set_text(o, i, t.str, t.len);
	})
	COPY_LIST(dataList, POINTER, {
		struct capnp_data d = capnp_list_get_data(l, i);
		capnp_lb_set_data(o, i, d.ptr, d.len);
	})
	COPY_LIST(structList, COMPOSITE,
	          copy_all(test_TestAllTypes_list_get(l, i), test_TestAllTypes_list_at(o, i)))
	COPY_LIST(enumList, 2B, capnp_lb_set_u16(o, i, capnp_list_get_u16(l, i)))
	COPY_LIST(interfaceList, VOID, (void)0)
}

/* ---- input ------------------------------------------------------------ */

static uint8_t in[MAX_BYTES], un[MAX_BYTES], framed[MAX_BYTES + 8];
static struct capnp_segment table[CAPNP_MAX_SEGMENTS];

/* Reads stdin in FORMAT and opens it; 0 or an error message printed. */
static int open_input(struct capnp_reader *m, const char *format)
{
	size_t len = fread(in, 1, sizeof in, stdin);
	const uint8_t *msg = in;
	int packed = !strcmp(format, "packed") || !strcmp(format, "flat-packed");
	int flat = !strcmp(format, "flat") || !strcmp(format, "flat-packed");
	if (!packed && !flat && strcmp(format, "binary")) {
		fprintf(stderr, "upstream_rt: unknown format %s\n", format);
		return 2;
	}
	if (packed) {
		if (capnp_unpack(in, len, un, sizeof un, &len) != CAPNP_OK) {
			fprintf(stderr, "upstream_rt: bad packed input\n");
			return 1;
		}
		msg = un;
	}
	int err = flat ? capnp_reader_init_segment(m, msg, len / 8)
	               : capnp_reader_init_table(m, msg, len, table, CAPNP_MAX_SEGMENTS);
	if (err) {
		fprintf(stderr, "upstream_rt: %s\n", capnp_strerror(err));
		return 1;
	}
	return 0;
}

static int finish(struct capnp_reader *m)
{
	printf("\n");
	if (capnp_reader_error(m)) {
		fprintf(stderr, "upstream_rt: reading: %s\n", capnp_strerror(capnp_reader_error(m)));
		return 1;
	}
	return 0;
}

static int dump(const char *root, const char *format)
{
	static struct capnp_reader m;
	int rc = open_input(&m, format);
	if (rc)
		return rc;
	if (!strcmp(root, "TestAllTypes"))
		dump_all(test_TestAllTypes_read_root(&m));
	else if (!strcmp(root, "TestDefaults"))
		dump_defaults(test_TestDefaults_read_root(&m), 0);
	else if (!strcmp(root, "TestLists"))
		dump_lists(test_TestLists_read_root(&m));
	else if (!strcmp(root, "TestJsonAnnotations"))
		dump_json_annotations(json_test_TestJsonAnnotations_read_root(&m));
	else {
		fprintf(stderr, "upstream_rt: unknown root %s\n", root);
		return 2;
	}
	return finish(&m);
}

/* An empty TestDefaults: what its readers give is every default. */
static int defaults(void)
{
	static const uint64_t empty[2] = {0, 0}; /* root: a null pointer */
	static struct capnp_reader m;
	capnp_reader_init_segment(&m, empty, 1);
	dump_defaults(test_TestDefaults_read_root(&m), 1);
	return finish(&m);
}

/* TestListDefaults.lists read from an empty message: its default. */
static int list_defaults(void)
{
	static const uint64_t empty[1] = {0};
	static struct capnp_reader m;
	capnp_reader_init_segment(&m, empty, 1);
	dump_lists(test_TestListDefaults_get_lists(test_TestListDefaults_read_root(&m)));
	return finish(&m);
}

/* The members of TestUnion that TestUnionDefaults' defaults use (the
 * others print "?", which the reference will not parse). */
static void dump_union(test_TestUnion_reader u)
{
	open_obj();
	test_TestUnion_union0_reader u0 = test_TestUnion_get_union0(u);
	key("union0");
	open_obj();
	switch (test_TestUnion_union0_which(u0)) {
	case test_TestUnion_union0_which_u0f0s16:
		key("u0f0s16");
		printf("%d", test_TestUnion_union0_get_u0f0s16(u0));
		break;
	case test_TestUnion_union0_which_u0f1s0:
		key("u0f1s0");
		printf("null");
		break;
	default:
		printf("?");
	}
	close_obj();
	test_TestUnion_union1_reader u1 = test_TestUnion_get_union1(u);
	key("union1");
	open_obj();
	switch (test_TestUnion_union1_which(u1)) {
	case test_TestUnion_union1_which_u1f0s8:
		key("u1f0s8");
		printf("%d", test_TestUnion_union1_get_u1f0s8(u1));
		break;
	case test_TestUnion_union1_which_u1f0sp:
		key("u1f0sp");
		json_str(test_TestUnion_union1_get_u1f0sp(u1));
		break;
	default:
		printf("?");
	}
	close_obj();
	test_TestUnion_union2_reader u2 = test_TestUnion_get_union2(u);
	key("union2");
	open_obj();
	switch (test_TestUnion_union2_which(u2)) {
	case test_TestUnion_union2_which_u2f0s64:
		key("u2f0s64");
		printf("\"%" PRId64 "\"", test_TestUnion_union2_get_u2f0s64(u2));
		break;
	case test_TestUnion_union2_which_u2f0s1:
		key("u2f0s1");
		printf(test_TestUnion_union2_get_u2f0s1(u2) ? "true" : "false");
		break;
	default:
		printf("?");
	}
	close_obj();
	test_TestUnion_union3_reader u3 = test_TestUnion_get_union3(u);
	key("union3");
	open_obj();
	switch (test_TestUnion_union3_which(u3)) {
	case test_TestUnion_union3_which_u3f0s8:
		key("u3f0s8");
		printf("%d", test_TestUnion_union3_get_u3f0s8(u3));
		break;
	case test_TestUnion_union3_which_u3f0s32:
		key("u3f0s32");
		printf("%" PRId32, test_TestUnion_union3_get_u3f0s32(u3));
		break;
	default:
		printf("?");
	}
	close_obj();
	close_obj();
}

static void dump_unnamed(test_TestUnnamedUnion_reader u)
{
	open_obj();
	if (test_TestUnnamedUnion_has_before(u)) {
		key("before");
		json_str(test_TestUnnamedUnion_get_before(u));
	}
	if (test_TestUnnamedUnion_which(u) == test_TestUnnamedUnion_which_foo) {
		key("foo");
		printf("%u", test_TestUnnamedUnion_get_foo(u));
	} else {
		key("bar");
		printf("%" PRIu32, test_TestUnnamedUnion_get_bar(u));
	}
	key("middle");
	printf("%u", test_TestUnnamedUnion_get_middle(u));
	if (test_TestUnnamedUnion_has_after(u)) {
		key("after");
		json_str(test_TestUnnamedUnion_get_after(u));
	}
	close_obj();
}

static int union_defaults(void)
{
	static const uint64_t empty[1] = {0};
	static struct capnp_reader m;
	capnp_reader_init_segment(&m, empty, 1);
	test_TestUnionDefaults_reader r = test_TestUnionDefaults_read_root(&m);
	dump_union(test_TestUnionDefaults_get_s16s8s64s8Set(r));
	printf("\n");
	dump_union(test_TestUnionDefaults_get_s0sps1s32Set(r));
	printf("\n");
	dump_unnamed(test_TestUnionDefaults_get_unnamed1(r));
	printf("\n");
	dump_unnamed(test_TestUnionDefaults_get_unnamed2(r));
	return finish(&m);
}

/* The pointer constants: globalStruct, TestConstants.structConst, then the
 * list constants as one object with TestAllTypes' field names (so the
 * reference can read it back); one JSON object per line. */
static int constants(void)
{
	dump_all(test_globalStruct_get());
	printf("\n");
	dump_all(test_TestConstants_structConst_get());
	printf("\n");
	open_obj();
	LIST("boolList", test_TestConstants_boolListConst_get(),
	     printf(capnp_list_get_bool(l, i) ? "true" : "false"));
	LIST("int8List", test_TestConstants_int8ListConst_get(),
	     printf("%d", capnp_list_get_i8(l, i)));
	LIST("int16List", test_TestConstants_int16ListConst_get(),
	     printf("%d", capnp_list_get_i16(l, i)));
	LIST("int32List", test_TestConstants_int32ListConst_get(),
	     printf("%" PRId32, capnp_list_get_i32(l, i)));
	LIST("int64List", test_TestConstants_int64ListConst_get(),
	     printf("%" PRId64, capnp_list_get_i64(l, i)));
	LIST("uInt8List", test_TestConstants_uint8ListConst_get(),
	     printf("%u", capnp_list_get_u8(l, i)));
	LIST("uInt16List", test_TestConstants_uint16ListConst_get(),
	     printf("%u", capnp_list_get_u16(l, i)));
	LIST("uInt32List", test_TestConstants_uint32ListConst_get(),
	     printf("%" PRIu32, capnp_list_get_u32(l, i)));
	LIST("uInt64List", test_TestConstants_uint64ListConst_get(),
	     printf("%" PRIu64, capnp_list_get_u64(l, i)));
	LIST("textList", test_TestConstants_textListConst_get(),
	     json_str(capnp_list_get_text(l, i)));
	close_obj();
	printf("\n");
	return 0;
}

/* Segments for the growing builder: from a static pool, of seg_words words
 * or (seg_words == 0) exactly what is asked. */
static uint64_t pool[MAX_BYTES / 8];
static size_t pool_used;
static size_t seg_words;

static void *grow(void *ctx, size_t min_words, size_t *got)
{
	(void)ctx;
	size_t n = seg_words > min_words ? seg_words : min_words;
	if (n > sizeof pool / 8 - pool_used)
		return NULL;
	void *p = pool + pool_used;
	pool_used += n;
	*got = n;
	return p;
}

static int encode(const char *format, const char *segments)
{
	static struct capnp_reader m;
	static uint64_t arena[MAX_BYTES / 8];
	static struct capnp_segment btable[CAPNP_MAX_SEGMENTS];
	int rc = open_input(&m, "binary");
	if (rc)
		return rc;
	struct capnp_builder b;
	if (segments) {
		seg_words = strcmp(segments, "exact") ? strtoul(segments, NULL, 0) : 0;
		size_t first = seg_words ? seg_words : 1;
		capnp_builder_init_grow(&b, arena, (first + 1) * 8, btable, CAPNP_MAX_SEGMENTS, grow,
		                        NULL);
	} else {
		capnp_builder_init(&b, arena, sizeof arena);
	}
	copy_all(test_TestAllTypes_read_root(&m), test_TestAllTypes_init_root(&b));
	size_t len;
	if (capnp_reader_error(&m) ||
	    capnp_builder_write(&b, framed, sizeof framed, &len) != CAPNP_OK) {
		fprintf(stderr, "upstream_rt: encode: %s\n",
		        capnp_strerror(capnp_reader_error(&m) ? capnp_reader_error(&m)
		                                              : capnp_builder_error(&b)));
		return 1;
	}
	fprintf(stderr, "upstream_rt: encoded %zu bytes in %u segment(s)\n", len,
	        capnp_builder_segments(&b));
	const uint8_t *out = framed;
	if (!strcmp(format, "packed")) {
		if (capnp_pack(framed, len, un, sizeof un, &len) != CAPNP_OK)
			return 1;
		out = un;
	}
	fwrite(out, 1, len, stdout);
	return 0;
}

static int usage(FILE *f)
{
	fprintf(f, "usage: upstream_rt dump ROOT FORMAT | defaults | listdefaults | uniondefaults |\n"
	           "       constants |"
	           "       encode FORMAT [SEGMENTS]\n"
	           "(see the comment at the top of tests/capnp/upstream_rt.c)\n");
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	if (!strcmp(argv[1], "dump") && argc == 4)
		return dump(argv[2], argv[3]);
	if (!strcmp(argv[1], "defaults") && argc == 2)
		return defaults();
	if (!strcmp(argv[1], "listdefaults") && argc == 2)
		return list_defaults();
	if (!strcmp(argv[1], "uniondefaults") && argc == 2)
		return union_defaults();
	if (!strcmp(argv[1], "constants") && argc == 2)
		return constants();
	if (!strcmp(argv[1], "encode") && (argc == 3 || argc == 4))
		return encode(argv[2], argc == 4 ? argv[3] : NULL);
	return usage(stderr);
}
