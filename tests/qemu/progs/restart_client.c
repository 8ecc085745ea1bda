/*
 * restart_client: drives restart_server (its import "service") through
 * init's restarts: four rounds of a ping (answered, by the first instance
 * and then by each new one, on the same client facet) and a crash call
 * (DISCONNECTED: the instance died with it in flight); init restarts the
 * server three times, and after the fourth crash gives up and lets the
 * endpoint go, so the last ping is DISCONNECTED too.
 *
 * Run by: smoke init_restart (tests/qemu/manifests/init_restart.cue).
 */
#include "demo.h"

#include "capos.capnp.h"

static int call(uint32_t cap, uint16_t method)
{
	static uint64_t params[2], result[8];
	struct capos_sqe sqe = {0};
	struct capos_cqe cqe;
	sqe.opcode = CAPOS_OP_CALL;
	sqe.cap_id = cap;
	sqe.method_id = method;
	sqe.addr = (uint64_t)(uintptr_t)params;
	sqe.len = sizeof params;
	sqe.result_addr = (uint64_t)(uintptr_t)result;
	sqe.result_len = sizeof result;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	if (cqe.result == 8 && result[0] != 0x706f6e67)
		return CAPOS_ERR_BAD_MESSAGE;
	return cqe.result;
}

int main(void)
{
	const struct capos_capset_entry *e =
		capos_capset_find(&capos_rt.capset, "service", capos_Endpoint_ID);
	DEMO_CHECK("restart_client", e != 0, "has a client facet 'service'\n");
	if (e == 0)
		return demo_finish("restart_client");
	for (unsigned round = 1; round <= 4; round++) {
		int r = call(e->cap_id, 0);
		DEMO_CHECK("restart_client", r == 8, "round %u: ping: %s\n", round,
		           r == 8 ? "answered" : capos_strerror(r));
		r = call(e->cap_id, 1);
		DEMO_CHECK("restart_client", r == CAPOS_ERR_DISCONNECTED, "round %u: crash call: %s\n",
		           round, capos_strerror(r));
	}
	int r = call(e->cap_id, 0);
	DEMO_CHECK("restart_client", r == CAPOS_ERR_DISCONNECTED,
	           "after the restart limit: ping: %s\n", capos_strerror(r));
	return demo_finish("restart_client");
}
