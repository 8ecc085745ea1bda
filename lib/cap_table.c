/* Capability table: see cap_table.h for the id layout, storage and rules. */
#include "cap_table.h"

#include <capos/abi.h>

#define CHUNK_BYTES (sizeof(struct cap_slot) * CAP_TABLE_CHUNK_SLOTS)

/* The kernel backs each with one frame. */
_Static_assert(sizeof(struct cap_table_dir) <= 4096, "directory fits a frame");
_Static_assert(CHUNK_BYTES <= 4096, "chunk fits a frame");
_Static_assert(CAP_TABLE_CHUNK_SLOTS <= 255, "avail counts fit uint8_t");

int cap_table_init(struct cap_table *t, const struct cap_table_ops *ops, void *ctx,
                   uint32_t limit)
{
	*t = (struct cap_table){.ops = ops, .ctx = ctx};
	t->limit = limit < CAP_TABLE_MAX_SLOTS ? limit : CAP_TABLE_MAX_SLOTS;
	struct cap_table_dir *d = ops->alloc(ctx, sizeof(*d));
	if (d == 0)
		return CAPOS_ERR_NO_RESOURCES;
	for (uint32_t c = 0; c < CAP_TABLE_CHUNKS; c++) {
		d->chunk[c] = 0;
		d->first_gen[c] = 1;
		d->avail[c] = 0;
	}
	t->dir = d;
	return CAPOS_OK;
}

static void chunk_free(struct cap_table *t, uint32_t c)
{
	struct cap_table_dir *d = t->dir;
	uint32_t top = d->first_gen[c];
	for (uint32_t i = 0; i < CAP_TABLE_CHUNK_SLOTS; i++)
		if (d->chunk[c][i].generation > top)
			top = d->chunk[c][i].generation;
	/* The next occupant of every slot starts above every id issued here. */
	d->first_gen[c] = top;
	t->ops->free(t->ctx, d->chunk[c], CHUNK_BYTES);
	d->chunk[c] = 0;
	d->avail[c] = 0;
	t->chunks--;
}

uint32_t cap_table_destroy(struct cap_table *t)
{
	uint32_t left = t->count;
	if (t->dir == 0)
		return left;
	for (uint32_t c = 0; c < CAP_TABLE_CHUNKS; c++)
		if (t->dir->chunk[c] != 0)
			chunk_free(t, c);
	t->ops->free(t->ctx, t->dir, sizeof(*t->dir));
	t->dir = 0;
	t->count = 0;
	t->retired = 0;
	return left;
}

/* Allocates the lowest unallocated chunk; its index, or -1. */
static int chunk_add(struct cap_table *t)
{
	struct cap_table_dir *d = t->dir;
	uint32_t c = 0;
	while (c < CAP_TABLE_CHUNKS && d->chunk[c] != 0)
		c++;
	if (c == CAP_TABLE_CHUNKS)
		return -1;
	struct cap_slot *s = t->ops->alloc(t->ctx, CHUNK_BYTES);
	if (s == 0) {
		t->refused_memory++;
		return -2;
	}
	for (uint32_t i = 0; i < CAP_TABLE_CHUNK_SLOTS; i++)
		s[i] = (struct cap_slot){.generation = d->first_gen[c]};
	d->chunk[c] = s;
	d->avail[c] = CAP_TABLE_CHUNK_SLOTS;
	t->chunks++;
	if (t->chunks > t->chunks_peak)
		t->chunks_peak = t->chunks;
	return (int)c;
}

/* Free slots in allocated chunks. */
static uint32_t allocated_avail(const struct cap_table *t)
{
	uint32_t n = 0;
	for (uint32_t c = 0; c < CAP_TABLE_CHUNKS; c++)
		n += t->dir->avail[c];
	return n;
}

int cap_table_ensure(struct cap_table *t, uint32_t n)
{
	if (t->dir == 0)
		return CAPOS_ERR_NO_RESOURCES;
	if (n > cap_table_free_slots(t)) {
		t->refused_quota++;
		return CAPOS_ERR_NO_RESOURCES;
	}
	for (uint32_t have = allocated_avail(t); have < n; have += CAP_TABLE_CHUNK_SLOTS) {
		int c = chunk_add(t);
		if (c == -1)
			t->refused_quota++;
		if (c < 0)
			return CAPOS_ERR_NO_RESOURCES;
	}
	return CAPOS_OK;
}

/* The lowest allocated chunk with a free slot, or -1. */
static int chunk_with_room(const struct cap_table_dir *d)
{
	for (uint32_t c = 0; c < CAP_TABLE_CHUNKS; c++)
		if (d->chunk[c] != 0 && d->avail[c] != 0)
			return (int)c;
	return -1;
}

int cap_table_insert(struct cap_table *t, const struct cap_entry *e, uint32_t *cap_id_out)
{
	if (e == 0 || e->object == 0)
		return CAPOS_ERR_INVALID_ARGUMENT;
	struct cap_table_dir *d = t->dir;
	if (d == 0)
		return CAPOS_ERR_NO_RESOURCES;
	if (cap_table_free_slots(t) == 0) {
		t->refused_quota++;
		return CAPOS_ERR_NO_RESOURCES;
	}
	int c = chunk_with_room(d);
	if (c < 0)
		c = chunk_add(t);
	if (c == -1)
		t->refused_quota++;
	if (c < 0)
		return CAPOS_ERR_NO_RESOURCES;
	struct cap_slot *chunk = d->chunk[c];
	for (uint32_t i = 0; i < CAP_TABLE_CHUNK_SLOTS; i++) {
		struct cap_slot *s = &chunk[i];
		if (s->used || s->generation == 0)
			continue;
		s->entry = *e;
		s->used = true;
		d->avail[c]--;
		t->count++;
		*cap_id_out = cap_id_make(((uint32_t)c << CAP_TABLE_CHUNK_SHIFT) | i, s->generation);
		return CAPOS_OK;
	}
	return CAPOS_ERR_NO_RESOURCES; /* avail said otherwise: not reached */
}

static struct cap_slot *slot_of(struct cap_table *t, uint32_t cap_id)
{
	uint32_t index = cap_id_index(cap_id);
	uint32_t gen = cap_id_generation(cap_id);
	if (t->dir == 0 || gen == 0)
		return 0;
	struct cap_slot *chunk = t->dir->chunk[index >> CAP_TABLE_CHUNK_SHIFT];
	if (chunk == 0)
		return 0;
	struct cap_slot *s = &chunk[index & (CAP_TABLE_CHUNK_SLOTS - 1u)];
	if (!s->used || s->generation != gen)
		return 0;
	return s;
}

int cap_table_lookup(struct cap_table *t, uint32_t cap_id, struct cap_entry **out)
{
	struct cap_slot *s = slot_of(t, cap_id);
	if (s == 0 || s->reserved)
		return CAPOS_ERR_BAD_CAP;
	*out = &s->entry;
	return CAPOS_OK;
}

static void slot_clear(struct cap_table *t, uint32_t cap_id, struct cap_slot *s,
                       struct cap_entry *out)
{
	uint32_t c = cap_id_index(cap_id) >> CAP_TABLE_CHUNK_SHIFT;
	if (out != 0)
		*out = s->entry;
	s->entry = (struct cap_entry){0};
	s->used = false;
	s->reserved = false;
	t->count--;
	/* Retire rather than wrap: a wrapped generation would revive stale ids. */
	if (s->generation >= CAP_ID_GEN_MAX) {
		s->generation = 0;
		t->retired++;
		return;
	}
	s->generation++;
	if (++t->dir->avail[c] == CAP_TABLE_CHUNK_SLOTS && c != 0)
		chunk_free(t, c);
}

int cap_table_remove(struct cap_table *t, uint32_t cap_id, struct cap_entry *out)
{
	struct cap_slot *s = slot_of(t, cap_id);
	if (s == 0 || s->reserved)
		return CAPOS_ERR_BAD_CAP;
	slot_clear(t, cap_id, s, out);
	return CAPOS_OK;
}

int cap_table_reserve(struct cap_table *t, uint32_t cap_id, struct cap_entry **out)
{
	struct cap_slot *s = slot_of(t, cap_id);
	if (s == 0)
		return CAPOS_ERR_BAD_CAP;
	if (s->reserved)
		return CAPOS_ERR_BAD_TRANSFER; /* already moving */
	s->reserved = true;
	if (out != 0)
		*out = &s->entry;
	return CAPOS_OK;
}

int cap_table_unreserve(struct cap_table *t, uint32_t cap_id)
{
	struct cap_slot *s = slot_of(t, cap_id);
	if (s == 0 || !s->reserved)
		return CAPOS_ERR_BAD_CAP;
	s->reserved = false;
	return CAPOS_OK;
}

int cap_table_take_reserved(struct cap_table *t, uint32_t cap_id, struct cap_entry *out)
{
	struct cap_slot *s = slot_of(t, cap_id);
	if (s == 0 || !s->reserved)
		return CAPOS_ERR_BAD_CAP;
	slot_clear(t, cap_id, s, out);
	return CAPOS_OK;
}

bool cap_table_next(struct cap_table *t, uint32_t *cursor, uint32_t *cap_id,
                    struct cap_entry **out)
{
	for (uint32_t i = *cursor; t->dir != 0 && i < CAP_TABLE_MAX_SLOTS; i++) {
		struct cap_slot *chunk = t->dir->chunk[i >> CAP_TABLE_CHUNK_SHIFT];
		if (chunk == 0) {
			i |= CAP_TABLE_CHUNK_SLOTS - 1u; /* skip the whole chunk */
			continue;
		}
		struct cap_slot *s = &chunk[i & (CAP_TABLE_CHUNK_SLOTS - 1u)];
		if (!s->used)
			continue;
		*cursor = i + 1;
		*cap_id = cap_id_make(i, s->generation);
		*out = &s->entry;
		return true;
	}
	*cursor = CAP_TABLE_MAX_SLOTS;
	return false;
}
