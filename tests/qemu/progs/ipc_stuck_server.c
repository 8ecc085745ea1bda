/*
 * ipc_stuck_server: receives one call and then waits forever for a
 * completion that cannot come (a buggy server).  With ipc_stuck_client
 * every process ends up blocked: the deadlock breaker must kill this
 * server, and its death must complete the client's call with
 * CAPOS_ERR_DISCONNECTED so the client finishes on its own.
 *
 * Run by: smoke ipc_deadlock (tests/qemu/manifests/ipc_deadlock.cue).
 */
#include "demo.h"
#include "echo_proto.h"

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("ipc_stuck_server", capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) == 0,
	           "owns its endpoint\n");
	static uint64_t buf[64];
	echo_recv(&ep, buf, sizeof buf);
	capos_printf("[ipc_stuck_server] received a call; now waiting for nothing\n");
	capos_cap_enter(1, CAPOS_WAIT_FOREVER);
	capos_printf("[ipc_stuck_server] FAIL: woke up\n");
	return 1;
}
