/*
 * ipc_timeout: the server half of the timeout smoke (it exports its
 * endpoint to ipc_timeout_client).
 *   1. receives the client's call (which has a 50 ms timeout), sleeps
 *      200 ms, answers: the RETURN reports CAPOS_ERR_TIMED_OUT (the caller
 *      stopped waiting);
 *   2. answers the client's next call normally;
 *   3. a RECV with a 50 ms timeout while the client sleeps: TIMED_OUT;
 *   4. a RECV without timeout: DISCONNECTED once the client exits.
 *
 * Run by: smoke ipc_timeout (tests/qemu/manifests/ipc_timeout.cue).
 */
#include "demo.h"
#include "echo_proto.h"

static uint32_t ep;
static uint64_t buf[512];
static uint64_t reply[16];

static int recv(uint64_t timeout_ns, struct capos_cqe *cqe)
{
	struct capos_sqe sqe = { 0 };
	sqe.opcode = CAPOS_OP_RECV;
	sqe.cap_id = ep;
	sqe.result_addr = (uint64_t)(uintptr_t)buf;
	sqe.result_len = sizeof buf;
	sqe.timeout_ns = timeout_ns;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, cqe);
	return cqe->result;
}

static int answer(uint32_t call_id, const char *text)
{
	struct capos_sqe sqe = { 0 };
	struct capos_cqe cqe;
	sqe.opcode = CAPOS_OP_RETURN;
	sqe.cap_id = ep;
	sqe.call_id = call_id;
	sqe.addr = (uint64_t)(uintptr_t)reply;
	sqe.len = echo_encode_results(reply, sizeof reply, text, strlen(text));
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	return cqe.result;
}

int main(void)
{
	struct capos_cap c;
	DEMO_CHECK("ipc_timeout", capos_endpoint_open(&capos_rt.capset, "endpoint", &c) == 0,
	           "owns its endpoint\n");
	ep = c.cap_id;
	struct capos_cqe cqe;
	int r = recv(0, &cqe);
	DEMO_CHECK("ipc_timeout", r > 0, "received the impatient call\n");
	capos_cap_enter(1, 200000000ull); /* 200 ms: longer than the caller waits */
	int e = answer(cqe.call_id, "too late");
	DEMO_CHECK("ipc_timeout", e == CAPOS_ERR_TIMED_OUT, "late RETURN: %s\n", capos_strerror(e));
	r = recv(0, &cqe);
	e = r > 0 ? answer(cqe.call_id, "on time") : r;
	DEMO_CHECK("ipc_timeout", e == 0, "answered the next call: %s\n", capos_strerror(e));
	r = recv(50000000ull, &cqe);
	DEMO_CHECK("ipc_timeout", r == CAPOS_ERR_TIMED_OUT, "RECV with a 50 ms timeout: %s\n",
	           capos_strerror(r));
	r = recv(0, &cqe);
	DEMO_CHECK("ipc_timeout", r == CAPOS_ERR_DISCONNECTED, "RECV after the client left: %s\n",
	           capos_strerror(r));
	return demo_finish("ipc_timeout");
}
