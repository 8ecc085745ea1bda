/* Interface names -> ids from the generated headers (iface.h). */
#include "iface.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the token s[0..n) into out if it fits. */
static int token(const char *s, size_t n, char *out, size_t cap)
{
	if (n == 0 || n >= cap)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

int iface_scan(struct iface_table *t, const char *text, char *err, size_t errlen)
{
	static const char tag[] = "/* interface ";
	for (const char *p = text; (p = strstr(p, tag)); p++) {
		struct iface e = {0};
		const char *file = p + sizeof(tag) - 1;
		const char *dot = strstr(file, ".capnp:");
		const char *end = strstr(file, " */");
		if (!dot || !end || dot > end)
			continue;
		const char *name = dot + 7;
		const char *def = strstr(end, "#define ");
		const char *hex = def ? strstr(def, "UINT64_C(0x") : NULL;
		if (!token(file, (size_t)(dot - file), e.prefix, sizeof e.prefix) ||
		    !token(name, (size_t)(end - name), e.name, sizeof e.name) || !hex)
			continue;
		e.id = strtoull(hex + 9, NULL, 16);
		if (e.id == 0)
			continue;
		if (t->count == IFACE_MAX) {
			snprintf(err, errlen, "more than %d interfaces in the schemas", IFACE_MAX);
			return -1;
		}
		t->e[t->count++] = e;
	}
	return 0;
}

int iface_load_dir(struct iface_table *t, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		snprintf(err, errlen, "interface schemas: cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 9 || strcmp(de->d_name + l - 8, ".capnp.h") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		rewind(f);
		char *text = n > 0 ? malloc((size_t)n + 1) : NULL;
		size_t got = text ? fread(text, 1, (size_t)n, f) : 0;
		fclose(f);
		if (!text)
			continue;
		text[got] = '\0';
		int r = iface_scan(t, text, err, errlen);
		free(text);
		if (r < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

uint64_t iface_lookup(const struct iface_table *t, const char *name, size_t len,
                      int *ambiguous)
{
	uint64_t found = 0;
	int hits = 0;

	*ambiguous = 0;
	for (size_t i = 0; i < t->count; i++) {
		const struct iface *e = &t->e[i];
		size_t pl = strlen(e->prefix), nl = strlen(e->name);
		if (len == pl + 1 + nl && !memcmp(name, e->prefix, pl) && name[pl] == '.' &&
		    !memcmp(name + pl + 1, e->name, nl))
			return e->id;
		if (len == nl && !memcmp(name, e->name, nl) && found != e->id) {
			found = e->id;
			hits++;
		}
	}
	if (hits > 1) {
		*ambiguous = 1;
		return 0;
	}
	return found;
}

void iface_list(const struct iface_table *t, char *buf, size_t cap)
{
	size_t len = 0;

	if (cap == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < t->count; i++) {
		int n = snprintf(buf + len, cap - len, "%s%s.%s", i ? ", " : "",
		                 t->e[i].prefix, t->e[i].name);
		if (n < 0 || (size_t)n >= cap - len) {
			if (cap > 4)
				strcpy(buf + cap - 4, "...");
			return;
		}
		len += (size_t)n;
	}
}
