/* Spawn quotas: narrowing a base within a ceiling (see quota.h). */
#include "quota.h"

static const char *const names[QUOTA_FIELDS] = {"caps", "ranges", "frames", "threads"};

const char *quota_field_name(unsigned i) { return i < QUOTA_FIELDS ? names[i] : "?"; }

uint32_t quota_field(const struct quota *q, unsigned i)
{
	switch (i) {
	case 0: return q->caps;
	case 1: return q->ranges;
	case 2: return q->frames;
	case 3: return q->threads;
	default: return 0;
	}
}

static uint32_t *field_ptr(struct quota *q, unsigned i)
{
	uint32_t *f[QUOTA_FIELDS] = {&q->caps, &q->ranges, &q->frames, &q->threads};
	return f[i];
}

int quota_narrow(const struct quota *base, const struct quota *want, const struct quota *top,
                 struct quota *out)
{
	*out = *base;
	for (unsigned i = 0; i < QUOTA_FIELDS; i++) {
		uint32_t w = quota_field(want, i);
		if (w == 0)
			continue;
		if (w > quota_field(top, i)) {
			*out = *base;
			return (int)i;
		}
		*field_ptr(out, i) = w;
	}
	return -1;
}

int quota_given(const struct quota *want)
{
	return (want->caps | want->ranges | want->frames | want->threads) != 0;
}
