/*
 * ipc_waiter: calls "ipc_dying_server" with no timeout; the server exits
 * without answering, so the call must fail with CAPOS_ERR_DISCONNECTED
 * (whether it was in flight or still queued), and so must a later call.
 *
 * Run by: smoke endpoint_cleanup
 * (tests/qemu/manifests/endpoint_cleanup.cue); system-spawn.cue (`make
 * run-spawn`; smoke spawn_smoke).
 */
#include "demo.h"
#include "echo_proto.h"

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("ipc_waiter", capos_endpoint_open(&capos_rt.capset, "ipc_dying_server", &ep) == 0,
	           "has a client facet\n");
	char out[32];
	struct capos_call_error err;
	int e = echo_call(&ep, 0, "are you there?", NULL, 0, out, sizeof out, NULL, &err);
	DEMO_CHECK("ipc_waiter", e == CAPOS_ERR_DISCONNECTED && err.kind == CAPOS_ERROR_TRANSPORT,
	           "pending call: %s\n", capos_strerror(e));
	e = echo_call(&ep, 0, "anyone?", NULL, 0, out, sizeof out, NULL, &err);
	DEMO_CHECK("ipc_waiter", e == CAPOS_ERR_DISCONNECTED, "later call: %s\n", capos_strerror(e));
	return demo_finish("ipc_waiter");
}
