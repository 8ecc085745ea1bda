/*
 * launcher: spawns a program of its own and hands it capabilities.
 *
 * Its manifest entry grants it a Console, a ProcessSpawner restricted by
 * its badge (at most that many children alive) and the greeter's endpoint
 * as "greeter", which the manifest says serves Greeter.  It spawns the
 * binary greeter_client as a child called "visitor" with copies of two of
 * its caps — the kernel checks the copy of "greeter" is a Greeter — waits
 * for the child with ProcessHandle.wait and reports its exit code.
 *
 * Run by: system.cue (`make run`; smoke boot_manifest_default).
 */
#include <capos/call.h>
#include <capos/rt.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "greeter.capnp.h"

struct grant {
	const char *name;
	uint32_t cap_id;
	uint64_t interface_id; /* the kernel refuses the spawn if the cap is not this */
};

/* ProcessSpawner.spawn(name, binary, grants) -> the ProcessHandle's slot. */
static int spawn(uint32_t spawner, const char *name, const char *binary, const struct grant *g,
                 uint32_t n, uint32_t *handle, struct capos_call_error *err)
{
	static uint64_t params[128], result[32];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, name, strlen(name));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, binary, strlen(binary));
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, n);
	for (uint32_t i = 0; i < n; i++) {
		capos_CapGrant_builder gb = capos_CapGrant_list_at(l, i);
		capos_CapGrant_set_name(gb, g[i].name, strlen(g[i].name));
		capos_CapGrant_set_capId(gb, g[i].cap_id);
		capos_CapGrant_set_mode(gb, capos_TransferMode_copy);
		capos_CapGrant_set_interfaceId(gb, g[i].interface_id);
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	/* clang-format off */
	struct capos_call c = {.cap_id = spawner, .method_id = capos_ProcessSpawner_spawn_METHOD,
	                       .params = params, .params_len = (uint32_t)len,
	                       .result = result, .result_cap = sizeof result};
	/* clang-format on */
	struct capos_reply reply;
	int e = capos_call(&capos_rt_ring, &c, &reply, err);
	if (e < 0)
		return e;
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	uint16_t hi = capos_ProcessSpawner_spawn_Results_get_handleIndex(
		capos_ProcessSpawner_spawn_Results_read_root(&m));
	if (hi >= reply.cap_count || reply.caps[hi].interface_id != capos_ProcessHandle_ID)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	*handle = reply.caps[hi].cap_id;
	return 0;
}

/* ProcessHandle.wait -> the child's exit code (negative error: err set). */
static int64_t wait_for(uint32_t handle, struct capos_call_error *err)
{
	/* Room for the longest answer: a kill reason (include/capos/abi.h). */
	static uint64_t params[4], result[(CAPOS_WAIT_RESULT_BYTES + 7) / 8];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessHandle_wait_Params_init_root(&b);
	capnp_builder_finish(&b, &len);
	/* clang-format off */
	struct capos_call c = {.cap_id = handle, .method_id = capos_ProcessHandle_wait_METHOD,
	                       .params = params, .params_len = (uint32_t)len,
	                       .result = result, .result_cap = sizeof result};
	/* clang-format on */
	struct capos_reply reply;
	int e = capos_call(&capos_rt_ring, &c, &reply, err);
	if (e < 0)
		return e;
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	return capos_ProcessHandle_wait_Results_get_exitCode(
		capos_ProcessHandle_wait_Results_read_root(&m));
}

int main(void)
{
	const struct capos_capset *cs = &capos_rt.capset;
	const struct capos_capset_entry *spawner, *greeter;
	if (capos_capset_lookup(cs, "spawner", capos_ProcessSpawner_ID, &spawner) != 0 ||
	    capos_capset_lookup(cs, "greeter", greeter_Greeter_ID, &greeter) != 0) {
		capos_printf("[launcher] needs a ProcessSpawner 'spawner' and a Greeter 'greeter'\n");
		return 1;
	}
	const struct grant grants[] = {
		{"console", capos_rt.console.cap.cap_id, capos_Console_ID},
		{"greeter", greeter->cap_id, greeter_Greeter_ID},
	};
	struct capos_call_error err;
	uint32_t handle = 0;
	if (spawn(spawner->cap_id, "visitor", "greeter_client", grants, 2, &handle, &err) < 0) {
		char why[160];
		capos_error_format(&err, why, sizeof why);
		capos_printf("[launcher] spawn failed: %s\n", why);
		return 1;
	}
	capos_printf("[launcher] spawned 'visitor' (binary greeter_client) with copies of its "
	             "console and greeter caps\n");
	int64_t code = wait_for(handle, &err);
	capos_printf("[launcher] 'visitor' exited with code %ld\n", (long)code);
	return code == 0 ? 0 : 1;
}
