/* Kernel command line lookup (see boot_cmdline.h). */
#include "boot_cmdline.h"

#include "kstring.h"

const char *boot_cmdline_get(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	if (klen == 0 || len == 0)
		return NULL;
	const char *p = cmdline;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *word = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen < klen || strncmp(word, key, klen) != 0)
			continue;
		if (wlen == klen) {
			buf[0] = '\0';
			return buf;
		}
		if (word[klen] != '=')
			continue;
		size_t vlen = wlen - klen - 1;
		if (vlen + 1 > len)
			return NULL;
		memcpy(buf, word + klen + 1, vlen);
		buf[vlen] = '\0';
		return buf;
	}
	return NULL;
}

static bool key_is(const char *word, size_t wlen, const char *key)
{
	size_t klen = strlen(key);
	return wlen >= klen && strncmp(word, key, klen) == 0 &&
	       (wlen == klen || word[klen] == '=');
}

size_t boot_cmdline_next_unknown(const char *cmdline, size_t *pos, const char *const known[],
                                 size_t n, const char **word)
{
	const char *p = cmdline + *pos;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t wlen = (size_t)(p - w);
		*pos = (size_t)(p - cmdline);
		if (wlen == 0)
			return 0;
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = key_is(w, wlen, known[i]);
		if (!found) {
			*word = w;
			return wlen;
		}
	}
}

bool boot_cmdline_parse_uint(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	if (v == 0)
		return false;
	*out = (uint32_t)v;
	return true;
}
