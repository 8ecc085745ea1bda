/* init: ProcessSpawner.spawn and ProcessHandle.wait clients. */
#include "init.h"

#include <capos/call.h>
#include <capos/string.h>
#include <capos/syscall.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"

/* Params: a CapGrant is 4 data words + 1 pointer + the name. */
static uint64_t params_buf[64 + MF_MAX_CAPS * 10];
static uint64_t result_buf[64 + 2 * (MF_MAX_CAPS + 1)];

int init_spawn(uint32_t spawner, struct mf_str name, struct mf_str binary,
               const struct init_grant *grants, uint32_t count, struct init_spawned *out)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params_buf, sizeof params_buf);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, name.ptr, name.len);
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, binary.ptr, binary.len);
	uint32_t passed = 0;
	for (uint32_t i = 0; i < count; i++)
		passed += !grants[i].kernel_made;
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, passed);
	uint32_t new_endpoints = 0, kept = 0, at = 0;
	static uint64_t serves[MF_MAX_CAPS]; /* interface each facet must carry */
	static bool keep[MF_MAX_CAPS];       /* by new endpoint: owner side kept */
	for (uint32_t i = 0; i < count; i++) {
		if (grants[i].kernel_made)
			continue; /* the kernel makes it for the child */
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, at++);
		capos_CapGrant_set_name(g, grants[i].name.ptr, grants[i].name.len);
		if (grants[i].new_endpoint) {
			capos_CapGrant_set_newEndpoint(g, true);
			capos_CapGrant_set_interfaceId(g, grants[i].serves);
			capos_CapGrant_set_keepOwner(g, grants[i].keep_owner != 0);
			keep[new_endpoints] = grants[i].keep_owner != 0;
			kept += keep[new_endpoints];
			serves[new_endpoints++] = grants[i].serves ? grants[i].serves : capos_Endpoint_ID;
			continue;
		}
		capos_CapGrant_set_capId(g, grants[i].cap_id);
		capos_CapGrant_set_mode(g, capos_TransferMode_copy);
		capos_CapGrant_set_badge(g, grants[i].badge);
		capos_CapGrant_set_interfaceId(g, grants[i].interface_id);
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK) {
		capos_printf("init: spawn '%.*s': params do not fit\n", (int)name.len, name.ptr);
		return CAPOS_ERR_BAD_MESSAGE;
	}
	struct capos_call c = {
		.cap_id = spawner,
		.method_id = capos_ProcessSpawner_spawn_METHOD,
		.params = params_buf,
		.params_len = (uint32_t)len,
		.result = result_buf,
		.result_cap = sizeof(result_buf),
	};
	struct capos_reply reply;
	struct capos_call_error err;
	int e = capos_call(&capos_rt_ring, &c, &reply, &err);
	if (e < 0) {
		char msg[200];
		capos_error_format(&err, msg, sizeof msg);
		capos_printf("init: spawn '%.*s' failed: %s\n", (int)name.len, name.ptr, msg);
		return e;
	}
	struct capnp_reader m;
	if (capnp_reader_init(&m, result_buf, reply.result_len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	capos_ProcessSpawner_spawn_Results_reader r = capos_ProcessSpawner_spawn_Results_read_root(&m);
	uint16_t hi = capos_ProcessSpawner_spawn_Results_get_handleIndex(r);
	out->pid = capos_ProcessSpawner_spawn_Results_get_pid(r);
	if (capnp_reader_error(&m) != CAPNP_OK || hi >= reply.cap_count ||
	    reply.caps[hi].interface_id != capos_ProcessHandle_ID ||
	    reply.cap_count != 1 + new_endpoints + kept) {
		capos_printf("init: spawn '%.*s': malformed result (%u result caps)\n", (int)name.len,
		             name.ptr, reply.cap_count);
		return CAPOS_ERR_BAD_MESSAGE;
	}
	out->handle = reply.caps[hi].cap_id;
	for (uint32_t k = 0; k < new_endpoints; k++) {
		if (reply.caps[1 + k].interface_id != serves[k]) {
			capos_printf("init: spawn '%.*s': endpoint facet %u has interface %lx, not %lx\n",
			             (int)name.len, name.ptr, k, reply.caps[1 + k].interface_id,
			             serves[k]);
			return CAPOS_ERR_BAD_MESSAGE;
		}
		out->facets[k] = reply.caps[1 + k].cap_id;
	}
	/* The owner sides kept follow every facet, in grant order. */
	for (uint32_t k = 0, j = 1 + new_endpoints; k < new_endpoints; k++) {
		out->owners[k] = 0;
		if (!keep[k])
			continue;
		if (reply.caps[j].interface_id != capos_Endpoint_ID) {
			capos_printf("init: spawn '%.*s': owner side %u has interface %lx\n",
			             (int)name.len, name.ptr, k, reply.caps[j].interface_id);
			return CAPOS_ERR_BAD_MESSAGE;
		}
		out->owners[k] = reply.caps[j++].cap_id;
	}
	return 0;
}

/* ---- waiting ------------------------------------------------------------ */

#define WAITS_IN_FLIGHT 16u /* SQ entries; each holds a CQ slot in the kernel */

static uint64_t wait_params[4];
static size_t wait_params_len;
/* Root pointer, 2 data words, 1 pointer, the kill reason text. */
static uint64_t wait_results[INIT_WAITS_MAX][CAPOS_WAIT_RESULT_BYTES / 8];
static uint64_t wait_ud[INIT_WAITS_MAX];

static int submit_wait(uint32_t i, uint32_t handle)
{
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_CALL;
	sqe.cap_id = handle;
	sqe.method_id = capos_ProcessHandle_wait_METHOD;
	sqe.addr = (uint64_t)(uintptr_t)wait_params;
	sqe.len = (uint32_t)wait_params_len;
	sqe.result_addr = (uint64_t)(uintptr_t)wait_results[i];
	sqe.result_len = sizeof(wait_results[i]);
	sqe.user_data = wait_ud[i] = capos_ring_next_user_data(&capos_rt_ring);
	return capos_ring_submit(&capos_rt_ring, &sqe);
}

/* Decodes wait i's completion into *end (end->known false on failure). */
static void wait_end(uint32_t i, const struct capos_cqe *cqe, struct init_end *end)
{
	struct capos_reply reply;
	struct capos_call_error err;
	memset(end, 0, sizeof(*end));
	end->code = INT64_MIN;
	if (capos_call_classify(cqe, wait_results[i], sizeof(wait_results[i]), &reply, &err) < 0) {
		char msg[160];
		capos_error_format(&err, msg, sizeof msg);
		capos_printf("init: wait %u failed: %s\n", i, msg);
		return;
	}
	struct capnp_reader m;
	if (capnp_reader_init(&m, wait_results[i], reply.result_len) != CAPNP_OK)
		return;
	capos_ProcessHandle_wait_Results_reader r = capos_ProcessHandle_wait_Results_read_root(&m);
	int64_t code = capos_ProcessHandle_wait_Results_get_exitCode(r);
	bool killed = capos_ProcessHandle_wait_Results_get_killed(r);
	struct capnp_text why = capos_ProcessHandle_wait_Results_get_killReason(r);
	if (capnp_reader_error(&m) != CAPNP_OK)
		return;
	end->known = true;
	end->code = code;
	end->killed = killed;
	size_t n = why.len < sizeof(end->reason) - 1 ? why.len : sizeof(end->reason) - 1;
	memcpy(end->reason, why.str, n);
	end->reason[n] = '\0';
	if (killed && n == 0)
		memcpy(end->reason, "no reason given", sizeof "no reason given");
}

/* Waits are submitted as services start (at most WAITS_IN_FLIGHT at once;
 * the rest queue here) so exits are logged as they happen. */
static uint32_t wait_handles[INIT_WAITS_MAX];
static bool wait_pending[INIT_WAITS_MAX];
static uint32_t wait_count, wait_next, wait_in_flight, wait_finished;
static void (*wait_done)(uint32_t i, const struct init_end *end);

int init_wait_begin(void (*done)(uint32_t i, const struct init_end *end))
{
	struct capnp_builder b;
	capnp_builder_init(&b, wait_params, sizeof wait_params);
	capos_ProcessHandle_wait_Params_init_root(&b);
	if (capnp_builder_finish(&b, &wait_params_len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	wait_done = done;
	return 0;
}

static int submit_queued(void)
{
	while (wait_next < wait_count && wait_in_flight < WAITS_IN_FLIGHT) {
		int e = submit_wait(wait_next, wait_handles[wait_next]);
		if (e < 0)
			return e;
		wait_pending[wait_next++] = true;
		wait_in_flight++;
	}
	return 0;
}

/* Reports every finished wait; returns how many, or a negative error. */
static int reap_waits(void)
{
	int r = capos_ring_reap(&capos_rt_ring);
	if (r < 0)
		return r;
	int n = 0;
	for (uint32_t i = 0; i < wait_next; i++) {
		struct capos_cqe cqe;
		if (!wait_pending[i] || !capos_ring_take(&capos_rt_ring, wait_ud[i], &cqe))
			continue;
		wait_pending[i] = false;
		wait_in_flight--;
		wait_finished++;
		n++;
		struct init_end end;
		wait_end(i, &cqe, &end);
		wait_done(i, &end);
	}
	return n;
}

int init_wait_add(uint32_t handle)
{
	if (wait_count == INIT_WAITS_MAX)
		return CAPOS_ERR_NO_RESOURCES;
	wait_handles[wait_count++] = handle;
	int e = submit_queued();
	if (e < 0)
		return e;
	/* Let the kernel take the wait now, and report exits so far. */
	int64_t n = capos_ring_enter(&capos_rt_ring, 0, CAPOS_NO_WAIT);
	if (n < 0)
		return (int)n;
	e = reap_waits();
	return e < 0 ? e : 0;
}

int init_wait_all(void (*between)(void))
{
	while (wait_finished < wait_count) {
		int e = submit_queued();
		if (e < 0)
			return e;
		e = reap_waits();
		if (e < 0)
			return e;
		if (e > 0 && between) {
			between(); /* may add waits (init_wait_add) */
			continue;
		}
		if (e == 0 && wait_finished < wait_count) {
			int64_t r = capos_ring_enter(&capos_rt_ring, 1, CAPOS_WAIT_FOREVER);
			if (r < 0)
				return (int)r;
		}
	}
	return 0;
}
