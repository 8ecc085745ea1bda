/*
 * libFuzzer target for the capnp reader: any byte string, read as a framed
 * message (and as a packed one), is walked through the generated readers of
 * every field kind.  ASan/UBSan catch any out-of-bounds read or UB; the
 * runtime must report bad input as an error code, never crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "fieldkinds.capnp.h"

static volatile uint64_t sink;

static void walk_inner(fieldkinds_Inner_reader r)
{
	sink += fieldkinds_Inner_get_id(r) + fieldkinds_Inner_get_label(r).len;
}

static void walk_all(fieldkinds_AllTypes_reader r)
{
	sink += (uint64_t)fieldkinds_AllTypes_get_int64Field(r) + fieldkinds_AllTypes_get_boolField(r);
	sink += fieldkinds_AllTypes_get_textField(r).len + fieldkinds_AllTypes_get_dataField(r).len;
	walk_inner(fieldkinds_AllTypes_get_structField(r));
	struct capnp_list l = fieldkinds_AllTypes_get_boolList(r);
	for (uint32_t i = 0; i < capnp_list_len(l) && i < 4096; i++)
		sink += capnp_list_get_bool(l, i);
	l = fieldkinds_AllTypes_get_int32List(r);
	for (uint32_t i = 0; i < capnp_list_len(l) && i < 4096; i++)
		sink += (uint64_t)capnp_list_get_i32(l, i);
	l = fieldkinds_AllTypes_get_uint64List(r);
	for (uint32_t i = 0; i < capnp_list_len(l) && i < 4096; i++)
		sink += capnp_list_get_u64(l, i);
	l = fieldkinds_AllTypes_get_textList(r);
	for (uint32_t i = 0; i < capnp_list_len(l) && i < 4096; i++)
		sink += capnp_list_get_text(l, i).len;
	l = fieldkinds_AllTypes_get_dataList(r);
	for (uint32_t i = 0; i < capnp_list_len(l) && i < 4096; i++)
		sink += capnp_list_get_data(l, i).len;
	l = fieldkinds_AllTypes_get_structList(r);
	for (uint32_t i = 0; i < capnp_list_len(l) && i < 4096; i++)
		walk_inner(fieldkinds_Inner_list_get(l, i));
	l = fieldkinds_AllTypes_get_listList(r);
	for (uint32_t i = 0; i < capnp_list_len(l) && i < 64; i++) {
		struct capnp_list in = capnp_list_get_list(l, i, CAPNP_ELEM_4B);
		for (uint32_t j = 0; j < capnp_list_len(in) && j < 64; j++)
			sink += (uint64_t)capnp_list_get_i32(in, j);
	}
	switch (fieldkinds_AllTypes_which(r)) {
	case fieldkinds_AllTypes_which_word: sink += fieldkinds_AllTypes_get_word(r).len; break;
	case fieldkinds_AllTypes_which_nested: walk_inner(fieldkinds_AllTypes_get_nested(r)); break;
	default: sink += (uint64_t)fieldkinds_AllTypes_get_number(r);
	}
	sink += fieldkinds_AllTypes_grp_get_b(fieldkinds_AllTypes_get_grp(r)).len;
}

static void walk_outer(fieldkinds_Outer_reader o, int budget)
{
	if (budget == 0)
		return;
	walk_inner(fieldkinds_Outer_Middle_get_inner(fieldkinds_Outer_get_middle(o)));
	struct capnp_list l = fieldkinds_Outer_get_middles(o);
	for (uint32_t i = 0; i < capnp_list_len(l) && i < 256; i++)
		sink += fieldkinds_Outer_Middle_get_level(fieldkinds_Outer_Middle_list_get(l, i));
	walk_outer(fieldkinds_Outer_get_child(o), budget - 1);
}

static void walk_message(const uint8_t *data, size_t size)
{
	/* With a table, so messages of up to CAPNP_MAX_SEGMENTS segments
	 * are opened and walked. */
	static struct capnp_segment table[CAPNP_MAX_SEGMENTS];
	struct capnp_reader m;
	if (capnp_reader_init_table(&m, data, size, table, CAPNP_MAX_SEGMENTS) != CAPNP_OK)
		return;
	capnp_reader_set_limits(&m, 1u << 16, 32);
	capnp_reader_set_cap_count(&m, 4);
	walk_all(fieldkinds_AllTypes_read_root(&m));
	walk_outer(fieldkinds_Outer_read_root(&m), 100);
	capos_ProcessSpawner_spawn_Params_reader p = capos_ProcessSpawner_spawn_Params_read_root(&m);
	struct capnp_list g = capos_ProcessSpawner_spawn_Params_get_grants(p);
	for (uint32_t i = 0; i < capnp_list_len(g) && i < 256; i++)
		sink += capos_CapGrant_get_name(capos_CapGrant_list_get(g, i)).len;
	fieldkinds_WithCap_reader w = fieldkinds_WithCap_read_root(&m);
	sink += fieldkinds_WithCap_get_thing(w);
	sink += (uint64_t)capnp_reader_error(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk_message(data, size);
	static uint8_t unpacked[1 << 16];
	size_t len;
	if (capnp_unpack(data, size, unpacked, sizeof unpacked, &len) == CAPNP_OK)
		walk_message(unpacked, len);
	return 0;
}
