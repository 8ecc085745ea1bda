/*
 * POSIX threads on musl over ThreadSpawner and ParkSpace (libc/threads.c,
 * libc/musl/clone.c, futex in libc/posix.c), against glibc on the host:
 * only the main thread prints, and every figure is exact, so the two
 * outputs are equal only if every check passes on both
 * (tests/musl/compare.sh).
 *   - 8 threads add 1 to a counter 20,000 times each under a
 *     pthread_mutex: the total is exact; each join returns its value;
 *   - each thread has its own errno and _Thread_local copy;
 *   - a condition variable hands values from a producer to a consumer;
 *   - pthread_once runs its function once among 4 racing threads;
 *   - pthread_key: per-thread values, the destructor runs per thread;
 *   - pthread_exit's value reaches pthread_join; a detached thread runs
 *     to its end (seen through a semaphore-like condvar);
 *   - a timed wait on a condition times out with ETIMEDOUT;
 *   - pthread_attr_setstack on malloc'd and mmap'd memory: the thread's
 *     locals lie in that memory; pthread_attr_setstacksize: the thread's
 *     stack (pthread_getattr_np) is at least that big and holds a large
 *     local array;
 *   - 200 threads alive at once, then joined;
 *   - 100 detached threads end, then the frames the process holds and the
 *     system's free frames are back where they were (on capOS, through
 *     __capos_frames, libc/threads.c; glibc has no such count and only
 *     the outcome line is printed, the same on both).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define WORKERS 8
#define ROUNDS  20000

static int failures;

static void check(const char *name, int ok)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", name);
	failures += !ok;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static _Thread_local int tls_value = 7;
static int tls_fresh[WORKERS], errno_kept[WORKERS];
static uintptr_t tls_addr[WORKERS];

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	tls_fresh[i] = tls_value == 7;
	tls_value = 100 + i;
	tls_addr[i] = (uintptr_t)&tls_value;
	errno = 1000 + i;
	for (int r = 0; r < ROUNDS; r++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (r % 2000 == 0)
			sched_yield();
	}
	errno_kept[i] = errno == 1000 + i;
	return (void *)(intptr_t)(tls_value == 100 + i ? i * 3 : -1);
}

static void counter_test(void)
{
	pthread_t t[WORKERS];
	int created = 0, joined = 0, fresh = 0, errnos = 0, distinct = 0;
	errno = 0;
	for (int i = 0; i < WORKERS; i++)
		created += pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) == 0;
	for (int i = 0; i < WORKERS; i++) {
		void *ret = NULL;
		joined += pthread_join(t[i], &ret) == 0 && (intptr_t)ret == i * 3;
		fresh += tls_fresh[i];
		errnos += errno_kept[i];
	}
	for (int i = 0; i < WORKERS; i++) {
		int same = 0;
		for (int j = 0; j < WORKERS; j++)
			same += tls_addr[i] == tls_addr[j];
		distinct += same == 1 && tls_addr[i] != (uintptr_t)&tls_value;
	}
	printf("created %d, joined %d with their values\n", created, joined);
	printf("counter %ld (expected %d)\n", counter, WORKERS * ROUNDS);
	check("counter exact", counter == (long)WORKERS * ROUNDS);
	check("TLS fresh and distinct per thread", fresh == WORKERS && distinct == WORKERS &&
	                                                   tls_value == 7);
	check("errno per thread", errnos == WORKERS && errno == 0);
}

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static int q_value, q_full;

static void *producer(void *arg)
{
	(void)arg;
	for (int v = 1; v <= 100; v++) {
		pthread_mutex_lock(&q_lock);
		while (q_full)
			pthread_cond_wait(&q_cond, &q_lock);
		q_value = v;
		q_full = 1;
		pthread_cond_broadcast(&q_cond);
		pthread_mutex_unlock(&q_lock);
	}
	return NULL;
}

static void cond_test(void)
{
	pthread_t t;
	long sum = 0;
	pthread_create(&t, NULL, producer, NULL);
	for (int n = 0; n < 100; n++) {
		pthread_mutex_lock(&q_lock);
		while (!q_full)
			pthread_cond_wait(&q_cond, &q_lock);
		sum += q_value;
		q_full = 0;
		pthread_cond_broadcast(&q_cond);
		pthread_mutex_unlock(&q_lock);
	}
	pthread_join(t, NULL);
	printf("condvar handoff: 100 values, sum %ld\n", sum);
	check("condvar handoff", sum == 5050);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void once_fn(void) { __atomic_fetch_add(&once_runs, 1, __ATOMIC_RELAXED); }
static void *once_racer(void *arg)
{
	(void)arg;
	pthread_once(&once, once_fn);
	return (void *)(intptr_t)once_runs;
}

static void once_test(void)
{
	pthread_t t[4];
	int saw_one = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, once_racer, NULL);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		saw_one += (intptr_t)r == 1;
	}
	printf("once: ran %d time(s), %d threads saw it done\n", once_runs, saw_one);
	check("pthread_once", once_runs == 1 && saw_one == 4);
}

static pthread_key_t key;
static int dtor_runs;
static void key_dtor(void *v)
{
	if (v != NULL)
		__atomic_fetch_add(&dtor_runs, 1, __ATOMIC_RELAXED);
}
static void *key_user(void *arg)
{
	pthread_setspecific(key, arg);
	for (int i = 0; i < 1000; i++)
		sched_yield();
	if (pthread_getspecific(key) != arg)
		return (void *)1;
	pthread_exit((void *)(intptr_t)((intptr_t)arg + 1000));
}

static void key_test(void)
{
	pthread_t t[3];
	int good = 0;
	pthread_key_create(&key, key_dtor);
	pthread_setspecific(key, (void *)1);
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, key_user, (void *)(intptr_t)(10 + i));
	for (int i = 0; i < 3; i++) {
		void *r;
		pthread_join(t[i], &r);
		good += (intptr_t)r == 1010 + i;
	}
	printf("keys: %d threads kept their value, %d destructors ran\n", good, dtor_runs);
	check("pthread_key and pthread_exit", good == 3 && dtor_runs == 3 &&
	                                              pthread_getspecific(key) == (void *)1);
	pthread_key_delete(key);
}

static pthread_mutex_t d_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t d_cond = PTHREAD_COND_INITIALIZER;
static int d_done;
static void *detached(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&d_lock);
	d_done++;
	pthread_cond_signal(&d_cond);
	pthread_mutex_unlock(&d_lock);
	return NULL;
}

static void detach_test(void)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	int created = 0;
	for (int i = 0; i < 4; i++) {
		pthread_t t;
		created += pthread_create(&t, &a, detached, NULL) == 0;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, detached, NULL) == 0) {
		created += pthread_detach(t) == 0;
	}
	pthread_mutex_lock(&d_lock);
	while (d_done < 5)
		pthread_cond_wait(&d_cond, &d_lock);
	pthread_mutex_unlock(&d_lock);
	printf("detached: %d created, %d ran\n", created, d_done);
	check("detached threads", created == 5 && d_done == 5);
}

static void timeout_test(void)
{
	struct timespec at;
	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_nsec += 20 * 1000 * 1000;
	if (at.tv_nsec >= 1000000000) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&q_lock);
	int r = pthread_cond_timedwait(&q_cond, &q_lock, &at);
	pthread_mutex_unlock(&q_lock);
	printf("timed wait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : strerror(r));
	check("cond timed wait times out", r == ETIMEDOUT);
}

/* Where the thread's locals are, and the stack it was given. */
struct stack_seen {
	uintptr_t local;
	void *addr;
	size_t size;
	int big_ok;
};

static void *stack_probe(void *arg)
{
	struct stack_seen *s = arg;
	volatile char here = 1;
	s->local = (uintptr_t)&here;
	pthread_attr_t a;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		pthread_attr_getstack(&a, &s->addr, &s->size);
		pthread_attr_destroy(&a);
	}
	return NULL;
}

/* A 600 KiB local array, touched at both ends: fits only in a stack of
 * the size asked for (musl's default is 128 KiB). */
static void *big_local(void *arg)
{
	struct stack_seen *s = arg;
	volatile char buf[600 * 1024];
	buf[0] = 1;
	buf[sizeof(buf) - 1] = 2;
	s->big_ok = buf[0] + buf[sizeof(buf) - 1] == 3;
	return stack_probe(arg);
}

static int inside(uintptr_t p, const void *base, size_t size)
{
	return p >= (uintptr_t)base && p < (uintptr_t)base + size;
}

static int run_on(void *mem, size_t size)
{
	pthread_attr_t a;
	pthread_t t;
	struct stack_seen s = {0};
	pthread_attr_init(&a);
	if (pthread_attr_setstack(&a, mem, size) != 0 ||
	    pthread_create(&t, &a, stack_probe, &s) != 0)
		return 0;
	pthread_join(t, NULL);
	pthread_attr_destroy(&a);
	return inside(s.local, mem, size);
}

static void user_stack_test(void)
{
	size_t size = 64 * 1024;
	void *heap = malloc(size + 16);
	void *aligned = (void *)(((uintptr_t)heap + 15) & ~(uintptr_t)15);
	void *mapped = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int on_heap = heap != NULL && run_on(aligned, size);
	int on_map = mapped != MAP_FAILED && run_on(mapped, size);
	printf("setstack: locals in the malloc'd stack %s, in the mmap'd stack %s\n",
	       on_heap ? "yes" : "no", on_map ? "yes" : "no");
	check("pthread_attr_setstack", on_heap && on_map);
	free(heap);
	if (mapped != MAP_FAILED)
		munmap(mapped, size);

	pthread_attr_t a;
	pthread_t t;
	struct stack_seen s = {0};
	size_t want = 1024 * 1024;
	pthread_attr_init(&a);
	int ok = pthread_attr_setstacksize(&a, want) == 0 &&
	         pthread_create(&t, &a, big_local, &s) == 0 && pthread_join(t, NULL) == 0;
	pthread_attr_destroy(&a);
	printf("setstacksize 1 MiB: %s\n",
	       ok && s.big_ok && s.size >= want && inside(s.local, s.addr, s.size)
	               ? "a 600 KiB local fits, the stack is at least 1 MiB"
	               : "FAILED");
	check("pthread_attr_setstacksize", ok && s.big_ok && s.size >= want &&
	                                           inside(s.local, s.addr, s.size));
}

#define MANY 200

static pthread_mutex_t m_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t m_cond = PTHREAD_COND_INITIALIZER;
static int m_started, m_go;

/* Waits until every one of the MANY threads runs: all alive at once. */
static void *many_worker(void *arg)
{
	pthread_mutex_lock(&m_lock);
	m_started++;
	pthread_cond_broadcast(&m_cond);
	while (!m_go)
		pthread_cond_wait(&m_cond, &m_lock);
	pthread_mutex_unlock(&m_lock);
	return arg;
}

static void many_test(void)
{
	static pthread_t t[MANY];
	int created = 0, joined = 0;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 16 * 1024);
	for (int i = 0; i < MANY; i++)
		created += pthread_create(&t[i], &a, many_worker, (void *)(intptr_t)i) == 0;
	pthread_attr_destroy(&a);
	pthread_mutex_lock(&m_lock);
	while (m_started < created)
		pthread_cond_wait(&m_cond, &m_lock);
	int alive = m_started;
	m_go = 1;
	pthread_cond_broadcast(&m_cond);
	pthread_mutex_unlock(&m_lock);
	for (int i = 0; i < created; i++) {
		void *r = NULL;
		joined += pthread_join(t[i], &r) == 0 && (intptr_t)r == i;
	}
	printf("many threads: %d created, %d alive at once, %d joined\n", created, alive, joined);
	check("200 threads at once", created == MANY && alive == MANY && joined == MANY);
}

int __capos_frames(unsigned long *held, unsigned long *free_frames) __attribute__((weak));

#define DETACHED 100

static int d_gate;

/* Held until every thread of the batch exists: each batch then has the
 * same 100 threads alive at once, so the second finds every page table
 * the first needed (the address space keeps them until the process
 * ends) and any difference in frames is memory not returned. */
static void *detached_gated(void *arg)
{
	pthread_mutex_lock(&d_lock);
	while (!d_gate)
		pthread_cond_wait(&d_cond, &d_lock);
	pthread_mutex_unlock(&d_lock);
	return detached(arg);
}

static void detached_batch(void)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&d_lock);
	d_done = d_gate = 0;
	pthread_mutex_unlock(&d_lock);
	int created = 0;
	for (int i = 0; i < DETACHED; i++) {
		pthread_t t;
		created += pthread_create(&t, &a, detached_gated, NULL) == 0;
	}
	pthread_attr_destroy(&a);
	pthread_mutex_lock(&d_lock);
	d_gate = 1;
	pthread_cond_broadcast(&d_cond);
	while (d_done < created)
		pthread_cond_wait(&d_cond, &d_lock);
	pthread_mutex_unlock(&d_lock);
	/* Each has signalled, not yet ended: a joinable probe thread's join
	 * proves nothing about them, so wait for their ends by creating and
	 * joining one thread per detached one (musl's thread-list lock is
	 * held by an ending thread until the kernel has ended it). */
	for (int i = 0; i < DETACHED; i++) {
		pthread_t t;
		struct stack_seen s;
		if (pthread_create(&t, NULL, stack_probe, &s) == 0)
			pthread_join(t, NULL);
	}
}

static void detached_memory_test(void)
{
	unsigned long held0 = 0, free0 = 0, held1 = 0, free1 = 0;
	detached_batch(); /* warm up: page tables, the stdio buffer, malloc's state */
	int counted = __capos_frames != NULL && __capos_frames(&held0, &free0) == 0;
	detached_batch();
	int back = 1;
	if (counted) {
		/* The last of them may still be ending (they signal before
		 * they end): give them up to 10 s, 10 ms at a time. */
		struct timespec tick = {0, 10 * 1000 * 1000};
		back = 0;
		for (int i = 0; i < 1000 && !back; i++) {
			back = __capos_frames(&held1, &free1) == 0 && held1 == held0 && free1 == free0;
			if (!back)
				nanosleep(&tick, NULL);
		}
		if (!back)
			fprintf(stderr, "pthread_check: held frames %lu -> %lu, free frames %lu -> %lu\n",
			        held0, held1, free0, free1);
	}
	printf("detached: %d x 2 ended, memory %s\n", DETACHED,
	       back ? "back to where it was" : "NOT returned");
	check("detached threads' memory returned", back);
}

int main(void)
{
	printf("==== pthread_check begin\n");
	counter_test();
	cond_test();
	once_test();
	key_test();
	detach_test();
	timeout_test();
	user_stack_test();
	many_test();
	detached_memory_test();
	printf("%d failures\n", failures);
	printf("==== pthread_check end\n");
	return failures != 0;
}
