/* Stage accounting for the measuring build; see measure.h. */
#include "measure.h"

/* The running stage gets the time since the mark; the mark moves to now. */
static void charge(struct measure *m, uint64_t now)
{
	if (m->stage < CAPOS_MEASURE_STAGE_COUNT)
		m->total.stage[m->stage].cycles += now - m->mark;
	m->mark = now;
}

/* Counting goes on in `stage`; `entered`: it begins (not resumes). */
static void resume(struct measure *m, unsigned stage, bool entered)
{
	m->stage = stage;
	if (stage < CAPOS_MEASURE_STAGE_COUNT) {
		m->total.stage[stage].hooks++;
		m->total.stage[stage].events += entered;
	}
}

static void begin(struct measure *m, unsigned stage) { resume(m, stage, true); }

void measure_start(struct measure *m, uint64_t now)
{
	m->running = true;
	m->depth = 0;
	m->mark = now;
	begin(m, CAPOS_MEASURE_ENTRY);
}

void measure_set(struct measure *m, unsigned stage, uint64_t now)
{
	if (!m->running)
		return;
	charge(m, now);
	begin(m, stage);
}

void measure_enter(struct measure *m, unsigned stage, uint64_t now)
{
	if (!m->running)
		return;
	if (m->depth >= MEASURE_DEPTH) {
		m->dropped++; /* stays in the outer stage; leave must match */
		m->depth++;
		return;
	}
	charge(m, now);
	m->outer[m->depth++] = m->stage;
	begin(m, stage);
}

void measure_leave(struct measure *m, uint64_t now)
{
	if (!m->running || m->depth == 0)
		return;
	if (m->depth > MEASURE_DEPTH) {
		m->depth--;
		return;
	}
	charge(m, now);
	resume(m, m->outer[--m->depth], false);
}

void measure_stop(struct measure *m, uint64_t now)
{
	if (!m->running)
		return;
	charge(m, now);
	m->running = false;
	m->depth = 0;
}

void measure_take(struct measure *m, struct capos_measure *out, uint64_t now)
{
	measure_stop(m, now);
	*out = m->total;
	m->total = (struct capos_measure){0};
	m->dropped = 0;
}
