/* init: ProcessSpawner.spawn and ProcessHandle.wait clients. */
#include "init.h"

#include <capos/call.h>
#include <capos/string.h>
#include <capos/syscall.h>

#include "capos.capnp.rpc.h"

/* Params: a CapGrant is 4 data words + 1 pointer + the name; init has no
 * heap, so the client builds them here. */
static uint64_t params_buf[64 + MF_MAX_CAPS * 10];
static uint64_t result_buf[64 + 2 * (MF_MAX_CAPS + 1)];

struct spawn_args {
	struct mf_str name, binary;
	const struct init_grant *grants;
	uint32_t count;
	uint64_t serves[MF_MAX_CAPS]; /* interface each new facet must carry */
	bool keep[MF_MAX_CAPS];       /* by new endpoint: owner side kept */
	uint32_t new_endpoints, kept;
};

static int fill_spawn(capos_ProcessSpawner_spawn_Params_builder p, struct capos_rpc_out *o,
                      void *arg)
{
	(void)o;
	struct spawn_args *a = arg;
	capos_ProcessSpawner_spawn_Params_set_name(p, a->name.ptr, a->name.len);
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, a->binary.ptr, a->binary.len);
	uint32_t passed = 0;
	for (uint32_t i = 0; i < a->count; i++)
		passed += !a->grants[i].kernel_made;
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, passed);
	uint32_t at = 0;
	a->new_endpoints = 0;
	a->kept = 0;
	for (uint32_t i = 0; i < a->count; i++) {
		const struct init_grant *gr = &a->grants[i];
		if (gr->kernel_made)
			continue; /* the kernel makes it for the child */
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, at++);
		capos_CapGrant_set_name(g, gr->name.ptr, gr->name.len);
		if (gr->new_endpoint) {
			capos_CapGrant_set_newEndpoint(g, true);
			capos_CapGrant_set_interfaceId(g, gr->serves);
			capos_CapGrant_set_keepOwner(g, gr->keep_owner != 0);
			a->keep[a->new_endpoints] = gr->keep_owner != 0;
			a->kept += a->keep[a->new_endpoints];
			a->serves[a->new_endpoints++] = gr->serves ? gr->serves : capos_Endpoint_ID;
			continue;
		}
		capos_CapGrant_set_capId(g, gr->cap_id);
		capos_CapGrant_set_mode(g, capos_TransferMode_copy);
		capos_CapGrant_set_badge(g, gr->badge);
		capos_CapGrant_set_interfaceId(g, gr->interface_id);
	}
	return 0;
}

/* Adopts the spawn's result caps: the ProcessHandle at handleIndex, then
 * each new endpoint's client facet, which must carry the interface its
 * grant names, then the owner sides kept (keepOwner), in grant order. */
static int take_caps(struct mf_str name, capos_ProcessSpawner_spawn_Reply *r,
                     const struct spawn_args *a, struct init_spawned *out)
{
	const struct capos_reply *rep = &r->rpc.reply;
	struct capos_cap h;
	uint16_t hi = capos_ProcessSpawner_spawn_Results_get_handleIndex(r->results);
	if (rep->cap_count != 1 + a->new_endpoints + a->kept || hi != 0 ||
	    capos_rpc_take_cap(&r->rpc, hi, capos_ProcessHandle_ID, &h) != 0) {
		capos_printf("init: spawn '%.*s': malformed result (%u result caps)\n", (int)name.len,
		             name.ptr, rep->cap_count);
		capos_rpc_release_rest(&r->rpc);
		return CAPOS_ERR_BAD_MESSAGE;
	}
	out->handle = h.cap_id;
	for (uint32_t k = 0; k < a->new_endpoints; k++) {
		uint64_t has = rep->caps[1 + k].interface_id;
		struct capos_cap f;
		if (capos_rpc_take_cap(&r->rpc, 1 + k, a->serves[k], &f) != 0) {
			capos_printf("init: spawn '%.*s': endpoint facet %u has interface %lx, not %lx\n",
			             (int)name.len, name.ptr, k, has, a->serves[k]);
			capos_rpc_release_rest(&r->rpc);
			return CAPOS_ERR_BAD_MESSAGE;
		}
		out->facets[k] = f.cap_id;
	}
	for (uint32_t k = 0, j = 1 + a->new_endpoints; k < a->new_endpoints; k++) {
		out->owners[k] = 0;
		if (!a->keep[k])
			continue;
		struct capos_cap o;
		if (capos_rpc_take_cap(&r->rpc, j, capos_Endpoint_ID, &o) != 0) {
			capos_printf("init: spawn '%.*s': owner side %u has interface %lx\n",
			             (int)name.len, name.ptr, k, rep->caps[j].interface_id);
			capos_rpc_release_rest(&r->rpc);
			return CAPOS_ERR_BAD_MESSAGE;
		}
		out->owners[k] = o.cap_id;
		j++;
	}
	return 0;
}

int init_spawn(uint32_t spawner, struct mf_str name, struct mf_str binary,
               const struct init_grant *grants, uint32_t count, struct init_spawned *out)
{
	capos_ProcessSpawner_Client sp;
	struct capos_cap c = {spawner, capos_ProcessSpawner_ID, false, true};
	if (capos_ProcessSpawner_Client_bind(&sp, &capos_rt_ring, c) != 0)
		return CAPOS_ERR_BAD_CAP;
	sp.c.params_buf = params_buf;
	sp.c.params_cap = sizeof params_buf;
	sp.c.result_buf = result_buf;
	sp.c.result_cap = sizeof result_buf;
	static struct spawn_args a;
	a = (struct spawn_args){.name = name, .binary = binary, .grants = grants, .count = count};
	capos_ProcessSpawner_spawn_Reply r;
	struct capos_call_error err;
	int e = capos_ProcessSpawner_spawn_Call(&sp, fill_spawn, &a, &r, &err);
	if (e == CAPOS_ERR_INVALID_ARGUMENT && err.kind == CAPOS_ERROR_LOCAL) {
		capos_printf("init: spawn '%.*s': params do not fit\n", (int)name.len, name.ptr);
		return CAPOS_ERR_BAD_MESSAGE;
	}
	if (e < 0) {
		char msg[200];
		capos_error_format(&err, msg, sizeof msg);
		capos_printf("init: spawn '%.*s' failed: %s\n", (int)name.len, name.ptr, msg);
		return e;
	}
	out->pid = r.pid;
	return take_caps(name, &r, &a, out);
}

/* ---- waiting ------------------------------------------------------------ */

#define WAITS_IN_FLIGHT 16u /* SQ entries; each holds a CQ slot in the kernel */

/* ProcessHandle.wait calls in flight (started, completion not yet
 * decoded), and the service each one waits for. */
static struct capos_rpc_pending waits[WAITS_IN_FLIGHT];
static uint32_t wait_of[WAITS_IN_FLIGHT];

static int submit_wait(uint32_t i, uint32_t handle)
{
	uint32_t slot = 0;
	while (slot < WAITS_IN_FLIGHT && waits[slot].busy)
		slot++;
	if (slot == WAITS_IN_FLIGHT)
		return CAPOS_ERR_NO_RESOURCES; /* the caller keeps fewer in flight */
	capos_ProcessHandle_Client h;
	struct capos_cap c = {handle, capos_ProcessHandle_ID, false, true};
	int e = capos_ProcessHandle_Client_bind(&h, &capos_rt_ring, c);
	if (e == 0)
		e = capos_ProcessHandle_wait_start(&h, &waits[slot], NULL);
	if (e == 0)
		wait_of[slot] = i;
	return e;
}

/* Decodes the completion of the wait in slot into *end (end->known false
 * on failure). */
static void wait_end(uint32_t slot, const struct capos_cqe *cqe, struct init_end *end)
{
	capos_ProcessHandle_wait_Reply r;
	struct capos_call_error err;
	memset(end, 0, sizeof(*end));
	end->code = INT64_MIN;
	if (capos_ProcessHandle_wait_finish(&waits[slot], cqe, &r, &err) < 0) {
		char msg[160];
		capos_error_format(&err, msg, sizeof msg);
		capos_printf("init: wait %u failed: %s\n", wait_of[slot], msg);
		return;
	}
	end->known = true;
	end->code = r.exitCode;
	end->killed = r.killed;
	size_t n = r.killReason.len < sizeof(end->reason) - 1 ? r.killReason.len
	                                                      : sizeof(end->reason) - 1;
	memcpy(end->reason, r.killReason.str, n);
	end->reason[n] = '\0';
	if (r.killed && n == 0)
		memcpy(end->reason, "no reason given", sizeof "no reason given");
}

/* Waits are submitted as services start (at most WAITS_IN_FLIGHT at once;
 * the rest queue here) so exits are logged as they happen. */
static uint32_t wait_handles[INIT_WAITS_MAX];
static uint32_t wait_count, wait_next, wait_in_flight, wait_finished;
static void (*wait_done)(uint32_t i, const struct init_end *end);

int init_wait_begin(void (*done)(uint32_t i, const struct init_end *end))
{
	wait_done = done;
	return 0;
}

static int submit_queued(void)
{
	while (wait_next < wait_count && wait_in_flight < WAITS_IN_FLIGHT) {
		int e = submit_wait(wait_next, wait_handles[wait_next]);
		if (e < 0)
			return e;
		wait_next++;
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
	for (uint32_t slot = 0; slot < WAITS_IN_FLIGHT; slot++) {
		struct capos_cqe cqe;
		if (!capos_rpc_poll(&waits[slot], &cqe))
			continue;
		wait_in_flight--;
		wait_finished++;
		n++;
		struct init_end end;
		wait_end(slot, &cqe, &end);
		wait_done(wait_of[slot], &end);
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
