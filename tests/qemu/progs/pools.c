/*
 * pools smoke: the kernel's system-wide object pools grow with memory
 * and give everything back (docs/memory-caps.md, "System-wide pools").
 * Runs as init; every count is read from SystemMonitor.memory.
 *
 *   endpoints        EP_SPAWNS block_forever children with 15 new
 *                    endpoints each (this process keeps the client
 *                    facets): 1005 endpoints live at once
 *   notifications    NOTE_SPAWNS children of the manifest service
 *                    'notes', whose 60 notification caps the kernel
 *                    makes at each spawn: 1020 live at once
 *   process handles  HANDLES exit_code children, every handle kept
 *   timer sleeps     SLEEPERS pool_sleeper children with 25 sleeps of
 *                    10 minutes pending each: 1000 at once (waited for
 *                    by polling the count, whatever the schedule)
 *
 * After each, everything is killed and released and the count is back
 * at its baseline; at the end the pools hold no more than a spare page
 * each.  The boot's own check (after every pool gave back everything)
 * proves no frame was lost.
 *
 * With a "virtual_memory" cap (smoke pools_lowmem, in 16 MiB) it runs
 * lowmem() instead: every frame taken, each pool refuses with a typed
 * error, then works again once the memory is back.
 *
 * Run by: smokes pools and pools_lowmem (tests/qemu/manifests/raw_pools.cue,
 * raw_pools_lowmem.cue).
 */
#include <capos/timer.h>
#include <capos/virtual_memory.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "capos.capnp.rpc.h"
#include "time.capnp.h"
#include "demo.h"

#define NAME "pools"

#define EP_SPAWNS      67u /* x 15 endpoints */
#define EP_PER_SPAWN   15u
#define NOTE_SPAWNS    17u /* x 60 notifications (tests/qemu/manifests/raw_pools.cue) */
#define NOTES_PER_PROC 60u
#define HANDLES        2000u
#define SLEEPERS       40u /* x 25 sleeps (pool_sleeper.c) */
#define SLEEPS         (SLEEPERS * 25u)
#define POOLS          4u /* endpoints, notifications, process handles, timer sleeps */

static capos_SystemMonitor_Client monitor;
static uint32_t spawner, console, timer;
static uint64_t params[256], result[256], kparams[4], kresult[8];
static uint32_t handles[HANDLES];
static uint32_t clients[EP_SPAWNS * EP_PER_SPAWN];

/* The counts of SystemMonitor.memory, copied out of the reply (whose
 * reader points into a buffer the next call reuses). */
struct counts {
	uint32_t endpoints, notes, handles, sleeps;
	uint64_t pool_frames, refused;
};

static struct counts counts(void)
{
	capos_SystemMonitor_memory_Reply r = {0};
	struct capos_call_error err;
	if (capos_SystemMonitor_memory(&monitor, &r, &err) != 0) {
		capos_printf("[" NAME "] FAIL: SystemMonitor.memory: %s\n", capos_strerror(err.code));
		return (struct counts){0};
	}
	return (struct counts){
		.endpoints = r.endpointsLive,
		.notes = capos_SystemMonitor_memory_Results_get_notificationsLive(r.results),
		.handles = capos_SystemMonitor_memory_Results_get_processHandlesLive(r.results),
		.sleeps = capos_SystemMonitor_memory_Results_get_timerSleepsPending(r.results),
		.pool_frames = capos_SystemMonitor_memory_Results_get_poolFrames(r.results),
		.refused = capos_SystemMonitor_memory_Results_get_poolRefusals(r.results),
	};
}

/* Spawn params: name, binary, and either `eps` new endpoints or one
 * plain grant (cap `grant` as `gname`; 0: none). */
static size_t spawn_params(const char *name, const char *bin, unsigned eps, const char *gname,
                           uint32_t grant)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, name, strlen(name));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, bin, strlen(bin));
	unsigned n = eps ? eps : gname ? 1
	                               : 0;
	struct capnp_list_builder gl = capos_ProcessSpawner_spawn_Params_init_grants(p, n);
	for (unsigned i = 0; i < n; i++) {
		capos_CapGrant_builder g = capos_CapGrant_list_at(gl, i);
		if (eps) {
			char gn[8];
			capos_snprintf(gn, sizeof gn, "e%u", i);
			capos_CapGrant_set_name(g, gn, strlen(gn));
			capos_CapGrant_set_newEndpoint(g, true);
		} else {
			capos_CapGrant_set_name(g, gname, strlen(gname));
			capos_CapGrant_set_capId(g, grant);
		}
	}
	capnp_builder_finish(&b, &len);
	return len;
}

/* One spawn with the params built last: the handle in *handle, the
 * other result caps (client facets) into more[]. */
static int spawn_err(size_t len, uint32_t *handle, uint32_t *more, unsigned nmore,
                     struct capos_call_error *err)
{
	/* clang-format off */
	struct capos_call c = {.cap_id = spawner, .method_id = capos_ProcessSpawner_spawn_METHOD,
	                       .params = params, .params_len = (uint32_t)len,
	                       .result = result, .result_cap = sizeof result};
	/* clang-format on */
	struct capos_reply reply;
	int e = capos_call(&capos_rt_ring, &c, &reply, err);
	if (e != 0)
		return e;
	if (reply.cap_count != 1 + nmore)
		return -1;
	*handle = reply.caps[0].cap_id;
	for (unsigned i = 0; i < nmore; i++)
		more[i] = reply.caps[1 + i].cap_id;
	return 0;
}

static int spawn(size_t len, uint32_t *handle, uint32_t *more, unsigned nmore)
{
	return spawn_err(len, handle, more, nmore, NULL);
}

static int kill_child(uint32_t handle)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, kparams, sizeof kparams);
	capos_ProcessHandle_kill_Params_init_root(&b);
	capnp_builder_finish(&b, &len);
	/* clang-format off */
	struct capos_call c = {.cap_id = handle, .method_id = capos_ProcessHandle_kill_METHOD,
	                       .params = kparams, .params_len = (uint32_t)len,
	                       .result = kresult, .result_cap = sizeof kresult};
	/* clang-format on */
	return capos_call(&capos_rt_ring, &c, NULL, NULL);
}

static int drop_all(const uint32_t *ids, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct capos_cap cap = {.cap_id = ids[i], .owned = true, .valid = true};
		capos_cap_drop(&cap);
	}
	return capos_flush_releases();
}

/* Kills the first n children of handles[] and releases the handles. */
static unsigned kill_and_release(unsigned n)
{
	unsigned killed = 0;
	for (unsigned i = 0; i < n; i++)
		killed += kill_child(handles[i]) == 0;
	return drop_all(handles, n) == 0 ? killed : 0;
}

static void endpoints(const struct counts *base)
{
	size_t len = spawn_params("ep_holder", "block_forever", EP_PER_SPAWN, 0, 0);
	unsigned n = 0;
	int e = 0;
	while (n < EP_SPAWNS &&
	       (e = spawn(len, &handles[n], &clients[n * EP_PER_SPAWN], EP_PER_SPAWN)) == 0)
		n++;
	struct counts r = counts();
	uint32_t live = r.endpoints - base->endpoints;
	DEMO_CHECK(NAME, n == EP_SPAWNS && live == EP_SPAWNS * EP_PER_SPAWN,
	           "%u endpoints live at once, from %u spawns (last: %s)\n", live, n,
	           capos_strerror(e));
	unsigned killed = kill_and_release(n);
	int failed = drop_all(clients, n * EP_PER_SPAWN);
	r = counts();
	DEMO_CHECK(NAME, killed == n && failed == 0 && r.endpoints == base->endpoints,
	           "endpoints back to %u after the holders were killed and the facets released\n",
	           r.endpoints);
}

static void notifications(const struct counts *base)
{
	size_t len = spawn_params("notes", "block_forever", 0, 0, 0);
	unsigned n = 0;
	int e = 0;
	while (n < NOTE_SPAWNS && (e = spawn(len, &handles[n], 0, 0)) == 0)
		n++;
	struct counts r = counts();
	uint32_t live = r.notes - base->notes;
	DEMO_CHECK(NAME, n == NOTE_SPAWNS && live == NOTE_SPAWNS * NOTES_PER_PROC,
	           "%u notifications live at once, in %u processes (last: %s)\n", live, n,
	           capos_strerror(e));
	unsigned killed = kill_and_release(n);
	r = counts();
	DEMO_CHECK(NAME, killed == n && r.notes == base->notes,
	           "notifications back to %u after their holders were killed\n", r.notes);
}

static void process_handles(const struct counts *base)
{
	size_t len = spawn_params("quick", "exit_code", 0, 0, 0);
	unsigned n = 0;
	int e = 0;
	while (n < HANDLES && (e = spawn(len, &handles[n], 0, 0)) == 0)
		n++;
	struct counts r = counts();
	uint32_t live = r.handles - base->handles;
	DEMO_CHECK(NAME, n == HANDLES && live == HANDLES,
	           "%u process handles live at once (last spawn: %s)\n", live, capos_strerror(e));
	int failed = drop_all(handles, n);
	r = counts();
	DEMO_CHECK(NAME, failed == 0 && r.handles == base->handles,
	           "process handles back to %u after release\n", r.handles);
}

static void sleeps(const struct counts *base)
{
	size_t len = spawn_params("pool_sleeper", "pool_sleeper", 0, "timer", timer);
	unsigned n = 0;
	int e = 0;
	while (n < SLEEPERS && (e = spawn(len, &handles[n], 0, 0)) == 0)
		n++;
	DEMO_CHECK(NAME, n == SLEEPERS, "%u sleepers spawned (last: %s)\n", n, capos_strerror(e));
	/* Each sleeper submits its sleeps when it runs: wait until all are
	 * pending (a condition, not a time: this sleep only lets them run). */
	struct counts r = counts();
	unsigned polls = 0;
	while (r.sleeps < base->sleeps + SLEEPS && polls++ < 100000) {
		capos_nanosleep(1000000);
		r = counts();
	}
	DEMO_CHECK(NAME, r.sleeps == base->sleeps + SLEEPS,
	           "%u timer sleeps pending at once\n", r.sleeps - base->sleeps);
	unsigned killed = kill_and_release(n);
	r = counts();
	DEMO_CHECK(NAME, killed == n && r.sleeps == base->sleeps,
	           "timer sleeps back to %u after the sleepers were killed\n", r.sleeps);
}

/* ---- low memory (smoke pools_lowmem) ------------------------------------- */

#define LOW_CHUNKS 64u
static struct {
	uint64_t addr, pages;
} low_chunks[LOW_CHUNKS];
static unsigned nlow;

/* Maps 1024, 512, ... 1 pages until each size is refused: no frame left. */
static uint64_t take_all_memory(const struct capos_vm *vm)
{
	uint64_t taken = 0;
	for (uint64_t pages = 1024; pages > 0 && nlow < LOW_CHUNKS;) {
		uint64_t addr = 0;
		if (capos_vm_map(vm, 0, pages * CAPOS_PAGE_SIZE, CAPOS_PROT_READ | CAPOS_PROT_WRITE,
		                 &addr, NULL) == 0) {
			low_chunks[nlow].addr = addr;
			low_chunks[nlow++].pages = pages;
			taken += pages;
		} else {
			pages /= 2;
		}
	}
	return taken;
}

static void give_all_back(const struct capos_vm *vm)
{
	for (unsigned i = 0; i < nlow; i++)
		(void)capos_vm_unmap(vm, low_chunks[i].addr, low_chunks[i].pages * CAPOS_PAGE_SIZE, NULL);
	nlow = 0;
}

static bool overloaded(const struct capos_call_error *err)
{
	return err->kind == CAPOS_ERROR_EXCEPTION &&
	       err->exception_type == capos_CapException_Type_overloaded;
}

/* With every frame taken, each pool that must grow refuses with a typed
 * error (overloaded), nothing else breaks; with memory back, the same
 * calls work. */
static void lowmem(const struct capos_vm *vm)
{
	struct counts base = counts();
	uint64_t taken = take_all_memory(vm);
	DEMO_CHECK(NAME, taken > 0, "took the rest of memory: %lu pages in %u mappings\n",
	           (unsigned long)taken, nlow);
	struct capos_call_error err = {0};
	int e = capos_timer_sleep(capos_default_timer(), 1000000, &err);
	DEMO_CHECK(NAME, e != 0 && overloaded(&err), "Timer.sleep refused (overloaded): %s\n",
	           err.message);
	size_t len = spawn_params("ep_holder", "block_forever", 1, 0, 0);
	err = (struct capos_call_error){0};
	e = spawn_err(len, &handles[0], clients, 1, &err);
	DEMO_CHECK(NAME, e != 0 && overloaded(&err), "spawn with a new endpoint refused (overloaded): %s\n",
	           err.message);
	len = spawn_params("notes", "block_forever", 0, 0, 0);
	err = (struct capos_call_error){0};
	e = spawn_err(len, &handles[0], 0, 0, &err);
	DEMO_CHECK(NAME, e != 0 && overloaded(&err), "spawn of 'notes' refused (overloaded): %s\n",
	           err.message);
	struct counts r = counts();
	DEMO_CHECK(NAME, r.refused >= base.refused + 3 && r.endpoints == base.endpoints && r.notes == base.notes && r.handles == base.handles && r.sleeps == base.sleeps,
	           "the pools refused %lu allocations and nothing was left half made\n",
	           (unsigned long)(r.refused - base.refused));
	give_all_back(vm);
	e = capos_timer_sleep(capos_default_timer(), 1000000, &err);
	DEMO_CHECK(NAME, e == 0, "with memory back Timer.sleep works\n");
	len = spawn_params("ep_holder", "block_forever", 1, 0, 0);
	e = spawn(len, &handles[0], clients, 1);
	r = counts();
	DEMO_CHECK(NAME, e == 0 && r.endpoints == base.endpoints + 1,
	           "with memory back a spawn makes its endpoint\n");
	unsigned killed = kill_and_release(1);
	int failed = drop_all(clients, 1);
	len = spawn_params("notes", "block_forever", 0, 0, 0);
	e = spawn(len, &handles[0], 0, 0);
	r = counts();
	DEMO_CHECK(NAME, e == 0 && r.notes == base.notes + NOTES_PER_PROC,
	           "with memory back 'notes' gets its %u notifications\n", NOTES_PER_PROC);
	killed += kill_and_release(1);
	r = counts();
	DEMO_CHECK(NAME, killed == 2 && failed == 0 && r.endpoints == base.endpoints && r.notes == base.notes && r.handles == base.handles,
	           "everything released again\n");
}

static uint32_t cap_of(const char *name, uint64_t iface)
{
	const struct capos_capset_entry *e = capos_capset_find(&capos_rt.capset, name, iface);
	return e ? e->cap_id : UINT32_MAX;
}

int main(void)
{
	spawner = cap_of("spawner", capos_ProcessSpawner_ID);
	console = cap_of("console", capos_Console_ID);
	timer = cap_of("timer", time_Timer_ID);
	bool ok = spawner != UINT32_MAX && console != UINT32_MAX && timer != UINT32_MAX &&
	          capos_SystemMonitor_Client_open(&monitor, "monitor") == 0;
	DEMO_CHECK(NAME, ok, "has 'spawner', 'console', 'timer' and 'monitor'\n");
	if (!ok)
		return demo_finish(NAME);
	struct capos_vm vm;
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") == 0) {
		lowmem(&vm); /* the pools_lowmem manifest */
		return demo_finish(NAME);
	}
	struct counts base = counts();
	endpoints(&base);
	notifications(&base);
	process_handles(&base);
	sleeps(&base);
	/* Empty frames go back at the scheduler's next pass (a sleep lets
	 * one happen; polled: a condition, not a time), but for one spare
	 * page a pool, with its directory (kernel/mem/kpool.h). */
	uint64_t most = base.pool_frames + POOLS * 3u;
	struct counts r = counts();
	for (unsigned polls = 0; r.pool_frames > most && polls < 1000; polls++) {
		capos_nanosleep(1000000);
		r = counts();
	}
	DEMO_CHECK(NAME, r.pool_frames <= most,
	           "the pools gave their frames back: %lu held (at most %lu: a spare page each)\n",
	           (unsigned long)r.pool_frames, (unsigned long)most);
	return demo_finish(NAME);
}
