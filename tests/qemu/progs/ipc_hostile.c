/*
 * ipc_hostile: hostile RECV/RETURN from an endpoint owner (the server half
 * of the ipc_hostile smoke; the client half is ipc_hostile_client):
 * receive buffers too small, read-only or unmapped; RETURN with unknown,
 * zero and answered call ids; an exception reply carrying capabilities;
 * a reply larger than the caller's buffer.  Each is refused with its own
 * error and the endpoint keeps working.
 *
 * Run by: smoke ipc_hostile (tests/qemu/manifests/ipc_hostile.cue).
 */
#include "demo.h"
#include "echo_proto.h"

static uint32_t ep;
static uint64_t buf[32]; /* 256-byte receive buffer */
static const char rodata[64] = "read-only";

static int recv_into(uint64_t addr, uint32_t len, struct capos_cqe *cqe)
{
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_RECV;
	sqe.cap_id = ep;
	sqe.result_addr = addr;
	sqe.result_len = len;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, cqe);
	return cqe->result;
}

static int ret(uint32_t call_id, uint16_t flags, const void *msg, uint32_t len, unsigned nxfer)
{
	static uint64_t out[64];
	memcpy(out, msg, len);
	struct capos_xfer_desc d = capos_xfer_copy(capos_rt.console.cap.cap_id);
	if (nxfer)
		memcpy((uint8_t *)out + capos_align8(len), &d, sizeof d);
	struct capos_sqe sqe = {0};
	struct capos_cqe cqe;
	sqe.opcode = CAPOS_OP_RETURN;
	sqe.flags = flags;
	sqe.xfer_cap_count = (uint8_t)nxfer;
	sqe.cap_id = ep;
	sqe.call_id = call_id;
	sqe.addr = (uint64_t)(uintptr_t)out;
	sqe.len = len;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	return cqe.result;
}

int main(void)
{
	struct capos_cap c;
	DEMO_CHECK("ipc_hostile", capos_endpoint_open(&capos_rt.capset, "endpoint", &c) == 0,
	           "owns its endpoint\n");
	ep = c.cap_id;
	struct capos_cqe cqe;
	int e = recv_into((uint64_t)(uintptr_t)buf, 16, &cqe);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_RESULT_TOO_SMALL, "RECV into 16 bytes: %s\n",
	           capos_strerror(e));
	e = recv_into((uint64_t)(uintptr_t)rodata, sizeof rodata, &cqe);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_BAD_BUFFER, "RECV into read-only memory: %s\n",
	           capos_strerror(e));
	e = recv_into(0x1000, 256, &cqe);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_BAD_BUFFER, "RECV into an unmapped page: %s\n",
	           capos_strerror(e));
	e = recv_into(0xffff800000000000ull, 256, &cqe);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_BAD_BUFFER, "RECV into the kernel half: %s\n",
	           capos_strerror(e));
	uint64_t reply[8];
	uint32_t small = echo_encode_results(reply, sizeof reply, "ok", 2);
	e = ret(0, 0, reply, small, 0);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_BAD_CALL_ID, "RETURN to call id 0: %s\n",
	           capos_strerror(e));
	e = ret(0xdeadbeefu, 0, reply, small, 0);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_BAD_CALL_ID, "RETURN to a made-up call id: %s\n",
	           capos_strerror(e));

	/* The client's hostile calls never reach us; its "small" call does. */
	e = recv_into((uint64_t)(uintptr_t)buf, sizeof buf, &cqe);
	uint32_t id = cqe.call_id;
	DEMO_CHECK("ipc_hostile", e > 0, "received the call with a small result buffer\n");
	uint64_t big[16];
	char text[80];
	memset(text, 'y', sizeof text);
	uint32_t big_len = echo_encode_results(big, sizeof big, text, sizeof text);
	e = ret(id, CAPOS_SQE_EXCEPTION, big, big_len, 1);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_BAD_TRANSFER, "exception with a capability: %s\n",
	           capos_strerror(e));
	e = ret(id, 0, big, big_len, 0);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_RESULT_TOO_SMALL,
	           "reply larger than the caller's buffer: RETURN %s\n",
	           capos_strerror(e));
	e = ret(id, 0, reply, small, 0);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_BAD_CALL_ID, "second RETURN to it: %s\n",
	           capos_strerror(e));

	e = recv_into((uint64_t)(uintptr_t)buf, sizeof buf, &cqe);
	e = e > 0 ? ret(cqe.call_id, 0, reply, small, 0) : e;
	DEMO_CHECK("ipc_hostile", e == 0, "the endpoint still works: %s\n", capos_strerror(e));
	e = recv_into((uint64_t)(uintptr_t)buf, sizeof buf, &cqe);
	DEMO_CHECK("ipc_hostile", e == CAPOS_ERR_DISCONNECTED, "client gone: %s\n",
	           capos_strerror(e));
	return demo_finish("ipc_hostile");
}
