/*
 * monitor_scope: a SystemMonitor narrowed with forChildren shows only the
 * holder's children (docs/terminal.md, "SystemMonitor").  Runs as init
 * with the system-wide monitor: before any child the narrowed monitor
 * shows nothing and counts every live process as hidden; with two spin
 * children it shows exactly those two; narrowing it again keeps the same
 * scope; after they are killed it shows nothing again.  The system-wide
 * monitor meanwhile shows every process and hides none.
 *
 * Run by: smoke monitor_scope (tests/qemu/manifests/monitor_scope.cue).
 */
#include "demo.h"
#include "capos.capnp.h"
#include <capos/call.h>

#define NAME     "monitor_scope"
#define CHILDREN 2u

static uint32_t console_id, spawner_id, monitor_id;

static int call0(uint32_t cap, uint16_t method, void *result, uint32_t cap_bytes,
                 struct capos_reply *reply)
{
	static uint64_t params[4];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessHandle_wait_Params_init_root(&b); /* any empty struct */
	capnp_builder_finish(&b, &len);
	/* clang-format off */
	struct capos_call c = {.cap_id = cap, .method_id = method, .params = params,
	                       .params_len = (uint32_t)len, .result = result, .result_cap = cap_bytes};
	/* clang-format on */
	return capos_call(&capos_rt_ring, &c, reply, NULL);
}

/* The pids monitor `mon` shows (at most max) and how many it hides; the
 * number shown, or -1. */
static int shown(uint32_t mon, uint32_t *pids, uint32_t max, uint32_t *hidden)
{
	static uint64_t result[1024];
	struct capos_reply reply;
	if (call0(mon, capos_SystemMonitor_processes_METHOD, result, sizeof result, &reply) < 0)
		return -1;
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	capos_SystemMonitor_processes_Results_reader r =
		capos_SystemMonitor_processes_Results_read_root(&m);
	struct capnp_list l = capos_SystemMonitor_processes_Results_get_processes(r);
	*hidden = capos_SystemMonitor_processes_Results_get_hidden(r);
	for (uint32_t i = 0; i < l.len && i < max; i++)
		pids[i] = capos_ProcessInfo_get_pid(capos_ProcessInfo_list_get(l, i));
	return capnp_reader_error(&m) == CAPNP_OK ? (int)l.len : -1;
}

/* forChildren on mon: the new monitor's cap id, or 0. */
static uint32_t narrow(uint32_t mon)
{
	uint64_t result[16];
	struct capos_reply reply;
	if (call0(mon, capos_SystemMonitor_forChildren_METHOD, result, sizeof result, &reply) < 0 ||
	    reply.cap_count != 1 || reply.caps[0].interface_id != capos_SystemMonitor_ID)
		return 0;
	return reply.caps[0].cap_id;
}

static uint32_t spawn_spin(uint32_t *pid)
{
	static uint64_t params[64], result[32];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, "spin", 4);
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, "spin", 4);
	capos_CapGrant_builder g =
		capos_CapGrant_list_at(capos_ProcessSpawner_spawn_Params_init_grants(p, 1), 0);
	capos_CapGrant_set_name(g, "console", 7);
	capos_CapGrant_set_capId(g, console_id);
	capos_CapGrant_set_mode(g, capos_TransferMode_copy);
	capnp_builder_finish(&b, &len);
	/* clang-format off */
	struct capos_call c = {.cap_id = spawner_id, .method_id = capos_ProcessSpawner_spawn_METHOD,
	                       .params = params, .params_len = (uint32_t)len, .result = result,
	                       .result_cap = sizeof result};
	/* clang-format on */
	struct capos_reply reply;
	if (capos_call(&capos_rt_ring, &c, &reply, NULL) < 0 || reply.cap_count != 1)
		return 0;
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	*pid = capos_ProcessSpawner_spawn_Results_get_pid(
		capos_ProcessSpawner_spawn_Results_read_root(&m));
	return reply.caps[0].cap_id;
}

static void kill_and_wait(uint32_t handle)
{
	uint64_t res[8], wres[CAPOS_WAIT_RESULT_BYTES / 8];
	call0(handle, capos_ProcessHandle_kill_METHOD, res, sizeof res, 0);
	call0(handle, capos_ProcessHandle_wait_METHOD, wres, sizeof wres, 0);
	struct capos_cap cap = {.cap_id = handle, .owned = true, .valid = true};
	capos_cap_drop(&cap);
}

static bool has(const uint32_t *pids, int n, uint32_t pid)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

int main(void)
{
	const struct capos_capset *cs = &capos_rt.capset;
	const struct capos_capset_entry *c = capos_capset_find(cs, "console", capos_Console_ID);
	const struct capos_capset_entry *s = capos_capset_find(cs, "spawner", capos_ProcessSpawner_ID);
	const struct capos_capset_entry *m = capos_capset_find(cs, "monitor", capos_SystemMonitor_ID);
	if (!c || !s || !m) {
		capos_printf("[" NAME "] FAIL: needs console, spawner and monitor\n");
		return 1;
	}
	console_id = c->cap_id;
	spawner_id = s->cap_id;
	monitor_id = m->cap_id;
	uint32_t pids[64], hidden = 0;

	uint32_t mine = narrow(monitor_id);
	DEMO_CHECK(NAME, mine != 0, "forChildren answered a SystemMonitor\n");
	int n = shown(mine, pids, 64, &hidden);
	DEMO_CHECK(NAME, n == 0 && hidden == 1, "no child yet: shows %d, hides %u (itself)\n", n,
	           hidden);

	uint32_t handle[CHILDREN] = {0}, child[CHILDREN] = {0};
	for (unsigned i = 0; i < CHILDREN; i++)
		handle[i] = spawn_spin(&child[i]);
	DEMO_CHECK(NAME, handle[0] && handle[1], "spawned two spin children (pids %u, %u)\n",
	           child[0], child[1]);

	n = shown(mine, pids, 64, &hidden);
	DEMO_CHECK(NAME, n == 2 && has(pids, n, child[0]) && has(pids, n, child[1]) && hidden == 1,
	           "narrowed: shows its %d children and nothing else, hides %u\n", n, hidden);
	n = shown(monitor_id, pids, 64, &hidden);
	DEMO_CHECK(NAME, n == 3 && has(pids, n, capos_rt.pid) && hidden == 0,
	           "system-wide: shows all %d processes, hides %u\n", n, hidden);

	uint32_t again = narrow(mine);
	n = shown(again, pids, 64, &hidden);
	DEMO_CHECK(NAME, again != 0 && n == 2 && has(pids, n, child[0]),
	           "narrowed twice: still the same %d children\n", n);

	for (unsigned i = 0; i < CHILDREN; i++)
		kill_and_wait(handle[i]);
	n = shown(mine, pids, 64, &hidden);
	DEMO_CHECK(NAME, n == 0 && hidden == 1, "children killed: shows %d, hides %u\n", n, hidden);

	struct capos_cap a = {.cap_id = mine, .owned = true, .valid = true};
	struct capos_cap b = {.cap_id = again, .owned = true, .valid = true};
	capos_cap_drop(&a);
	capos_cap_drop(&b);
	capos_flush_releases();
	return demo_finish(NAME);
}
