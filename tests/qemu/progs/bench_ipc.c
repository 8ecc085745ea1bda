/*
 * bench_ipc: the guest half of `make bench` (mk/bench.mk).  With the TSC it
 * measures, per operation, the median and 99th percentile of:
 *   endpoint_roundtrip  CALL on bench_ipc_server's endpoint + its RETURN
 *                       (an 8-byte Cap'n Proto message each way), one
 *                       cap_enter per call: the client's cap_enter submits
 *                       the CALL and blocks; the server (direct handoff)
 *                       RETURNs and posts its next RECV in one cap_enter
 *   endpoint_reg_roundtrip  ipc_call on bench_reg_server's endpoint, a
 *                       label and four words each way in registers; the
 *                       server answers with ipc_reply_recv (the kernel
 *                       switches straight between the two both ways)
 *   nop_batch_1/8/64    a batch of NOPs, submitted and completed through
 *                       cap_enter with the ring's batch calls
 *                       (capos_ring_nops, capos_ring_peek: one index store
 *                       each way, as linuxbench's io_uring loop); the SQ
 *                       has 16 entries, so a batch of 64 is four
 *                       submissions of 16, each with one cap_enter(16)
 *                       (batch 1 and 8: one cap_enter)
 *   cap_enter_empty     cap_enter(0, CAPOS_NO_WAIT) with nothing queued
 *   thread_spawn_join   ThreadSpawner.spawn of a thread that returns at
 *                       once, until ThreadHandle.join has its status
 *                       (the handle released: the runtime's
 *                       capos_thread_spawn + capos_thread_join)
 *   park_roundtrip      two threads handing a word back and forth with
 *                       ParkSpace wake / wait (the Linux guest's
 *                       futex_roundtrip, the same loop)
 *   endpoint_roundtrip_xstate  (only when AVX is on: `make bench` boots a
 *                       second time with -cpu max) the round trip again
 *                       with every YMM register of both processes dirty,
 *                       so each switch saves and restores the whole
 *                       x87/SSE/AVX state (XSAVEOPT/XRSTOR)
 * Each line: `bench: NAME samples=N median_cycles=M p99_cycles=P`.  Under
 * QEMU `-icount shift=0` one TSC tick is one guest instruction, so the
 * cycle counts are exact, repeatable instruction counts.
 * On a measuring kernel (MEASURE=1, include/capos/measure.h) each
 * operation also gets its kernel time per stage, averaged over every round
 * (warm-up included): `bench: stage NAME STAGE per_op=C events=E hooks=K ops=N`
 * and `bench: stage NAME hook_cycles=H` (one hook's own cost).  The
 * counters are taken between operations, never inside a timed loop.
 *
 * Run by: tests/qemu/manifests/bench_ipc.cue (`make bench`).
 */
#include <capos/ipc.h>
#include <capos/measure.h>
#include <capos/thread.h>

#include "demo.h"
#include "echo_proto.h"

#define SAMPLES       2000u
#define WARMUP        100u
#define SPAWN_SAMPLES 200u /* a spawn+join costs ~50 round trips */
#define SPAWN_WARMUP  10u

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	/* clang-format on */
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t samples[SAMPLES];

static void sort(uint64_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) { /* insertion sort: n is small */
		uint64_t v = a[i];
		unsigned j = i;
		while (j > 0 && a[j - 1] > v) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}

static void report(const char *name, unsigned n, unsigned per)
{
	sort(samples, n);
	uint64_t med = samples[n / 2], p99 = samples[(n * 99) / 100];
	capos_printf("bench: %s samples=%u median_cycles=%lu p99_cycles=%lu per_op_median=%lu\n", name,
	             n, (unsigned long)med, (unsigned long)p99, (unsigned long)(med / per));
}

static struct capos_measure measured;

/* Takes (and resets) the kernel's stage counters into `measured`; false on
 * a kernel built without them (the NOP completes with 0 bytes). */
static bool measure_take(void)
{
	static const uint64_t tag = 0x4d454153u;
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_NOP;
	sqe.method_id = CAPOS_NOP_MEASURE;
	sqe.user_data = tag;
	sqe.result_addr = (uint64_t)(uintptr_t)&measured;
	sqe.result_len = sizeof measured;
	struct capos_cqe cqe;
	capos_ring_submit(&capos_rt_ring, &sqe);
	capos_cap_enter(1, CAPOS_WAIT_FOREVER);
	capos_ring_take(&capos_rt_ring, tag, &cqe);
	return cqe.result == (int32_t)sizeof measured;
}

static const char *const stage_names[] = {
#define STAGE_NAME(name, what) #name,
	CAPOS_MEASURE_STAGE_LIST(STAGE_NAME)
#undef STAGE_NAME
};

/* After an operation's `ops` rounds: its stage counters, per round. */
static void report_stages(const char *name, unsigned ops)
{
	if (!measure_take())
		return;
	capos_printf("bench: stage %s hook_cycles=%lu\n", name, (unsigned long)measured.hook_cycles);
	for (unsigned i = 0; i < CAPOS_MEASURE_STAGE_COUNT; i++) {
		const struct capos_measure_stage_total *t = &measured.stage[i];
		capos_printf("bench: stage %s %s per_op=%lu events=%lu hooks=%lu ops=%u\n", name,
		             stage_names[i], (unsigned long)(t->cycles / ops), (unsigned long)t->events,
		             (unsigned long)t->hooks, ops);
	}
}

static void bench_roundtrip(const struct capos_cap *ep, const char *name)
{
	static uint64_t params[4], result[4];
	uint32_t len = echo_encode_params(params, sizeof params, "", 0);
	volatile struct capos_ring_page *page = capos_rt_ring.page;
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_CALL;
	sqe.cap_id = ep->cap_id;
	sqe.addr = (uint64_t)(uintptr_t)params;
	sqe.len = len;
	sqe.result_addr = (uint64_t)(uintptr_t)result;
	sqe.result_len = sizeof result;
	struct capos_cqe cqe;
	unsigned bad = 0;
	measure_take();
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		sqe.user_data = 1000 + i;
		uint64_t t0 = rdtsc();
		capos_ring_submit(&capos_rt_ring, &sqe);
		capos_cap_enter(1, CAPOS_WAIT_FOREVER);
		capos_ring_take(&capos_rt_ring, sqe.user_data, &cqe);
		uint64_t t1 = rdtsc();
		if (cqe.result != (int32_t)len)
			bad++;
		if (i >= WARMUP)
			samples[i - WARMUP] = t1 - t0;
	}
	(void)page;
	if (bad)
		capos_printf("[bench_ipc] FAIL: %u round trips did not echo\n", bad);
	report_stages(name, SAMPLES + WARMUP);
	report(name, SAMPLES, 1);
}

static void bench_reg_roundtrip(const struct capos_cap *ep)
{
	unsigned bad = 0;
	measure_take();
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		struct capos_ipc_msg m = {i, {i + 1, i + 2, i + 3, i + 4}};
		uint64_t t0 = rdtsc();
		int64_t r = capos_ipc_call(ep->cap_id, &m);
		uint64_t t1 = rdtsc();
		bad += r != 0 || m.label != i || m.w[0] != i + 1 || m.w[3] != i + 4;
		if (i >= WARMUP)
			samples[i - WARMUP] = t1 - t0;
	}
	if (bad)
		capos_printf("[bench_ipc] FAIL: %u register round trips did not echo\n", bad);
	report_stages("endpoint_reg_roundtrip", SAMPLES + WARMUP);
	report("endpoint_reg_roundtrip", SAMPLES, 1);
}

/* One batch through the batch calls: k NOPs queued with one sq_tail
 * store, one cap_enter(k), k completions read with one cq_head store.
 * False when any did not complete with result 0. */
static bool nop_batch(unsigned k, struct capos_cqe *cqes)
{
	if (capos_ring_nops(&capos_rt_ring, 100, k) != (int)k)
		return false;
	capos_cap_enter(k, CAPOS_WAIT_FOREVER);
	if (capos_ring_peek(&capos_rt_ring, cqes, k) != (int)k)
		return false;
	bool ok = true;
	for (unsigned j = 0; j < k; j++)
		ok &= cqes[j].result == 0 && cqes[j].user_data == 100 + j;
	return ok;
}

static void bench_nops(unsigned batch)
{
	static struct capos_cqe cqes[CAPOS_SQ_ENTRIES];
	unsigned bad = 0;
	measure_take();
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		uint64_t t0 = rdtsc();
		for (unsigned done = 0; done < batch; done += CAPOS_SQ_ENTRIES) {
			unsigned k = batch - done < CAPOS_SQ_ENTRIES ? batch - done : CAPOS_SQ_ENTRIES;
			bad += !nop_batch(k, cqes);
		}
		uint64_t t1 = rdtsc();
		if (i >= WARMUP)
			samples[i - WARMUP] = t1 - t0;
	}
	char name[32];
	capos_snprintf(name, sizeof name, "nop_batch_%u", batch);
	if (bad)
		capos_printf("[bench_ipc] FAIL: %u %s batches did not complete\n", bad, name);
	report_stages(name, (SAMPLES + WARMUP) * batch);
	report(name, SAMPLES, batch);
}

static void bench_empty_enter(void)
{
	measure_take();
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		uint64_t t0 = rdtsc();
		capos_cap_enter(0, CAPOS_NO_WAIT);
		uint64_t t1 = rdtsc();
		if (i >= WARMUP)
			samples[i - WARMUP] = t1 - t0;
	}
	report_stages("cap_enter_empty", SAMPLES + WARMUP);
	report("cap_enter_empty", SAMPLES, 1);
}

static int64_t thread_returns(void *arg)
{
	(void)arg;
	return 0;
}

static void bench_thread_spawn_join(void)
{
	unsigned bad = 0;
	for (unsigned i = 0; i < SPAWN_SAMPLES + SPAWN_WARMUP; i++) {
		struct capos_thread t;
		int64_t status = -1;
		uint64_t t0 = rdtsc();
		int r = capos_thread_spawn(&t, thread_returns, NULL, 0, NULL);
		if (r == 0)
			r = capos_thread_join(&t, &status, NULL);
		uint64_t t1 = rdtsc();
		bad += r != 0 || status != 0;
		if (i >= SPAWN_WARMUP)
			samples[i - SPAWN_WARMUP] = t1 - t0;
	}
	if (bad) {
		capos_printf("[bench_ipc] FAIL: %u thread spawn+join failed\n", bad);
		return;
	}
	report("thread_spawn_join", SPAWN_SAMPLES, 1);
}

/* Park ping-pong: turn 0 = the first thread's, 1 = the other's.  Each side
 * parks while the turn is not its own and hands it over with a wake. */
static volatile uint32_t turn;

static void take_turn(uint32_t mine)
{
	uint32_t t;
	while ((t = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != mine)
		capos_park_wait(&turn, t, UINT64_MAX, NULL);
}

static void give_turn(uint32_t other)
{
	__atomic_store_n(&turn, other, __ATOMIC_RELEASE);
	capos_park_wake(&turn, 1, NULL);
}

static int64_t park_partner(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		take_turn(1);
		give_turn(0);
	}
	return 0;
}

static void bench_park_roundtrip(void)
{
	struct capos_thread t;
	int64_t status = -1;
	turn = 0;
	if (capos_thread_spawn(&t, park_partner, NULL, 0, NULL) != 0) {
		capos_printf("[bench_ipc] FAIL: no thread for park_roundtrip\n");
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
	if (capos_thread_join(&t, &status, NULL) != 0 || status != 0)
		capos_printf("[bench_ipc] FAIL: the park_roundtrip thread did not end well\n");
	report("park_roundtrip", SAMPLES, 1);
}

static void bench_rdtsc(void)
{
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		uint64_t t1 = rdtsc();
		samples[i] = t1 - t0;
	}
	report("rdtsc_overhead", SAMPLES, 1);
}

int main(void)
{
	struct capos_cap ep;
	if (capos_endpoint_open(&capos_rt.capset, "bench_ipc_server", &ep) != 0) {
		capos_printf("[bench_ipc] FAIL: no endpoint 'bench_ipc_server'\n");
		return 1;
	}
	struct capos_cap reg;
	if (capos_endpoint_open(&capos_rt.capset, "bench_reg_server", &reg) != 0) {
		capos_printf("[bench_ipc] FAIL: no endpoint 'bench_reg_server'\n");
		return 1;
	}
	bench_rdtsc();
	bench_roundtrip(&ep, "endpoint_roundtrip");
	bench_reg_roundtrip(&reg);
	bench_nops(1);
	bench_nops(8);
	bench_nops(64);
	bench_empty_enter();
	bench_thread_spawn_join();
	bench_park_roundtrip();
	if (demo_avx_enabled()) {
		demo_dirty_ymm();
		bench_roundtrip(&ep, "endpoint_roundtrip_xstate");
	}
	capos_printf("[bench_ipc] done\n");
	return 0;
}
