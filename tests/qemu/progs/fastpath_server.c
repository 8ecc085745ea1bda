/*
 * fastpath_server: the server half of smoke ipc_fastpath (see
 * fastpath_client.c for the sequence): runtime server loop over its
 * endpoint, methods in fastpath_proto.h.  It counts the capabilities that
 * came with calls and the release messages of the facet it minted, and
 * exits without answering on FP_DIE.
 *
 * Run by: smoke ipc_fastpath (tests/qemu/manifests/ipc_fastpath.cue).
 */
#include <capos/endpoint.h>
#include <capos/server.h>
#include <capos/syscall.h>

#include "demo.h"
#include "fastpath_proto.h"

static struct capos_cap ep;
static uint64_t caps_in, whoami_minted, releases;

static int mint(struct capos_server_reply *reply)
{
	struct capos_cap facet;
	int e = capos_endpoint_mint(&ep, FP_BADGE, 0, true, &facet, NULL);
	DEMO_CHECK("fastpath_server", e == 0, "minted a facet with badge %u: %s\n", FP_BADGE,
	           capos_strerror(e));
	if (e)
		return capos_server_exception(reply, capos_CapException_Type_failed, "mint failed");
	reply->len = 0;
	reply->xfer[0] = capos_xfer_move(facet.cap_id);
	reply->xfer_count = 1;
	return CAPOS_SERVER_REPLY;
}

static int handle(void *ctx, const struct capos_server_call *call,
                  struct capos_server_reply *reply)
{
	(void)ctx;
	uint64_t *out = reply->buf;
	caps_in += call->cap_count;
	switch (call->method_id) {
	case FP_ECHO:
		memcpy(reply->buf, call->params, call->params_len);
		reply->len = call->params_len;
		return CAPOS_SERVER_REPLY;
	case FP_MINT:
		return mint(reply);
	case FP_WHOAMI:
		out[0] = call->badge;
		out[1] = call->flags;
		reply->len = 16;
		if (call->badge == FP_BADGE && (call->flags & CAPOS_MSG_F_MINTED))
			whoami_minted++;
		return CAPOS_SERVER_REPLY;
	case FP_DIE:
		DEMO_CHECK("fastpath_server", caps_in == 10 && whoami_minted == 20 && releases == 1,
		           "%lu caps came with calls, %lu whoami through the facet, %lu release "
		           "told\n",
		           (unsigned long)caps_in, (unsigned long)whoami_minted,
		           (unsigned long)releases);
		capos_printf("[fastpath_server] exiting with a call in flight\n");
		capos_exit(demo_finish("fastpath_server"));
	default:
		return capos_server_exception(reply, capos_CapException_Type_unimplemented, "no");
	}
}

static int on_release(void *ctx, uint64_t badge)
{
	(void)ctx;
	releases++;
	DEMO_CHECK("fastpath_server", badge == FP_BADGE, "release of the facet told (badge %lu)\n",
	           (unsigned long)badge);
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) != 0)
		return 1;
	struct capos_server_stats st = {0};
	int err = capos_server_run_releases(&capos_rt_ring, ep.cap_id, handle, on_release, NULL, &st);
	capos_printf("[fastpath_server] FAIL: the loop ended (%s) before FP_DIE\n",
	             capos_strerror(err));
	return 1;
}
