/* Capability table: insert/lookup/remove, generations, limits, iteration. */
#include <capos/abi.h>
#include <criterion/criterion.h>

#include "cap_table.h"

#define CT_POOL_BLOCKS (CAP_TABLE_CHUNKS + 8u)
#include "cap_table_pool.h"

static struct cap_slot *slots; /* chunk 0 */
static struct cap_table table;
static int objects[CAP_TABLE_MAX_SLOTS + 8];

static struct cap_slot *table_of(uint32_t limit)
{
	ct_pool_reset();
	struct cap_slot *chunk0 = ct_table(&table, limit);
	cr_assert_not_null(chunk0);
	return chunk0;
}

static struct cap_entry entry(int i)
{
	/* clang-format off */
	return (struct cap_entry){.object = &objects[i], .interface_id = 0x1000u + (uint64_t)i,
	                          .badge = 7u * (uint64_t)i, .type = 3};
	/* clang-format on */
}

Test(cap_table, insert_then_lookup_returns_the_entry)
{
	slots = table_of(8);
	struct cap_entry e = entry(1), *got;
	uint32_t id;
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_OK);
	cr_assert_neq(id, CAP_ID_INVALID);
	cr_assert_eq(cap_table_lookup(&table, id, &got), CAPOS_OK);
	cr_assert_eq(got->object, &objects[1]);
	cr_assert_eq(got->interface_id, 0x1001u);
	cr_assert_eq(got->badge, 7u);
	cr_assert_eq(got->type, 3u);
	cr_assert_eq(cap_table_count(&table), 1u);
}

Test(cap_table, zero_and_garbage_ids_fail)
{
	slots = table_of(8);
	struct cap_entry *got;
	cr_assert_eq(cap_table_lookup(&table, 0, &got), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_lookup(&table, 0xffffffffu, &got), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_lookup(&table, cap_id_make(1, 1), &got), CAPOS_ERR_BAD_CAP);
	/* index beyond capacity with a plausible generation */
	cr_assert_eq(cap_table_lookup(&table, cap_id_make(9, 1), &got), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_remove(&table, cap_id_make(0, 1), NULL), CAPOS_ERR_BAD_CAP);
}

Test(cap_table, removed_id_is_stale_even_after_slot_reuse)
{
	slots = table_of(4);
	struct cap_entry a = entry(1), b = entry(2), out, *got;
	uint32_t id_a, id_b;
	cr_assert_eq(cap_table_insert(&table, &a, &id_a), CAPOS_OK);
	cr_assert_eq(cap_table_remove(&table, id_a, &out), CAPOS_OK);
	cr_assert_eq(out.object, &objects[1]);
	cr_assert_eq(cap_table_count(&table), 0u);
	cr_assert_eq(cap_table_lookup(&table, id_a, &got), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_remove(&table, id_a, NULL), CAPOS_ERR_BAD_CAP);

	cr_assert_eq(cap_table_insert(&table, &b, &id_b), CAPOS_OK);
	cr_assert_eq(cap_id_index(id_b), cap_id_index(id_a), "lowest free slot is reused");
	cr_assert_neq(id_b, id_a);
	cr_assert_eq(cap_table_lookup(&table, id_a, &got), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_lookup(&table, id_b, &got), CAPOS_OK);
	cr_assert_eq(got->object, &objects[2]);
}

Test(cap_table, capacity_limit_gives_no_resources)
{
	slots = table_of(3);
	uint32_t ids[3], extra;
	for (int i = 0; i < 3; i++) {
		struct cap_entry e = entry(i);
		cr_assert_eq(cap_table_insert(&table, &e, &ids[i]), CAPOS_OK);
	}
	struct cap_entry e = entry(5);
	cr_assert_eq(cap_table_insert(&table, &e, &extra), CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(cap_table_count(&table), 3u);
	cr_assert_eq(cap_table_remove(&table, ids[1], NULL), CAPOS_OK);
	cr_assert_eq(cap_table_insert(&table, &e, &extra), CAPOS_OK);
	cr_assert_eq(cap_id_index(extra), 1u);
}

Test(cap_table, limit_is_clamped_to_the_id_space)
{
	table_of(CAP_TABLE_MAX_SLOTS + 5);
	cr_assert_eq(table.limit, CAP_TABLE_MAX_SLOTS);
	uint32_t id;
	for (uint32_t i = 0; i < CAP_TABLE_MAX_SLOTS; i++) {
		struct cap_entry e = entry((int)i);
		cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_OK);
		cr_assert_eq(cap_id_index(id), i);
	}
	cr_assert_eq(table.chunks, CAP_TABLE_CHUNKS);
	struct cap_entry e = entry(0);
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(table.refused_quota, 1u);
	cr_assert_eq(cap_table_destroy(&table), CAP_TABLE_MAX_SLOTS);
	cr_assert_eq(ct_pool_live, 0u, "destroy frees every chunk and the directory");
}

Test(cap_table, entry_without_object_is_refused)
{
	slots = table_of(2);
	struct cap_entry e = {.interface_id = 1};
	uint32_t id = 1234;
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_ERR_INVALID_ARGUMENT);
	cr_assert_eq(id, 1234u);
	cr_assert_eq(cap_table_count(&table), 0u);
}

Test(cap_table, exhausted_generation_retires_the_slot)
{
	slots = table_of(2);
	slots[0].generation = CAP_ID_GEN_MAX; /* as after ~262k reuses */
	struct cap_entry e = entry(1), *got;
	uint32_t id, id2, id3;
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_OK);
	cr_assert_eq(cap_id_index(id), 0u);
	cr_assert_eq(cap_id_generation(id), CAP_ID_GEN_MAX);
	cr_assert_eq(cap_table_remove(&table, id, NULL), CAPOS_OK);
	cr_assert_eq(table.retired, 1u);
	cr_assert_eq(cap_table_insert(&table, &e, &id2), CAPOS_OK);
	cr_assert_eq(cap_id_index(id2), 1u, "retired slot 0 is skipped");
	cr_assert_eq(cap_table_lookup(&table, id, &got), CAPOS_ERR_BAD_CAP);
	/* The quota counts held caps, not retired slots. */
	cr_assert_eq(cap_table_insert(&table, &e, &id3), CAPOS_OK);
	cr_assert_eq(cap_id_index(id3), 2u);
	cr_assert_eq(cap_table_insert(&table, &e, &id3), CAPOS_ERR_NO_RESOURCES);
}

Test(cap_table, generation_advances_on_each_reuse)
{
	slots = table_of(1);
	struct cap_entry e = entry(1);
	uint32_t prev = 0, id;
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_OK);
		cr_assert_neq(id, prev);
		cr_assert_eq(cap_id_generation(id), (uint32_t)i + 1);
		cr_assert_eq(cap_table_remove(&table, id, NULL), CAPOS_OK);
		prev = id;
	}
}

Test(cap_table, iteration_visits_each_used_slot_once)
{
	slots = table_of(8);
	uint32_t ids[5];
	for (int i = 0; i < 5; i++) {
		struct cap_entry e = entry(i);
		cr_assert_eq(cap_table_insert(&table, &e, &ids[i]), CAPOS_OK);
	}
	cr_assert_eq(cap_table_remove(&table, ids[2], NULL), CAPOS_OK);
	uint32_t cursor = 0, id, seen = 0, n = 0;
	struct cap_entry *got;
	while (cap_table_next(&table, &cursor, &id, &got)) {
		cr_assert_neq(id, ids[2]);
		struct cap_entry *again;
		cr_assert_eq(cap_table_lookup(&table, id, &again), CAPOS_OK);
		cr_assert_eq(again, got);
		seen |= 1u << cap_id_index(id);
		n++;
	}
	cr_assert_eq(n, 4u);
	cr_assert_eq(seen, 0x1bu);
	cr_assert_eq(cap_table_next(&table, &cursor, &id, &got), false);
}

/* ---- growth and shrinking ---------------------------------------------- */

static uint32_t fill(uint32_t n, uint32_t *ids)
{
	for (uint32_t i = 0; i < n; i++) {
		struct cap_entry e = entry((int)i);
		cr_assert_eq(cap_table_insert(&table, &e, &ids[i]), CAPOS_OK, "insert %u", i);
	}
	return n;
}

Test(cap_table, grows_a_chunk_at_a_time_and_ids_stay_valid)
{
	static uint32_t ids[300];
	table_of(1000);
	cr_assert_eq(table.chunks, 1u);
	fill(300, ids);
	cr_assert_eq(table.chunks, 5u, "300 caps take 5 chunks of 64");
	cr_assert_eq(ct_pool_live, 6u, "5 chunks and the directory");
	for (uint32_t i = 0; i < 300; i++) {
		struct cap_entry *got;
		cr_assert_eq(cap_table_lookup(&table, ids[i], &got), CAPOS_OK, "id %u after growth", i);
		cr_assert_eq(got->object, &objects[i]);
		cr_assert_eq(cap_id_index(ids[i]), i, "lowest free slot first");
	}
}

Test(cap_table, entry_pointers_survive_growth)
{
	static uint32_t ids[200];
	table_of(1000);
	fill(1, ids);
	struct cap_entry *first, *again;
	cr_assert_eq(cap_table_lookup(&table, ids[0], &first), CAPOS_OK);
	for (uint32_t i = 1; i < 200; i++) {
		struct cap_entry e = entry((int)i);
		cr_assert_eq(cap_table_insert(&table, &e, &ids[i]), CAPOS_OK);
	}
	cr_assert_eq(cap_table_lookup(&table, ids[0], &again), CAPOS_OK);
	cr_assert_eq(first, again, "slots never move");
}

Test(cap_table, an_emptied_chunk_is_freed_and_its_ids_stay_stale)
{
	static uint32_t ids[192], again[192];
	table_of(1000);
	fill(192, ids);
	cr_assert_eq(table.chunks, 3u);
	for (uint32_t i = 64; i < 128; i++)
		cr_assert_eq(cap_table_remove(&table, ids[i], NULL), CAPOS_OK);
	cr_assert_eq(table.chunks, 2u, "chunk 1 went back");
	cr_assert_eq(ct_pool_live, 3u);
	struct cap_entry *got;
	cr_assert_eq(cap_table_lookup(&table, ids[100], &got), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_lookup(&table, ids[150], &got), CAPOS_OK, "chunk 2 untouched");
	/* Refilled: chunk 1 comes back with generations above the old ids. */
	for (uint32_t i = 0; i < 64; i++) {
		struct cap_entry e = entry((int)i);
		cr_assert_eq(cap_table_insert(&table, &e, &again[i]), CAPOS_OK);
		cr_assert_eq(cap_id_index(again[i]), 64u + i);
		cr_assert_gt(cap_id_generation(again[i]), cap_id_generation(ids[64 + i]));
		cr_assert_eq(cap_table_lookup(&table, ids[64 + i], &got), CAPOS_ERR_BAD_CAP,
		             "stale id %#x revived after the chunk came back", ids[64 + i]);
	}
}

Test(cap_table, chunk_zero_stays_when_empty)
{
	static uint32_t ids[2];
	table_of(10);
	fill(2, ids);
	cr_assert_eq(cap_table_remove(&table, ids[0], NULL), CAPOS_OK);
	cr_assert_eq(cap_table_remove(&table, ids[1], NULL), CAPOS_OK);
	cr_assert_eq(table.chunks, 1u);
}

Test(cap_table, out_of_memory_refuses_and_changes_nothing)
{
	static uint32_t ids[65];
	table_of(1000);
	fill(64, ids);
	ct_pool_fail_after = 1;
	struct cap_entry e = entry(64), *got;
	uint32_t id = 77;
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(id, 77u);
	cr_assert_eq(table.refused_memory, 1u);
	cr_assert_eq(cap_table_count(&table), 64u);
	cr_assert_eq(table.chunks, 1u);
	cr_assert_eq(cap_table_ensure(&table, 1), CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(cap_table_lookup(&table, ids[63], &got), CAPOS_OK);
	ct_pool_fail_after = 0; /* memory is back */
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_OK);
	cr_assert_eq(cap_id_index(id), 64u);
}

Test(cap_table, failed_directory_allocation_leaves_a_table_that_refuses)
{
	ct_pool_reset();
	ct_pool_fail_after = 1;
	cr_assert_eq(cap_table_init(&table, &ct_pool_ops, NULL, 10), CAPOS_ERR_NO_RESOURCES);
	struct cap_entry e = entry(1), *got;
	uint32_t id, cursor = 0;
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(cap_table_lookup(&table, cap_id_make(0, 1), &got), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_next(&table, &cursor, &id, &got), false);
	cr_assert_eq(cap_table_free_slots(&table), 0u);
	cr_assert_eq(cap_table_destroy(&table), 0u);
}

Test(cap_table, ensure_makes_the_next_inserts_allocation_free)
{
	static uint32_t ids[130];
	table_of(1000);
	cr_assert_eq(cap_table_ensure(&table, 130), CAPOS_OK);
	cr_assert_eq(table.chunks, 3u);
	ct_pool_fail_after = 1;
	fill(130, ids);
	cr_assert_eq(cap_table_ensure(&table, 1000), CAPOS_ERR_NO_RESOURCES, "over the quota");
}

Test(cap_table, hostile_ids_after_growth_and_shrink)
{
	static uint32_t ids[200];
	table_of(1000);
	fill(200, ids);
	for (uint32_t i = 64; i < 200; i++)
		cr_assert_eq(cap_table_remove(&table, ids[i], NULL), CAPOS_OK);
	cr_assert_eq(table.chunks, 1u);
	uint32_t hostile[] = {0u,
	                      0xffffffffu,
	                      cap_id_make(CAP_TABLE_MAX_SLOTS - 1u, 1),
	                      cap_id_make(100, 1),
	                      cap_id_make(100, 2),
	                      cap_id_make(65, CAP_ID_GEN_MAX),
	                      ids[150],
	                      ids[0] + (1u << CAP_ID_INDEX_BITS),
	                      cap_id_make(0, 0)};
	for (size_t k = 0; k < sizeof hostile / sizeof hostile[0]; k++) {
		struct cap_entry *got;
		cr_assert_eq(cap_table_lookup(&table, hostile[k], &got), CAPOS_ERR_BAD_CAP, "id %#x",
		             hostile[k]);
		cr_assert_eq(cap_table_remove(&table, hostile[k], NULL), CAPOS_ERR_BAD_CAP);
		cr_assert_eq(cap_table_reserve(&table, hostile[k], &got), CAPOS_ERR_BAD_CAP);
		cr_assert_eq(cap_table_unreserve(&table, hostile[k]), CAPOS_ERR_BAD_CAP);
		cr_assert_eq(cap_table_take_reserved(&table, hostile[k], NULL), CAPOS_ERR_BAD_CAP);
	}
	cr_assert_eq(cap_table_count(&table), 64u);
}

Test(cap_table, iteration_skips_unallocated_chunks)
{
	static uint32_t ids[200];
	table_of(1000);
	fill(200, ids);
	for (uint32_t i = 64; i < 128; i++)
		cr_assert_eq(cap_table_remove(&table, ids[i], NULL), CAPOS_OK);
	uint32_t cursor = 0, id, n = 0;
	struct cap_entry *got;
	while (cap_table_next(&table, &cursor, &id, &got)) {
		cr_assert(cap_id_index(id) < 64u || cap_id_index(id) >= 128u);
		n++;
	}
	cr_assert_eq(n, 136u);
}

Test(cap_table, removing_everything_while_iterating_frees_all_but_chunk_zero)
{
	static uint32_t ids[300];
	table_of(1000);
	fill(300, ids);
	uint32_t cursor = 0, id, n = 0;
	struct cap_entry *got;
	while (cap_table_next(&table, &cursor, &id, &got)) {
		cr_assert_eq(cap_table_remove(&table, id, NULL), CAPOS_OK);
		n++;
	}
	cr_assert_eq(n, 300u);
	cr_assert_eq(table.chunks, 1u);
	cr_assert_eq(cap_table_destroy(&table), 0u);
	cr_assert_eq(ct_pool_live, 0u);
}
