/*
 * echo_server: serves Echo on the endpoint it owns (CapSet "endpoint") with
 * the runtime's server loop, until no client is left.  Its manifest entry
 * grants it {name: "endpoint", source: kernel: "endpoint"} and exports it.
 *
 * Run by: smoke ipc_echo (tests/qemu/manifests/ipc_echo.cue); selftests.cue (smoke
 * boot_selftests); system-spawn.cue (`make
 * run-spawn`; smoke spawn_smoke).
 */
#include "demo.h"
#include "echo_proto.h"

static int handle(void *ctx, const struct capos_server_call *call,
                  struct capos_server_reply *reply)
{
	(void)ctx;
	if (call->method_id != capos_Echo_echo_METHOD)
		return capos_server_exception(reply, capos_CapException_Type_unimplemented,
		                              "Echo: no such method");
	struct capnp_text t;
	if (echo_decode_text(call->params, call->params_len, &t) != 0)
		return capos_server_exception(reply, capos_CapException_Type_invalidArgument,
		                              "Echo: bad params");
	reply->len = echo_encode_results(reply->buf, reply->cap, t.str, t.len);
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("echo_server", capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) == 0,
	           "owns its endpoint\n");
	struct capos_server_stats st;
	int err = capos_server_run(&capos_rt_ring, ep.cap_id, handle, NULL, &st);
	DEMO_CHECK("echo_server", err == 0, "served %lu calls (%lu exceptions), no client left (%s)\n",
	           (unsigned long)st.calls, (unsigned long)st.exceptions, capos_strerror(err));
	return demo_finish("echo_server");
}
