/*
 * Criterion tests of the capnp runtime and generated code: build/read round
 * trips for every field kind, defaults, unions, far pointers, packing, and
 * hostile messages that must give their specific error.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "fieldkinds.capnp.h"

/* ---- helpers -------------------------------------------------------- */

static uint64_t arena[4096];

static uint64_t sptr(int32_t off, uint16_t dw, uint16_t pc)
{
	return ((uint64_t)((uint32_t)off << 2)) | ((uint64_t)dw << 32) | ((uint64_t)pc << 48);
}

static uint64_t lptr(int32_t off, unsigned size, uint32_t count)
{
	return ((uint64_t)((uint32_t)off << 2)) | 1 | ((uint64_t)size << 32) | ((uint64_t)count << 35);
}

static uint64_t farptr(uint32_t seg, uint32_t pad, bool dbl)
{
	return 2 | ((uint64_t)dbl << 2) | ((uint64_t)pad << 3) | ((uint64_t)seg << 32);
}

/* Frames nseg segments of the given word counts, copied from words[]. */
static size_t frame(uint8_t *out, const uint64_t *words, const uint32_t *sizes, uint32_t nseg)
{
	static uint32_t hdr[1 + 1024];
	hdr[0] = nseg - 1;
	size_t total = 0;
	for (uint32_t i = 0; i < nseg; i++) {
		hdr[1 + i] = sizes[i];
		total += sizes[i];
	}
	size_t hbytes = (4 + 4 * nseg + 7) & ~7u;
	memset(out, 0, hbytes);
	memcpy(out, hdr, 4 + 4 * nseg);
	memcpy(out + hbytes, words, total * 8);
	return hbytes + total * 8;
}

static int read_root_error(const uint64_t *words, const uint32_t *sizes, uint32_t nseg)
{
	static uint8_t buf[1 << 16];
	static struct capnp_reader m;
	size_t len = frame(buf, words, sizes, nseg);
	cr_assert_eq(capnp_reader_init(&m, buf, len), CAPNP_OK);
	fieldkinds_AllTypes_reader r = fieldkinds_AllTypes_read_root(&m);
	(void)fieldkinds_AllTypes_get_textField(r);
	(void)fieldkinds_AllTypes_get_structField(r);
	struct capnp_list l = fieldkinds_AllTypes_get_int32List(r);
	for (uint32_t i = 0; i < capnp_list_len(l); i++)
		(void)capnp_list_get_i32(l, i);
	return capnp_reader_error(&m);
}

/* ---- building and reading every field kind -------------------------- */

static void fill_all(struct capnp_builder *b)
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
	fieldkinds_AllTypes_set_textField(a, "hello", 5);
	fieldkinds_AllTypes_set_dataField(a, "\x00\x01\x02", 3);
	fieldkinds_Inner_builder in = fieldkinds_AllTypes_init_structField(a);
	fieldkinds_Inner_set_id(in, 77);
	fieldkinds_Inner_set_label(in, "inner", 5);
	fieldkinds_AllTypes_set_enumField(a, fieldkinds_Color_blue);
	fieldkinds_AllTypes_init_voidList(a, 3);
	struct capnp_list_builder l = fieldkinds_AllTypes_init_boolList(a, 10);
	for (uint32_t i = 0; i < 10; i++)
		capnp_lb_set_bool(l, i, i % 3 == 0);
	l = fieldkinds_AllTypes_init_int32List(a, 4);
	for (uint32_t i = 0; i < 4; i++)
		capnp_lb_set_i32(l, i, -(int32_t)i * 1000);
	l = fieldkinds_AllTypes_init_uint64List(a, 2);
	capnp_lb_set_u64(l, 0, 1);
	capnp_lb_set_u64(l, 1, UINT64_MAX);
	l = fieldkinds_AllTypes_init_float64List(a, 1);
	capnp_lb_set_f64(l, 0, 0.5);
	l = fieldkinds_AllTypes_init_textList(a, 2);
	capnp_lb_set_text(l, 0, "a", 1);
	capnp_lb_set_text(l, 1, "bc", 2);
	l = fieldkinds_AllTypes_init_structList(a, 3);
	for (uint32_t i = 0; i < 3; i++) {
		fieldkinds_Inner_builder e = fieldkinds_Inner_list_at(l, i);
		fieldkinds_Inner_set_id(e, 100 + i);
		fieldkinds_Inner_set_label(e, "x", 1);
	}
	l = fieldkinds_AllTypes_init_enumList(a, 2);
	capnp_lb_set_u16(l, 0, fieldkinds_Color_green);
	capnp_lb_set_u16(l, 1, fieldkinds_Color_red);
	l = fieldkinds_AllTypes_init_listList(a, 2);
	struct capnp_list_builder inner = capnp_lb_init_list(l, 1, CAPNP_ELEM_4B, 2);
	capnp_lb_set_i32(inner, 0, 7);
	capnp_lb_set_i32(inner, 1, 8);
	fieldkinds_AllTypes_set_word(a, "union", 5);
	fieldkinds_AllTypes_choice_set_color(fieldkinds_AllTypes_init_choice(a), fieldkinds_Color_green);
	fieldkinds_AllTypes_grp_builder g = fieldkinds_AllTypes_init_grp(a);
	fieldkinds_AllTypes_grp_set_a(g, 9);
	fieldkinds_AllTypes_grp_set_b(g, "grp", 3);
}

static size_t build_all(void)
{
	struct capnp_builder b;
	cr_assert_eq(capnp_builder_init(&b, arena, sizeof arena), CAPNP_OK);
	fill_all(&b);
	size_t len;
	cr_assert_eq(capnp_builder_finish(&b, &len), CAPNP_OK);
	return len;
}

/* Segments for the growing builder from a pool: grow_words words each, or
 * exactly what is asked when grow_words is 0; NULL once the pool is used. */
static uint64_t pool[4096];
static size_t pool_used, grow_words;

static void *grow_from_pool(void *ctx, size_t min_words, size_t *got)
{
	(void)ctx;
	size_t n = grow_words > min_words ? grow_words : min_words;
	if (n > sizeof pool / 8 - pool_used)
		return NULL;
	void *p = pool + pool_used;
	pool_used += n;
	*got = n;
	return p;
}

/* fill_all into segments of `words` words (0: exact fit); checks the
 * message reads back, framed and through capnp_builder_reader. */
static void check_grown(size_t words, uint32_t min_segments)
{
	static struct capnp_segment btable[256], rtable[256];
	static uint8_t out[1 << 16];
	struct capnp_builder b;
	pool_used = 0;
	grow_words = words;
	cr_assert_eq(capnp_builder_init_grow(&b, arena, 16, btable, 256, grow_from_pool, NULL),
	             CAPNP_OK);
	fill_all(&b);
	cr_assert_eq(capnp_builder_error(&b), CAPNP_OK);
	cr_assert_geq(capnp_builder_segments(&b), min_segments);
	size_t len;
	cr_assert_eq(capnp_builder_finish(&b, &len), CAPNP_ERR_INVALID_ARG);
	cr_assert_eq(capnp_builder_write(&b, out, sizeof out, &len), CAPNP_OK);
	cr_assert_eq(len, capnp_builder_size(&b));
	struct capnp_reader m[2];
	cr_assert_eq(capnp_reader_init_table(&m[0], out, len, rtable, 256), CAPNP_OK);
	cr_assert_eq(capnp_builder_reader(&b, &m[1]), CAPNP_OK);
	for (int k = 0; k < 2; k++) {
		fieldkinds_AllTypes_reader r = fieldkinds_AllTypes_read_root(&m[k]);
		cr_assert_eq(fieldkinds_AllTypes_get_int64Field(r), -646464646464);
		cr_assert_str_eq(fieldkinds_AllTypes_get_textField(r).str, "hello");
		cr_assert_eq(fieldkinds_Inner_get_id(fieldkinds_AllTypes_get_structField(r)), 77);
		struct capnp_list l = fieldkinds_AllTypes_get_structList(r);
		cr_assert_eq(capnp_list_len(l), 3);
		cr_assert_str_eq(fieldkinds_Inner_get_label(fieldkinds_Inner_list_get(l, 2)).str, "x");
		l = fieldkinds_AllTypes_get_listList(r);
		cr_assert_eq(capnp_list_get_i32(capnp_list_get_list(l, 1, CAPNP_ELEM_4B), 1), 8);
		cr_assert_eq(capnp_list_len(fieldkinds_AllTypes_get_voidList(r)), 3);
		cr_assert_eq(capnp_reader_error(&m[k]), CAPNP_OK);
	}
}

/* mkmanifest page-aligns each binary this way, so the kernel can map its
 * read-only segments straight from the boot module. */
Test(capnp_builder, align_starts_the_next_object_on_the_boundary)
{
	static const char blob[] = "page-aligned bytes";
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	fieldkinds_AllTypes_builder w = fieldkinds_AllTypes_init_root(&b);
	fieldkinds_AllTypes_set_textField(w, "hello", 5);
	cr_assert_eq(capnp_builder_align(&b, 4096), CAPNP_OK);
	fieldkinds_AllTypes_set_dataField(w, blob, sizeof blob);
	size_t len;
	cr_assert_eq(capnp_builder_finish(&b, &len), CAPNP_OK);
	struct capnp_reader m;
	cr_assert_eq(capnp_reader_init(&m, arena, len), CAPNP_OK);
	fieldkinds_AllTypes_reader r = fieldkinds_AllTypes_read_root(&m);
	struct capnp_data d = fieldkinds_AllTypes_get_dataField(r);
	cr_assert_eq((size_t)(d.ptr - (const uint8_t *)arena) % 4096, 0);
	cr_assert_eq(d.len, sizeof blob);
	cr_assert_eq(memcmp(d.ptr, blob, sizeof blob), 0);
	cr_assert_str_eq(fieldkinds_AllTypes_get_textField(r).str, "hello");
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
	/* Already aligned: nothing skipped.  Bad alignments and no room refused. */
	size_t before = capnp_builder_size(&b);
	cr_assert_eq(capnp_builder_align(&b, 8), CAPNP_OK);
	cr_assert_eq(capnp_builder_size(&b), before);
	cr_assert_eq(capnp_builder_align(&b, 12), CAPNP_ERR_INVALID_ARG);
	cr_assert_eq(capnp_builder_align(&b, 4), CAPNP_ERR_INVALID_ARG);
	cr_assert_eq(capnp_builder_align(&b, (size_t)1 << 20), CAPNP_ERR_NO_SPACE);
}

Test(capnp_builder, grows_into_segments_through_far_pointers)
{
	check_grown(4, 8);
}

Test(capnp_builder, exact_segments_use_double_far_pointers)
{
	check_grown(0, 8);
}

Test(capnp_builder, growth_refused_is_no_space)
{
	static struct capnp_segment btable[4];
	struct capnp_builder b;
	pool_used = sizeof pool / 8; /* the pool is empty: grow returns NULL */
	capnp_builder_init_grow(&b, arena, 16, btable, 4, grow_from_pool, NULL);
	fill_all(&b);
	cr_assert_eq(capnp_builder_error(&b), CAPNP_ERR_NO_SPACE);
	pool_used = 0; /* a full table refuses as well */
	grow_words = 4;
	capnp_builder_init_grow(&b, arena, 16, btable, 4, grow_from_pool, NULL);
	fill_all(&b);
	cr_assert_eq(capnp_builder_error(&b), CAPNP_ERR_NO_SPACE);
	cr_assert_eq(capnp_builder_segments(&b), 4);
	size_t len;
	cr_assert_eq(capnp_builder_write(&b, arena, sizeof arena, &len), CAPNP_ERR_NO_SPACE);
	cr_assert_eq(capnp_builder_init_grow(&b, arena, 16, NULL, 4, grow_from_pool, NULL),
	             CAPNP_ERR_INVALID_ARG);
}

Test(capnp, build_then_read_every_field_kind)
{
	size_t len = build_all();
	struct capnp_reader m;
	cr_assert_eq(capnp_reader_init(&m, arena, len), CAPNP_OK);
	fieldkinds_AllTypes_reader r = fieldkinds_AllTypes_read_root(&m);
	cr_assert(fieldkinds_AllTypes_get_boolField(r));
	cr_assert_eq(fieldkinds_AllTypes_get_int8Field(r), -8);
	cr_assert_eq(fieldkinds_AllTypes_get_int16Field(r), -1616);
	cr_assert_eq(fieldkinds_AllTypes_get_int32Field(r), -323232);
	cr_assert_eq(fieldkinds_AllTypes_get_int64Field(r), -646464646464);
	cr_assert_eq(fieldkinds_AllTypes_get_uint8Field(r), 250);
	cr_assert_eq(fieldkinds_AllTypes_get_uint16Field(r), 65000);
	cr_assert_eq(fieldkinds_AllTypes_get_uint32Field(r), 4000000000u);
	cr_assert_eq(fieldkinds_AllTypes_get_uint64Field(r), 18000000000000000000ull);
	cr_assert_eq(fieldkinds_AllTypes_get_float32Field(r), 1.25f);
	cr_assert_eq(fieldkinds_AllTypes_get_float64Field(r), -3.5);
	struct capnp_text t = fieldkinds_AllTypes_get_textField(r);
	cr_assert_eq(t.len, 5);
	cr_assert_str_eq(t.str, "hello");
	struct capnp_data d = fieldkinds_AllTypes_get_dataField(r);
	cr_assert_eq(d.len, 3);
	cr_assert_eq(memcmp(d.ptr, "\x00\x01\x02", 3), 0);
	fieldkinds_Inner_reader in = fieldkinds_AllTypes_get_structField(r);
	cr_assert_eq(fieldkinds_Inner_get_id(in), 77);
	cr_assert_str_eq(fieldkinds_Inner_get_label(in).str, "inner");
	cr_assert_eq(fieldkinds_AllTypes_get_enumField(r), fieldkinds_Color_blue);
	cr_assert_eq(capnp_list_len(fieldkinds_AllTypes_get_voidList(r)), 3);
	struct capnp_list l = fieldkinds_AllTypes_get_boolList(r);
	cr_assert_eq(capnp_list_len(l), 10);
	for (uint32_t i = 0; i < 10; i++)
		cr_assert_eq(capnp_list_get_bool(l, i), i % 3 == 0);
	l = fieldkinds_AllTypes_get_int32List(r);
	for (uint32_t i = 0; i < 4; i++)
		cr_assert_eq(capnp_list_get_i32(l, i), -(int32_t)i * 1000);
	l = fieldkinds_AllTypes_get_uint64List(r);
	cr_assert_eq(capnp_list_get_u64(l, 1), UINT64_MAX);
	cr_assert_eq(capnp_list_get_f64(fieldkinds_AllTypes_get_float64List(r), 0), 0.5);
	l = fieldkinds_AllTypes_get_textList(r);
	cr_assert_str_eq(capnp_list_get_text(l, 1).str, "bc");
	l = fieldkinds_AllTypes_get_structList(r);
	cr_assert_eq(capnp_list_len(l), 3);
	cr_assert_eq(fieldkinds_Inner_get_id(fieldkinds_Inner_list_get(l, 2)), 102);
	l = fieldkinds_AllTypes_get_enumList(r);
	cr_assert_eq(capnp_list_get_u16(l, 0), fieldkinds_Color_green);
	l = fieldkinds_AllTypes_get_listList(r);
	cr_assert_eq(capnp_list_len(capnp_list_get_list(l, 0, CAPNP_ELEM_4B)), 0);
	cr_assert_eq(capnp_list_get_i32(capnp_list_get_list(l, 1, CAPNP_ELEM_4B), 1), 8);
	cr_assert_eq(fieldkinds_AllTypes_which(r), fieldkinds_AllTypes_which_word);
	cr_assert_str_eq(fieldkinds_AllTypes_get_word(r).str, "union");
	/* Inactive members read as defaults, without touching the pointer. */
	cr_assert_eq(fieldkinds_AllTypes_get_number(r), 0);
	cr_assert_eq(fieldkinds_Inner_get_id(fieldkinds_AllTypes_get_nested(r)), 0);
	fieldkinds_AllTypes_choice_reader c = fieldkinds_AllTypes_get_choice(r);
	cr_assert_eq(fieldkinds_AllTypes_choice_which(c), fieldkinds_AllTypes_choice_which_color);
	cr_assert_eq(fieldkinds_AllTypes_choice_get_color(c), fieldkinds_Color_green);
	cr_assert_eq(fieldkinds_AllTypes_choice_get_flag(c), false);
	cr_assert_eq(fieldkinds_AllTypes_grp_get_a(fieldkinds_AllTypes_get_grp(r)), 9);
	cr_assert_str_eq(fieldkinds_AllTypes_grp_get_b(fieldkinds_AllTypes_get_grp(r)).str, "grp");
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
}

Test(capnp, empty_struct_reads_schema_defaults)
{
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	fieldkinds_Defaults_init_root(&b);
	size_t len;
	cr_assert_eq(capnp_builder_finish(&b, &len), CAPNP_OK);
	struct capnp_reader m;
	capnp_reader_init(&m, arena, len);
	fieldkinds_Defaults_reader r = fieldkinds_Defaults_read_root(&m);
	cr_assert_eq(fieldkinds_Defaults_get_boolDefault(r), true);
	cr_assert_eq(fieldkinds_Defaults_get_int8Default(r), -5);
	cr_assert_eq(fieldkinds_Defaults_get_int16Default(r), 1234);
	cr_assert_eq(fieldkinds_Defaults_get_int32Default(r), -123456);
	cr_assert_eq(fieldkinds_Defaults_get_int64Default(r), 9000000000);
	cr_assert_eq(fieldkinds_Defaults_get_uint8Default(r), 200);
	cr_assert_eq(fieldkinds_Defaults_get_uint16Default(r), 60000);
	cr_assert_eq(fieldkinds_Defaults_get_uint32Default(r), 4000000000u);
	cr_assert_eq(fieldkinds_Defaults_get_uint64Default(r), 18000000000000000000ull);
	cr_assert_eq(fieldkinds_Defaults_get_float32Default(r), 1.5f);
	cr_assert_eq(fieldkinds_Defaults_get_float64Default(r), -2.25);
	cr_assert_eq(fieldkinds_Defaults_get_enumDefault(r), fieldkinds_Color_blue);
	cr_assert_str_eq(fieldkinds_Defaults_get_textDefault(r).str, "hello \"world\"");
	struct capnp_data d = fieldkinds_Defaults_get_dataDefault(r);
	cr_assert_eq(d.len, 3);
	cr_assert_eq(memcmp(d.ptr, "\x01\x02\xff", 3), 0);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
}

Test(capnp, defaults_are_xored_on_the_wire)
{
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	fieldkinds_Defaults_builder w = fieldkinds_Defaults_init_root(&b);
	fieldkinds_Defaults_set_int16Default(w, 1234);
	fieldkinds_Defaults_set_boolDefault(w, false);
	fieldkinds_Defaults_set_uint8Default(w, 7);
	size_t len;
	capnp_builder_finish(&b, &len);
	/* The default value is stored as zero. */
	uint8_t *data = (uint8_t *)arena + 16;
	cr_assert_eq(data[2] | data[3], 0);
	struct capnp_reader m;
	capnp_reader_init(&m, arena, len);
	fieldkinds_Defaults_reader r = fieldkinds_Defaults_read_root(&m);
	cr_assert_eq(fieldkinds_Defaults_get_int16Default(r), 1234);
	cr_assert_eq(fieldkinds_Defaults_get_boolDefault(r), false);
	cr_assert_eq(fieldkinds_Defaults_get_uint8Default(r), 7);
}

Test(capnp, constants_and_ids)
{
	cr_assert_eq(fieldkinds_answer, 42);
	cr_assert_str_eq(fieldkinds_greeting, "hi\n");
	cr_assert_eq(fieldkinds_blob_LEN, 4);
	cr_assert_eq(fieldkinds_blob[0], 0xde);
	cr_assert_eq(fieldkinds_ratio, 0.125);
	cr_assert_eq(fieldkinds_favorite, fieldkinds_Color_green);
	cr_assert_eq(fieldkinds_big, UINT64_MAX);
	cr_assert_eq(fieldkinds_negative, INT64_MIN);
	cr_assert_eq(capos_Console_ID, UINT64_C(0xc86a45f046c44b68));
	cr_assert_eq(capos_Console_writeLine_METHOD, 1);
	cr_assert_eq(capos_VirtualMemory_protect_METHOD, 2);
	cr_assert_eq(capos_protWrite, 2);
	cr_assert_eq(fieldkinds_Outer_Middle_Level_high, 1);
}

Test(capnp, capos_call_message_round_trip)
{
	uint64_t buf[32];
	struct capnp_builder b;
	capnp_builder_init(&b, buf, sizeof buf);
	capos_VirtualMemory_map_Params_builder p = capos_VirtualMemory_map_Params_init_root(&b);
	capos_VirtualMemory_map_Params_set_hint(p, 0x200000000000ull);
	capos_VirtualMemory_map_Params_set_size(p, 8192);
	capos_VirtualMemory_map_Params_set_prot(p, capos_protRead | capos_protWrite);
	size_t len;
	cr_assert_eq(capnp_builder_finish(&b, &len), CAPNP_OK);
	cr_assert_eq(len, 8 + 8 + 24);
	struct capnp_reader m;
	cr_assert_eq(capnp_reader_init(&m, buf, len), CAPNP_OK);
	capos_VirtualMemory_map_Params_reader r = capos_VirtualMemory_map_Params_read_root(&m);
	cr_assert_eq(capos_VirtualMemory_map_Params_get_size(r), 8192);
	cr_assert_eq(capos_VirtualMemory_map_Params_get_prot(r), 3);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
}

Test(capnp, capability_pointers_index_the_cap_table)
{
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	fieldkinds_WithCap_builder w = fieldkinds_WithCap_init_root(&b);
	fieldkinds_WithCap_set_thing(w, 2);
	struct capnp_list_builder l = fieldkinds_WithCap_init_things(w, 2);
	capnp_lb_set_cap(l, 0, 0);
	capnp_lb_set_cap(l, 1, 5);
	size_t len;
	capnp_builder_finish(&b, &len);
	struct capnp_reader m;
	capnp_reader_init(&m, arena, len);
	capnp_reader_set_cap_count(&m, 3);
	fieldkinds_WithCap_reader r = fieldkinds_WithCap_read_root(&m);
	cr_assert_eq(fieldkinds_WithCap_get_thing(r), 2);
	struct capnp_list cl = fieldkinds_WithCap_get_things(r);
	cr_assert_eq(capnp_list_get_cap(cl, 0), 0);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
	cr_assert_eq(capnp_list_get_cap(cl, 1), CAPNP_NO_CAP);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_BAD_CAP);
}

Test(capnp, builder_reports_no_space_and_stays_safe)
{
	uint64_t small[6];
	struct capnp_builder b;
	cr_assert_eq(capnp_builder_init(&b, small, sizeof small), CAPNP_OK);
	fieldkinds_Inner_builder in = fieldkinds_Inner_init_root(&b);
	fieldkinds_Inner_set_id(in, 1);
	fieldkinds_Inner_set_label(in, "this label does not fit in the arena", 36);
	size_t len = 99;
	cr_assert_eq(capnp_builder_finish(&b, &len), CAPNP_ERR_NO_SPACE);
	cr_assert_eq(len, 0);
	/* Views from a failed builder are inert. */
	fieldkinds_AllTypes_builder a = fieldkinds_AllTypes_init_root(&b);
	fieldkinds_AllTypes_set_int64Field(a, 5);
	fieldkinds_AllTypes_init_structList(a, 3);
	cr_assert_eq(capnp_builder_error(&b), CAPNP_ERR_NO_SPACE);
	cr_assert_eq(capnp_builder_init(&b, small, 8), CAPNP_ERR_INVALID_ARG);
}

Test(capnp, packed_round_trip)
{
	size_t len = build_all();
	static uint8_t packed[65536], unpacked[65536];
	size_t plen, ulen;
	cr_assert_eq(capnp_pack(arena, len, packed, sizeof packed, &plen), CAPNP_OK);
	cr_assert_lt(plen, len);
	cr_assert_eq(capnp_unpack(packed, plen, unpacked, sizeof unpacked, &ulen), CAPNP_OK);
	cr_assert_eq(ulen, len);
	cr_assert_eq(memcmp(unpacked, arena, len), 0);
	cr_assert_eq(capnp_unpack(packed, plen - 1, unpacked, sizeof unpacked, &ulen),
	             CAPNP_ERR_FRAMING);
	cr_assert_eq(capnp_unpack(packed, plen, unpacked, 16, &ulen), CAPNP_ERR_NO_SPACE);
}

/* ---- far pointers ---------------------------------------------------- */

Test(capnp, single_far_pointer_is_followed)
{
	/* seg0: root -> far(seg1, pad 0); seg1: pad = struct ptr to word 1. */
	uint64_t w[] = {farptr(1, 0, false), sptr(0, 1, 0), 0x1234};
	uint32_t sizes[] = {1, 2};
	static uint8_t buf[256];
	size_t len = frame(buf, w, sizes, 2);
	struct capnp_reader m;
	cr_assert_eq(capnp_reader_init(&m, buf, len), CAPNP_OK);
	fieldkinds_Inner_reader r = fieldkinds_Inner_read_root(&m);
	cr_assert_eq(fieldkinds_Inner_get_id(r), 0x1234);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
}

Test(capnp, double_far_landing_pad_is_followed)
{
	/* seg0: root -> far(seg1, pad 0, double); seg1: [far(seg2, 0), tag];
	 * seg2: the struct data. */
	uint64_t w[] = {farptr(1, 0, true), farptr(2, 0, false), sptr(0, 1, 0), 0x5678};
	uint32_t sizes[] = {1, 2, 1};
	static uint8_t buf[256];
	size_t len = frame(buf, w, sizes, 3);
	struct capnp_reader m;
	cr_assert_eq(capnp_reader_init(&m, buf, len), CAPNP_OK);
	cr_assert_eq(fieldkinds_Inner_get_id(fieldkinds_Inner_read_root(&m)), 0x5678);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
}

/* ---- hostile messages ------------------------------------------------ */

Test(capnp_hostile, struct_pointer_out_of_bounds)
{
	uint64_t w[] = {sptr(5, 2, 0), 0};
	uint32_t sizes[] = {2};
	cr_assert_eq(read_root_error(w, sizes, 1), CAPNP_ERR_OUT_OF_BOUNDS);
}

Test(capnp_hostile, struct_pointer_negative_offset)
{
	uint64_t w[] = {sptr(-10, 1, 0)};
	uint32_t sizes[] = {1};
	cr_assert_eq(read_root_error(w, sizes, 1), CAPNP_ERR_OUT_OF_BOUNDS);
}

Test(capnp_hostile, list_count_past_segment)
{
	/* AllTypes root (dw 8? use real sizes), int32List pointer claims 1000 elements. */
	uint64_t w[64] = {0};
	unsigned dw = fieldkinds_AllTypes_DATA_WORDS, pc = fieldkinds_AllTypes_PTR_COUNT;
	w[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	/* int32List is pointer 6 (ptrs: text,data,struct,void,bool,int8,int16,int32...). */
	unsigned idx = 1 + dw + 7;
	w[idx] = lptr(0, CAPNP_ELEM_4B, 1000);
	uint32_t sizes[] = {1 + dw + pc + 1};
	cr_assert_eq(read_root_error(w, sizes, 1), CAPNP_ERR_LIST_OUT_OF_BOUNDS);
}

Test(capnp_hostile, composite_tag_claims_more_than_the_list_holds)
{
	/* Root Inner-list via AllTypes.structList: tag says 100 elements of 2 words, list has 2 words. */
	uint64_t w[64] = {0};
	unsigned dw = fieldkinds_AllTypes_DATA_WORDS, pc = fieldkinds_AllTypes_PTR_COUNT;
	w[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	unsigned idx = 1 + dw + 17; /* structList */
	unsigned tag = 1 + dw + pc;
	w[idx] = lptr((int32_t)(tag - idx - 1), CAPNP_ELEM_COMPOSITE, 2);
	w[tag] = sptr(100, 1, 1);
	uint32_t sizes[] = {tag + 3};
	static uint8_t buf[4096];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	struct capnp_list l = fieldkinds_AllTypes_get_structList(fieldkinds_AllTypes_read_root(&m));
	cr_assert_eq(capnp_list_len(l), 0);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_LIST_OUT_OF_BOUNDS);
}

Test(capnp_hostile, far_pointer_to_missing_segment)
{
	uint64_t w[] = {farptr(7, 0, false)};
	uint32_t sizes[] = {1};
	cr_assert_eq(read_root_error(w, sizes, 1), CAPNP_ERR_BAD_SEGMENT);
}

Test(capnp_hostile, far_pointer_loop)
{
	/* The landing pad is itself a far pointer back to the first: a loop. */
	uint64_t w[] = {farptr(1, 0, false), farptr(0, 0, false)};
	uint32_t sizes[] = {1, 1};
	cr_assert_eq(read_root_error(w, sizes, 2), CAPNP_ERR_BAD_FAR);
}

Test(capnp_hostile, double_far_pad_without_far_first_word)
{
	uint64_t w[] = {farptr(1, 0, true), sptr(0, 1, 0), sptr(0, 1, 0)};
	uint32_t sizes[] = {1, 2};
	cr_assert_eq(read_root_error(w, sizes, 2), CAPNP_ERR_BAD_FAR);
}

Test(capnp_hostile, far_landing_pad_outside_segment)
{
	uint64_t w[] = {farptr(1, 9, false), 0};
	uint32_t sizes[] = {1, 1};
	cr_assert_eq(read_root_error(w, sizes, 2), CAPNP_ERR_OUT_OF_BOUNDS);
}

Test(capnp_hostile, depth_bomb)
{
	/* Outer.child -> Outer.child -> ... 200 levels deep. */
	static uint64_t w[1024];
	unsigned dw = fieldkinds_Outer_DATA_WORDS, pc = fieldkinds_Outer_PTR_COUNT;
	unsigned size = dw + pc, levels = 200;
	w[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	for (unsigned i = 0; i < levels; i++) {
		unsigned base = 1 + i * size;
		unsigned child = base + dw + 2; /* pointer slot of `child` */
		w[child] = sptr((int32_t)(base + size - child - 1), (uint16_t)dw, (uint16_t)pc);
	}
	uint32_t sizes[] = {1 + (levels + 1) * size};
	static uint8_t buf[16384];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	fieldkinds_Outer_reader r = fieldkinds_Outer_read_root(&m);
	unsigned depth = 0;
	while (fieldkinds_Outer_has_child(r) && depth < 1000) {
		r = fieldkinds_Outer_get_child(r);
		depth++;
	}
	cr_assert_lt(depth, 100);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_DEPTH_LIMIT);
}

Test(capnp_hostile, overlapping_pointers_hit_the_traversal_limit)
{
	/* A list of 1000 pointers that all point at the same 500-word struct. */
	static uint64_t w[2048];
	unsigned n = 1000, big = 500;
	unsigned dw = fieldkinds_AllTypes_DATA_WORDS, pc = fieldkinds_AllTypes_PTR_COUNT;
	w[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	unsigned slot = 1 + dw + 17; /* structList pointer      */
	unsigned list = 1 + dw + pc; /* list of pointers starts */
	unsigned target = list + n;  /* the shared struct       */
	w[slot] = lptr((int32_t)(list - slot - 1), CAPNP_ELEM_POINTER, n);
	for (unsigned i = 0; i < n; i++)
		w[list + i] = sptr((int32_t)(target - (list + i) - 1), (uint16_t)big, 0);
	uint32_t sizes[] = {target + big};
	static uint8_t buf[32768];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	capnp_reader_set_limits(&m, 100000, 64);
	struct capnp_list l = fieldkinds_AllTypes_get_structList(fieldkinds_AllTypes_read_root(&m));
	cr_assert_eq(capnp_list_len(l), n);
	for (unsigned i = 0; i < n; i++) {
		/* structs inside a pointer list: follow each element's pointer */
		struct capnp_struct e = capnp_list_get_struct(l, i);
		(void)capnp_struct_get_struct(&e, 0);
	}
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_TRAVERSAL_LIMIT);
}

Test(capnp_hostile, huge_void_list_is_charged_per_element)
{
	uint64_t w[64] = {0};
	unsigned dw = fieldkinds_AllTypes_DATA_WORDS, pc = fieldkinds_AllTypes_PTR_COUNT;
	w[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	w[1 + dw + 3] = lptr(0, CAPNP_ELEM_VOID, 0x1fffffff); /* voidList */
	uint32_t sizes[] = {1 + dw + pc};
	static uint8_t buf[4096];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	(void)fieldkinds_AllTypes_get_voidList(fieldkinds_AllTypes_read_root(&m));
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_TRAVERSAL_LIMIT);
}

Test(capnp_hostile, framing_errors)
{
	struct capnp_reader m;
	uint8_t b1[8] = {0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0}; /* 2^32 segments */
	cr_assert_eq(capnp_reader_init(&m, b1, sizeof b1), CAPNP_ERR_FRAMING);
	uint8_t b2[8] = {0, 0, 0, 0, 10, 0, 0, 0}; /* 10 words, none present */
	cr_assert_eq(capnp_reader_init(&m, b2, sizeof b2), CAPNP_ERR_FRAMING);
	cr_assert_eq(capnp_reader_init(&m, b2, 4), CAPNP_ERR_FRAMING);
	uint8_t b3[16] = {0}; /* a zero-word first segment */
	cr_assert_eq(capnp_reader_init(&m, b3, 8), CAPNP_ERR_FRAMING);
	uint8_t b4[16] = {3, 0, 0, 0, 1, 0, 0, 0}; /* 4 segments, table truncated */
	cr_assert_eq(capnp_reader_init(&m, b4, sizeof b4), CAPNP_ERR_FRAMING);
}

/* nseg segments of one word each; the root in segment 0 is a far pointer
 * to a landing pad in the last segment, whose struct is its own data word. */
static size_t frame_many(uint8_t *out, uint32_t nseg)
{
	static uint64_t w[1024];
	static uint32_t sizes[1024];
	for (uint32_t i = 0; i < nseg; i++) {
		sizes[i] = 1;
		w[i] = 0;
	}
	sizes[nseg - 1] = 2;
	w[0] = farptr(nseg - 1, 0, false);
	w[nseg - 1] = sptr(0, 1, 0);
	w[nseg] = 0x5a5a;
	return frame(out, w, sizes, nseg);
}

Test(capnp_reader, up_to_512_segments_with_a_table)
{
	static uint8_t buf[1 << 16];
	static struct capnp_segment table[CAPNP_MAX_SEGMENTS + 1];
	struct capnp_reader m;
	size_t len = frame_many(buf, CAPNP_MAX_SEGMENTS);
	cr_assert_eq(capnp_reader_init_table(&m, buf, len, table, CAPNP_MAX_SEGMENTS), CAPNP_OK);
	struct capnp_struct r = capnp_reader_root(&m);
	cr_assert_eq(capnp_struct_u64(&r, 0), 0x5a5a);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
	/* Without a table only the inline segments fit; one past the limit never. */
	cr_assert_eq(capnp_reader_init(&m, buf, len), CAPNP_ERR_FRAMING);
	len = frame_many(buf, CAPNP_INLINE_SEGMENTS);
	cr_assert_eq(capnp_reader_init(&m, buf, len), CAPNP_OK);
	r = capnp_reader_root(&m);
	cr_assert_eq(capnp_struct_u64(&r, 0), 0x5a5a);
	len = frame_many(buf, CAPNP_MAX_SEGMENTS + 1);
	cr_assert_eq(capnp_reader_init_table(&m, buf, len, table, CAPNP_MAX_SEGMENTS + 1),
	             CAPNP_ERR_FRAMING);
}

Test(capnp_hostile, text_without_nul)
{
	uint64_t w[] = {sptr(0, 1, 1), 0, lptr(0, CAPNP_ELEM_BYTE, 3), 0x636261 /* "abc" */};
	uint32_t sizes[] = {4};
	static uint8_t buf[256];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	struct capnp_text t = fieldkinds_Inner_get_label(fieldkinds_Inner_read_root(&m));
	cr_assert_eq(t.len, 0);
	cr_assert_str_eq(t.str, "");
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_TEXT);
}

Test(capnp_hostile, wrong_pointer_kinds)
{
	/* Root pointer is a list where a struct is expected. */
	uint64_t w1[] = {lptr(0, CAPNP_ELEM_BYTE, 0)};
	uint32_t s1[] = {1};
	cr_assert_eq(read_root_error(w1, s1, 1), CAPNP_ERR_POINTER_KIND);
	/* Root is a capability pointer. */
	uint64_t w2[] = {3};
	cr_assert_eq(read_root_error(w2, s1, 1), CAPNP_ERR_POINTER_KIND);
	/* "Other" pointer with reserved bits set. */
	uint64_t w3[] = {0xff3};
	cr_assert_eq(read_root_error(w3, s1, 1), CAPNP_ERR_RESERVED_POINTER);
}

Test(capnp_hostile, list_element_size_mismatch)
{
	/* Inner.label (Text) pointing at a list of 32-bit values. */
	uint64_t w[] = {sptr(0, 1, 1), 0, lptr(0, CAPNP_ELEM_4B, 2), 0};
	uint32_t sizes[] = {4};
	static uint8_t buf[4096];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	(void)fieldkinds_Inner_get_label(fieldkinds_Inner_read_root(&m));
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_LIST_KIND);
	/* A bit list read as a struct list. */
	uint64_t w2[64] = {0};
	unsigned dw = fieldkinds_AllTypes_DATA_WORDS, pc = fieldkinds_AllTypes_PTR_COUNT;
	w2[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	w2[1 + dw + 17] = lptr(0, CAPNP_ELEM_BIT, 3);
	uint32_t s2[] = {1 + dw + pc + 1};
	len = frame(buf, w2, s2, 1);
	capnp_reader_init(&m, buf, len);
	(void)fieldkinds_AllTypes_get_structList(fieldkinds_AllTypes_read_root(&m));
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_LIST_KIND);
}

Test(capnp_hostile, list_index_past_end)
{
	size_t len = build_all();
	struct capnp_reader m;
	capnp_reader_init(&m, arena, len);
	struct capnp_list l = fieldkinds_AllTypes_get_int32List(fieldkinds_AllTypes_read_root(&m));
	cr_assert_eq(capnp_list_get_i32(l, 4), 0);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_INVALID_ARG);
}

Test(capnp, strerror_names_every_code)
{
	for (int e = CAPNP_ERR_MIN; e <= 0; e++)
		cr_assert_neq(strcmp(capnp_strerror(e), "unknown capnp error"), 0, "code %d", e);
}

Test(capnp, lists_read_across_compatible_encodings)
{
	/* AllTypes.structList written as a list of pointers (an older schema's
	 * List(Text)): each element reads as a struct with one pointer. */
	uint64_t w[64] = {0};
	unsigned dw = fieldkinds_AllTypes_DATA_WORDS, pc = fieldkinds_AllTypes_PTR_COUNT;
	w[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	unsigned slot = 1 + dw + 17, list = 1 + dw + pc;
	w[slot] = lptr((int32_t)(list - slot - 1), CAPNP_ELEM_POINTER, 1);
	w[list] = lptr(0, CAPNP_ELEM_BYTE, 3);
	memcpy(&w[list + 1], "ab", 3);
	uint32_t sizes[] = {list + 2};
	static uint8_t buf[4096];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	struct capnp_list l = fieldkinds_AllTypes_get_structList(fieldkinds_AllTypes_read_root(&m));
	cr_assert_eq(capnp_list_len(l), 1);
	fieldkinds_Inner_reader in = fieldkinds_Inner_list_get(l, 0);
	cr_assert_eq(fieldkinds_Inner_get_id(in), 0); /* no data section: default */
	cr_assert_str_eq(fieldkinds_Inner_get_label(in).str, "ab");
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);

	/* AllTypes.int32List written as a composite list (a newer schema's
	 * List(Struct) whose first field is 32 bits): reads the first field. */
	memset(w, 0, sizeof w);
	w[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	slot = 1 + dw + 7;
	w[slot] = lptr((int32_t)(list - slot - 1), CAPNP_ELEM_COMPOSITE, 2);
	w[list] = sptr(2, 1, 0); /* tag: 2 elements of 1 data word */
	w[list + 1] = 0xffffffff00000007ull;
	w[list + 2] = 0x0000000000000009ull;
	sizes[0] = list + 3;
	len = frame(buf, w, sizes, 1);
	capnp_reader_init(&m, buf, len);
	l = fieldkinds_AllTypes_get_int32List(fieldkinds_AllTypes_read_root(&m));
	cr_assert_eq(capnp_list_len(l), 2);
	cr_assert_eq(capnp_list_get_i32(l, 0), 7);
	cr_assert_eq(capnp_list_get_i32(l, 1), 9);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_OK);
}

Test(capnp_hostile, composite_tag_is_not_a_struct)
{
	uint64_t w[64] = {0};
	unsigned dw = fieldkinds_AllTypes_DATA_WORDS, pc = fieldkinds_AllTypes_PTR_COUNT;
	w[0] = sptr(0, (uint16_t)dw, (uint16_t)pc);
	unsigned slot = 1 + dw + 17, list = 1 + dw + pc;
	w[slot] = lptr((int32_t)(list - slot - 1), CAPNP_ELEM_COMPOSITE, 1);
	w[list] = lptr(0, CAPNP_ELEM_BYTE, 1); /* a list pointer where the tag goes */
	uint32_t sizes[] = {list + 2};
	static uint8_t buf[4096];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	(void)fieldkinds_AllTypes_get_structList(fieldkinds_AllTypes_read_root(&m));
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_LIST_KIND);
}

Test(capnp_hostile, first_error_is_kept)
{
	uint64_t w[] = {farptr(7, 0, false)};
	uint32_t sizes[] = {1};
	static uint8_t buf[256];
	size_t len = frame(buf, w, sizes, 1);
	struct capnp_reader m;
	capnp_reader_init(&m, buf, len);
	(void)fieldkinds_Inner_read_root(&m);
	cr_assert_eq(capnp_reader_fail(&m, CAPNP_ERR_TEXT), CAPNP_ERR_BAD_SEGMENT);
	cr_assert_eq(capnp_reader_error(&m), CAPNP_ERR_BAD_SEGMENT);
}

Test(capnp_hostile, zeroed_views_are_inert)
{
	struct capnp_struct s = {0};
	struct capnp_list l = {0};
	cr_assert_eq(capnp_struct_u64(&s, 0), 0);
	cr_assert_eq(capnp_struct_get_struct(&s, 0).data_bytes, 0);
	cr_assert_eq(capnp_struct_get_text(&s, 0, NULL, 0).len, 0);
	cr_assert_eq(capnp_list_get_u32(l, 0), 0);
	cr_assert_eq(capnp_list_get_text(l, 3).len, 0);
}
