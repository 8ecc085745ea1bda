/*
 * The POSIX calls a program makes, served by real capabilities on capOS
 * (libc/posix.c) and by Linux on the host: each check prints "ok NAME" or
 * "FAIL NAME: why", so the two outputs are equal only if every check
 * passes on both (tests/musl/compare.sh).  Timer: clock_gettime and
 * nanosleep; EntropySource: getrandom; VirtualMemory: malloc of large
 * blocks (mmap/munmap) and mprotect; files: fopen of a missing file.
 */
#define _DEFAULT_SOURCE 1 /* nanosleep, MAP_ANONYMOUS, getrandom */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

static int failures;

static void check(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("ok %s\n", name);
	} else {
		printf("FAIL %s: %s (errno %d)\n", name, why, errno);
		failures++;
	}
}

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void check_time(void)
{
	struct timespec a, b;
	int ra = clock_gettime(CLOCK_MONOTONIC, &a);
	struct timespec nap = {0, 20 * 1000 * 1000};
	int rs = nanosleep(&nap, NULL);
	int rb = clock_gettime(CLOCK_MONOTONIC, &b);
	check("clock_gettime", ra == 0 && rb == 0, "failed");
	check("nanosleep", rs == 0, "failed");
	check("nanosleep_waits", ns_of(&b) - ns_of(&a) >= 20 * 1000 * 1000, "woke early");
	struct timespec bad = {0, 1000000000};
	errno = 0;
	check("nanosleep_einval", nanosleep(&bad, NULL) == -1 && errno == EINVAL, "accepted");
	check("time", time(NULL) != (time_t)-1, "failed");
}

static void check_random(void)
{
	unsigned char buf[600];
	memset(buf, 0, sizeof(buf));
	ssize_t n = getrandom(buf, sizeof(buf), 0);
	int nonzero = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		nonzero += buf[i] != 0;
	check("getrandom", n == (ssize_t)sizeof(buf), "short");
	check("getrandom_bytes", nonzero > 500, "mostly zeros");
}

static void check_memory(void)
{
	enum { BIG = 8 << 20 };
	unsigned char *p = malloc(BIG);
	check("malloc_big", p != NULL, "NULL");
	if (p != NULL) {
		memset(p, 0x5a, BIG);
		check("malloc_big_usable", p[0] == 0x5a && p[BIG - 1] == 0x5a, "lost a write");
		free(p);
	}
	void *pages[64];
	int all = 1;
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 64; i++)
			all &= (pages[i] = malloc((size_t)(i + 1) * 1000)) != NULL;
		for (int i = 0; i < 64; i++)
			free(pages[i]);
	}
	check("malloc_churn", all, "NULL");
	unsigned char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                        -1, 0);
	check("mmap", m != MAP_FAILED, "failed");
	if (m != MAP_FAILED) {
		check("mmap_zeroed", m[0] == 0 && m[3 * 4096 - 1] == 0, "not zero");
		m[4096] = 1;
		check("mprotect", mprotect(m, 4096, PROT_READ) == 0, "failed");
		check("munmap", munmap(m, 3 * 4096) == 0, "failed");
	}
}

static void check_files(void)
{
	errno = 0;
	FILE *f = fopen("/no/such/file", "r");
	check("fopen_missing", f == NULL && errno == ENOENT, "opened");
	check("stdout_write", fputs("", stdout) >= 0, "failed");
}

int main(void)
{
	printf("==== posix_check begin\n");
	check_time();
	check_random();
	check_memory();
	check_files();
	printf("==== posix_check end\n");
	return failures != 0;
}
