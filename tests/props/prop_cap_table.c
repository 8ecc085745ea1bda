/*
 * lib/cap_table.c against a reference model: random insert, lookup,
 * remove, reserve, unreserve, take_reserved and iteration, with live,
 * stale, reserved and made-up ids, on a small table whose slots may start
 * near the end of their generations (so retirement happens).
 *
 * Model: per slot {used, reserved, generation, object}; an insert takes
 * the lowest slot that is neither used nor retired.  Checked besides the
 * model: no id is ever issued twice, an id once removed never resolves
 * again, count + retired + free == capacity.
 */
#include <capos/abi.h>
#include <string.h>

#include "cap_table.h"
#include "prop.h"

#define CAP     6u
#define MAX_OPS 80u
#define MAX_IDS 512u

struct model_slot {
	bool used, reserved;
	uint32_t gen; /* 0 = retired */
	uintptr_t object;
};

struct world {
	struct cap_slot slots[CAP];
	struct cap_table t;
	struct model_slot m[CAP];
	uint32_t issued[MAX_IDS]; /* every id ever handed out */
	uint32_t nissued;
};

static int objs[64]; /* entries point here: distinct, non-NULL */

static uint32_t pick_id(struct prop *p, struct world *w)
{
	switch (prop_draw(p, 0, 3)) {
	case 0: /* a slot's current id (maybe free or retired: then stale) */ {
		uint32_t i = (uint32_t)prop_draw(p, 0, CAP - 1);
		return cap_id_make(i, w->m[i].gen);
	}
	case 1: /* any id ever issued (often stale) */
		if (w->nissued)
			return w->issued[prop_draw(p, 0, w->nissued - 1)];
		return 0;
	case 2: /* made up: index past the table, generation 0, anything */
		return (uint32_t)prop_draw(p, 0, UINT32_MAX);
	default: /* the lowest live slot */
		for (uint32_t i = 0; i < CAP; i++)
			if (w->m[i].used)
				return cap_id_make(i, w->m[i].gen);
		return cap_id_make(0, 1);
	}
}

/* The model's slot for id, or -1 if id names no used slot. */
static int model_slot_of(const struct world *w, uint32_t id)
{
	uint32_t i = cap_id_index(id), g = cap_id_generation(id);
	if (i >= CAP || g == 0 || !w->m[i].used || w->m[i].gen != g)
		return -1;
	return (int)i;
}

static void model_clear(struct world *w, uint32_t i)
{
	w->m[i].used = w->m[i].reserved = false;
	w->m[i].object = 0;
	w->m[i].gen = w->m[i].gen >= CAP_ID_GEN_MAX ? 0 : w->m[i].gen + 1;
}

static bool was_issued_before(const struct world *w, uint32_t id)
{
	for (uint32_t k = 0; k < w->nissued; k++)
		if (w->issued[k] == id)
			return true;
	return false;
}

static int check_invariants(struct prop *p, struct world *w)
{
	uint32_t used = 0, retired = 0;
	for (uint32_t i = 0; i < CAP; i++) {
		used += w->m[i].used;
		retired += w->m[i].gen == 0;
	}
	PROP_CHECK(p, w->t.count == used, "count %u, model %u", w->t.count, used);
	PROP_CHECK(p, w->t.retired == retired, "retired %u, model %u", w->t.retired, retired);
	PROP_CHECK(p, cap_table_free_slots(&w->t) == CAP - used - retired, "free slots %u, model %u",
	           cap_table_free_slots(&w->t), CAP - used - retired);
	/* Iteration yields exactly the used slots (reserved ones too), in order. */
	uint32_t cursor = 0, id, seen = 0;
	struct cap_entry *e;
	while (cap_table_next(&w->t, &cursor, &id, &e)) {
		int i = model_slot_of(w, id);
		PROP_CHECK(p, i >= 0, "next yielded id %#x the model does not hold", id);
		PROP_CHECK(p, (uintptr_t)e->object == w->m[i].object, "next: id %#x has the wrong object",
		           id);
		seen++;
	}
	PROP_CHECK(p, seen == used, "next yielded %u entries, model holds %u", seen, used);
	return 0;
}

static int run(struct prop *p)
{
	static struct world w;
	memset(&w, 0, sizeof w);
	cap_table_init(&w.t, w.slots, CAP);
	for (uint32_t i = 0; i < CAP; i++) {
		w.m[i].gen = 1;
		/* Some slots start a few removals short of retirement. */
		if (prop_one_in(p, 3)) {
			w.m[i].gen = CAP_ID_GEN_MAX - (uint32_t)prop_draw(p, 0, 2);
			w.slots[i].generation = w.m[i].gen;
			prop_note(p, "slot %u starts at generation %#x", i, w.m[i].gen);
		}
	}
	uint64_t nops = prop_draw(p, 1, MAX_OPS);
	for (uint64_t op = 0; op < nops; op++) {
		uint32_t id = 0;
		int err, mi;
		struct cap_entry *e = 0, out;
		switch (prop_draw(p, 0, 5)) {
		case 0: { /* insert */
			uint32_t o = (uint32_t)prop_draw(p, 0, 63);
			struct cap_entry ne = {.object = &objs[o], .interface_id = o, .badge = op};
			err = cap_table_insert(&w.t, &ne, &id);
			prop_note(p, "insert obj %u -> err %d id %#x", o, err, id);
			int want = -1;
			for (uint32_t i = 0; i < CAP && want < 0; i++)
				if (!w.m[i].used && w.m[i].gen != 0)
					want = (int)i;
			if (want < 0) {
				PROP_CHECK(p, err == CAPOS_ERR_NO_RESOURCES, "insert into a full table: err %d",
				           err);
				break;
			}
			PROP_CHECK(p, err == CAPOS_OK, "insert with slot %d free: err %d", want, err);
			PROP_CHECK(p, id == cap_id_make((uint32_t)want, w.m[want].gen),
			           "insert gave id %#x, model wants slot %d generation %#x", id, want,
			           w.m[want].gen);
			PROP_CHECK(p, id != CAP_ID_INVALID, "insert gave id 0");
			PROP_CHECK(p, !was_issued_before(&w, id), "id %#x issued a second time", id);
			if (w.nissued < MAX_IDS)
				w.issued[w.nissued++] = id;
			w.m[want].used = true;
			w.m[want].object = (uintptr_t)&objs[o];
			break;
		}
		case 1: /* lookup */
			id = pick_id(p, &w);
			err = cap_table_lookup(&w.t, id, &e);
			mi = model_slot_of(&w, id);
			prop_note(p, "lookup %#x -> err %d", id, err);
			if (mi < 0 || w.m[mi].reserved) {
				PROP_CHECK(p, err == CAPOS_ERR_BAD_CAP, "lookup of dead/reserved %#x: err %d",
				           id, err);
			} else {
				PROP_CHECK(p, err == CAPOS_OK, "lookup of live %#x: err %d", id, err);
				PROP_CHECK(p, (uintptr_t)e->object == w.m[mi].object,
				           "lookup %#x: wrong object", id);
			}
			break;
		case 2: /* remove */
			id = pick_id(p, &w);
			err = cap_table_remove(&w.t, id, &out);
			mi = model_slot_of(&w, id);
			prop_note(p, "remove %#x -> err %d", id, err);
			if (mi < 0 || w.m[mi].reserved) {
				PROP_CHECK(p, err == CAPOS_ERR_BAD_CAP, "remove of dead/reserved %#x: err %d",
				           id, err);
			} else {
				PROP_CHECK(p, err == CAPOS_OK, "remove of live %#x: err %d", id, err);
				PROP_CHECK(p, (uintptr_t)out.object == w.m[mi].object,
				           "remove %#x handed back the wrong entry", id);
				model_clear(&w, (uint32_t)mi);
			}
			break;
		case 3: /* reserve */
			id = pick_id(p, &w);
			err = cap_table_reserve(&w.t, id, &e);
			mi = model_slot_of(&w, id);
			prop_note(p, "reserve %#x -> err %d", id, err);
			if (mi < 0)
				PROP_CHECK(p, err == CAPOS_ERR_BAD_CAP, "reserve of dead %#x: err %d", id, err);
			else if (w.m[mi].reserved)
				PROP_CHECK(p, err == CAPOS_ERR_BAD_TRANSFER, "second reserve of %#x: err %d",
				           id, err);
			else {
				PROP_CHECK(p, err == CAPOS_OK, "reserve of live %#x: err %d", id, err);
				w.m[mi].reserved = true;
			}
			break;
		case 4: /* unreserve */
			id = pick_id(p, &w);
			err = cap_table_unreserve(&w.t, id);
			mi = model_slot_of(&w, id);
			prop_note(p, "unreserve %#x -> err %d", id, err);
			if (mi < 0 || !w.m[mi].reserved) {
				PROP_CHECK(p, err == CAPOS_ERR_BAD_CAP, "unreserve of unreserved %#x: err %d",
				           id, err);
			} else {
				PROP_CHECK(p, err == CAPOS_OK, "unreserve of reserved %#x: err %d", id, err);
				w.m[mi].reserved = false;
			}
			break;
		default: /* take_reserved */
			id = pick_id(p, &w);
			err = cap_table_take_reserved(&w.t, id, &out);
			mi = model_slot_of(&w, id);
			prop_note(p, "take_reserved %#x -> err %d", id, err);
			if (mi < 0 || !w.m[mi].reserved) {
				PROP_CHECK(p, err == CAPOS_ERR_BAD_CAP, "take of unreserved %#x: err %d", id,
				           err);
			} else {
				PROP_CHECK(p, err == CAPOS_OK, "take of reserved %#x: err %d", id, err);
				PROP_CHECK(p, (uintptr_t)out.object == w.m[mi].object,
				           "take %#x handed back the wrong entry", id);
				model_clear(&w, (uint32_t)mi);
			}
			break;
		}
		if (check_invariants(p, &w))
			return 1;
	}
	/* A removed id never resolves again. */
	for (uint32_t k = 0; k < w.nissued; k++) {
		uint32_t iid = w.issued[k];
		struct cap_entry *e;
		if (model_slot_of(&w, iid) < 0)
			PROP_CHECK(p, cap_table_lookup(&w.t, iid, &e) == CAPOS_ERR_BAD_CAP,
			           "stale id %#x resolves", iid);
	}
	return 0;
}

const struct prop_def prop_cap_table = {"cap_table", "lib/cap_table.c vs a slot model", run};
