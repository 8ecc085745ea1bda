/* Blocking on capability objects, the core's side (see blocking.h). */
#include "blocking.h"

#include "cap/registry.h"
#include "mem/heap.h"

uint64_t proc_wait_expire(uint64_t now) { return kcap_expire(now); }

/* Scratch for the victim search, as long as the process table; grown
 * with it (one search at a time: one CPU, the scheduler's context). */
static const struct wait_counts **scratch_waits;
static struct process **scratch_procs;
static unsigned scratch_len;

static bool scratch_fit(unsigned n)
{
	if (n <= scratch_len)
		return true;
	const struct wait_counts **w = kmalloc(n * sizeof(const struct wait_counts *));
	struct process **p = kmalloc(n * sizeof(struct process *));
	if (w == 0 || p == 0) {
		kfree(w);
		kfree(p);
		return false;
	}
	kfree(scratch_waits);
	kfree(scratch_procs);
	scratch_waits = w;
	scratch_procs = p;
	scratch_len = n;
	return true;
}

struct process *proc_wait_victim(void)
{
	/* Out of memory: no victim this time (the breaker runs again later). */
	if (!scratch_fit(process_slot_count()))
		return 0;
	unsigned n = 0;
	for (unsigned i = 0; i < process_slot_count(); i++) {
		struct process *p = process_slot(i);
		if (p->state != PROC_BLOCKED)
			continue;
		scratch_procs[n] = p;
		scratch_waits[n++] = &p->waits;
	}
	int v = wait_pick_victim(scratch_waits, n);
	return v < 0 ? 0 : scratch_procs[v];
}

void proc_wait_describe(const struct process *p, char *buf, size_t len)
{
	kcap_describe_waits(p, buf, len);
}
