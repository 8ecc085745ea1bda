/*
 * threads smoke: ThreadSpawner, ThreadHandle, ParkSpace and the runtime's
 * mutex, condition variable and once (capos/thread.h).
 *
 *   - 8 threads each add 1 to a shared counter 10,000 times under the
 *     mutex: the total is exact; each join returns that thread's status;
 *   - every thread sees its own TLS (.tdata initial value, own address);
 *   - threads end while others still run (their ends are staggered);
 *   - two threads hold different values in XMM registers across
 *     preemptions;
 *   - a condition variable hands a value from one thread to another;
 *   - once runs its function exactly once among 4 racing threads;
 *   - park with a timeout times out, a park on a changed value returns at
 *     once, a wake of nobody wakes 0, hostile addresses are refused;
 *   - a thread runs on a stack of the caller's own (ThreadSpawner.spawn
 *     stackBase: .bss and VirtualMemory memory), its locals inside it;
 *     unmapped, partly mapped, read-only, kernel, misaligned, too small
 *     and wrapping stacks are refused with invalidArgument;
 *   - main returns with two threads still parked: the exit ends them.
 * Only the first thread prints (one Console line per check).
 *
 * Run by: smoke threads (tests/qemu/manifests/threads.cue).
 */
#include <capos/thread.h>
#include <capos/virtual_memory.h>

#include "capos.capnp.h"
#include "demo.h"

#define NAME    "threads"
#define WORKERS 8
#define ROUNDS  10000
#define FPU_NS  200000000u /* 200 ms: ten slices, two threads spinning */

static capos_mutex lock = CAPOS_MUTEX_INIT;
static uint64_t counter;
static _Thread_local uint64_t tls_value = 0x5eed;
static uintptr_t tls_addr[WORKERS];
static int tls_fresh[WORKERS];
/* Set once every worker is spawned: until then none ends, so no worker's
 * thread slot (and TLS address) is reused by the next, however the
 * scheduler runs them. */
static int all_spawned;

static int64_t worker(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	tls_fresh[i] = tls_value == 0x5eed;
	tls_value = i;
	tls_addr[i] = (uintptr_t)&tls_value;
	while (!__atomic_load_n(&all_spawned, __ATOMIC_ACQUIRE))
		capos_nanosleep(0);
	for (unsigned r = 0; r < ROUNDS; r++) {
		capos_mutex_lock(&lock);
		counter++;
		capos_mutex_unlock(&lock);
		if (r % (1000u * (i + 1)) == 0)
			capos_nanosleep(0); /* let others interleave (no effect on the result) */
	}
	return tls_value == i ? 100 + (int64_t)i : -1;
}

/* Holds a pattern in xmm8 over a long loop (preempted many times). */
static int64_t fpu_holder(void *arg)
{
	uint64_t pattern = (uint64_t)(uintptr_t)arg, back = 0;
	int64_t start = capos_clock_ns();
	int ok = 1;
	/* clang-format off */
	__asm__ volatile("movq %0, %%xmm8" ::"r"(pattern) : "xmm8");
	while (ok && capos_clock_ns() - start < FPU_NS) {
		for (volatile uint32_t k = 0; k < 100000u; k++)
			;
		__asm__ volatile("movq %%xmm8, %0" : "=r"(back)::"xmm8");
		ok = back == pattern;
	}
	/* clang-format on */
	return ok;
}

static capos_mutex cv_lock = CAPOS_MUTEX_INIT;
static capos_cond cv = CAPOS_COND_INIT;
static int cv_value;

static int64_t cv_producer(void *arg)
{
	(void)arg;
	capos_mutex_lock(&cv_lock);
	cv_value = 42;
	capos_cond_signal(&cv);
	capos_mutex_unlock(&cv_lock);
	return 0;
}

static capos_once once = CAPOS_ONCE_INIT;
static volatile uint32_t once_runs;
static void once_fn(void) { __atomic_fetch_add(&once_runs, 1, __ATOMIC_RELAXED); }
static int64_t once_racer(void *arg)
{
	(void)arg;
	capos_once_run(&once, once_fn);
	return once_runs;
}

static volatile uint32_t never_woken;
static int64_t parker(void *arg)
{
	(void)arg;
	capos_park_wait(&never_woken, 0, UINT64_MAX, NULL);
	return 7; /* not reached: the process exits first */
}

static void counter_test(void)
{
	struct capos_thread t[WORKERS];
	for (unsigned i = 0; i < WORKERS; i++) {
		int r = capos_thread_spawn(&t[i], worker, (void *)(uintptr_t)i, 0, NULL);
		DEMO_CHECK(NAME, r == 0, "spawned worker %u (thread %u)\n", i, t[i].tid);
	}
	__atomic_store_n(&all_spawned, 1, __ATOMIC_RELEASE);
	unsigned good_status = 0, fresh = 0, distinct = 0;
	for (unsigned i = 0; i < WORKERS; i++) {
		int64_t status = -2;
		int r = capos_thread_join(&t[i], &status, NULL);
		good_status += r == 0 && status == 100 + (int64_t)i;
		fresh += tls_fresh[i] != 0;
	}
	for (unsigned i = 0; i < WORKERS; i++) {
		unsigned same = 0;
		for (unsigned j = 0; j < WORKERS; j++)
			same += tls_addr[i] == tls_addr[j];
		distinct += same == 1 && tls_addr[i] != (uintptr_t)&tls_value;
	}
	DEMO_CHECK(NAME, counter == (uint64_t)WORKERS * ROUNDS,
	           "counter %lu after %u threads x %u locked increments\n", (unsigned long)counter,
	           WORKERS, ROUNDS);
	DEMO_CHECK(NAME, good_status == WORKERS, "%u of %u joins returned their thread's status\n",
	           good_status, WORKERS);
	DEMO_CHECK(NAME, fresh == WORKERS && distinct == WORKERS,
	           "TLS: %u threads saw the initial .tdata value, %u had their own address\n", fresh,
	           distinct);
}

static void fpu_test(void)
{
	struct capos_thread a, b;
	int64_t sa = 0, sb = 0;
	int ok = capos_thread_spawn(&a, fpu_holder, (void *)(uintptr_t)0x1111222233334444ull, 0,
	                            NULL) == 0 &&
	         capos_thread_spawn(&b, fpu_holder, (void *)(uintptr_t)0x5555666677778888ull, 0,
	                            NULL) == 0 &&
	         capos_thread_join(&a, &sa, NULL) == 0 && capos_thread_join(&b, &sb, NULL) == 0;
	DEMO_CHECK(NAME, ok && sa == 1 && sb == 1, "two threads kept their own xmm8 (%ld, %ld)\n",
	           (long)sa, (long)sb);
}

static void cond_once_test(void)
{
	struct capos_thread p;
	capos_mutex_lock(&cv_lock);
	int ok = capos_thread_spawn(&p, cv_producer, NULL, 0, NULL) == 0;
	while (ok && cv_value == 0)
		capos_cond_wait(&cv, &cv_lock, UINT64_MAX);
	capos_mutex_unlock(&cv_lock);
	int64_t st = -1;
	ok = ok && capos_thread_join(&p, &st, NULL) == 0;
	DEMO_CHECK(NAME, ok && cv_value == 42, "condition variable handed over %d\n", cv_value);

	capos_mutex_lock(&cv_lock);
	int r = capos_cond_wait(&cv, &cv_lock, 1000000);
	capos_mutex_unlock(&cv_lock);
	DEMO_CHECK(NAME, r == CAPOS_ERR_TIMED_OUT, "cond wait with nobody to signal timed out\n");

	struct capos_thread o[4];
	unsigned started = 0;
	for (unsigned i = 0; i < 4; i++)
		started += capos_thread_spawn(&o[i], once_racer, NULL, 0, NULL) == 0;
	unsigned saw_one = 0;
	for (unsigned i = 0; i < started; i++) {
		int64_t s = 0;
		saw_one += capos_thread_join(&o[i], &s, NULL) == 0 && s == 1;
	}
	DEMO_CHECK(NAME, started == 4 && saw_one == 4 && once_runs == 1,
	           "once ran %u time(s) among 4 threads\n", once_runs);
}

static void park_test(void)
{
	static volatile uint32_t word = 5;
	struct capos_call_error err;
	DEMO_CHECK(NAME, capos_park_wait(&word, 5, 2000000, NULL) == 0, "park timed out\n");
	DEMO_CHECK(NAME, capos_park_wait(&word, 6, UINT64_MAX, NULL) == 0,
	           "park on a changed value returned at once\n");
	DEMO_CHECK(NAME, capos_park_wake(&word, 3, NULL) == 0, "wake of nobody woke 0\n");
	int r1 = capos_park_wait((volatile uint32_t *)((uintptr_t)&word + 1), 0, 0, &err);
	int r2 = capos_park_wait((volatile uint32_t *)(uintptr_t)0x10, 0, UINT64_MAX, &err);
	int r3 = capos_park_wait((volatile uint32_t *)(uintptr_t)0xffff800000000000ull, 0,
	                         UINT64_MAX, &err);
	int r4 = capos_park_wake((volatile uint32_t *)(uintptr_t)0x7, 1, &err);
	DEMO_CHECK(NAME, r1 < 0 && r2 < 0 && r3 < 0 && r4 < 0,
	           "hostile park addresses refused (%d %d %d %d: %s)\n", r1, r2, r3, r4,
	           capos_exception_type_name(err.exception_type));
}

static int64_t where_am_i(void *arg)
{
	volatile int local = 1;
	*(uintptr_t *)arg = (uintptr_t)&local;
	return local;
}

/* 0 when a thread ran on [base, base + size) with its locals there. */
static int run_on_stack(void *base, uint64_t size)
{
	static uintptr_t seen;
	struct capos_thread t;
	int64_t status = 0;
	seen = 0;
	if (capos_thread_spawn_tls(&t, where_am_i, (void *)&seen, (uint64_t)(uintptr_t)base, size, 0,
	                           NULL) != 0 ||
	    capos_thread_join(&t, &status, NULL) != 0)
		return -1;
	return seen >= (uintptr_t)base && seen < (uintptr_t)base + size && status == 1 ? 0 : -1;
}

/* 1 when spawn refuses [base, base + size) with invalidArgument. */
static int refused(uint64_t base, uint64_t size)
{
	struct capos_thread t;
	struct capos_call_error err = {0};
	int r = capos_thread_spawn_tls(&t, where_am_i, NULL, base, size, 0, &err);
	if (r == 0) {
		capos_thread_detach(&t);
		return 0;
	}
	return err.exception_type == capos_CapException_Type_invalidArgument;
}

static void user_stack_test(void)
{
	static _Alignas(16) uint8_t bss_stack[16 * 1024];
	struct capos_vm vm;
	uint64_t mapped = 0;
	DEMO_CHECK(NAME,
	           capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") == 0 &&
	                   capos_vm_map(&vm, 0, 2 * 4096, CAPOS_PROT_READ | CAPOS_PROT_WRITE,
	                                &mapped, NULL) == 0,
	           "mapped 8 KiB for a thread stack\n");
	int on_bss = run_on_stack(bss_stack, sizeof(bss_stack));
	int on_vm = run_on_stack((void *)(uintptr_t)mapped, 2 * 4096);
	DEMO_CHECK(NAME, on_bss == 0 && on_vm == 0,
	           "threads ran on the caller's stacks (.bss, VirtualMemory), locals inside\n");
	/* The second page read-only: a stack across it is refused. */
	int ro = capos_vm_protect(&vm, mapped + 4096, 4096, CAPOS_PROT_READ, NULL) == 0;
	uint64_t text = (uint64_t)(uintptr_t)main & ~(uint64_t)15;
	int n = refused(0x500000000000ull, 64 * 1024) +            /* unmapped            */
	        refused(mapped, 3 * 4096) +                        /* runs past the map   */
	        (ro && refused(mapped, 2 * 4096)) +                /* a read-only page    */
	        refused(text, 4096) +                              /* the program's text  */
	        refused(0xffff800000000000ull, 64 * 1024) +        /* kernel half         */
	        refused(mapped + 8, 4096) +                        /* misaligned base     */
	        refused(mapped, 4096 - 8) +                        /* misaligned size     */
	        refused(mapped, 512) +                             /* too small           */
	        refused(0x7ffffffff000ull, 0x2000) +               /* past the user half  */
	        refused(mapped, CAPOS_THREAD_USER_STACK_MAX + 16); /* too big             */
	DEMO_CHECK(NAME, n == 10, "hostile stacks refused with invalidArgument (%d of 10)\n", n);
	capos_vm_unmap(&vm, mapped, 2 * 4096, NULL);
}

int main(void)
{
	counter_test();
	fpu_test();
	cond_once_test();
	park_test();
	user_stack_test();
	struct capos_thread p1, p2;
	int ok = capos_thread_spawn(&p1, parker, NULL, 0, NULL) == 0 &&
	         capos_thread_spawn(&p2, parker, NULL, 0, NULL) == 0;
	for (int i = 0; i < 4; i++)
		capos_nanosleep(1000000); /* let them park (the exit ends them either way) */
	DEMO_CHECK(NAME, ok, "exiting with two threads parked\n");
	return demo_finish(NAME);
}
