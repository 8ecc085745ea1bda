/*
 * Eva driver for lib/cap_table.c: a table with a quota of up to SLOTS
 * slots whose allocations may fail, then STEPS operations, each chosen
 * among all of them (ensure included), on any capability id a user
 * could name (every uint32_t): insert, lookup, remove, reserve, unreserve,
 * take a reserved slot, and a walk with cap_table_next.
 */
#include "__fc_builtin.h"
#include "cap_table.h"
#include "cap_table_ops.h"

#define SLOTS 70u /* past one chunk: growth and shrinking */
#define STEPS 6

static int object;

int main(void)
{
	struct cap_table t;
	if (cap_table_init(&t, &fc_ops, 0, Frama_C_unsigned_int_interval(0, SLOTS)) != 0)
		return 0;
	for (int step = 0; step < STEPS; step++) {
		uint32_t id = Frama_C_unsigned_int_interval(0, ~0u);
		struct cap_entry e = {.object = &object, .interface_id = 1, .type = 1};
		struct cap_entry *p;
		switch (Frama_C_interval(0, 7)) {
		case 0: (void)cap_table_insert(&t, &e, &id); break;
		case 1: (void)cap_table_lookup(&t, id, &p); break;
		case 2: (void)cap_table_remove(&t, id, &e); break;
		case 3: (void)cap_table_reserve(&t, id, &p); break;
		case 4: (void)cap_table_unreserve(&t, id); break;
		case 5: (void)cap_table_take_reserved(&t, id, &e); break;
		case 6: (void)cap_table_ensure(&t, Frama_C_unsigned_int_interval(0, SLOTS)); break;
		default: {
			uint32_t cursor = 0, cid;
			while (cap_table_next(&t, &cursor, &cid, &p))
				;
		}
		}
	}
	(void)cap_table_destroy(&t);
	return 0;
}
