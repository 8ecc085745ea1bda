/*
 * The property tests' driver: every property of tests/props/ against its
 * reference model, N random cases each, one PASS/FAIL line per property
 * (the test-suite format).  A failure prints its minimal failing operation
 * sequence and the command that replays exactly that case.
 */
#include <sanitizer/common_interface_defs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prop.h"
#include "props.h"

#define DEFAULT_CASES 200u
#define DEFAULT_SEED  0xc0ffee5eedull

static const struct prop_def *const all_props[] = {
	&prop_cap_table,
	&prop_transfer,
	&prop_frame_bitmap,
	&prop_vm_ranges,
	&prop_capnp_roundtrip,
	&prop_endpoint,
};
#define NPROPS (sizeof all_props / sizeof all_props[0])

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: test_props [--cases N] [--seed S] [--case C] [--only NAME[,NAME]] [--list]\n"
	        "Runs every property (or NAME) on N random cases (default %u) from seed S\n"
	        "(default 0x%llx; decimal or 0x hex); --case C runs only case C of S (what a\n"
	        "failure's 'reproduce' line says).  Prints 'PASS prop-NAME' or 'FAIL prop-NAME:\n"
	        "why' per property, a failure followed by its minimal failing operation\n"
	        "sequence.  Also checks the framework itself (prop-framework-shrinks).\n"
	        "Exit status: 0 all passed, 1 a property failed, 2 usage.\n",
	        DEFAULT_CASES, (unsigned long long)DEFAULT_SEED);
}

/* What the sanitizers' death callback names: a crash cannot be shrunk, but
 * its case can be replayed. */
static const char *running_name;
static uint64_t running_seed;
static uint32_t running_first, running_cases;

static void on_sanitizer_death(void)
{
	if (running_name)
		printf("FAIL prop-%s: crashed (sanitizer report above) in cases %u..%u of seed 0x%llx; "
		       "reproduce: test_props --only %s --seed 0x%llx --case C for each C\n",
		       running_name, running_first, running_first + running_cases - 1,
		       (unsigned long long)running_seed, running_name, (unsigned long long)running_seed);
	fflush(stdout);
}

/* The framework's own check: a property that fails whenever some drawn
 * value is >= 500 must shrink to exactly one operation with value 500. */
static int bad_value_run(struct prop *p)
{
	uint64_t n = prop_draw(p, 0, 40);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = prop_draw(p, 0, 1000);
		prop_note(p, "op %llu: value %llu", (unsigned long long)i, (unsigned long long)v);
		if (v >= 500)
			return prop_fail(p, "value %llu >= 500", (unsigned long long)v);
	}
	return 0;
}
static const struct prop_def bad_value = {"framework-bad-value", "fails on a value >= 500",
                                          bad_value_run};

static int check_framework(uint64_t seed)
{
	struct prop_result r = prop_run(&bad_value, seed, 0, 100, false);
	if (!r.failed) {
		printf("FAIL prop-framework-shrinks: a property that fails half the time passed 100 cases\n");
		return 1;
	}
	if (r.minimal_len != 2 || strcmp(r.why, "value 500 >= 500") != 0) {
		printf("FAIL prop-framework-shrinks: minimal case has %u choices and fails with '%s'; "
		       "want 2 choices (one op) and 'value 500 >= 500'\n",
		       r.minimal_len, r.why);
		return 1;
	}
	printf("PASS prop-framework-shrinks (a failing case shrank to 1 op, value 500, in %u replays)\n",
	       r.shrink_attempts);
	return 0;
}

static bool selected(const char *only, const char *name)
{
	if (!only)
		return true;
	size_t n = strlen(name);
	for (const char *s = only; (s = strstr(s, name)) != NULL; s += n)
		if ((s == only || s[-1] == ',') && (s[n] == ',' || s[n] == '\0'))
			return true;
	return false;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s)
		return false;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end)
		return false;
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	uint64_t cases = DEFAULT_CASES, seed = DEFAULT_SEED, one = 0;
	bool have_case = false, list = false;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--list")) {
			list = true;
		} else if (!strcmp(a, "--cases") && parse_u64(v, &cases) && cases > 0 && cases <= 100000000) {
			i++;
		} else if (!strcmp(a, "--seed") && parse_u64(v, &seed)) {
			i++;
		} else if (!strcmp(a, "--case") && parse_u64(v, &one) && one < UINT32_MAX) {
			have_case = true;
			i++;
		} else if (!strcmp(a, "--only") && v) {
			only = v;
			i++;
		} else {
			fprintf(stderr, "test_props: bad argument '%s'%s (see --help)\n", a,
			        v ? "" : " or its missing value");
			return 2;
		}
	}
	if (list) {
		for (size_t i = 0; i < NPROPS; i++)
			printf("%-18s %s\n", all_props[i]->name, all_props[i]->what);
		return 0;
	}
	if (only) {
		size_t found = 0;
		for (size_t i = 0; i < NPROPS; i++)
			found += selected(only, all_props[i]->name);
		if (!found) {
			fprintf(stderr, "test_props: --only '%s' names no property (see --list)\n", only);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	__sanitizer_set_death_callback(on_sanitizer_death);
	int status = 0;
	if (!only && !have_case)
		status |= check_framework(seed);
	uint32_t first = have_case ? (uint32_t)one : 0;
	uint32_t n = have_case ? 1 : (uint32_t)cases;
	for (size_t i = 0; i < NPROPS; i++) {
		const struct prop_def *d = all_props[i];
		if (!selected(only, d->name))
			continue;
		running_name = d->name;
		running_seed = seed;
		running_first = first;
		running_cases = n;
		printf("prop %s: %s: cases %u..%u, seed 0x%llx\n", d->name, d->what, first, first + n - 1,
		       (unsigned long long)seed);
		struct prop_result r = prop_run(d, seed, first, n, true);
		if (r.failed) {
			printf("FAIL prop-%s: case %u of seed 0x%llx: %s\n", d->name, r.failing_case,
			       (unsigned long long)seed, r.why);
			printf("  reproduce: build/host/tests/test_props --only %s --seed 0x%llx --case %u\n",
			       d->name, (unsigned long long)seed, r.failing_case);
			status = 1;
		} else {
			printf("PASS prop-%s (%u cases, seed 0x%llx)\n", d->name, r.cases_run,
			       (unsigned long long)seed);
		}
	}
	running_name = NULL;
	return status;
}
