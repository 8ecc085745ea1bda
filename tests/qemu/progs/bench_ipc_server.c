/*
 * bench_ipc_server: the server half of `make bench` (it exports its
 * endpoint, bench_ipc imports it as "bench_ipc_server"): answers every
 * call with its params, through the runtime's server loop (RETURN and the
 * next RECV in one cap_enter).
 *
 * Run by: tests/qemu/manifests/bench_ipc.cue (`make bench`).
 */
#include "demo.h"
#include "echo_proto.h"

static int handle(void *ctx, const struct capos_server_call *call,
                  struct capos_server_reply *reply)
{
	(void)ctx;
	memcpy(reply->buf, call->params, call->params_len);
	reply->len = call->params_len;
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	struct capos_cap ep;
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) != 0)
		return 1;
	if (demo_avx_enabled())
		demo_dirty_ymm(); /* the xstate round trip: both sides' AVX state dirty */
	struct capos_server_stats st;
	int err = capos_server_run(&capos_rt_ring, ep.cap_id, handle, NULL, &st);
	capos_printf("[bench_ipc_server] served %lu calls (%s)\n", (unsigned long)st.calls,
	             capos_strerror(err));
	return err != 0;
}
