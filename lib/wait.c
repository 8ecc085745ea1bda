/* Wait counts and the deadlock victim choice (see wait.h). */
#include "wait.h"

bool wait_only_receiving(const struct wait_counts *w)
{
	return w->n[WAIT_REPLY] == 0 && (w->n[WAIT_RECEIVE] != 0 || w->n[WAIT_SIGNAL] != 0);
}

int wait_pick_victim(const struct wait_counts *const blocked[], unsigned n)
{
	int victim = -1;
	for (unsigned i = 0; i < n; i++)
		if (blocked[i]->n[WAIT_DEVICE])
			return -1;
	for (unsigned i = 0; i < n; i++) {
		const struct wait_counts *p = blocked[i];
		const struct wait_counts *v = victim < 0 ? 0 : blocked[victim];
		if (v == 0 || (v->n[WAIT_CHILD] && !p->n[WAIT_CHILD]))
			v = p, victim = (int)i;
		if (p->n[WAIT_SERVING] && !v->n[WAIT_SERVING])
			victim = (int)i;
		if (wait_only_receiving(p))
			return (int)i;
	}
	return victim;
}
