/*
 * spawn_bench: cost of ProcessSpawner.spawn and of spawn + ProcessHandle.wait
 * until the child has exited, in TSC cycles (a benchmark, not a test:
 * `make bench-spawn` runs it under -icount shift=0, where one TSC tick is
 * one guest instruction).  The child is the raw exit_code program (exits
 * at once, one console cap); each figure is the median of ROUNDS.
 *
 * Run by: tests/qemu/manifests/raw_spawn_bench.cue (`make bench-spawn`).
 */
#include "demo.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"

#define ROUNDS 64u

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	/* clang-format on */
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t params[64], result[64], wparams[4], wresult[CAPOS_WAIT_RESULT_BYTES / 8];
static size_t params_len, wparams_len;

static int spawn_child(uint32_t spawner, uint32_t *handle)
{
	/* clang-format off */
	struct capos_call c = {.cap_id = spawner, .method_id = capos_ProcessSpawner_spawn_METHOD,
	                       .params = params, .params_len = (uint32_t)params_len,
	                       .result = result, .result_cap = sizeof result};
	/* clang-format on */
	struct capos_reply reply;
	int e = capos_call(&capos_rt_ring, &c, &reply, NULL);
	if (e == 0 && reply.cap_count == 1)
		*handle = reply.caps[0].cap_id;
	return e;
}

static int wait_child(uint32_t handle)
{
	/* clang-format off */
	struct capos_call c = {.cap_id = handle, .method_id = capos_ProcessHandle_wait_METHOD,
	                       .params = wparams, .params_len = (uint32_t)wparams_len,
	                       .result = wresult, .result_cap = sizeof wresult};
	/* clang-format on */
	return capos_call(&capos_rt_ring, &c, NULL, NULL);
}

static void release(uint32_t id)
{
	struct capos_cap cap = {.cap_id = id, .owned = true, .valid = true};
	capos_cap_drop(&cap);
	capos_flush_releases();
}

static uint64_t median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

int main(void)
{
	const struct capos_capset_entry *sp =
		capos_capset_find(&capos_rt.capset, "spawner", capos_ProcessSpawner_ID);
	const struct capos_capset_entry *con =
		capos_capset_find(&capos_rt.capset, "console", capos_Console_ID);
	if (sp == NULL || con == NULL) {
		capos_printf("[spawn_bench] needs 'spawner' and 'console'\n");
		return 1;
	}
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, "child", 5);
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, "exit_code", 9);
	capos_CapGrant_builder g =
		capos_CapGrant_list_at(capos_ProcessSpawner_spawn_Params_init_grants(p, 1), 0);
	capos_CapGrant_set_name(g, "console", 7);
	capos_CapGrant_set_capId(g, con->cap_id);
	capnp_builder_finish(&b, &params_len);
	capnp_builder_init(&b, wparams, sizeof wparams);
	capos_ProcessHandle_wait_Params_init_root(&b);
	capnp_builder_finish(&b, &wparams_len);

	static uint64_t spawn_t[ROUNDS], total_t[ROUNDS];
	unsigned done = 0;
	for (unsigned i = 0; i < ROUNDS; i++) {
		uint32_t handle = 0;
		uint64_t t0 = rdtsc();
		if (spawn_child(sp->cap_id, &handle) != 0)
			break;
		uint64_t t1 = rdtsc();
		if (wait_child(handle) != 0)
			break;
		uint64_t t2 = rdtsc();
		release(handle);
		spawn_t[done] = t1 - t0;
		total_t[done++] = t2 - t0;
	}
	if (done != ROUNDS) {
		capos_printf("[spawn_bench] failed after %u rounds\n", done);
		return 1;
	}
	capos_printf("[spawn_bench] %u spawns of exit_code: spawn call %llu cycles, spawn until exit "
	             "reaped %llu cycles (medians)\n",
	             ROUNDS, (unsigned long long)median(spawn_t, ROUNDS),
	             (unsigned long long)median(total_t, ROUNDS));
	return 0;
}
