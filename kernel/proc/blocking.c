/* Blocking on capability objects, the core's side (see blocking.h). */
#include "blocking.h"

#include "cap/registry.h"

uint64_t proc_wait_expire(uint64_t now) { return kcap_expire(now); }

struct process *proc_wait_victim(void)
{
	const struct wait_counts *blocked[PROC_MAX];
	struct process *procs[PROC_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < PROC_MAX; i++) {
		struct process *p = process_slot(i);
		if (p->state != PROC_BLOCKED)
			continue;
		procs[n] = p;
		blocked[n++] = &p->waits;
	}
	int v = wait_pick_victim(blocked, n);
	return v < 0 ? 0 : procs[v];
}

void proc_wait_describe(const struct process *p, char *buf, size_t len)
{
	kcap_describe_waits(p, buf, len);
}
