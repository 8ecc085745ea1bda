/*
 * A small property-based testing framework (the proptest/Hypothesis idea
 * in C, no library needed).
 *
 * A property is a function that draws its inputs (typically a random
 * sequence of operations) from a struct prop, runs them against the code
 * under test and a simple reference model, and returns 0 when every check
 * held or prop_fail(...) when one did not.  Each draw is recorded as a
 * "choice" (an offset into the drawn range); a failing case is shrunk by
 * replaying the property on smaller choice sequences (chunks deleted,
 * values lowered toward the range's low end) while it still fails, which
 * shortens the operation sequence and simplifies its arguments.  The
 * minimal case is then replayed once more with prop_note() output on, so
 * the report lists exactly the operations that fail.
 *
 * Runs are deterministic: case c of seed s always draws the same values.
 * A property must create its whole state afresh on every call (it is
 * replayed many times) and must not leak (the tests run under ASan).
 */
#ifndef CAPOS_TESTS_PROP_H
#define CAPOS_TESTS_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROP_MAX_CHOICES 8192u

struct prop {
	/* Drawing: from the random generator (record) or a buffer (replay). */
	bool replay;
	uint64_t rng;
	const uint64_t *in; /* replay: choices to use; past the end, 0 */
	uint32_t in_len;
	uint64_t out[PROP_MAX_CHOICES]; /* the choices this run used */
	uint32_t out_len;
	bool verbose;  /* prop_note prints (the final replay of a failure) */
	char why[512]; /* prop_fail's message */
};

/* A value in [lo, hi] (inclusive; lo <= hi). */
uint64_t prop_draw(struct prop *p, uint64_t lo, uint64_t hi);
static inline bool prop_bool(struct prop *p) { return prop_draw(p, 0, 1) != 0; }
/* true with probability about 1/n (n >= 1); shrinks toward false. */
static inline bool prop_one_in(struct prop *p, uint64_t n) { return prop_draw(p, 0, n - 1) == n - 1; }

/* One line of the failing sequence (printed only in the final replay). */
void prop_note(struct prop *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records why the property failed; returns 1 (the property returns it). */
int prop_fail(struct prop *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define PROP_CHECK(p, cond, ...)                            \
	do {                                                \
		if (!(cond))                                \
			return prop_fail((p), __VA_ARGS__); \
	} while (0)

struct prop_def {
	const char *name; /* prop-<name> in the PASS/FAIL line */
	const char *what; /* one line for --list */
	int (*run)(struct prop *p);
};

struct prop_result {
	bool failed;
	uint32_t cases_run;
	uint32_t failing_case;
	uint32_t shrink_steps;    /* accepted shrinks */
	uint32_t shrink_attempts; /* replays tried while shrinking */
	uint32_t minimal_len;     /* choices in the minimal failing case */
	char why[512];            /* the minimal case's failure */
};

/*
 * Runs cases [first, first+cases) of def with the given seed; on a failure
 * shrinks it and, when report is true, prints the minimal sequence (its
 * prop_note lines and the failure) to stdout.  Returns the result.
 */
struct prop_result prop_run(const struct prop_def *def, uint64_t seed, uint32_t first,
                            uint32_t cases, bool report);

/* The per-case seed (what --case reproduces). */
uint64_t prop_case_seed(uint64_t seed, uint32_t c);

#endif
