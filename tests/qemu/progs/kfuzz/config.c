/* kfuzz configuration from the kernel command line (see config.h). */
#include "config.h"

#include "boot_cmdline.h"
#include "kstring.h"

static const char *const off_names[] = {"nt", "selfcopy", "hugehint", "effect"};
#define OFF_COUNT (sizeof off_names / sizeof off_names[0])

static void set_err(char *err, size_t len, const char *a, const char *b)
{
	if (len == 0)
		return;
	size_t n = kstrlcpy(err, a, len);
	if (n < len)
		kstrlcpy(err + n, b, len - n);
}

/* A decimal number up to max; the key's default when absent. */
static int number(const char *line, const char *key, uint64_t dflt, uint64_t max, uint64_t *out,
                  char *err, size_t errlen)
{
	char v[24];
	const char *s = boot_cmdline_get(line, key, v, sizeof v);
	*out = dflt;
	if (s == 0)
		return 0;
	if (*s == 0) {
		set_err(err, errlen, key, ": no value");
		return -1;
	}
	uint64_t n = 0;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (*s < '0' || *s > '9' || d > max || n > (max - d) / 10) {
			set_err(err, errlen, key, ": not a number in range");
			return -1;
		}
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

static int off_list(const char *line, uint32_t *off, char *err, size_t errlen)
{
	char v[64];
	const char *s = boot_cmdline_get(line, "kfuzz.off", v, sizeof v);
	*off = 0;
	while (s && *s) {
		const char *w = s;
		while (*s && *s != ',')
			s++;
		size_t n = (size_t)(s - w);
		unsigned i = 0;
		while (i < OFF_COUNT && (strlen(off_names[i]) != n || strncmp(w, off_names[i], n) != 0))
			i++;
		if (i == OFF_COUNT) {
			set_err(err, errlen, "kfuzz.off: unknown name in ", v);
			return -1;
		}
		*off |= 1u << i;
		if (*s == ',')
			s++;
	}
	return 0;
}

int kf_config_parse(const char *cmdline, struct kf_config *c, char *err, size_t errlen)
{
	uint64_t seed, ops, workers, trace;
	*c = (struct kf_config){0};
	if (number(cmdline, "kfuzz.seed", 1, UINT64_MAX, &seed, err, errlen) ||
	    number(cmdline, "kfuzz.ops", 2000, UINT32_MAX, &ops, err, errlen) ||
	    number(cmdline, "kfuzz.workers", 2, KF_WORKERS_MAX, &workers, err, errlen) ||
	    number(cmdline, "kfuzz.trace", 0, 1, &trace, err, errlen) ||
	    off_list(cmdline, &c->off, err, errlen))
		return -1;
	c->seed = seed;
	c->ops = (uint32_t)ops;
	c->workers = (uint32_t)workers;
	c->trace = (uint32_t)trace;
	return 0;
}

const char *kf_off_names(uint32_t off, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = 0;
	for (unsigned i = 0; i < OFF_COUNT; i++) {
		if (!(off & (1u << i)))
			continue;
		size_t n = strlen(buf);
		if (n < len)
			kstrlcpy(buf + n, " ", len - n);
		n = strlen(buf);
		if (n < len)
			kstrlcpy(buf + n, off_names[i], len - n);
	}
	if (buf[0] == 0)
		kstrlcpy(buf, " none", len);
	return buf;
}
