/*
 * fastpath_client: the client half of smoke ipc_fastpath, so the endpoint
 * fast path (docs/ipc.md "Fast path": calls and replies without
 * capabilities copied user to user, the direct switch) and the slow path
 * cannot diverge:
 *   1. 100 echo calls, every tenth carrying a copy of its console (that
 *      delivery takes the slow path), each reply checked byte for byte;
 *   2. a facet with a badge minted for it (a reply carrying a capability),
 *      then 20 whoami calls through the facet, each alternating with an
 *      echo through the plain client cap: the badge and MINTED flag come
 *      through the fast path; the facet released, an echo after it (the
 *      server has been told by then: calls and releases are received in
 *      the order they happened);
 *   3. 200 echo calls with timeouts from 0.5 to 100 us racing the reply:
 *      each ends exactly once, answered (with the right bytes) or
 *      TIMED_OUT, whichever came first; then a call without timeout;
 *   4. die: the server exits with the call in flight: DISCONNECTED, and a
 *      later call DISCONNECTED at once.
 *
 * Run by: smoke ipc_fastpath (tests/qemu/manifests/ipc_fastpath.cue).
 */
#include <capos/endpoint.h>

#include "demo.h"
#include "fastpath_proto.h"

#define ME "fastpath_client"

static struct capos_cap ep;

static int call(const struct capos_cap *cap, uint16_t method, const void *params, uint32_t len,
                uint64_t *out, uint32_t out_cap, const struct capos_xfer_desc *xfer,
                uint32_t nxfer, uint64_t timeout_ns, struct capos_reply *reply)
{
	struct capos_endpoint_call c = {
		.method_id = method,
		.params = params,
		.params_len = len,
		.xfer = xfer,
		.xfer_count = nxfer,
		.result = out,
		.result_cap = out_cap,
		.timeout_ns = timeout_ns,
	};
	struct capos_reply scratch;
	return capos_endpoint_call(cap, &c, reply ? reply : &scratch, NULL);
}

/* One echo of a message made from i; 0 when it came back whole. */
static int echo(unsigned i, const struct capos_xfer_desc *xfer, uint32_t nxfer,
                uint64_t timeout_ns)
{
	uint64_t msg[4] = {i, ~(uint64_t)i, i * 0x9e3779b97f4a7c15ull, 0x66617374ull};
	uint64_t out[4] = {0};
	struct capos_reply reply;
	int e = call(&ep, FP_ECHO, msg, sizeof msg, out, sizeof out, xfer, nxfer, timeout_ns, &reply);
	if (e == 0 && (reply.result_len != sizeof msg || memcmp(msg, out, sizeof msg) != 0))
		e = CAPOS_ERR_BAD_MESSAGE;
	return e;
}

static void mixed_with_transfers(void)
{
	unsigned bad = 0;
	for (unsigned i = 0; i < 100; i++) {
		struct capos_xfer_desc x = capos_xfer_copy(capos_rt.console.cap.cap_id);
		if (echo(i, &x, i % 10 == 0 ? 1 : 0, 0) != 0)
			bad++;
	}
	DEMO_CHECK(ME, bad == 0, "100 echo calls, 10 of them carrying a console copy: %u bad\n", bad);
}

static void through_a_badged_facet(void)
{
	uint64_t out[4];
	struct capos_reply reply;
	int e = call(&ep, FP_MINT, NULL, 0, out, sizeof out, NULL, 0, 0, &reply);
	struct capos_cap facet;
	bool got = e == 0 && reply.cap_count == 1 &&
	           capos_cap_adopt(&reply.caps[0], capos_Endpoint_ID, &facet) == 0;
	DEMO_CHECK(ME, got, "a facet minted for it: %s, %u caps\n", capos_strerror(e),
	           e == 0 ? reply.cap_count : 0);
	if (!got)
		return;
	unsigned bad = 0;
	for (unsigned i = 0; i < 20; i++) {
		uint64_t who[2] = {0, 0};
		e = call(&facet, FP_WHOAMI, NULL, 0, who, sizeof who, NULL, 0, 0, NULL);
		if (e != 0 || who[0] != FP_BADGE || !(who[1] & CAPOS_MSG_F_MINTED))
			bad++;
		if (echo(1000 + i, NULL, 0, 0) != 0)
			bad++;
	}
	DEMO_CHECK(ME, bad == 0, "20 whoami through the facet (badge %u, MINTED) between echoes: "
	                         "%u bad\n",
	           FP_BADGE, bad);
	capos_cap_drop(&facet);
	e = capos_flush_releases();
	DEMO_CHECK(ME, e == 0 && echo(2000, NULL, 0, 0) == 0,
	           "facet released, an echo after it: %s\n", capos_strerror(e));
}

static void timeouts_racing_replies(void)
{
	unsigned answered = 0, timed_out = 0, other = 0;
	for (unsigned i = 0; i < 200; i++) {
		int e = echo(3000 + i, NULL, 0, 500ull * (1 + i % 200));
		if (e == 0)
			answered++;
		else if (e == CAPOS_ERR_TIMED_OUT)
			timed_out++;
		else
			other++;
	}
	DEMO_CHECK(ME, answered + timed_out == 200 && other == 0,
	           "200 calls with timeouts of 0.5 to 100 us: each answered or timed out once "
	           "(%u other)\n",
	           other);
	DEMO_CHECK(ME, echo(4000, NULL, 0, 0) == 0, "a call without timeout after them answered\n");
}

static void server_dies(void)
{
	uint64_t out[4];
	int e = call(&ep, FP_DIE, NULL, 0, out, sizeof out, NULL, 0, 0, NULL);
	DEMO_CHECK(ME, e == CAPOS_ERR_DISCONNECTED, "the server exits with the call in flight: %s\n",
	           capos_strerror(e));
	e = echo(5000, NULL, 0, 0);
	DEMO_CHECK(ME, e == CAPOS_ERR_DISCONNECTED, "a later call: %s\n", capos_strerror(e));
}

int main(void)
{
	DEMO_CHECK(ME, capos_endpoint_open(&capos_rt.capset, "fastpath_server", &ep) == 0,
	           "has its client facet\n");
	mixed_with_transfers();
	through_a_badged_facet();
	timeouts_racing_replies();
	server_dies();
	return demo_finish(ME);
}
