/* Capability table: insert/lookup/remove, generations, limits, iteration. */
#include <capos/abi.h>
#include <criterion/criterion.h>

#include "cap_table.h"

static struct cap_slot slots[CAP_TABLE_MAX_SLOTS];
static struct cap_table table;
static int objects[CAP_TABLE_MAX_SLOTS + 8];

static struct cap_entry entry(int i)
{
	/* clang-format off */
	return (struct cap_entry){.object = &objects[i], .interface_id = 0x1000u + (uint64_t)i,
	                          .badge = 7u * (uint64_t)i, .type = 3};
	/* clang-format on */
}

Test(cap_table, insert_then_lookup_returns_the_entry)
{
	cap_table_init(&table, slots, 8);
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
	cap_table_init(&table, slots, 8);
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
	cap_table_init(&table, slots, 4);
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
	cap_table_init(&table, slots, 3);
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

Test(cap_table, capacity_is_clamped_to_the_id_space)
{
	static struct cap_slot big[CAP_TABLE_MAX_SLOTS + 5];
	cap_table_init(&table, big, CAP_TABLE_MAX_SLOTS + 5);
	cr_assert_eq(table.capacity, CAP_TABLE_MAX_SLOTS);
	uint32_t id;
	for (uint32_t i = 0; i < CAP_TABLE_MAX_SLOTS; i++) {
		struct cap_entry e = entry((int)i);
		cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_OK);
		cr_assert_eq(cap_id_index(id), i);
	}
	struct cap_entry e = entry(0);
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_ERR_NO_RESOURCES);
}

Test(cap_table, entry_without_object_is_refused)
{
	cap_table_init(&table, slots, 2);
	struct cap_entry e = {.interface_id = 1};
	uint32_t id = 1234;
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_ERR_INVALID_ARGUMENT);
	cr_assert_eq(id, 1234u);
	cr_assert_eq(cap_table_count(&table), 0u);
}

Test(cap_table, exhausted_generation_retires_the_slot)
{
	cap_table_init(&table, slots, 2);
	slots[0].generation = CAP_ID_GEN_MAX; /* as after ~4M reuses */
	struct cap_entry e = entry(1), *got;
	uint32_t id, id2;
	cr_assert_eq(cap_table_insert(&table, &e, &id), CAPOS_OK);
	cr_assert_eq(cap_id_index(id), 0u);
	cr_assert_eq(cap_id_generation(id), CAP_ID_GEN_MAX);
	cr_assert_eq(cap_table_remove(&table, id, NULL), CAPOS_OK);
	cr_assert_eq(table.retired, 1u);
	cr_assert_eq(cap_table_insert(&table, &e, &id2), CAPOS_OK);
	cr_assert_eq(cap_id_index(id2), 1u, "retired slot 0 is skipped");
	cr_assert_eq(cap_table_lookup(&table, id, &got), CAPOS_ERR_BAD_CAP);
	cr_assert_eq(cap_table_insert(&table, &e, &id2), CAPOS_ERR_NO_RESOURCES);
}

Test(cap_table, generation_advances_on_each_reuse)
{
	cap_table_init(&table, slots, 1);
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
	cap_table_init(&table, slots, 8);
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
