/* Capability table: see cap_table.h for the id layout and the rules. */
#include "cap_table.h"

#include <capos/abi.h>

void cap_table_init(struct cap_table *t, struct cap_slot *slots, uint32_t capacity)
{
	if (capacity > CAP_TABLE_MAX_SLOTS)
		capacity = CAP_TABLE_MAX_SLOTS;
	t->slots = slots;
	t->capacity = capacity;
	t->count = 0;
	t->retired = 0;
	for (uint32_t i = 0; i < capacity; i++) {
		slots[i].entry = (struct cap_entry){0};
		slots[i].generation = 1;
		slots[i].used = false;
		slots[i].reserved = false;
	}
}

int cap_table_insert(struct cap_table *t, const struct cap_entry *e, uint32_t *cap_id_out)
{
	if (e == 0 || e->object == 0)
		return CAPOS_ERR_INVALID_ARGUMENT;
	for (uint32_t i = 0; i < t->capacity; i++) {
		struct cap_slot *s = &t->slots[i];
		if (s->used || s->generation == 0)
			continue;
		s->entry = *e;
		s->used = true;
		t->count++;
		*cap_id_out = cap_id_make(i, s->generation);
		return CAPOS_OK;
	}
	return CAPOS_ERR_NO_RESOURCES;
}

static struct cap_slot *slot_of(struct cap_table *t, uint32_t cap_id)
{
	uint32_t index = cap_id_index(cap_id);
	uint32_t gen = cap_id_generation(cap_id);
	if (index >= t->capacity || gen == 0)
		return 0;
	struct cap_slot *s = &t->slots[index];
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

static void slot_clear(struct cap_table *t, struct cap_slot *s, struct cap_entry *out)
{
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
	} else {
		s->generation++;
	}
}

int cap_table_remove(struct cap_table *t, uint32_t cap_id, struct cap_entry *out)
{
	struct cap_slot *s = slot_of(t, cap_id);
	if (s == 0 || s->reserved)
		return CAPOS_ERR_BAD_CAP;
	slot_clear(t, s, out);
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
	slot_clear(t, s, out);
	return CAPOS_OK;
}

bool cap_table_next(struct cap_table *t, uint32_t *cursor, uint32_t *cap_id,
                    struct cap_entry **out)
{
	for (uint32_t i = *cursor; i < t->capacity; i++) {
		struct cap_slot *s = &t->slots[i];
		if (!s->used)
			continue;
		*cursor = i + 1;
		*cap_id = cap_id_make(i, s->generation);
		*out = &s->entry;
		return true;
	}
	*cursor = t->capacity;
	return false;
}
