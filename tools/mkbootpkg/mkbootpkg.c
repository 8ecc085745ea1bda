/*
 * mkbootpkg: packs user programs into one capOS boot package
 * (include/capos/bootpkg.h) for the temporary kernel boot of services.
 *
 *   mkbootpkg -o OUT NAME=FILE [NAME=FILE...]
 *   mkbootpkg --list PKG
 */
#include <capos/bootpkg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: mkbootpkg -o OUT NAME=FILE [NAME=FILE...]\n"
	        "       mkbootpkg --list PKG\n"
	        "Packs static user ELFs into a capOS boot package (at most %u entries,\n"
	        "names 1..%u bytes, unique).  The kernel starts them in this order.\n"
	        "--list validates a package and prints its entries.\n",
	        CAPOS_BOOTPKG_MAX, CAPOS_BOOTPKG_NAME_MAX - 1);
}

static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "mkbootpkg: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "mkbootpkg: out of memory reading %s\n", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(stderr, "mkbootpkg: %s: read error\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = len;
	return buf;
}

static int list(const char *path)
{
	size_t size;
	unsigned char *pkg = read_file(path, &size);
	if (!pkg)
		return 1;
	int count = capos_bootpkg_count(pkg, size);
	if (count < 0) {
		fprintf(stderr, "mkbootpkg: %s: not a valid boot package\n", path);
		free(pkg);
		return 1;
	}
	for (int i = 0; i < count; i++) {
		struct capos_bootpkg_entry e;
		if (capos_bootpkg_entry_get(pkg, size, (unsigned)i, &e) != 0) {
			fprintf(stderr, "mkbootpkg: %s: entry %d is malformed\n", path, i);
			free(pkg);
			return 1;
		}
		printf("%-31s offset %8llu size %8llu\n", e.name, (unsigned long long)e.offset,
		       (unsigned long long)e.size);
	}
	free(pkg);
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	int first = 1;
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--list"))
		return list(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "-o")) {
		out = argv[2];
		first = 3;
	}
	unsigned n = (unsigned)(argc - first);
	if (!out || n == 0) {
		usage(stderr);
		return 2;
	}
	if (n > CAPOS_BOOTPKG_MAX) {
		fprintf(stderr, "mkbootpkg: %u programs, at most %u fit\n", n, CAPOS_BOOTPKG_MAX);
		return 2;
	}
	struct capos_bootpkg_entry entries[CAPOS_BOOTPKG_MAX];
	unsigned char *data[CAPOS_BOOTPKG_MAX];
	memset(entries, 0, sizeof(entries));
	uint64_t offset = sizeof(struct capos_bootpkg_header) + n * sizeof(entries[0]);
	int rc = 0;
	unsigned loaded = 0;
	for (unsigned i = 0; i < n; i++) {
		const char *arg = argv[first + i];
		const char *eq = strchr(arg, '=');
		size_t nlen = eq ? (size_t)(eq - arg) : 0;
		if (!eq || nlen == 0 || nlen >= CAPOS_BOOTPKG_NAME_MAX) {
			fprintf(stderr, "mkbootpkg: '%s': expected NAME=FILE with a name of 1..%u bytes\n",
			        arg, CAPOS_BOOTPKG_NAME_MAX - 1);
			rc = 2;
			break;
		}
		memcpy(entries[i].name, arg, nlen);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(entries[j].name, entries[i].name)) {
				fprintf(stderr, "mkbootpkg: name '%s' given twice\n", entries[i].name);
				rc = 2;
			}
		if (rc)
			break;
		size_t size;
		data[i] = read_file(eq + 1, &size);
		if (!data[i]) {
			rc = 1;
			break;
		}
		loaded++;
		offset = (offset + 7) & ~7ull;
		entries[i].offset = offset;
		entries[i].size = size;
		offset += size;
	}
	if (rc == 0) {
		struct capos_bootpkg_header h = {.magic = CAPOS_BOOTPKG_MAGIC,
		                                 .version = CAPOS_BOOTPKG_VERSION,
		                                 .count = (uint16_t)n,
		                                 .total_size = offset};
		/* Written under a temporary name and renamed: a reader (QEMU
		 * booting a smoke while another build runs) never sees a
		 * half-written package. */
		char tmp[4096];
		int tl = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
		FILE *f = tl > 0 && (size_t)tl < sizeof tmp ? fopen(tmp, "wb") : NULL;
		if (tl <= 0 || (size_t)tl >= sizeof tmp)
			errno = ENAMETOOLONG;
		if (!f) {
			fprintf(stderr, "mkbootpkg: %s: %s\n", tmp, strerror(errno));
			rc = 1;
		} else {
			static const unsigned char zero[8];
			uint64_t pos = sizeof(h) + n * sizeof(entries[0]);
			int ok = fwrite(&h, sizeof(h), 1, f) == 1 &&
			         fwrite(entries, sizeof(entries[0]), n, f) == n;
			for (unsigned i = 0; ok && i < n; i++) {
				ok = fwrite(zero, 1, entries[i].offset - pos, f) == entries[i].offset - pos &&
				     fwrite(data[i], 1, entries[i].size, f) == entries[i].size;
				pos = entries[i].offset + entries[i].size;
			}
			if (fclose(f) != 0 || !ok) {
				fprintf(stderr, "mkbootpkg: %s: write error\n", tmp);
				remove(tmp);
				rc = 1;
			} else if (rename(tmp, out) != 0) {
				fprintf(stderr, "mkbootpkg: rename %s -> %s: %s\n", tmp, out,
				        strerror(errno));
				remove(tmp);
				rc = 1;
			}
		}
	}
	for (unsigned i = 0; i < loaded; i++)
		free(data[i]);
	return rc;
}
