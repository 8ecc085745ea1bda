/* Per-process frame-grant ledger (see frame_ledger.h). */
#include "frame_ledger.h"

#define LEDGER_PAGE 4096u

void frame_ledger_init(struct frame_ledger *l, uint64_t *storage, uint32_t cap, uint64_t limit)
{
	l->held = storage;
	l->held_cap = cap;
	l->ops = 0;
	l->ctx = 0;
	l->first = storage;
	l->first_cap = cap;
	l->grown = l->refused_memory = 0;
	l->held_count = 0;
	l->charged = 0;
	l->limit = limit;
	l->peak = 0;
	l->tables = 0;
}

static void note_peak(struct frame_ledger *l)
{
	if (l->charged > l->peak)
		l->peak = l->charged;
}

int frame_ledger_can_charge(const struct frame_ledger *l, uint64_t n)
{
	return n > l->limit - l->charged ? LEDGER_OVER_LIMIT : LEDGER_OK; /* charged <= limit */
}

int frame_ledger_charge(struct frame_ledger *l, uint64_t n)
{
	if (frame_ledger_can_charge(l, n) != LEDGER_OK)
		return LEDGER_OVER_LIMIT;
	l->charged += n;
	note_peak(l);
	return LEDGER_OK;
}

void frame_ledger_uncharge(struct frame_ledger *l, uint64_t n)
{
	uint64_t anon = l->charged - l->held_count;
	if (n > anon)
		n = anon;
	l->charged -= n;
}

int frame_ledger_can_hold(const struct frame_ledger *l, uint64_t n)
{
	if (n > (uint64_t)(l->held_cap - l->held_count))
		return LEDGER_FULL;
	if (n > l->limit - l->charged)
		return LEDGER_OVER_LIMIT;
	return LEDGER_OK;
}

void frame_ledger_set_growth(struct frame_ledger *l, const struct frame_ledger_ops *ops,
                             void *ctx)
{
	l->ops = ops;
	l->ctx = ctx;
}

int frame_ledger_reserve(struct frame_ledger *l, uint64_t n)
{
	if (n > l->limit - l->charged)
		return LEDGER_OVER_LIMIT;
	uint64_t need = l->held_count + n; /* <= limit: held_count <= charged */
	if (need <= l->held_cap)
		return LEDGER_OK;
	if (l->ops == 0)
		return LEDGER_FULL;
	uint64_t top = l->limit < UINT32_MAX ? l->limit : UINT32_MAX;
	uint64_t cap = l->held_cap ? l->held_cap : 1;
	while (cap < need)
		cap = cap > top / 2 ? top : 2 * cap;
	uint64_t *held = l->ops->alloc(l->ctx, (uint32_t)cap);
	if (held == 0) {
		l->refused_memory++;
		return LEDGER_FULL;
	}
	for (uint32_t i = 0; i < l->held_count; i++)
		held[i] = l->held[i];
	if (l->held != l->first)
		l->ops->free(l->ctx, l->held, l->held_cap);
	l->held = held;
	l->held_cap = (uint32_t)cap;
	l->grown++;
	return LEDGER_OK;
}

bool frame_ledger_holds(const struct frame_ledger *l, uint64_t phys)
{
	for (uint32_t i = 0; i < l->held_count; i++)
		if (l->held[i] == phys)
			return true;
	return false;
}

int frame_ledger_add(struct frame_ledger *l, uint64_t phys)
{
	if (phys == 0 || (phys & (LEDGER_PAGE - 1)) != 0)
		return LEDGER_BAD_ADDR;
	int err = frame_ledger_can_hold(l, 1);
	if (err)
		return err;
	l->held[l->held_count++] = phys;
	l->charged++;
	note_peak(l);
	return LEDGER_OK;
}

int frame_ledger_remove(struct frame_ledger *l, uint64_t phys)
{
	if (phys == 0 || (phys & (LEDGER_PAGE - 1)) != 0)
		return LEDGER_BAD_ADDR;
	for (uint32_t i = 0; i < l->held_count; i++) {
		if (l->held[i] == phys) {
			l->held[i] = l->held[--l->held_count];
			l->charged--;
			return LEDGER_OK;
		}
	}
	return LEDGER_NOT_HELD;
}

bool frame_ledger_pop(struct frame_ledger *l, uint64_t *phys)
{
	if (l->held_count == 0)
		return false;
	*phys = l->held[--l->held_count];
	l->charged--;
	return true;
}

void frame_ledger_add_tables(struct frame_ledger *l, uint64_t n) { l->tables += n; }

bool frame_ledger_active(const struct frame_ledger *l)
{
	return l->held_count != 0 || l->charged != 0 || l->tables != 0;
}

uint64_t frame_ledger_end(struct frame_ledger *l, void (*free_frame)(uint64_t phys))
{
	uint64_t phys;
	while (frame_ledger_pop(l, &phys))
		free_frame(phys);
	if (l->held != l->first)
		l->ops->free(l->ctx, l->held, l->held_cap);
	l->held = l->first;
	l->held_cap = l->first_cap;
	uint64_t tables = l->tables;
	l->tables = 0;
	l->charged = 0; /* anonymous charges end with their mappings */
	return tables;
}

const char *frame_ledger_strerror(int err)
{
	switch (err) {
	case LEDGER_OK: return "ok";
	case LEDGER_OVER_LIMIT: return "over the frame limit (the process's quota)";
	case LEDGER_FULL: return "held-frame list cannot grow (out of memory)";
	case LEDGER_NOT_HELD: return "frame not held by the caller";
	case LEDGER_BAD_ADDR: return "not a page-aligned frame address";
	default: return "unknown ledger error";
	}
}
