/*
 * lib/transfer.c against a reference model: random prepare / commit /
 * abort of up to two plans at once between a sender and a receiver table,
 * with copies, moves, stale and made-up ids, repeated slots, bad modes and
 * badges, untransferable objects and a receiver that fills up, mixed with
 * inserts and removals in both tables.
 *
 * Properties: every call returns what transfer.h specifies (the first bad
 * descriptor's error); a failed prepare or commit changes nothing; no
 * capability is duplicated or lost by a move; every object's reference
 * count equals the table slots holding it plus the copies held by prepared
 * plans (so abort gives back exactly what prepare took).
 */
#include <capos/abi.h>
#include <string.h>

#include "cap_table.h"
#include "prop.h"
#include "transfer.h"
#include "../host/cap_table_pool.h"

#define SRC_CAP        8u
#define DST_CAP        5u
#define NOBJ           6u
#define UNTRANSFERABLE 5u /* object 5 may not leave its table */
#define MAX_OPS        60u
#define NPLANS         2u

struct world {
	struct cap_slot *src_slots, *dst_slots;
	struct cap_table src, dst;
	int64_t refs[NOBJ];
	struct xfer_plan plan[NPLANS];
	/* Model of the sender: what each plan holds. */
	struct {
		bool prepared;
		uint32_t count;
		struct capos_xfer_desc d[CAPOS_XFER_MAX + 2];
	} mp[NPLANS];
	uint32_t seen_ids[64];
	uint32_t nseen;
};

static struct world w;
static uint8_t objects[NOBJ]; /* entry.object = &objects[o] */

static uint32_t obj_of(const struct cap_entry *e) { return (uint32_t)((uint8_t *)e->object - objects); }

static bool transferable(const struct cap_entry *e) { return obj_of(e) != UNTRANSFERABLE; }
static void retain(const struct cap_entry *e) { w.refs[obj_of(e)]++; }
static void drop(const struct cap_entry *e) { w.refs[obj_of(e)]--; }
static const struct xfer_ops ops = {transferable, retain, drop};

static void remember(uint32_t id)
{
	if (w.nseen < 64)
		w.seen_ids[w.nseen++] = id;
}

static uint32_t pick_src_id(struct prop *p)
{
	switch (prop_draw(p, 0, 2)) {
	case 0: {
		/* the i-th used slot, reserved or not */
		uint32_t k = (uint32_t)prop_draw(p, 0, SRC_CAP - 1);
		for (uint32_t i = 0; i < SRC_CAP; i++) {
			uint32_t s = (i + k) % SRC_CAP;
			if (w.src_slots[s].used)
				return cap_id_make(s, w.src_slots[s].generation);
		}
		return 0;
	}
	case 1:
		return w.nseen ? w.seen_ids[prop_draw(p, 0, w.nseen - 1)] : 0;
	default:
		return (uint32_t)prop_draw(p, 0, 0xfff);
	}
}

/* References the model expects for object o. */
static int64_t expected_refs(uint32_t o)
{
	int64_t n = 0;
	for (uint32_t i = 0; i < SRC_CAP; i++)
		n += w.src_slots[i].used && obj_of(&w.src_slots[i].entry) == o;
	for (uint32_t i = 0; i < DST_CAP; i++)
		n += w.dst_slots[i].used && obj_of(&w.dst_slots[i].entry) == o;
	for (uint32_t k = 0; k < NPLANS; k++)
		for (uint32_t i = 0; w.plan[k].prepared && i < w.plan[k].count; i++)
			n += w.plan[k].item[i].mode == CAPOS_XFER_COPY && obj_of(&w.plan[k].item[i].entry) == o;
	return n;
}

static int check_refs(struct prop *p)
{
	for (uint32_t o = 0; o < NOBJ; o++)
		PROP_CHECK(p, w.refs[o] == expected_refs(o),
		           "object %u has %lld references; slots and prepared copies hold %lld", o,
		           (long long)w.refs[o], (long long)expected_refs(o));
	/* Reserved sender slots are exactly the moves of prepared plans. */
	for (uint32_t s = 0; s < SRC_CAP; s++) {
		uint32_t movers = 0;
		for (uint32_t k = 0; k < NPLANS; k++)
			for (uint32_t i = 0; w.plan[k].prepared && i < w.plan[k].count; i++)
				movers += w.plan[k].item[i].mode == CAPOS_XFER_MOVE &&
				          cap_id_index(w.plan[k].item[i].src_id) == s;
		bool reserved = w.src_slots[s].used && w.src_slots[s].reserved;
		PROP_CHECK(p, movers == (reserved ? 1u : 0u),
		           "sender slot %u: reserved %d but %u prepared moves name it", s, reserved, movers);
	}
	return 0;
}

/* The error transfer.h specifies for these descriptors on the sender now. */
static int expected_prepare(const struct capos_xfer_desc *d, uint32_t count)
{
	if (count > CAPOS_XFER_MAX)
		return CAPOS_ERR_BAD_TRANSFER;
	for (uint32_t i = 0; i < count; i++) {
		bool conflict = false;
		for (uint32_t j = 0; j < i; j++)
			conflict |= d[j].cap_id == d[i].cap_id &&
			            (d[j].mode == CAPOS_XFER_MOVE || d[i].mode == CAPOS_XFER_MOVE);
		struct cap_entry *e;
		if ((d[i].mode != CAPOS_XFER_COPY && d[i].mode != CAPOS_XFER_MOVE) || d[i].badge ||
		    conflict || cap_table_lookup(&w.src, d[i].cap_id, &e) != CAPOS_OK)
			return CAPOS_ERR_BAD_TRANSFER;
		if (obj_of(e) == UNTRANSFERABLE)
			return CAPOS_ERR_NOT_PERMITTED;
	}
	return CAPOS_OK;
}

static int run(struct prop *p)
{
	memset(&w, 0, sizeof w);
	ct_pool_reset();
	w.src_slots = ct_table(&w.src, SRC_CAP);
	w.dst_slots = ct_table(&w.dst, DST_CAP);
	uint64_t nops = prop_draw(p, 1, MAX_OPS);
	for (uint64_t op = 0; op < nops; op++) {
		uint32_t k = (uint32_t)prop_draw(p, 0, NPLANS - 1), id;
		int err;
		switch (prop_draw(p, 0, 5)) {
		case 0: { /* the sender gets a capability */
			uint32_t o = (uint32_t)prop_draw(p, 0, NOBJ - 1);
			struct cap_entry e = {.object = &objects[o], .interface_id = 100 + o};
			err = cap_table_insert(&w.src, &e, &id);
			prop_note(p, "src insert obj %u -> err %d id %#x", o, err, id);
			if (err == CAPOS_OK) {
				w.refs[o]++;
				remember(id);
			}
			break;
		}
		case 1: { /* one side releases a capability */
			bool dst = prop_bool(p);
			struct cap_table *t = dst ? &w.dst : &w.src;
			id = dst ? cap_id_make((uint32_t)prop_draw(p, 0, DST_CAP - 1), 1 + (uint32_t)prop_draw(p, 0, 3))
			         : pick_src_id(p);
			struct cap_entry out;
			err = cap_table_remove(t, id, &out);
			prop_note(p, "%s remove %#x -> err %d", dst ? "dst" : "src", id, err);
			if (err == CAPOS_OK)
				w.refs[obj_of(&out)]--;
			break;
		}
		case 2:
		case 3: { /* prepare */
			if (w.plan[k].prepared)
				break;
			uint32_t count = (uint32_t)prop_draw(p, 0, CAPOS_XFER_MAX + 1);
			struct capos_xfer_desc d[CAPOS_XFER_MAX + 2];
			for (uint32_t i = 0; i < count; i++) {
				d[i].cap_id = pick_src_id(p);
				d[i].mode = prop_one_in(p, 12) ? 2u : (uint32_t)prop_draw(p, 0, 1);
				d[i].badge = prop_one_in(p, 12) ? 7u : 0u;
			}
			int want = expected_prepare(d, count);
			int64_t before[NOBJ];
			memcpy(before, w.refs, sizeof before);
			struct cap_slot src_before[SRC_CAP];
			memcpy(src_before, w.src_slots, sizeof src_before);
			err = xfer_prepare(&w.src, d, count, &ops, &w.plan[k]);
			prop_note(p, "plan %u prepare %u descriptors -> err %d (want %d)", k, count, err, want);
			/* clang-format off */
			for (uint32_t i = 0; i < count; i++)
				prop_note(p, "      %s %#x%s", d[i].mode == CAPOS_XFER_MOVE ? "move" : d[i].mode ? "mode 2" : "copy",
				          d[i].cap_id, d[i].badge ? " badge 7" : "");
			/* clang-format on */
			PROP_CHECK(p, err == want, "prepare returned %d, transfer.h says %d", err, want);
			if (err != CAPOS_OK) {
				PROP_CHECK(p, !memcmp(before, w.refs, sizeof before),
				           "a failed prepare changed reference counts");
				PROP_CHECK(p, !memcmp(src_before, w.src_slots, sizeof src_before),
				           "a failed prepare changed the sender's table");
				PROP_CHECK(p, !w.plan[k].prepared, "a failed prepare left the plan prepared");
			}
			break;
		}
		case 4: { /* commit */
			struct capos_cap_record rec[CAPOS_XFER_MAX];
			bool was = w.plan[k].prepared;
			uint32_t count = w.plan[k].count;
			uint32_t room = cap_table_free_slots(&w.dst), dst_count = cap_table_count(&w.dst);
			uint32_t src_count = cap_table_count(&w.src), moves = 0;
			for (uint32_t i = 0; was && i < count; i++)
				moves += w.plan[k].item[i].mode == CAPOS_XFER_MOVE;
			err = xfer_commit(&w.src, &w.dst, &w.plan[k], rec);
			prop_note(p, "plan %u commit (%s, %u items, receiver room %u) -> err %d", k,
			          was ? "prepared" : "not prepared", count, room, err);
			if (!was) {
				PROP_CHECK(p, err == CAPOS_ERR_BAD_TRANSFER, "commit of an unprepared plan: %d",
				           err);
			} else if (room < count) {
				PROP_CHECK(p, err == CAPOS_ERR_NO_RESOURCES, "commit into a full table: %d", err);
				PROP_CHECK(p, w.plan[k].prepared, "a refused commit unprepared the plan");
				PROP_CHECK(p, cap_table_count(&w.dst) == dst_count, "a refused commit changed the receiver");
			} else {
				PROP_CHECK(p, err == CAPOS_OK, "commit with room: %d", err);
				PROP_CHECK(p, !w.plan[k].prepared, "a commit left the plan prepared");
				PROP_CHECK(p, cap_table_count(&w.dst) == dst_count + count,
				           "receiver holds %u, want %u", cap_table_count(&w.dst), dst_count + count);
				PROP_CHECK(p, cap_table_count(&w.src) == src_count - moves,
				           "sender holds %u, want %u (%u moved)", cap_table_count(&w.src),
				           src_count - moves, moves);
				for (uint32_t i = 0; i < count; i++) {
					struct cap_entry *e;
					PROP_CHECK(p, cap_table_lookup(&w.dst, rec[i].cap_id, &e) == CAPOS_OK,
					           "record %u names %#x, not in the receiver", i, rec[i].cap_id);
					/* clang-format off */
					PROP_CHECK(p, e->object == w.plan[k].item[i].entry.object &&
					                  rec[i].interface_id == e->interface_id,
					           "record %u: wrong object or interface", i);
					if (w.plan[k].item[i].mode == CAPOS_XFER_MOVE)
						PROP_CHECK(p, cap_table_lookup(&w.src, w.plan[k].item[i].src_id, &e) ==
						                  CAPOS_ERR_BAD_CAP,
						           "moved %#x still resolves in the sender", w.plan[k].item[i].src_id);
					/* clang-format on */
				}
			}
			break;
		}
		default: /* abort (a second abort does nothing) */
			prop_note(p, "plan %u abort (%s)", k, w.plan[k].prepared ? "prepared" : "not prepared");
			xfer_abort(&w.src, &w.plan[k], &ops);
			PROP_CHECK(p, !w.plan[k].prepared, "abort left the plan prepared");
			break;
		}
		if (check_refs(p))
			return 1;
	}
	/* Teardown: abort what is pending, then every reference comes back. */
	for (uint32_t k = 0; k < NPLANS; k++)
		xfer_abort(&w.src, &w.plan[k], &ops);
	if (check_refs(p))
		return 1;
	for (uint32_t i = 0; i < SRC_CAP; i++)
		PROP_CHECK(p, !w.src_slots[i].reserved, "sender slot %u still reserved after every abort", i);
	return 0;
}

const struct prop_def prop_transfer = {"transfer", "lib/transfer.c vs a reference-count model", run};
