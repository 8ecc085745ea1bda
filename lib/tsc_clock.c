/* A TSC-interpolated clock over a reference: see tsc_clock.h. */
#include "tsc_clock.h"

void tsc_clock_init(struct tsc_clock *c, const struct tsc_clock_ops *ops, void *ctx)
{
	*c = (struct tsc_clock){.ops = ops, .ctx = ctx};
}

/* ticks * num / den without overflowing: the product in 128 bits. */
static uint64_t scale(uint64_t ticks, uint64_t num, uint64_t den)
{
	unsigned __int128 p = (unsigned __int128)ticks * num / den;
	return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

static uint64_t settle(struct tsc_clock *c, uint64_t v)
{
	if (v > c->last)
		c->last = v;
	return c->last;
}

/* Reads the reference (with the TSC beside it) and recalibrates. */
static uint64_t read_ref(struct tsc_clock *c, uint64_t tsc)
{
	uint64_t ns;
	if (!c->ops->ref_ns(c->ctx, &ns))
		return settle(c, 0);
	c->ref_reads++;
	if (!c->anchored) {
		c->anchored = true;
		c->first_ns = ns;
		c->first_tsc = tsc;
	} else if (ns - c->first_ns >= TSC_CLOCK_CALIBRATE_NS && tsc > c->first_tsc &&
	           ns > c->first_ns) {
		c->num = ns - c->first_ns;
		c->den = tsc - c->first_tsc;
	}
	c->base_ns = ns;
	c->base_tsc = tsc;
	return settle(c, ns);
}

uint64_t tsc_clock_now(struct tsc_clock *c)
{
	uint64_t tsc = c->ops->tsc(c->ctx);
	if (c->den == 0 || tsc < c->base_tsc)
		return read_ref(c, tsc);
	uint64_t since = scale(tsc - c->base_tsc, c->num, c->den);
	if (since >= TSC_CLOCK_RESYNC_NS)
		return read_ref(c, tsc);
	c->tsc_reads++;
	return settle(c, c->base_ns + since);
}
