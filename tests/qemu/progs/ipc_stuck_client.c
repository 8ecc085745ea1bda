/*
 * ipc_stuck_client: calls ipc_stuck_server without a timeout and waits;
 * see ipc_stuck_server.c.
 *
 * Run by: smoke ipc_deadlock (tests/qemu/manifests/ipc_deadlock.cue).
 */
#include "demo.h"
#include "echo_proto.h"

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("ipc_stuck_client",
	           capos_endpoint_open(&capos_rt.capset, "ipc_stuck_server", &ep) == 0,
	           "has a client facet\n");
	char out[16];
	struct capos_call_error err;
	int e = echo_call(&ep, 0, "hello?", NULL, 0, out, sizeof out, NULL, &err);
	DEMO_CHECK("ipc_stuck_client", e == CAPOS_ERR_DISCONNECTED,
	           "call completed when the stuck server was killed: %s\n", capos_strerror(e));
	return demo_finish("ipc_stuck_client");
}
