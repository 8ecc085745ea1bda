/* The property-testing framework: drawing, running, shrinking (prop.h). */
#include "prop.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shrinking stops after this many replays: enough for sequences of a few
 * hundred choices, bounded so a slow property cannot stall the suite. */
#define SHRINK_BUDGET 20000u

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t prop_case_seed(uint64_t seed, uint32_t c)
{
	uint64_t s = seed ^ ((uint64_t)c * 0xd1342543de82ef95ull);
	return splitmix64(&s);
}

uint64_t prop_draw(struct prop *p, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo; /* offsets 0 .. span */
	uint64_t off;
	if (p->out_len >= PROP_MAX_CHOICES) {
		off = 0; /* out of choices: the simplest value, which ends loops */
	} else if (p->replay) {
		off = p->out_len < p->in_len ? p->in[p->out_len] : 0;
		if (off > span)
			off = span == UINT64_MAX ? off : off % (span + 1);
	} else {
		uint64_t r = splitmix64(&p->rng);
		/* Small values more often than uniform: boundaries find bugs. */
		switch (r & 3) {
		case 0: r = splitmix64(&p->rng) & 0xf; break;
		default: r = splitmix64(&p->rng); break;
		}
		off = span == UINT64_MAX ? r : r % (span + 1);
	}
	if (p->out_len < PROP_MAX_CHOICES)
		p->out[p->out_len++] = off;
	return lo + off;
}

void prop_note(struct prop *p, const char *fmt, ...)
{
	if (!p->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	printf("    ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

int prop_fail(struct prop *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof p->why, fmt, ap);
	va_end(ap);
	return 1;
}

/* Replays def on choices[0 .. len); true if it fails.  *p keeps what the
 * run used (p->out) and why it failed. */
static bool fails_on(const struct prop_def *def, struct prop *p, const uint64_t *choices,
                     uint32_t len, bool verbose)
{
	p->replay = true;
	p->in = choices;
	p->in_len = len;
	p->out_len = 0;
	p->verbose = verbose;
	p->why[0] = '\0';
	return def->run(p) != 0;
}

struct shrinker {
	const struct prop_def *def;
	struct prop *p;
	uint64_t *best; /* the smallest failing choices so far */
	uint32_t best_len;
	uint64_t *cand;
	struct prop_result *res;
};

/* Tries cand[0 .. len); keeps it (as the choices the run really used) if
 * it still fails and is simpler: shorter, or as long and smaller. */
static bool try_candidate(struct shrinker *s, uint32_t len)
{
	if (s->res->shrink_attempts >= SHRINK_BUDGET)
		return false;
	s->res->shrink_attempts++;
	if (!fails_on(s->def, s->p, s->cand, len, false))
		return false;
	uint32_t used = s->p->out_len;
	bool simpler = used < s->best_len;
	for (uint32_t i = 0; used == s->best_len && i < used; i++)
		if (s->p->out[i] != s->best[i]) {
			simpler = s->p->out[i] < s->best[i]; /* the first difference decides */
			break;
		}
	if (!simpler)
		return false;
	memcpy(s->best, s->p->out, used * sizeof(uint64_t));
	s->best_len = used;
	s->res->shrink_steps++;
	return true;
}

static void shrink(struct shrinker *s)
{
	bool progress = true;
	while (progress && s->res->shrink_attempts < SHRINK_BUDGET) {
		progress = false;
		/* Delete chunks (whole operations, then single choices). */
		for (uint32_t k = 16; k >= 1; k /= 2) {
			for (uint32_t i = 0; i + k <= s->best_len;) {
				uint32_t len = s->best_len - k;
				memcpy(s->cand, s->best, i * sizeof(uint64_t));
				memcpy(s->cand + i, s->best + i + k, (len - i) * sizeof(uint64_t));
				if (try_candidate(s, len))
					progress = true;
				else
					i++;
			}
		}
		/* Lower each choice: to 0, then halve, then one less. */
		for (uint32_t i = 0; i < s->best_len; i++) {
			uint64_t v = s->best[i];
			uint64_t tries[3] = {0, v / 2, v - 1};
			for (int t = 0; t < 3 && v != 0; t++) {
				if (tries[t] >= s->best[i])
					continue;
				memcpy(s->cand, s->best, s->best_len * sizeof(uint64_t));
				s->cand[i] = tries[t];
				if (try_candidate(s, s->best_len)) {
					progress = true;
					break;
				}
			}
		}
	}
}

struct prop_result prop_run(const struct prop_def *def, uint64_t seed, uint32_t first,
                            uint32_t cases, bool report)
{
	struct prop_result res = {0};
	struct prop *p = calloc(1, sizeof *p);
	uint64_t *best = calloc(PROP_MAX_CHOICES, sizeof(uint64_t));
	uint64_t *cand = calloc(PROP_MAX_CHOICES, sizeof(uint64_t));
	if (!p || !best || !cand) {
		res.failed = true;
		snprintf(res.why, sizeof res.why, "out of memory");
		goto out;
	}
	for (uint32_t c = first; c < first + cases; c++) {
		p->replay = false;
		p->rng = prop_case_seed(seed, c);
		p->out_len = 0;
		p->verbose = false;
		p->why[0] = '\0';
		res.cases_run++;
		if (def->run(p) == 0)
			continue;
		res.failed = true;
		res.failing_case = c;
		memcpy(best, p->out, p->out_len * sizeof(uint64_t));
		struct shrinker s = {def, p, best, p->out_len, cand, &res};
		shrink(&s);
		res.minimal_len = s.best_len;
		if (report)
			printf("  minimal failing case (%u choices, %u shrink steps in %u replays):\n",
			       s.best_len, res.shrink_steps, res.shrink_attempts);
		if (!fails_on(def, p, best, s.best_len, report)) {
			snprintf(res.why, sizeof res.why,
			         "the minimal case passed when replayed: the property is not "
			         "deterministic (state kept between runs?)");
		} else {
			memcpy(res.why, p->why, sizeof res.why);
		}
		if (report)
			printf("    => %s\n", res.why);
		break;
	}
out:
	free(p);
	free(best);
	free(cand);
	return res;
}
