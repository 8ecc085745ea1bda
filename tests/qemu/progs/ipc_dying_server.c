/*
 * ipc_dying_server: receives one call on its endpoint, waits 100 ms (so
 * other callers' calls are usually queued by then; no smoke depends on
 * that timing) and exits without answering.  With two ipc_waiter clients
 * importing its endpoint (endpoint_cleanup.cue): both waiters must get
 * CAPOS_ERR_DISCONNECTED, whether their call was in flight, queued or late.
 *
 * Run by: smokes endpoint_cleanup, ipc_queue_limit
 * (tests/qemu/manifests/NAME.cue); system-spawn.cue (`make run-spawn`;
 * smoke spawn_smoke).
 */
#include "demo.h"
#include "echo_proto.h"

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("ipc_dying_server", capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) == 0,
	           "owns its endpoint\n");
	static uint64_t buf[512];
	struct capos_cqe cqe = echo_recv(&ep, buf, sizeof buf);
	DEMO_CHECK("ipc_dying_server", cqe.result > 0 && cqe.call_id != 0,
	           "received a call; exiting without answering it\n");
	capos_cap_enter(1, 100000000ull); /* nothing completes: a 100 ms sleep */
	return demo_finish("ipc_dying_server");
}
