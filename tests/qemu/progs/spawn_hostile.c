/*
 * spawn_hostile: ProcessSpawner and ProcessHandle from a restricted
 * (badged) spawner, started by init in system-spawn.cue.
 *
 * Good paths: spawn with a copied console, wait -> exit code (0, and 101
 * from a panicking child), wait again -> same code at once, two waits at
 * once -> the second is overloaded, a new endpoint for a spawned echo
 * server whose client facet comes back as a result cap labelled with the
 * interface the grant declared (Echo), works, and is refused when granted
 * on as a plain Endpoint.
 * Hostile inputs, each refused with its own error and nothing changed:
 * unknown binary, bad ELF, cap ids not held (0, stale, never used),
 * duplicate grant names, absurd sizes (name, binaryName, grant count,
 * grant name), a non-transferable cap (a ProcessHandle), a wrong
 * interfaceId, a slot moved twice, a badge change on the restricted
 * spawner, a result buffer too small for the result caps, garbage params,
 * an unknown method, a 4th child alive through the badge-3 spawner.
 *
 * Run by: system-spawn.cue (`make run-spawn`; smoke spawn_smoke).
 */
#include "demo.h"
#include "echo_proto.h"

#define NAME "spawn_hostile"

/* lib/kstring has no strstr. */
static bool contains(const char *s, const char *want)
{
	size_t n = strlen(want);
	for (; *s; s++)
		if (strncmp(s, want, n) == 0)
			return true;
	return false;
}

struct grant {
	const char *name;
	uint32_t name_len; /* 0: strlen(name) */
	uint32_t cap_id;
	uint32_t mode;
	uint64_t badge;
	uint64_t iface;
	bool new_endpoint;
};

struct spawned {
	uint32_t pid;
	uint32_t handle;
	uint32_t facet;
	uint64_t facet_iface; /* the interface id the facet's record carries */
};

static uint32_t spawner_id, console_id;
static uint64_t params[2048];
static uint64_t result[256];

/* ProcessSpawner.spawn; 0 or the negative error (err describes it). */
static int spawn_n(const char *name, size_t name_len, const char *bin, size_t bin_len,
                   const struct grant *g, uint32_t n, uint32_t result_cap, struct spawned *out,
                   struct capos_call_error *err)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, name, name_len);
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, bin, bin_len);
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, n);
	for (uint32_t i = 0; i < n; i++) {
		capos_CapGrant_builder gb = capos_CapGrant_list_at(l, i);
		capos_CapGrant_set_name(gb, g[i].name, g[i].name_len ? g[i].name_len : strlen(g[i].name));
		capos_CapGrant_set_capId(gb, g[i].cap_id);
		capos_CapGrant_set_mode(gb, (enum capos_TransferMode)g[i].mode);
		capos_CapGrant_set_badge(gb, g[i].badge);
		capos_CapGrant_set_interfaceId(gb, g[i].iface);
		capos_CapGrant_set_newEndpoint(gb, g[i].new_endpoint);
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	struct capos_call c = {
		.cap_id = spawner_id,
		.method_id = capos_ProcessSpawner_spawn_METHOD,
		.params = params,
		.params_len = (uint32_t)len,
		.result = result,
		.result_cap = result_cap,
	};
	struct capos_reply reply;
	int e = capos_call(&capos_rt_ring, &c, &reply, err);
	if (e < 0)
		return e;
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	capos_ProcessSpawner_spawn_Results_reader r = capos_ProcessSpawner_spawn_Results_read_root(&m);
	uint16_t hi = capos_ProcessSpawner_spawn_Results_get_handleIndex(r);
	out->pid = capos_ProcessSpawner_spawn_Results_get_pid(r);
	if (hi >= reply.cap_count || reply.caps[hi].interface_id != capos_ProcessHandle_ID)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	out->handle = reply.caps[hi].cap_id;
	out->facet = reply.cap_count > 1 ? reply.caps[1].cap_id : 0;
	out->facet_iface = reply.cap_count > 1 ? reply.caps[1].interface_id : 0;
	return 0;
}

static int spawn(const char *name, const char *bin, const struct grant *g, uint32_t n,
                 struct spawned *out, struct capos_call_error *err)
{
	return spawn_n(name, strlen(name), bin, strlen(bin), g, n, sizeof result, out, err);
}

/* ProcessHandle.wait; returns the exit code or INT64_MIN (err set). */
static int64_t wait_handle(uint32_t handle, struct capos_call_error *err)
{
	static uint64_t wp[4], wr[CAPOS_WAIT_RESULT_BYTES / 8];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, wp, sizeof wp);
	capos_ProcessHandle_wait_Params_init_root(&b);
	capnp_builder_finish(&b, &len);
	/* clang-format off */
	struct capos_call c = {.cap_id = handle, .method_id = capos_ProcessHandle_wait_METHOD,
	                       .params = wp, .params_len = (uint32_t)len, .result = wr,
	                       .result_cap = sizeof wr};
	/* clang-format on */
	struct capos_reply reply;
	if (capos_call(&capos_rt_ring, &c, &reply, err) < 0)
		return INT64_MIN;
	struct capnp_reader m;
	capnp_reader_init(&m, wr, reply.result_len);
	return capos_ProcessHandle_wait_Results_get_exitCode(
		capos_ProcessHandle_wait_Results_read_root(&m));
}

static void release(uint32_t id)
{
	struct capos_cap cap = {.cap_id = id, .owned = true, .valid = true};
	capos_cap_drop(&cap);
	capos_flush_releases();
}

/* Expects a refusal whose message contains `want`. */
static void refused(const char *what, int e, const struct capos_call_error *err, const char *want)
{
	char msg[200];
	capos_error_format(err, msg, sizeof msg);
	DEMO_CHECK(NAME, e < 0 && contains(msg, want), "%s refused: %s\n", what,
	           e < 0 ? msg : "spawned!");
}

static void good_paths(void)
{
	struct capos_call_error err;
	struct spawned s = {0};
	struct grant con = {.name = "console", .cap_id = console_id, .iface = capos_Console_ID};
	int e = spawn("child_hello", "hello", &con, 1, &s, &err);
	DEMO_CHECK(NAME, e == 0 && s.pid != 0, "spawned 'child_hello' (pid %u) from binary hello\n",
	           s.pid);
	if (e == 0) {
		int64_t code = wait_handle(s.handle, &err);
		DEMO_CHECK(NAME, code == 0, "wait: 'child_hello' exited with code %ld\n", (long)code);
		code = wait_handle(s.handle, &err);
		DEMO_CHECK(NAME, code == 0, "wait again: code %ld at once\n", (long)code);
		struct grant h = {.name = "handle", .cap_id = s.handle};
		struct spawned t = {0};
		e = spawn("child_x", "hello", &h, 1, &t, &err);
		refused("granting a ProcessHandle (not transferable)", e, &err, "may not be passed on");
		release(s.handle);
		e = spawn("child_x", "hello", &h, 1, &t, &err);
		refused("a released (stale) cap id", e, &err, "not held");
	}

	e = spawn("child_panic", "panic", &con, 1, &s, &err);
	if (e == 0) {
		int64_t code = wait_handle(s.handle, &err);
		DEMO_CHECK(NAME, code == 101, "wait: 'child_panic' exited with code %ld\n", (long)code);
		release(s.handle);
	} else {
		DEMO_CHECK(NAME, false, "spawn 'child_panic': %s\n", capos_strerror(e));
	}

	/* A new endpoint: the child owns it, we get a client facet, labelled
	 * with the interface the grant says the endpoint serves (Echo). */
	struct grant srv[2] = {
		{.name = "console", .cap_id = console_id},
		{.name = "endpoint", .new_endpoint = true},
	};
	struct grant srv_echo[2] = {
		{.name = "console", .cap_id = console_id},
		{.name = "endpoint", .new_endpoint = true, .iface = capos_Echo_ID},
	};
	e = spawn("child_echo", "echo_server", srv_echo, 2, &s, &err);
	DEMO_CHECK(NAME, e == 0 && s.facet != 0, "spawned 'child_echo' with a new endpoint, facet %u\n",
	           s.facet);
	DEMO_CHECK(NAME, s.facet_iface == capos_Echo_ID, "its facet carries the Echo interface id\n");
	if (e == 0) {
		/* Passed on as a plain Endpoint, the kernel refuses it. */
		struct grant as_plain[2] = {
			/* clang-format off */
			{.name = "console", .cap_id = console_id},
			{.name = "echo_server", .cap_id = s.facet, .mode = capos_TransferMode_copy,
			 .iface = capos_Endpoint_ID},
		};
		/* clang-format on */
		struct spawned none = {0};
		int w = spawn("child_wrong", "echo_client", as_plain, 2, &none, &err);
		refused("the Echo facet granted as a plain Endpoint", w, &err, "interface");
		/* clang-format off */
		struct capos_cap ep = {.cap_id = s.facet, .interface_id = capos_Endpoint_ID,
		                       .owned = false, .valid = true};
		/* clang-format on */
		char out[64];
		e = echo_call(&ep, capos_Echo_echo_METHOD, "via a spawned endpoint", NULL, 0, out,
		              sizeof out, NULL, &err);
		DEMO_CHECK(NAME, e == 0 && strcmp(out, "via a spawned endpoint") == 0,
		           "echo through the facet: %s\n", e == 0 ? out : capos_strerror(e));
		/* Two waits at once while the server still runs (it waits for
		 * calls until its last client facet goes): the second is
		 * refused, the first completes when the server exits. */
		static uint64_t wp[4], wr1[CAPOS_WAIT_RESULT_BYTES / 8], wr2[CAPOS_WAIT_RESULT_BYTES / 8];
		struct capnp_builder b;
		size_t len = 0;
		capnp_builder_init(&b, wp, sizeof wp);
		capos_ProcessHandle_wait_Params_init_root(&b);
		capnp_builder_finish(&b, &len);
		/* clang-format off */
		struct capos_sqe q1 = {.opcode = CAPOS_OP_CALL, .cap_id = s.handle,
		                       .method_id = capos_ProcessHandle_wait_METHOD,
		                       .addr = (uint64_t)(uintptr_t)wp, .len = (uint32_t)len,
		                       .result_addr = (uint64_t)(uintptr_t)wr1, .result_len = sizeof wr1};
		/* clang-format on */
		struct capos_sqe q2 = q1;
		q2.result_addr = (uint64_t)(uintptr_t)wr2;
		q2.result_len = sizeof wr2;
		q1.user_data = capos_ring_next_user_data(&capos_rt_ring);
		q2.user_data = capos_ring_next_user_data(&capos_rt_ring);
		capos_ring_submit(&capos_rt_ring, &q1);
		capos_ring_submit(&capos_rt_ring, &q2);
		struct capos_cqe c1, c2;
		capos_ring_wait(&capos_rt_ring, q2.user_data, CAPOS_WAIT_FOREVER, &c2);
		struct capos_reply rep;
		struct capos_call_error e2;
		capos_call_classify(&c2, wr2, sizeof wr2, &rep, &e2);
		char msg[160];
		capos_error_format(&e2, msg, sizeof msg);
		DEMO_CHECK(NAME, e2.kind == CAPOS_ERROR_EXCEPTION && contains(msg, "overloaded"),
		           "second concurrent wait: %s\n", msg);
		release(s.facet); /* the server sees no client left and exits */
		capos_ring_wait(&capos_rt_ring, q1.user_data, CAPOS_WAIT_FOREVER, &c1);
		struct capnp_reader m;
		capnp_reader_init(&m, wr1, c1.result > 0 ? (size_t)c1.result : 0);
		int64_t code = c1.result > 0 ? capos_ProcessHandle_wait_Results_get_exitCode(
						       capos_ProcessHandle_wait_Results_read_root(&m))
		                             : INT64_MIN;
		DEMO_CHECK(NAME, code == 0, "first wait: 'child_echo' exited with code %ld\n", (long)code);
		release(s.handle);
	}

	/* Move: a second server's facet moved on (with a badge) to a client;
	 * the slot is gone here, the two children talk, both exit 0. */
	e = spawn("child_echo2", "echo_server", srv_echo, 2, &s, &err);
	if (e == 0) {
		struct grant cli[2] = {
			/* clang-format off */
			{.name = "console", .cap_id = console_id},
			{.name = "echo_server", .cap_id = s.facet, .mode = capos_TransferMode_move,
			 .badge = 4, .iface = capos_Echo_ID},
		};
		/* clang-format on */
		struct spawned c = {0};
		e = spawn("child_client", "echo_client", cli, 2, &c, &err);
		DEMO_CHECK(NAME, e == 0, "spawned 'child_client' with the facet moved to it (badge 4)\n");
		/* clang-format off */
		struct capos_cap ep = {.cap_id = s.facet, .interface_id = capos_Endpoint_ID,
		                       .owned = false, .valid = true};
		/* clang-format on */
		char out[64];
		int gone = echo_call(&ep, capos_Echo_echo_METHOD, "x", NULL, 0, out, sizeof out, NULL,
		                     &err);
		DEMO_CHECK(NAME, gone == CAPOS_ERR_BAD_CAP, "the moved facet is gone here: %s\n",
		           capos_strerror(gone));
		if (e == 0) {
			int64_t code = wait_handle(c.handle, &err);
			DEMO_CHECK(NAME, code == 0, "wait: 'child_client' exited with code %ld\n",
			           (long)code);
			release(c.handle);
		}
		int64_t code = wait_handle(s.handle, &err);
		DEMO_CHECK(NAME, code == 0, "wait: 'child_echo2' exited with code %ld\n", (long)code);
		release(s.handle);
	} else {
		DEMO_CHECK(NAME, false, "spawn 'child_echo2': %s\n", capos_strerror(e));
	}

	/* The restriction: badge 3 = at most 3 children alive at once.  Three
	 * servers stay alive while their facets are held; a fourth spawn is
	 * refused; once they exit, spawning works again (the hostile part). */
	struct spawned three[3];
	unsigned alive = 0;
	static const char *const names[3] = {"held_1", "held_2", "held_3"};
	for (unsigned i = 0; i < 3; i++)
		if (spawn(names[i], "echo_server", srv, 2, &three[alive], &err) == 0)
			alive++;
	DEMO_CHECK(NAME, alive == 3, "3 children alive through the restricted spawner\n");
	e = spawn("held_4", "echo_server", srv, 2, &s, &err);
	refused("a 4th child alive (badge 3)", e, &err, "restricted spawner (badge 3): 3 children alive");
	for (unsigned i = 0; i < alive; i++) {
		release(three[i].facet);
		int64_t code = wait_handle(three[i].handle, &err);
		DEMO_CHECK(NAME, code == 0, "wait: '%s' exited with code %ld\n", names[i], (long)code);
		release(three[i].handle);
	}
}

static void hostile(void)
{
	struct capos_call_error err;
	struct spawned s = {0};
	struct grant con = {.name = "console", .cap_id = console_id};
	int e = spawn("x", "no_such_binary", &con, 1, &s, &err);
	refused("unknown binary", e, &err, "unknown binary");
	e = spawn("x", "bad_elf", &con, 1, &s, &err);
	refused("binary that is not an ELF", e, &err, "bad ELF");
	struct grant g0 = {.name = "console", .cap_id = 0};
	e = spawn("x", "hello", &g0, 1, &s, &err);
	refused("cap id 0", e, &err, "not held");
	struct grant gn = {.name = "console", .cap_id = 0x3ff};
	e = spawn("x", "hello", &gn, 1, &s, &err);
	refused("cap id never used", e, &err, "not held");
	struct grant dup[2] = {{.name = "console", .cap_id = console_id},
	                       {.name = "console", .cap_id = console_id}};
	e = spawn("x", "hello", dup, 2, &s, &err);
	refused("duplicate grant names", e, &err, "duplicate name");
	char big[300];
	memset(big, 'a', sizeof big);
	e = spawn_n(big, 200, "hello", 5, &con, 1, sizeof result, &s, &err);
	refused("200-byte name", e, &err, "name:");
	e = spawn_n("x", 1, big, 300, &con, 1, sizeof result, &s, &err);
	refused("300-byte binaryName", e, &err, "binaryName:");
	static struct grant many[65];
	for (unsigned i = 0; i < 65; i++)
		many[i] = (struct grant){.name = "c", .cap_id = console_id};
	e = spawn("x", "hello", many, 65, &s, &err);
	refused("65 grants", e, &err, "65 grants");
	struct grant longname = {.name = big, .name_len = 40, .cap_id = console_id};
	e = spawn("x", "hello", &longname, 1, &s, &err);
	refused("40-byte grant name", e, &err, "grants[0].name");
	/* clang-format off */
	struct grant wrong = {.name = "console", .cap_id = console_id,
	                      .iface = capos_FrameAllocator_ID};
	/* clang-format on */
	e = spawn("x", "hello", &wrong, 1, &s, &err);
	refused("wrong interfaceId", e, &err, "interface");
	struct grant moves[2] = {{.name = "a", .cap_id = console_id, .mode = capos_TransferMode_move},
	                         {.name = "b", .cap_id = console_id, .mode = capos_TransferMode_move}};
	e = spawn("x", "hello", moves, 2, &s, &err);
	refused("the same slot moved twice", e, &err, "moved and also granted");
	struct grant rebadge = {.name = "spawner", .cap_id = spawner_id, .badge = 5};
	e = spawn("x", "hello", &rebadge, 1, &s, &err);
	refused("re-badging the restricted spawner", e, &err, "badges never change");
	/* Too small for the result and its cap: refused before anything ran. */
	e = spawn_n("x", 1, "hello", 5, &con, 1, 16, &s, &err);
	DEMO_CHECK(NAME, e == CAPOS_ERR_RESULT_TOO_SMALL,
	           "16-byte result buffer refused before spawning: %s\n", capos_strerror(e));

	/* Garbage params and an unknown method: transport errors. */
	static uint64_t junk[4] = {0xffffffffffffffffull, 1, 2, 3};
	/* clang-format off */
	struct capos_call c = {.cap_id = spawner_id, .method_id = capos_ProcessSpawner_spawn_METHOD,
	                       .params = junk, .params_len = sizeof junk, .result = result,
	                       .result_cap = sizeof result};
	/* clang-format on */
	e = capos_call(&capos_rt_ring, &c, NULL, &err);
	DEMO_CHECK(NAME, e == CAPOS_ERR_BAD_MESSAGE, "garbage params: %s\n", capos_strerror(e));
	static uint64_t empty[2];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, empty, sizeof empty);
	capos_ProcessHandle_wait_Params_init_root(&b);
	capnp_builder_finish(&b, &len);
	c.params = empty;
	c.params_len = (uint32_t)len;
	c.method_id = 9;
	e = capos_call(&capos_rt_ring, &c, NULL, &err);
	DEMO_CHECK(NAME, e == CAPOS_ERR_UNKNOWN_METHOD,
	           "unknown method: %s\n", capos_strerror(e));
}

int main(void)
{
	const struct capos_capset_entry *sp =
		capos_capset_find(&capos_rt.capset, "spawner", capos_ProcessSpawner_ID);
	const struct capos_capset_entry *con =
		capos_capset_find(&capos_rt.capset, "console", capos_Console_ID);
	DEMO_CHECK(NAME, sp != NULL && con != NULL, "holds 'spawner' and 'console'\n");
	if (sp == NULL || con == NULL)
		return demo_finish(NAME);
	spawner_id = sp->cap_id;
	console_id = con->cap_id;
	good_paths();
	hostile();
	return demo_finish(NAME);
}
