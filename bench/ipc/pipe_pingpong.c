/*
 * Host reference for `make bench`: a Linux pipe ping-pong round trip between
 * two processes, the closest Linux analogue of an Endpoint call+reply.
 *
 * Prints one machine-readable line:
 *   pipe_roundtrip iterations=N median_cycles=M p99_cycles=P median_ns=X p99_ns=Y
 * Cycles are host TSC ticks; nanoseconds come from CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: pipe_pingpong [--iterations N]\n"
	             "Measures a one-byte pipe round trip between two processes.\n");
}

static int read_byte(int fd, char *c)
{
	for (;;) {
		ssize_t n = read(fd, c, 1);
		if (n == 1)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return -1;
	}
}

static void echo_child(int in, int out)
{
	char c;
	while (read_byte(in, &c) == 0)
		if (write(out, &c, 1) != 1)
			_exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	long iterations = 20000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
			iterations = strtol(argv[++i], NULL, 10);
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (iterations < 100 || iterations > 10000000) {
		fprintf(stderr, "pipe_pingpong: --iterations must be 100..10000000\n");
		return 2;
	}
	int to_child[2], to_parent[2];
	if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
		perror("pipe_pingpong: pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("pipe_pingpong: fork");
		return 1;
	}
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		echo_child(to_child[0], to_parent[1]);
	}
	close(to_child[0]);
	close(to_parent[1]);

	uint64_t *cycles = calloc((size_t)iterations, sizeof *cycles);
	uint64_t *nanos = calloc((size_t)iterations, sizeof *nanos);
	if (!cycles || !nanos) {
		fprintf(stderr, "pipe_pingpong: out of memory\n");
		return 1;
	}
	char c = 'x';
	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = now_ns(), c0 = rdtsc();
		if (write(to_child[1], &c, 1) != 1 || read_byte(to_parent[0], &c) != 0) {
			fprintf(stderr, "pipe_pingpong: echo child stopped answering\n");
			return 1;
		}
		cycles[i] = rdtsc() - c0;
		nanos[i] = now_ns() - t0;
	}
	close(to_child[1]);
	waitpid(pid, NULL, 0);

	qsort(cycles, (size_t)iterations, sizeof *cycles, cmp_u64);
	qsort(nanos, (size_t)iterations, sizeof *nanos, cmp_u64);
	long p99 = iterations * 99 / 100;
	printf("pipe_roundtrip iterations=%ld median_cycles=%llu p99_cycles=%llu "
	       "median_ns=%llu p99_ns=%llu\n",
	       iterations, (unsigned long long)cycles[iterations / 2],
	       (unsigned long long)cycles[p99], (unsigned long long)nanos[iterations / 2],
	       (unsigned long long)nanos[p99]);
	free(cycles);
	free(nanos);
	return 0;
}
