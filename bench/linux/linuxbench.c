/*
 * linuxbench: /init of the Linux guest that `make bench` boots beside capOS
 * (tools/linux-guest.sh, mk/bench.mk).  Static (gcc -static), no shell, no
 * other program but /exit0 (the posix_spawn child).  Under QEMU TCG with
 * `-icount shift=0` one TSC tick is one guest instruction, so every figure
 * is a guest instruction count, the unit capOS's own benchmarks use.
 *
 * Operations, each the capOS row it stands beside (docs/benchmarks.md):
 *   pipe_roundtrip     one byte to a child process and back over two pipes
 *   futex_roundtrip    two threads handing a word back and forth with
 *                      FUTEX_WAKE / FUTEX_WAIT
 *   eventfd_roundtrip  a child process and two eventfds
 *   thread_create_join pthread_create of a thread that returns at once,
 *                      until pthread_join has it
 *   getppid            the cheapest real system call (glibc does not cache it)
 *   uring_nop_batch_N  N IORING_OP_NOP SQEs submitted and reaped with one
 *                      io_uring_enter (raw system calls, no liburing)
 *   posix_spawn        posix_spawn of /exit0 until it returns; then
 *   spawn_waitpid      ... until waitpid has reaped it
 * Each line: `linuxbench: NAME samples=N median_cycles=M p99_cycles=P
 * per_op_median=Q` (the format of capOS's bench_ipc), then
 * `linuxbench: done`, and the guest powers off.  A failed operation prints
 * `linuxbench: FAIL NAME: why` and is left out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_init.h"

#define SAMPLES        2000u
#define WARMUP         100u
#define SPAWN_ROUNDS   64u
#define THREAD_SAMPLES 200u
#define THREAD_WARMUP  10u

extern char **environ;

static uint64_t samples[SAMPLES];

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	/* clang-format on */
	return ((uint64_t)hi << 32) | lo;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, unsigned n, unsigned per)
{
	qsort(samples, n, sizeof samples[0], cmp_u64);
	uint64_t med = samples[n / 2], p99 = samples[(n * 99) / 100];
	printf("linuxbench: %s samples=%u median_cycles=%llu p99_cycles=%llu per_op_median=%llu\n",
	       name, n, (unsigned long long)med, (unsigned long long)p99,
	       (unsigned long long)(med / per));
	fflush(stdout);
}

static void fail(const char *name, const char *why)
{
	printf("linuxbench: FAIL %s: %s (errno %d)\n", name, why, errno);
	fflush(stdout);
}

static int xread(int fd, void *buf, size_t n)
{
	ssize_t r;
	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}

static int xwrite(int fd, const void *buf, size_t n)
{
	ssize_t r;
	do
		r = write(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}

/* The child of a two-fd round trip: echoes `size` bytes from `in` to
 * `out`, once per round trip the parent makes (an eventfd has no end of
 * file to stop at). */
static void echo_child(int in, int out, size_t size)
{
	uint64_t v;
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++)
		if (xread(in, &v, size) != 0 || xwrite(out, &v, size) != 0)
			_exit(1);
	_exit(0);
}

/* Round trips over two descriptor pairs: to[1] -> child -> back[0].  For
 * pipes the descriptors differ per end; for eventfds both ends are one fd. */
static void roundtrip(const char *name, int to_rd, int to_wr, int back_rd, int back_wr, size_t size)
{
	pid_t pid = fork();
	if (pid < 0) {
		fail(name, "fork");
		return;
	}
	if (pid == 0)
		echo_child(to_rd, back_wr, size);
	uint64_t v = 1;
	unsigned bad = 0;
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		uint64_t t0 = rdtsc();
		if (xwrite(to_wr, &v, size) != 0 || xread(back_rd, &v, size) != 0)
			bad++;
		uint64_t t1 = rdtsc();
		if (i >= WARMUP)
			samples[i - WARMUP] = t1 - t0;
		v = 1;
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bad++;
	if (bad)
		fail(name, "short read or write");
	else
		report(name, SAMPLES, 1);
}

static void bench_pipe(void)
{
	int to[2], back[2];
	if (pipe(to) != 0 || pipe(back) != 0) {
		fail("pipe_roundtrip", "pipe");
		return;
	}
	roundtrip("pipe_roundtrip", to[0], to[1], back[0], back[1], 1);
	for (int i = 0; i < 2; i++) {
		close(to[i]);
		close(back[i]);
	}
}

static void bench_eventfd(void)
{
	int to = eventfd(0, 0), back = eventfd(0, 0);
	if (to < 0 || back < 0) {
		fail("eventfd_roundtrip", "eventfd");
		return;
	}
	roundtrip("eventfd_roundtrip", to, to, back, back, sizeof(uint64_t));
	close(to);
	close(back);
}

/* futex ping-pong: turn 0 = main's, 1 = the thread's.  Each side waits
 * while the turn is not its own and hands it over with FUTEX_WAKE. */
static atomic_int turn;

static long futex(atomic_int *addr, int op, int val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void take_turn(int mine)
{
	int t;
	while ((t = atomic_load(&turn)) != mine)
		futex(&turn, FUTEX_WAIT_PRIVATE, t);
}

static void give_turn(int other)
{
	atomic_store(&turn, other);
	futex(&turn, FUTEX_WAKE_PRIVATE, 1);
}

static void *futex_thread(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		take_turn(1);
		give_turn(0);
	}
	return NULL;
}

static void bench_futex(void)
{
	pthread_t th;
	atomic_store(&turn, 0);
	if (pthread_create(&th, NULL, futex_thread, NULL) != 0) {
		fail("futex_roundtrip", "pthread_create");
		return;
	}
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		uint64_t t0 = rdtsc();
		give_turn(1);
		take_turn(0);
		uint64_t t1 = rdtsc();
		if (i >= WARMUP)
			samples[i - WARMUP] = t1 - t0;
	}
	pthread_join(th, NULL);
	report("futex_roundtrip", SAMPLES, 1);
}

static void *returns(void *arg) { return arg; }

static void bench_thread_create_join(void)
{
	for (unsigned i = 0; i < THREAD_SAMPLES + THREAD_WARMUP; i++) {
		pthread_t th;
		uint64_t t0 = rdtsc();
		if (pthread_create(&th, NULL, returns, NULL) != 0) {
			fail("thread_create_join", "pthread_create");
			return;
		}
		pthread_join(th, NULL);
		uint64_t t1 = rdtsc();
		if (i >= THREAD_WARMUP)
			samples[i - THREAD_WARMUP] = t1 - t0;
	}
	report("thread_create_join", THREAD_SAMPLES, 1);
}

static void bench_getppid(void)
{
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		uint64_t t0 = rdtsc();
		syscall(SYS_getppid);
		uint64_t t1 = rdtsc();
		if (i >= WARMUP)
			samples[i - WARMUP] = t1 - t0;
	}
	report("getppid", SAMPLES, 1);
}

/* io_uring through raw system calls: the three mappings of
 * io_uring_setup's fd and the index arithmetic liburing would do. */
struct uring {
	int fd;
	unsigned entries;
	_Atomic unsigned *sq_head, *sq_tail, *cq_head, *cq_tail;
	unsigned *sq_mask, *cq_mask, *sq_array;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int uring_open(struct uring *u, unsigned entries)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	u->fd = (int)syscall(SYS_io_uring_setup, entries, &p);
	if (u->fd < 0)
		return -1;
	u->entries = p.sq_entries;
	size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	char *sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
	                IORING_OFF_SQ_RING);
	char *cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
	                IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || u->sqes == MAP_FAILED)
		return -1;
	u->sq_head = (_Atomic unsigned *)(sq + p.sq_off.head);
	u->sq_tail = (_Atomic unsigned *)(sq + p.sq_off.tail);
	u->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)(sq + p.sq_off.array);
	u->cq_head = (_Atomic unsigned *)(cq + p.cq_off.head);
	u->cq_tail = (_Atomic unsigned *)(cq + p.cq_off.tail);
	u->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Queues n NOPs, enters once for all of them, reaps n CQEs; 0 when all n
 * completed with result 0. */
static int uring_nops(struct uring *u, unsigned n)
{
	unsigned tail = atomic_load_explicit(u->sq_tail, memory_order_relaxed);
	for (unsigned i = 0; i < n; i++) {
		unsigned idx = (tail + i) & *u->sq_mask;
		struct io_uring_sqe *s = &u->sqes[idx];
		memset(s, 0, sizeof *s);
		s->opcode = IORING_OP_NOP;
		s->user_data = 100 + i;
		u->sq_array[idx] = idx;
	}
	atomic_store_explicit(u->sq_tail, tail + n, memory_order_release);
	long r = syscall(SYS_io_uring_enter, u->fd, n, n, IORING_ENTER_GETEVENTS, NULL, 0);
	if (r != (long)n)
		return -1;
	unsigned head = atomic_load_explicit(u->cq_head, memory_order_relaxed);
	unsigned ctail = atomic_load_explicit(u->cq_tail, memory_order_acquire);
	if (ctail - head != n)
		return -1;
	int bad = 0;
	for (unsigned i = 0; i < n; i++)
		bad |= u->cqes[(head + i) & *u->cq_mask].res != 0;
	atomic_store_explicit(u->cq_head, head + n, memory_order_release);
	return bad ? -1 : 0;
}

static void bench_uring(struct uring *u, unsigned batch)
{
	char name[32];
	snprintf(name, sizeof name, "uring_nop_batch_%u", batch);
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		uint64_t t0 = rdtsc();
		int e = uring_nops(u, batch);
		uint64_t t1 = rdtsc();
		if (e != 0) {
			fail(name, "io_uring_enter or a CQE");
			return;
		}
		if (i >= WARMUP)
			samples[i - WARMUP] = t1 - t0;
	}
	report(name, SAMPLES, batch);
}

static void bench_spawn(void)
{
	static uint64_t spawn_t[SPAWN_ROUNDS], total_t[SPAWN_ROUNDS];
	char *argv[] = {"exit0", NULL};
	for (unsigned i = 0; i < SPAWN_ROUNDS; i++) {
		pid_t pid;
		int status;
		uint64_t t0 = rdtsc();
		int e = posix_spawn(&pid, "/exit0", NULL, NULL, argv, environ);
		uint64_t t1 = rdtsc();
		if (e != 0) {
			errno = e;
			fail("posix_spawn", "posix_spawn /exit0");
			return;
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fail("spawn_waitpid", "waitpid or /exit0's status");
			return;
		}
		uint64_t t2 = rdtsc();
		spawn_t[i] = t1 - t0;
		total_t[i] = t2 - t0;
	}
	memcpy(samples, spawn_t, sizeof spawn_t);
	report("posix_spawn", SPAWN_ROUNDS, 1);
	memcpy(samples, total_t, sizeof total_t);
	report("spawn_waitpid", SPAWN_ROUNDS, 1);
}

int main(void)
{
	if (getpid() == 1)
		guest_console();
	printf("linuxbench: start (guest instructions; -icount shift=0)\n");
	fflush(stdout);
	bench_pipe();
	bench_futex();
	bench_thread_create_join();
	bench_eventfd();
	bench_getppid();
	struct uring u;
	if (uring_open(&u, 64) != 0) {
		fail("uring_nop_batch_1", "io_uring_setup or mmap");
	} else {
		bench_uring(&u, 1);
		bench_uring(&u, 8);
		bench_uring(&u, 64);
	}
	bench_spawn();
	printf("linuxbench: done\n");
	fflush(stdout);
	if (getpid() == 1)
		guest_power_off();
	return 0;
}
