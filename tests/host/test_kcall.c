/* lib/kcall.c: the check before a kernel call has any effect, and the
 * result-size bounds of the kernel's method tables against real messages. */
#include <criterion/criterion.h>
#include <string.h>

#include <capos/abi.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "kcall.h"

static const struct kcall_method table[] = {
	{1, "one", {24, 0}},
	{4, "four", {24, 1}},
	{0, "zero", {16, 0}},
};

Test(kcall, method_find)
{
	cr_assert_eq(kcall_method_find(table, 3, 4), &table[1]);
	cr_assert_eq(kcall_method_find(table, 3, 0), &table[2]);
	cr_assert_null(kcall_method_find(table, 3, 2));
	cr_assert_null(kcall_method_find(table, 3, 0xffff));
	cr_assert_null(kcall_method_find(table, 0, 1));
}

Test(kcall, need_counts_padding_and_records)
{
	cr_assert_eq(kcall_result_need((struct kcall_bound){24, 0}), 24);
	cr_assert_eq(kcall_result_need((struct kcall_bound){20, 0}), 20);
	cr_assert_eq(kcall_result_need((struct kcall_bound){20, 1}), 24 + 16);
	cr_assert_eq(kcall_result_need((struct kcall_bound){24, 9}), 24 + 9 * 16);
	cr_assert_eq(sizeof(struct capos_cap_record), 16);
}

Test(kcall, room_for_bytes)
{
	struct kcall_bound b = {24, 0};
	cr_assert_eq(kcall_check_room(24, b, 0), CAPOS_OK);
	cr_assert_eq(kcall_check_room(4096, b, 0), CAPOS_OK);
	cr_assert_eq(kcall_check_room(23, b, 100), CAPOS_ERR_RESULT_TOO_SMALL);
	cr_assert_eq(kcall_check_room(8, b, 100), CAPOS_ERR_RESULT_TOO_SMALL);
	cr_assert_eq(kcall_check_room(1, b, 100), CAPOS_ERR_RESULT_TOO_SMALL);
}

Test(kcall, zero_result_len_means_no_result_only_without_caps)
{
	cr_assert_eq(kcall_check_room(0, (struct kcall_bound){40, 0}, 0), CAPOS_OK);
	cr_assert_eq(kcall_check_room(0, (struct kcall_bound){24, 1}, 100),
	             CAPOS_ERR_RESULT_TOO_SMALL);
}

Test(kcall, room_for_caps)
{
	struct kcall_bound b = {24, 3};
	cr_assert_eq(kcall_check_room(24 + 48, b, 3), CAPOS_OK);
	cr_assert_eq(kcall_check_room(24 + 47, b, 3), CAPOS_ERR_RESULT_TOO_SMALL);
	cr_assert_eq(kcall_check_room(24, b, 3), CAPOS_ERR_RESULT_TOO_SMALL);
	cr_assert_eq(kcall_check_room(24 + 48, b, 2), CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(kcall_check_room(24 + 48, b, 0), CAPOS_ERR_NO_RESOURCES);
	/* The buffer is checked first: a caller learns its buffer is short
	 * even when its table is full too. */
	cr_assert_eq(kcall_check_room(8, b, 0), CAPOS_ERR_RESULT_TOO_SMALL);
}

/* ---- the bounds the kernel declares match what its builders write ---- */

static uint64_t arena[65536 / 8 + 16];

static size_t finish(struct capnp_builder *b)
{
	size_t len = 0;
	cr_assert_eq(capnp_builder_finish(b, &len), CAPNP_OK);
	return len;
}

Test(kcall_bounds, flat_results_match_the_builder)
{
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	capos_Console_write_Results_init_root(&b);
	cr_assert_eq(finish(&b), KCALL_FLAT(capos_Console_write_Results));
	cr_assert_eq(KCALL_FLAT(capos_Console_write_Results), 16);

	capnp_builder_init(&b, arena, sizeof arena);
	capos_FrameAllocator_query_Results_builder q = capos_FrameAllocator_query_Results_init_root(&b);
	capos_FrameAllocator_query_Results_set_totalFrames(q, UINT64_MAX);
	capos_FrameAllocator_query_Results_set_freeFrames(q, UINT64_MAX);
	capos_FrameAllocator_query_Results_set_heldFrames(q, UINT64_MAX);
	cr_assert_eq(finish(&b), KCALL_FLAT(capos_FrameAllocator_query_Results));

	capnp_builder_init(&b, arena, sizeof arena);
	capos_MemoryObject_info_Results_builder in = capos_MemoryObject_info_Results_init_root(&b);
	capos_MemoryObject_info_Results_set_pages(in, UINT32_MAX);
	capos_MemoryObject_info_Results_set_size(in, UINT64_MAX);
	cr_assert_eq(finish(&b), KCALL_FLAT(capos_MemoryObject_info_Results));

	capnp_builder_init(&b, arena, sizeof arena);
	capos_ProcessSpawner_spawn_Results_builder sp =
		capos_ProcessSpawner_spawn_Results_init_root(&b);
	capos_ProcessSpawner_spawn_Results_set_handleIndex(sp, UINT16_MAX);
	capos_ProcessSpawner_spawn_Results_set_pid(sp, UINT32_MAX);
	cr_assert_eq(finish(&b), KCALL_FLAT(capos_ProcessSpawner_spawn_Results));

	capnp_builder_init(&b, arena, sizeof arena);
	capos_VirtualMemory_map_Results_set_addr(capos_VirtualMemory_map_Results_init_root(&b),
	                                         UINT64_MAX);
	cr_assert_eq(finish(&b), KCALL_FLAT(capos_VirtualMemory_map_Results));
}

/* BootPackage.readManifest: the flat part plus the data, padded to 8. */
Test(kcall_bounds, data_result_is_flat_plus_padded_bytes)
{
	static const uint8_t bytes[65536];
	static const uint32_t sizes[] = {0, 1, 7, 8, 9, 4095, 65536 - 64};
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct capnp_builder b;
		capnp_builder_init(&b, arena, sizeof arena);
		capos_BootPackage_readManifest_Results_set_data(
			capos_BootPackage_readManifest_Results_init_root(&b), sizes[i] ? bytes : 0,
			sizes[i]);
		cr_assert_eq(finish(&b),
		             KCALL_FLAT(capos_BootPackage_readManifest_Results) +
		                     capos_align8(sizes[i]),
		             "%u data bytes", sizes[i]);
	}
}
