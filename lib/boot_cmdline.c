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
