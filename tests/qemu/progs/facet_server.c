/*
 * facet_server: badged facets minted at run time and release messages
 * (docs/ipc.md "Badged facets").
 *
 * It owns endpoint 'ep' (no one else is given it).  First a flood: it
 * mints notifying facets and releases each at once until the kernel says
 * overloaded (ENDPOINT_FACETS_MAX: the untold releases count), then
 * receives every release message, oldest first.  Then it mints one facet
 * per client and spawns facet_client five times:
 *   alpha   badge 101 (notify), calls twice and exits;
 *   beta    badge 102 (notify), releases it explicitly, then asks through
 *           a second facet (badge 105, no notify) whether the release was
 *           told: it must have been, before that call;
 *   gamma, gamma2  copies of badge 103 (notify): one release message,
 *           after both have called (each holds a copy until it exits);
 *   hostile badge 104 (notify): tries to mint, to receive, to forge.
 * The server loop then answers whoami (the badge and flags it saw) and
 * seen (was that badge's release told), logs each release, and ends when
 * no client is left.  Every notifying badge is told exactly once.
 *
 * Run by: smoke endpoint_facets (tests/qemu/manifests/endpoint_facets.cue).
 */
#include <capos/endpoint.h>
#include <capos/server.h>

#include "demo.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "facet_proto.h"

#define NAME       "facet_server"
#define FLOOD_BASE 1000u
#define FLOOD_MAX  200u /* more than the kernel's quota: it must refuse first */

struct state {
	unsigned calls[FACET_BADGES];    /* calls seen per badge (101..105)  */
	unsigned released[FACET_BADGES]; /* release messages per badge        */
	unsigned other;                  /* calls or releases of other badges */
};

static unsigned slot(uint64_t badge)
{
	return badge >= FACET_BADGE_FIRST && badge < FACET_BADGE_FIRST + FACET_BADGES
	               ? (unsigned)(badge - FACET_BADGE_FIRST)
	               : FACET_BADGES;
}

static int handle(void *ctx, const struct capos_server_call *call, struct capos_server_reply *reply)
{
	struct state *st = ctx;
	unsigned i = slot(call->badge);
	if (i == FACET_BADGES) {
		st->other++;
		return capos_server_exception(reply, capos_CapException_Type_failed, "unknown badge");
	}
	st->calls[i]++;
	uint64_t *out = reply->buf;
	if (call->method_id == FACET_WHOAMI) {
		out[0] = call->badge;
		out[1] = call->flags;
		reply->len = 16;
		return CAPOS_SERVER_REPLY;
	}
	if (call->method_id == FACET_SEEN && call->params_len == 8) {
		uint64_t asked;
		memcpy(&asked, call->params, 8);
		unsigned k = slot(asked);
		out[0] = k < FACET_BADGES ? st->released[k] : 0;
		reply->len = 8;
		return CAPOS_SERVER_REPLY;
	}
	return capos_server_exception(reply, capos_CapException_Type_unimplemented, "no such method");
}

static int on_release(void *ctx, uint64_t badge)
{
	struct state *st = ctx;
	unsigned i = slot(badge);
	if (i == FACET_BADGES) {
		st->other++;
		capos_printf("[" NAME "] FAIL: release of unknown badge %lu\n", (unsigned long)badge);
		return CAPOS_SERVER_REPLY;
	}
	st->released[i]++;
	capos_printf("[" NAME "] released: badge %lu after %u calls from its holders\n",
	             (unsigned long)badge, st->calls[i]);
	return CAPOS_SERVER_REPLY;
}

/* One RECV on the owner side, waiting; *m gets the header. */
static int recv_one(uint32_t ep, struct capos_endpoint_message *m)
{
	static uint64_t buf[64];
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_RECV;
	sqe.cap_id = ep;
	sqe.result_addr = (uint64_t)(uintptr_t)buf;
	sqe.result_len = sizeof buf;
	struct capos_cqe cqe;
	int e = capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	if (e < 0)
		return e;
	if (cqe.result < 0)
		return cqe.result;
	memcpy(m, buf, sizeof(*m));
	return 0;
}

/* Mint and release until refused; then take every release message. */
static void flood(const struct capos_cap *ep)
{
	struct capos_call_error err;
	unsigned minted = 0;
	int e = 0;
	for (; minted < FLOOD_MAX; minted++) {
		struct capos_cap f;
		e = capos_endpoint_mint(ep, FLOOD_BASE + minted, 0, true, &f, &err);
		if (e < 0)
			break;
		capos_cap_drop(&f);
		capos_flush_releases();
	}
	DEMO_CHECK(NAME,
	           e == CAPOS_ERR_APPLICATION_EXCEPTION &&
	                   err.exception_type == capos_CapException_Type_overloaded,
	           "flood: %u facets minted and released, the next refused: %s\n", minted,
	           e == CAPOS_ERR_APPLICATION_EXCEPTION ? capos_exception_type_name(err.exception_type)
	                                                : capos_strerror(e));
	unsigned told = 0, in_order = 0;
	for (; told < minted; told++) {
		struct capos_endpoint_message m;
		if (recv_one(ep->cap_id, &m) != 0)
			break;
		in_order += m.flags == CAPOS_MSG_F_RELEASED && m.badge == FLOOD_BASE + told &&
		            m.call_id == 0;
	}
	DEMO_CHECK(NAME, told == minted && in_order == minted,
	           "flood: %u release messages received, %u in order\n", told, in_order);
	/* Badge 0 is no badge. */
	struct capos_cap f;
	e = capos_endpoint_mint(ep, 0, 0, true, &f, &err);
	DEMO_CHECK(NAME,
	           e == CAPOS_ERR_APPLICATION_EXCEPTION &&
	                   err.exception_type == capos_CapException_Type_invalidArgument,
	           "badge 0 refused: %s\n",
	           e == CAPOS_ERR_APPLICATION_EXCEPTION ? capos_exception_type_name(err.exception_type)
	                                                : capos_strerror(e));
}

struct grant {
	const char *name;
	uint32_t cap_id;
	bool move;
};

/* ProcessSpawner.spawn(name, "facet_client", grants); the handle is
 * released at once (the child lives on). */
static int spawn(uint32_t spawner, const char *name, const struct grant *g, uint32_t n)
{
	static uint64_t params[128], result[32];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, name, strlen(name));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, "facet_client", 12);
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, n);
	for (uint32_t i = 0; i < n; i++) {
		capos_CapGrant_builder gb = capos_CapGrant_list_at(l, i);
		capos_CapGrant_set_name(gb, g[i].name, strlen(g[i].name));
		capos_CapGrant_set_capId(gb, g[i].cap_id);
		capos_CapGrant_set_mode(gb, g[i].move ? capos_TransferMode_move : capos_TransferMode_copy);
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	/* clang-format off */
	struct capos_call c = {.cap_id = spawner, .method_id = capos_ProcessSpawner_spawn_METHOD,
	                       .params = params, .params_len = (uint32_t)len,
	                       .result = result, .result_cap = sizeof result};
	/* clang-format on */
	struct capos_reply reply;
	int e = capos_call(&capos_rt_ring, &c, &reply, NULL);
	if (e < 0)
		return e;
	for (uint32_t i = 0; i < reply.cap_count; i++) {
		struct capos_cap h = {.cap_id = reply.caps[i].cap_id, .owned = true, .valid = true};
		capos_cap_drop(&h);
	}
	capos_flush_releases();
	return 0;
}

int main(void)
{
	struct capos_cap ep;
	const struct capos_capset_entry *sp;
	if (capos_endpoint_open(&capos_rt.capset, "ep", &ep) != 0 ||
	    capos_capset_lookup(&capos_rt.capset, "spawner", capos_ProcessSpawner_ID, &sp) != 0) {
		capos_printf("[" NAME "] FAIL: needs an Endpoint 'ep' and a ProcessSpawner 'spawner'\n");
		return 1;
	}
	flood(&ep);

	struct capos_cap f[FACET_BADGES];
	struct capos_call_error err;
	unsigned ok = 0;
	for (unsigned i = 0; i < FACET_BADGES; i++) {
		uint64_t badge = FACET_BADGE_FIRST + i;
		bool notify = badge != FACET_BADGE_CHECK;
		ok += capos_endpoint_mint(&ep, badge, FACET_IFACE, notify, &f[i], &err) == 0 &&
		      f[i].interface_id == FACET_IFACE;
	}
	DEMO_CHECK(NAME, ok == FACET_BADGES, "minted badges 101..105, labelled with the interface\n");
	uint32_t console = capos_rt.console.cap.cap_id;
	struct grant alpha[] = {{"console", console, false}, {"server", f[0].cap_id, true}};
	struct grant beta[] = {{"console", console, false},
	                       {"server", f[1].cap_id, true},
	                       {"check", f[4].cap_id, true}};
	struct grant gamma[] = {{"console", console, false}, {"server", f[2].cap_id, false}};
	struct grant gamma2[] = {{"console", console, false}, {"server", f[2].cap_id, true}};
	struct grant hostile[] = {{"console", console, false}, {"server", f[3].cap_id, true}};
	int e = spawn(sp->cap_id, "alpha", alpha, 2);
	if (e == 0)
		e = spawn(sp->cap_id, "beta", beta, 3);
	if (e == 0)
		e = spawn(sp->cap_id, "gamma", gamma, 2);
	if (e == 0)
		e = spawn(sp->cap_id, "gamma2", gamma2, 2);
	if (e == 0)
		e = spawn(sp->cap_id, "hostile", hostile, 2);
	DEMO_CHECK(NAME, e == 0, "spawned 5 clients, each with its facet (%s)\n", capos_strerror(e));

	struct state st;
	memset(&st, 0, sizeof st);
	struct capos_server_stats stats;
	e = capos_server_run_releases(&capos_rt_ring, ep.cap_id, handle, on_release, &st, &stats);
	DEMO_CHECK(NAME, e == 0, "serve loop ended: no client left (%s)\n", capos_strerror(e));
	unsigned once = 0;
	for (unsigned i = 0; i < FACET_BADGES; i++)
		once += st.released[i] == (FACET_BADGE_FIRST + i == FACET_BADGE_CHECK ? 0u : 1u);
	DEMO_CHECK(NAME, once == FACET_BADGES && st.other == 0 && stats.releases == 4,
	           "each notifying badge told exactly once, 105 never (%lu releases)\n",
	           (unsigned long)stats.releases);
	DEMO_CHECK(NAME, st.calls[0] == 2 && st.calls[2] == 2,
	           "alpha called twice, gamma and gamma2 once each\n");
	return demo_finish(NAME);
}
