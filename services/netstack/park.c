/* The netstack's parked calls and badge decoding: see park.h. */
#include "park.h"

#include "kstring.h"

void park_init(struct park *p)
{
	memset(p, 0, sizeof *p);
}

bool park_add(struct park *p, enum park_op op, uint32_t call_id, uint32_t sock, uint32_t max,
              uint64_t now, uint64_t timeout_ns)
{
	for (uint32_t i = 0; i < PARK_MAX; i++) {
		struct park_entry *e = &p->e[i];
		if (e->op != PARK_FREE)
			continue;
		uint64_t deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
		*e = (struct park_entry){op, call_id, sock, max, deadline};
		p->live++;
		p->parked++;
		return true;
	}
	p->full++;
	return false;
}

void park_remove(struct park *p, uint32_t i)
{
	if (i < PARK_MAX && p->e[i].op != PARK_FREE) {
		p->e[i].op = PARK_FREE;
		p->live--;
	}
}

uint64_t park_next_deadline(const struct park *p)
{
	uint64_t d = UINT64_MAX;
	for (uint32_t i = 0; i < PARK_MAX; i++)
		if (p->e[i].op != PARK_FREE && p->e[i].deadline < d)
			d = p->e[i].deadline;
	return d;
}

bool badge_socket(uint64_t badge, uint32_t *id)
{
	if ((badge & ~0xffffull) != SOCK_BADGE_TAG)
		return false;
	*id = (uint32_t)(badge & 0xffffu);
	return true;
}

bool badge_authority(uint64_t badge, uint16_t *first, uint16_t *last)
{
	if ((badge & ~0xffffffffull) != AUTH_BADGE_TAG)
		return false;
	uint16_t f = (uint16_t)(badge >> 16), l = (uint16_t)badge;
	if (f == 0 || f > l)
		return false;
	*first = f;
	*last = l;
	return true;
}
