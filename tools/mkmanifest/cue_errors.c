/* Rewrites CUE's messages about an unknown kernel cap kind (cue_errors.h). */
#define _GNU_SOURCE /* memmem */
#include "cue_errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"

#define MAX_KIND_ERRORS 32

/* One bad kernel kind: CUE's path of the cap ("system...caps.2") and where. */
struct kind_error {
	char path[160];
	char value[64];
	char file[256];
	unsigned line, col;
};

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (!o->buf)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *b = realloc(o->buf, cap);
		if (!b) {
			free(o->buf);
			o->buf = NULL;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* "PATH.source.kernel: conflicting values "A" and "B":" -> PATH, B. */
static int parse_kind_conflict(const char *l, size_t n, struct kind_error *e)
{
	static const char tag[] = ".source.kernel: conflicting values \"";
	const char *t = memmem(l, n, tag, sizeof(tag) - 1);
	if (!t || (size_t)(t - l) >= sizeof(e->path))
		return 0;
	const char *and = memmem(t, n - (size_t)(t - l), "\" and \"", 7);
	if (!and)
		return 0;
	const char *v = and+7, *end = memchr(v, '"', n - (size_t)(v - l));
	if (!end || (size_t)(end - v) >= sizeof(e->value))
		return 0;
	memcpy(e->path, l, (size_t)(t - l));
	e->path[t - l] = '\0';
	memcpy(e->value, v, (size_t)(end - v));
	e->value[end - v] = '\0';
	return 1;
}

/* "    FILE:LINE:COL" outside the CUE definitions (cue/): the user's file. */
static int parse_location(const char *l, size_t n, struct kind_error *e)
{
	char buf[300];
	if (n < 5 || l[0] != ' ' || n >= sizeof(buf))
		return 0;
	memcpy(buf, l, n);
	buf[n] = '\0';
	char *p = buf;
	while (*p == ' ')
		p++;
	char *c2 = strrchr(p, ':');
	if (!c2)
		return 0;
	*c2 = '\0';
	char *c1 = strrchr(p, ':');
	if (!c1)
		return 0;
	*c1 = '\0';
	if (strstr(p, "cue/manifest.cue") || strlen(p) >= sizeof(e->file))
		return 0;
	strcpy(e->file, p);
	e->line = (unsigned)strtoul(c1 + 1, NULL, 10);
	e->col = (unsigned)strtoul(c2 + 1, NULL, 10);
	return e->line > 0;
}

/* The quoted value of the last `name: "..."` in s[0..n), into out. */
static int last_name(const char *s, size_t n, char *out, size_t cap)
{
	const char *found = NULL;
	for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), "name:", 5)); p += 5)
		found = p;
	if (!found)
		return 0;
	const char *q = memchr(found, '"', n - (size_t)(found - s));
	if (!q)
		return 0;
	const char *end = memchr(q + 1, '"', n - (size_t)(q + 1 - s));
	if (!end || (size_t)(end - q - 1) >= cap)
		return 0;
	memcpy(out, q + 1, (size_t)(end - q - 1));
	out[end - q - 1] = '\0';
	return 1;
}

/*
 * The cap's name is the last `name:` on its line before the bad value; the
 * service's is an earlier `name:` on that line (one-line services), else
 * the nearest line above with a `name:` and no `source:`.
 */
static void find_names(const struct kind_error *e, char *svc, char *cap, size_t n)
{
	FILE *f = fopen(e->file, "r");
	char lines[64][512]; /* the last 64 lines up to e->line, each cut at 511 bytes */
	unsigned k = 0;      /* lines read */
	int fresh = 1;       /* the next chunk starts a line */
	if (!f)
		return;
	char l[512];
	while (k < e->line && fgets(l, sizeof l, f)) {
		if (fresh)
			strcpy(lines[k++ % 64], l);
		fresh = strchr(l, '\n') != NULL;
	}
	fclose(f);
	if (k < e->line)
		return;
	const char *line = lines[(k - 1) % 64];
	size_t col = e->col > 0 && e->col - 1 < strlen(line) ? e->col - 1 : strlen(line);
	if (!last_name(line, col, cap, n))
		return;
	const char *capname = strstr(line, "name:");
	while (capname && strstr(capname + 5, "name:") && strstr(capname + 5, "name:") < line + col)
		capname = strstr(capname + 5, "name:");
	if (capname && last_name(line, (size_t)(capname - line), svc, n))
		return;
	for (unsigned back = 2; back <= k && back <= 64; back++) {
		const char *p = lines[(k - back) % 64];
		if (strstr(p, "name:") && !strstr(p, "source:") && last_name(p, strlen(p), svc, n))
			return;
	}
}

/* "system.initConfig.services.8.caps.2" -> holder text and cap index. */
static void describe(const struct kind_error *e, struct out *o)
{
	char svc[64] = "", cap[64] = "", tmp[400];
	unsigned si = 0, ci = 0;
	int is_init = strstr(e->path, ".init.caps.") != NULL;
	const char *c = strstr(e->path, ".caps.");
	if (c)
		ci = (unsigned)strtoul(c + 6, NULL, 10);
	const char *s = strstr(e->path, ".services.");
	if (s)
		si = (unsigned)strtoul(s + 10, NULL, 10);
	find_names(e, svc, cap, sizeof svc);
	snprintf(tmp, sizeof tmp, "%s:%u: ", e->file, e->line);
	puts_(o, tmp);
	if (is_init)
		puts_(o, "init");
	else if (svc[0])
		snprintf(tmp, sizeof tmp, "service \"%s\"", svc), puts_(o, tmp);
	else
		snprintf(tmp, sizeof tmp, "services[%u]", si), puts_(o, tmp);
	if (cap[0])
		snprintf(tmp, sizeof tmp, " cap \"%s\"", cap);
	else
		snprintf(tmp, sizeof tmp, " caps[%u]", ci);
	puts_(o, tmp);
	snprintf(tmp, sizeof tmp, ": unknown kernel capability kind \"%s\"; valid kinds: ", e->value);
	puts_(o, tmp);
	for (uint32_t k = 0; mf_kernel_cap_name(k); k++) {
		puts_(o, k ? ", " : "");
		puts_(o, mf_kernel_cap_name(k));
	}
	puts_(o, "\n");
}

static int known(const struct kind_error *errs, unsigned n, const char *path, size_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (strlen(errs[i].path) <= len && !strncmp(path, errs[i].path, strlen(errs[i].path)) &&
		    (path[strlen(errs[i].path)] == '.' || path[strlen(errs[i].path)] == ':' ||
		     strlen(errs[i].path) == len))
			return 1;
	return 0;
}

char *cue_errors_rewrite(const char *text, size_t len)
{
	static struct kind_error errs[MAX_KIND_ERRORS];
	unsigned n = 0;
	struct out o = {malloc(256), 0, 256};
	if (!o.buf)
		return NULL;
	o.buf[0] = '\0';

	/* Pass 1: every bad kind with its first location in the user's file. */
	struct kind_error cur;
	int in_conflict = 0;
	for (const char *l = text; l < text + len;) {
		const char *nl = memchr(l, '\n', (size_t)(text + len - l));
		size_t ln = nl ? (size_t)(nl - l) : (size_t)(text + len - l);
		if (l[0] != ' ') {
			in_conflict = parse_kind_conflict(l, ln, &cur) &&
			              !known(errs, n, cur.path, strlen(cur.path)) && n < MAX_KIND_ERRORS;
		} else if (in_conflict && parse_location(l, ln, &cur)) {
			errs[n++] = cur;
			in_conflict = 0;
		}
		l += ln + 1;
	}
	for (unsigned i = 0; i < n; i++)
		describe(&errs[i], &o);

	/* Pass 2: everything else, unchanged. */
	int skip = 0;
	for (const char *l = text; l < text + len;) {
		const char *nl = memchr(l, '\n', (size_t)(text + len - l));
		size_t ln = nl ? (size_t)(nl - l) : (size_t)(text + len - l);
		if (l[0] != ' ')
			skip = known(errs, n, l, ln);
		if (!skip) {
			put(&o, l, ln);
			put(&o, "\n", 1);
		}
		l += ln + 1;
	}
	return o.buf;
}
