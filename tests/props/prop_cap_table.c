/*
 * lib/cap_table.c against a reference model: random insert, ensure,
 * lookup, remove, reserve, unreserve, take_reserved and iteration, with
 * live, stale, reserved and made-up ids (in chunks never allocated, freed,
 * or past the id space), on a table whose quota is drawn per case and that
 * grows and shrinks a chunk at a time.  Allocations fail when the case
 * says so; some chunks start a few removals short of retirement.
 *
 * Model: per slot {used, reserved, generation, object}, per chunk
 * {allocated, first generation}.  An insert takes the lowest free slot of
 * an allocated chunk, else allocates the lowest unallocated chunk; a
 * remove that empties a chunk other than 0 frees it, remembering the
 * highest generation its slots reached.  Checked besides the model: no id
 * is ever issued twice, an id once removed never resolves again (after
 * growth and shrinking too), every pool block is the directory or an
 * allocated chunk, and destroy returns them all.
 */
#include <capos/abi.h>
#include <string.h>

#include "cap_table.h"
#include "prop.h"
#include "../host/cap_table_pool.h"

#define MAX_OPS   600u
#define MAX_IDS   1024u
#define CHUNK     CAP_TABLE_CHUNK_SLOTS
#define MCHUNKS   8u /* the model covers these chunks: 512 slots */
#define MSLOTS    (MCHUNKS * CHUNK)
#define MAX_LIMIT 400u

struct model_slot {
	bool used, reserved;
	uint32_t gen; /* 0 = retired */
	uintptr_t object;
};

struct world {
	struct cap_table t;
	uint32_t limit;
	struct model_slot m[MSLOTS];
	bool allocated[MCHUNKS];
	uint32_t first_gen[MCHUNKS];
	uint32_t count, retired, refused_quota, refused_memory;
	uint32_t issued[MAX_IDS]; /* every id ever handed out */
	uint32_t nissued;
};

static int objs[64]; /* entries point here: distinct, non-NULL */

static uint32_t pick_id(struct prop *p, struct world *w)
{
	if (w->count != 0 && prop_bool(p)) { /* a live slot, any of them */
		uint32_t k = (uint32_t)prop_draw(p, 0, w->count - 1);
		for (uint32_t i = 0; i < MSLOTS; i++)
			if (w->m[i].used && k-- == 0)
				return cap_id_make(i, w->m[i].gen);
	}
	switch (prop_draw(p, 0, 4)) {
	case 0: /* a slot's current id (maybe free, retired or unallocated: then stale) */ {
		uint32_t i = (uint32_t)prop_draw(p, 0, MSLOTS - 1);
		return cap_id_make(i, w->m[i].gen ? w->m[i].gen : 1);
	}
	case 1: /* any id ever issued (often stale) */
		if (w->nissued)
			return w->issued[prop_draw(p, 0, w->nissued - 1)];
		return 0;
	case 2: /* made up: anything, past the model, generation 0 */
		return (uint32_t)prop_draw(p, 0, UINT32_MAX);
	case 3: /* an index beyond the allocated chunks, a plausible generation */
		return cap_id_make((uint32_t)prop_draw(p, MSLOTS, CAP_TABLE_MAX_SLOTS - 1),
		                   (uint32_t)prop_draw(p, 1, 3));
	default: /* the lowest live slot */
		for (uint32_t i = 0; i < MSLOTS; i++)
			if (w->m[i].used)
				return cap_id_make(i, w->m[i].gen);
		return cap_id_make(0, 1);
	}
}

/* The model's slot for id, or -1 if id names no used slot. */
static int model_slot_of(const struct world *w, uint32_t id)
{
	uint32_t i = cap_id_index(id), g = cap_id_generation(id);
	if (i >= MSLOTS || g == 0 || !w->allocated[i / CHUNK] || !w->m[i].used || w->m[i].gen != g)
		return -1;
	return (int)i;
}

static uint32_t chunk_avail(const struct world *w, uint32_t c)
{
	uint32_t n = 0;
	for (uint32_t i = c * CHUNK; w->allocated[c] && i < (c + 1) * CHUNK; i++)
		n += !w->m[i].used && w->m[i].gen != 0;
	return n;
}

static uint32_t model_free_slots(const struct world *w)
{
	uint32_t quota = w->count < w->limit ? w->limit - w->count : 0;
	uint32_t ids = CAP_TABLE_MAX_SLOTS - w->count - w->retired;
	return quota < ids ? quota : ids;
}

/* Allocates the lowest unallocated chunk: its index, -2 out of memory. */
static int model_chunk_add(struct world *w, bool fail)
{
	uint32_t c = 0;
	while (w->allocated[c])
		c++; /* the model never fills MCHUNKS: MAX_LIMIT < MSLOTS - retirements */
	if (fail) {
		w->refused_memory++;
		return -2;
	}
	w->allocated[c] = true;
	for (uint32_t i = c * CHUNK; i < (c + 1) * CHUNK; i++)
		w->m[i] = (struct model_slot){.gen = w->first_gen[c]};
	return (int)c;
}

static void model_clear(struct world *w, uint32_t i)
{
	w->m[i].used = w->m[i].reserved = false;
	w->m[i].object = 0;
	w->count--;
	if (w->m[i].gen >= CAP_ID_GEN_MAX) {
		w->m[i].gen = 0;
		w->retired++;
		return;
	}
	w->m[i].gen++;
	uint32_t c = i / CHUNK;
	if (c != 0 && chunk_avail(w, c) == CHUNK) {
		uint32_t top = w->first_gen[c];
		for (uint32_t k = c * CHUNK; k < (c + 1) * CHUNK; k++)
			top = w->m[k].gen > top ? w->m[k].gen : top;
		w->first_gen[c] = top;
		w->allocated[c] = false;
	}
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
	uint32_t chunks = 0;
	for (uint32_t c = 0; c < MCHUNKS; c++) {
		chunks += w->allocated[c];
		PROP_CHECK(p, (w->t.dir->chunk[c] != 0) == w->allocated[c], "chunk %u allocated %d, model %d",
		           c, w->t.dir->chunk[c] != 0, w->allocated[c]);
		PROP_CHECK(p, w->t.dir->avail[c] == chunk_avail(w, c), "chunk %u avail %u, model %u", c,
		           w->t.dir->avail[c], chunk_avail(w, c));
	}
	PROP_CHECK(p, w->t.chunks == chunks, "chunks %u, model %u", w->t.chunks, chunks);
	PROP_CHECK(p, ct_pool_live == chunks + 1, "%u pool blocks live, want %u chunks + directory",
	           ct_pool_live, chunks);
	PROP_CHECK(p, w->t.count == w->count, "count %u, model %u", w->t.count, w->count);
	PROP_CHECK(p, w->t.retired == w->retired, "retired %u, model %u", w->t.retired, w->retired);
	PROP_CHECK(p, cap_table_free_slots(&w->t) == model_free_slots(w), "free slots %u, model %u",
	           cap_table_free_slots(&w->t), model_free_slots(w));
	PROP_CHECK(p, w->t.refused_memory == w->refused_memory, "refused for memory %u, model %u",
	           w->t.refused_memory, w->refused_memory);
	PROP_CHECK(p, w->t.refused_quota == w->refused_quota, "refused for quota %u, model %u",
	           w->t.refused_quota, w->refused_quota);
	/* Iteration yields exactly the used slots (reserved ones too), in order. */
	uint32_t cursor = 0, id, seen = 0, last = 0;
	struct cap_entry *e;
	while (cap_table_next(&w->t, &cursor, &id, &e)) {
		int i = model_slot_of(w, id);
		PROP_CHECK(p, i >= 0, "next yielded id %#x the model does not hold", id);
		PROP_CHECK(p, seen == 0 || cap_id_index(id) > last, "next went backwards at %#x", id);
		PROP_CHECK(p, (uintptr_t)e->object == w->m[i].object, "next: id %#x has the wrong object",
		           id);
		last = cap_id_index(id);
		seen++;
	}
	PROP_CHECK(p, seen == w->count, "next yielded %u entries, model holds %u", seen, w->count);
	return 0;
}

static int do_insert(struct prop *p, struct world *w, uint64_t op, bool fail)
{
	uint32_t o = (uint32_t)prop_draw(p, 0, 63), id = 0;
	struct cap_entry ne = {.object = &objs[o], .interface_id = o, .badge = op};
	int err = cap_table_insert(&w->t, &ne, &id);
	prop_note(p, "insert obj %u%s -> err %d id %#x", o, fail ? " (alloc fails)" : "", err, id);
	if (model_free_slots(w) == 0) {
		w->refused_quota++;
		PROP_CHECK(p, err == CAPOS_ERR_NO_RESOURCES, "insert over quota: err %d", err);
		return 0;
	}
	int want = -1;
	for (uint32_t c = 0; c < MCHUNKS && want < 0; c++)
		for (uint32_t i = c * CHUNK; w->allocated[c] && i < (c + 1) * CHUNK && want < 0; i++)
			if (!w->m[i].used && w->m[i].gen != 0)
				want = (int)i;
	if (want < 0) {
		int c = model_chunk_add(w, fail);
		if (c < 0) {
			PROP_CHECK(p, err == CAPOS_ERR_NO_RESOURCES, "insert without memory: err %d", err);
			return 0;
		}
		want = c * (int)CHUNK;
	}
	PROP_CHECK(p, err == CAPOS_OK, "insert with slot %d free: err %d", want, err);
	PROP_CHECK(p, id == cap_id_make((uint32_t)want, w->m[want].gen),
	           "insert gave id %#x, model wants slot %d generation %#x", id, want, w->m[want].gen);
	PROP_CHECK(p, id != CAP_ID_INVALID, "insert gave id 0");
	PROP_CHECK(p, !was_issued_before(w, id), "id %#x issued a second time", id);
	if (w->nissued < MAX_IDS)
		w->issued[w->nissued++] = id;
	w->m[want].used = true;
	w->m[want].object = (uintptr_t)&objs[o];
	w->count++;
	return 0;
}

static int do_ensure(struct prop *p, struct world *w, bool fail)
{
	uint32_t n = (uint32_t)prop_draw(p, 0, 150);
	int err = cap_table_ensure(&w->t, n);
	prop_note(p, "ensure %u%s -> err %d", n, fail ? " (alloc fails)" : "", err);
	if (n > model_free_slots(w)) {
		w->refused_quota++;
		PROP_CHECK(p, err == CAPOS_ERR_NO_RESOURCES, "ensure over quota: err %d", err);
		return 0;
	}
	uint32_t have = 0;
	for (uint32_t c = 0; c < MCHUNKS; c++)
		have += chunk_avail(w, c);
	for (; have < n; have += CHUNK) {
		if (model_chunk_add(w, fail) < 0) {
			PROP_CHECK(p, err == CAPOS_ERR_NO_RESOURCES, "ensure without memory: err %d", err);
			return 0;
		}
	}
	PROP_CHECK(p, err == CAPOS_OK, "ensure %u with room: err %d", n, err);
	return 0;
}

/* lookup, remove, reserve, unreserve, take_reserved on a picked id. */
static int do_id_op(struct prop *p, struct world *w, unsigned which)
{
	uint32_t id = pick_id(p, w);
	int mi = model_slot_of(w, id), err;
	bool live = mi >= 0, reserved = live && w->m[mi].reserved;
	struct cap_entry *e = 0, out;
	switch (which) {
	case 0:
		err = cap_table_lookup(&w->t, id, &e);
		prop_note(p, "lookup %#x -> err %d", id, err);
		PROP_CHECK(p, err == (live && !reserved ? CAPOS_OK : CAPOS_ERR_BAD_CAP),
		           "lookup %#x: err %d", id, err);
		if (!err)
			PROP_CHECK(p, (uintptr_t)e->object == w->m[mi].object, "lookup %#x: wrong object", id);
		return 0;
	case 1:
		err = cap_table_remove(&w->t, id, &out);
		prop_note(p, "remove %#x -> err %d", id, err);
		PROP_CHECK(p, err == (live && !reserved ? CAPOS_OK : CAPOS_ERR_BAD_CAP),
		           "remove %#x: err %d", id, err);
		break;
	case 2:
		err = cap_table_reserve(&w->t, id, &e);
		prop_note(p, "reserve %#x -> err %d", id, err);
		PROP_CHECK(p,
		           err == (!live      ? CAPOS_ERR_BAD_CAP
		                   : reserved ? CAPOS_ERR_BAD_TRANSFER
		                              : CAPOS_OK),
		           "reserve %#x: err %d", id, err);
		if (!err)
			w->m[mi].reserved = true;
		return 0;
	case 3:
		err = cap_table_unreserve(&w->t, id);
		prop_note(p, "unreserve %#x -> err %d", id, err);
		PROP_CHECK(p, err == (reserved ? CAPOS_OK : CAPOS_ERR_BAD_CAP), "unreserve %#x: err %d",
		           id, err);
		if (!err)
			w->m[mi].reserved = false;
		return 0;
	default:
		err = cap_table_take_reserved(&w->t, id, &out);
		prop_note(p, "take_reserved %#x -> err %d", id, err);
		PROP_CHECK(p, err == (reserved ? CAPOS_OK : CAPOS_ERR_BAD_CAP),
		           "take_reserved %#x: err %d", id, err);
		break;
	}
	if (err == CAPOS_OK) { /* remove or take: the entry comes back, the slot clears */
		PROP_CHECK(p, (uintptr_t)out.object == w->m[mi].object,
		           "%#x handed back the wrong entry", id);
		model_clear(w, (uint32_t)mi);
	}
	return 0;
}

static int run(struct prop *p)
{
	static struct world w;
	memset(&w, 0, sizeof w);
	ct_pool_reset();
	w.limit = (uint32_t)prop_draw(p, 1, MAX_LIMIT);
	PROP_CHECK(p, cap_table_init(&w.t, &ct_pool_ops, 0, w.limit) == CAPOS_OK, "init failed");
	for (uint32_t c = 0; c < MCHUNKS; c++) {
		w.first_gen[c] = 1;
		/* Some chunks start a few removals short of retirement. */
		if (prop_one_in(p, 3)) {
			w.first_gen[c] = CAP_ID_GEN_MAX - (uint32_t)prop_draw(p, 0, 2);
			w.t.dir->first_gen[c] = w.first_gen[c];
			prop_note(p, "chunk %u starts at generation %#x", c, w.first_gen[c]);
		}
	}
	prop_note(p, "quota %u", w.limit);
	/* Phases lean on inserting (growth) or on removing (shrinking). */
	uint64_t nops = prop_draw(p, 1, MAX_OPS);
	unsigned lean = 0;
	for (uint64_t op = 0; op < nops; op++) {
		if (op % 100 == 0)
			lean = (unsigned)prop_draw(p, 0, 2);
		bool fail = prop_one_in(p, 10);
		ct_pool_fail_after = fail ? 1 : 0;
		unsigned kind = (unsigned)prop_draw(p, 0, 7);
		if (lean == 1 && prop_draw(p, 0, 9) < 8)
			kind = 0; /* mostly inserts */
		if (lean == 2 && prop_draw(p, 0, 9) < 8)
			kind = 3; /* mostly removes */
		int r = kind == 0   ? do_insert(p, &w, op, fail)
		        : kind == 1 ? do_ensure(p, &w, fail)
		                    : do_id_op(p, &w, kind - 2);
		ct_pool_fail_after = 0;
		if (r || check_invariants(p, &w))
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
	PROP_CHECK(p, cap_table_destroy(&w.t) == w.count, "destroy counted the wrong entries");
	PROP_CHECK(p, ct_pool_live == 0, "%u pool blocks live after destroy", ct_pool_live);
	return 0;
}

const struct prop_def prop_cap_table = {"cap_table", "lib/cap_table.c (growing) vs a slot model",
                                        run};
