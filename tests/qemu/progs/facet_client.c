/*
 * facet_client: one client of facet_server (smoke endpoint_facets); what
 * it does depends on its instance name (see facet_server.c):
 *   alpha    two whoami calls, then exits (the release comes from exit);
 *   beta     whoami, releases 'server' explicitly, then asks through
 *            'check' whether the server was told: the release happened
 *            before the question, so it must have been;
 *   gamma, gamma2  one whoami each on copies of the same facet;
 *   hostile  tries to mint on its facet, to RECV on it, to forge a badge
 *            in a transfer descriptor: each refused with its own error,
 *            then its calls still carry the badge it was given.
 */
#include <capos/endpoint.h>

#include "demo.h"
#include "facet_proto.h"

static const char *me;

/* whoami through cap: *badge and *flags as the server saw them. */
static int whoami(const struct capos_cap *cap, uint64_t *badge, uint64_t *flags)
{
	uint64_t out[4] = {0};
	/* clang-format off */
	struct capos_endpoint_call c = {.method_id = FACET_WHOAMI,
	                                .result = out, .result_cap = sizeof out};
	/* clang-format on */
	struct capos_reply reply;
	int e = capos_endpoint_call(cap, &c, &reply, NULL);
	if (e == 0 && reply.result_len != 16)
		e = CAPOS_ERR_BAD_MESSAGE;
	*badge = e == 0 ? out[0] : 0;
	*flags = e == 0 ? out[1] : 0;
	return e;
}

static void check_whoami(const struct capos_cap *cap, uint64_t want)
{
	uint64_t badge, flags;
	int e = whoami(cap, &badge, &flags);
	DEMO_CHECK(me, e == 0 && badge == want && flags == CAPOS_MSG_F_MINTED,
	           "the server saw badge %lu, minted (%s)\n", (unsigned long)badge,
	           capos_strerror(e));
}

static void beta(const struct capos_cap *server)
{
	struct capos_cap check;
	DEMO_CHECK(me, capos_endpoint_open_as(&capos_rt.capset, "check", FACET_IFACE, &check) == 0,
	           "has a second facet 'check'\n");
	uint32_t id = server->cap_id;
	struct capos_cap owned = *server;
	owned.owned = true;
	capos_cap_drop(&owned);
	int e = capos_flush_releases();
	struct capos_cap stale = {.cap_id = id, .valid = true};
	uint64_t badge, flags;
	int e2 = whoami(&stale, &badge, &flags);
	DEMO_CHECK(me, e == 0 && e2 == CAPOS_ERR_BAD_CAP, "released 'server'; its id is stale: %s\n",
	           capos_strerror(e2));
	uint64_t asked = 102, told = 0;
	/* clang-format off */
	struct capos_endpoint_call c = {.method_id = FACET_SEEN, .params = &asked, .params_len = 8,
	                                .result = &told, .result_cap = sizeof told};
	/* clang-format on */
	e = capos_endpoint_call(&check, &c, NULL, NULL);
	DEMO_CHECK(me, e == 0 && told == 1, "the server was told of the release before this call\n");
}

static void hostile(const struct capos_cap *server)
{
	struct capos_cap f;
	struct capos_call_error err;
	int e = capos_endpoint_mint_in(&capos_rt_ring, server->cap_id, 7, 0, true, &f, &err);
	DEMO_CHECK(me, e == CAPOS_ERR_NOT_PERMITTED, "mint on a client facet: %s\n",
	           capos_strerror(e));
	uint64_t buf[8];
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_RECV;
	sqe.cap_id = server->cap_id;
	sqe.result_addr = (uint64_t)(uintptr_t)buf;
	sqe.result_len = sizeof buf;
	struct capos_cqe cqe;
	e = capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	DEMO_CHECK(me, e == 0 && cqe.result == CAPOS_ERR_NOT_PERMITTED, "RECV on it: %s\n",
	           capos_strerror(e ? e : cqe.result));
	/* A kernel flag on RECV, and an unknown kernel method. */
	sqe.flags = CAPOS_SQE_KERNEL;
	e = capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	DEMO_CHECK(me, e == 0 && cqe.result == CAPOS_ERR_INVALID_SQE, "kernel flag on RECV: %s\n",
	           capos_strerror(e ? e : cqe.result));
	memset(&sqe, 0, sizeof sqe);
	sqe.opcode = CAPOS_OP_CALL;
	sqe.flags = CAPOS_SQE_KERNEL;
	sqe.cap_id = server->cap_id;
	sqe.method_id = 9;
	e = capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	DEMO_CHECK(me, e == 0 && cqe.result == CAPOS_ERR_UNKNOWN_METHOD,
	           "unknown kernel method: %s\n", capos_strerror(e ? e : cqe.result));
	/* A copy of its facet with a badge of its choosing. */
	struct capos_xfer_desc d = capos_xfer_copy(server->cap_id);
	d.badge = 102;
	uint64_t out[4];
	/* clang-format off */
	struct capos_endpoint_call c = {.method_id = FACET_WHOAMI, .xfer = &d, .xfer_count = 1,
	                                .result = out, .result_cap = sizeof out};
	/* clang-format on */
	e = capos_endpoint_call(server, &c, NULL, NULL);
	DEMO_CHECK(me, e == CAPOS_ERR_BAD_TRANSFER, "forged badge in a transfer: %s\n",
	           capos_strerror(e));
	check_whoami(server, 104);
}

int main(void)
{
	me = demo_name("facet_client");
	struct capos_cap server;
	if (capos_endpoint_open_as(&capos_rt.capset, "server", FACET_IFACE, &server) != 0) {
		capos_printf("[%s] FAIL: no facet 'server' labelled Echo\n", me);
		return 1;
	}
	if (strcmp(me, "alpha") == 0) {
		check_whoami(&server, 101);
		check_whoami(&server, 101);
	} else if (strcmp(me, "beta") == 0) {
		check_whoami(&server, 102);
		beta(&server);
	} else if (strcmp(me, "gamma") == 0 || strcmp(me, "gamma2") == 0) {
		check_whoami(&server, 103);
	} else if (strcmp(me, "hostile") == 0) {
		hostile(&server);
	} else {
		capos_printf("[%s] FAIL: unknown instance\n", me);
		return 1;
	}
	return demo_finish(me);
}
