/*
 * ipc_timeout: the server half of the timeout smoke (it exports its
 * endpoint to ipc_timeout_client).
 *   0. answers the client's "ready?" call and posts its next RECV in the
 *      same cap_enter, so the impatient call that follows finds the RECV
 *      waiting however slowly the host runs us (no race with its timeout);
 *   1. receives the client's call (which has a 50 ms timeout), sleeps
 *      200 ms, answers: the RETURN reports CAPOS_ERR_TIMED_OUT (the caller
 *      stopped waiting);
 *   2. receives the client's next call and, before answering it, a RECV
 *      with a 50 ms timeout: TIMED_OUT (the only client is blocked in the
 *      call, so nothing can arrive); then answers the call;
 *   3. a RECV without timeout: DISCONNECTED once the client exits.
 * Each step waits for the one before it, so the outcome does not depend
 * on how the host schedules QEMU.
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
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_RECV;
	sqe.cap_id = ep;
	sqe.result_addr = (uint64_t)(uintptr_t)buf;
	sqe.result_len = sizeof buf;
	sqe.timeout_ns = timeout_ns;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, cqe);
	return cqe->result;
}

static void return_sqe(struct capos_sqe *sqe, uint32_t call_id, const char *text)
{
	*sqe = (struct capos_sqe){0};
	sqe->opcode = CAPOS_OP_RETURN;
	sqe->cap_id = ep;
	sqe->call_id = call_id;
	sqe->addr = (uint64_t)(uintptr_t)reply;
	sqe->len = echo_encode_results(reply, sizeof reply, text, strlen(text));
}

static int answer(uint32_t call_id, const char *text)
{
	struct capos_sqe sqe;
	struct capos_cqe cqe;
	return_sqe(&sqe, call_id, text);
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	return cqe.result;
}

/* RETURN for call_id and the next RECV, handed to the kernel together. */
static int answer_and_recv(uint32_t call_id, const char *text, struct capos_cqe *cqe)
{
	struct capos_sqe ret, rcv = {0};
	return_sqe(&ret, call_id, text);
	ret.user_data = capos_ring_next_user_data(&capos_rt_ring);
	rcv.opcode = CAPOS_OP_RECV;
	rcv.cap_id = ep;
	rcv.result_addr = (uint64_t)(uintptr_t)buf;
	rcv.result_len = sizeof buf;
	rcv.user_data = capos_ring_next_user_data(&capos_rt_ring);
	if (capos_ring_submit(&capos_rt_ring, &ret) != 0 || capos_ring_submit(&capos_rt_ring, &rcv) != 0)
		return CAPOS_ERR_NO_RESOURCES;
	struct capos_cqe done;
	int e = capos_ring_wait(&capos_rt_ring, ret.user_data, CAPOS_WAIT_FOREVER, &done);
	if (e == 0)
		e = (int)done.result;
	int w = capos_ring_wait(&capos_rt_ring, rcv.user_data, CAPOS_WAIT_FOREVER, cqe);
	/* clang-format off */
	return e != 0 ? e : w != 0 ? w : (int)cqe->result;
	/* clang-format on */
}

int main(void)
{
	struct capos_cap c;
	DEMO_CHECK("ipc_timeout", capos_endpoint_open(&capos_rt.capset, "endpoint", &c) == 0,
	           "owns its endpoint\n");
	ep = c.cap_id;
	struct capos_cqe cqe;
	int r = recv(0, &cqe);
	DEMO_CHECK("ipc_timeout", r > 0, "received the ready call\n");
	r = r > 0 ? answer_and_recv(cqe.call_id, "ready", &cqe) : r;
	DEMO_CHECK("ipc_timeout", r > 0, "received the impatient call\n");
	capos_cap_enter(1, 200000000ull); /* 200 ms: longer than the caller waits */
	int e = answer(cqe.call_id, "too late");
	DEMO_CHECK("ipc_timeout", e == CAPOS_ERR_TIMED_OUT, "late RETURN: %s\n", capos_strerror(e));
	r = recv(0, &cqe);
	DEMO_CHECK("ipc_timeout", r > 0, "received the next call\n");
	uint32_t next = cqe.call_id;
	int t = recv(50000000ull, &cqe);
	DEMO_CHECK("ipc_timeout", t == CAPOS_ERR_TIMED_OUT, "RECV with a 50 ms timeout: %s\n",
	           capos_strerror(t));
	e = r > 0 ? answer(next, "on time") : r;
	DEMO_CHECK("ipc_timeout", e == 0, "answered the next call: %s\n", capos_strerror(e));
	r = recv(0, &cqe);
	DEMO_CHECK("ipc_timeout", r == CAPOS_ERR_DISCONNECTED, "RECV after the client left: %s\n",
	           capos_strerror(r));
	return demo_finish("ipc_timeout");
}
