/*
 * spawn_many: SPAWN_COUNT processes alive at once.  Spawns that many
 * copies of the raw block_forever program (blocked in cap_enter, one
 * console cap), keeping every ProcessHandle, so the kernel's process
 * table and this process's capability table both grow; then kills each
 * through its handle and releases the handles.  The smoke checks the
 * kernel's frame accounting after everyone has exited.
 *
 * Run by: tests/qemu/manifests/raw_spawn_many.cue (smoke proc_spawn_many).
 */
#include "demo.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"

#define SPAWN_COUNT 500u

static uint64_t params[64], result[64], kparams[4], kresult[8];
static size_t params_len, kparams_len;
static uint32_t handles[SPAWN_COUNT];

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
	else if (e == 0)
		e = -1;
	return e;
}

static int kill_child(uint32_t handle)
{
	/* clang-format off */
	struct capos_call c = {.cap_id = handle, .method_id = capos_ProcessHandle_kill_METHOD,
	                       .params = kparams, .params_len = (uint32_t)kparams_len,
	                       .result = kresult, .result_cap = sizeof kresult};
	/* clang-format on */
	return capos_call(&capos_rt_ring, &c, NULL, NULL);
}

static void build_params(uint32_t console)
{
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, "blocked", 7);
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, "block_forever", 13);
	capos_CapGrant_builder g =
		capos_CapGrant_list_at(capos_ProcessSpawner_spawn_Params_init_grants(p, 1), 0);
	capos_CapGrant_set_name(g, "console", 7);
	capos_CapGrant_set_capId(g, console);
	capnp_builder_finish(&b, &params_len);
	capnp_builder_init(&b, kparams, sizeof kparams);
	capos_ProcessHandle_kill_Params_init_root(&b);
	capnp_builder_finish(&b, &kparams_len);
}

int main(void)
{
	const struct capos_capset_entry *sp =
		capos_capset_find(&capos_rt.capset, "spawner", capos_ProcessSpawner_ID);
	const struct capos_capset_entry *con =
		capos_capset_find(&capos_rt.capset, "console", capos_Console_ID);
	DEMO_CHECK("spawn_many", sp != NULL && con != NULL, "has 'spawner' and 'console'\n");
	if (sp == NULL || con == NULL)
		return demo_finish("spawn_many");
	build_params(con->cap_id);
	unsigned spawned = 0;
	int e = 0;
	while (spawned < SPAWN_COUNT && (e = spawn_child(sp->cap_id, &handles[spawned])) == 0)
		spawned++;
	DEMO_CHECK("spawn_many", spawned == SPAWN_COUNT, "%u processes alive at once (last: %s)\n",
	           spawned, capos_strerror(e));
	unsigned killed = 0;
	for (unsigned i = 0; i < spawned; i++)
		killed += kill_child(handles[i]) == 0;
	for (unsigned i = 0; i < spawned; i++) {
		struct capos_cap cap = {.cap_id = handles[i], .owned = true, .valid = true};
		capos_cap_drop(&cap);
	}
	int failed = capos_flush_releases();
	DEMO_CHECK("spawn_many", killed == spawned && failed == 0,
	           "killed %u and released their handles\n", killed);
	return demo_finish("spawn_many");
}
