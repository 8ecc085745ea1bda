/*
 * ipc_flood: the per-endpoint call limit (ENDPOINT_CALLS_MAX = 16 queued +
 * in flight).  Against ipc_dying_server (ipc_queue_limit.cue): the server
 * receives the first call and never receives again, so 15 more calls
 * queue up, the 17th is refused with
 * CAPOS_ERR_NO_RESOURCES at once, and when the server exits all 16 fail
 * with CAPOS_ERR_DISCONNECTED.
 *
 * Run by: smoke ipc_queue_limit
 * (tests/qemu/manifests/ipc_queue_limit.cue).
 */
#include "demo.h"
#include "echo_proto.h"

#define LIMIT 16u

static uint64_t params[8];
static uint64_t results[LIMIT + 1][8];

static void submit(const struct capos_cap *ep, uint32_t len, unsigned i)
{
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_CALL;
	sqe.cap_id = ep->cap_id;
	sqe.user_data = 500 + i;
	sqe.addr = (uint64_t)(uintptr_t)params;
	sqe.len = len;
	sqe.result_addr = (uint64_t)(uintptr_t)results[i];
	sqe.result_len = sizeof results[i];
	capos_ring_submit(&capos_rt_ring, &sqe);
}

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("ipc_flood", capos_endpoint_open(&capos_rt.capset, "ipc_dying_server", &ep) == 0,
	           "has a client facet\n");
	uint32_t len = echo_encode_params(params, sizeof params, "x", 1);
	submit(&ep, len, 0);
	capos_cap_enter(0, CAPOS_NO_WAIT); /* delivered to the server's one RECV */
	for (unsigned i = 1; i < LIMIT; i++)
		submit(&ep, len, i);
	capos_cap_enter(0, CAPOS_NO_WAIT); /* 15 queued: nobody receives */
	submit(&ep, len, LIMIT);
	struct capos_cqe cqe;
	int e = capos_ring_wait(&capos_rt_ring, 500 + LIMIT, CAPOS_WAIT_FOREVER, &cqe);
	DEMO_CHECK("ipc_flood", e == 0 && cqe.result == CAPOS_ERR_NO_RESOURCES,
	           "call %u refused: %s\n", LIMIT + 1, capos_strerror(cqe.result));
	unsigned disconnected = 0;
	for (unsigned i = 0; i < LIMIT; i++)
		if (capos_ring_wait(&capos_rt_ring, 500 + i, CAPOS_WAIT_FOREVER, &cqe) == 0 &&
		    cqe.result == CAPOS_ERR_DISCONNECTED)
			disconnected++;
	DEMO_CHECK("ipc_flood", disconnected == LIMIT,
	           "%u of %u pending calls got DISCONNECTED when the server exited\n", disconnected,
	           LIMIT);
	return demo_finish("ipc_flood");
}
