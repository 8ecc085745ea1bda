/*
 * ipc_hostile_client: hostile CALLs on an endpoint facet (client half of
 * the ipc_hostile smoke): params on an unmapped page, a read-only result
 * buffer, params larger than the server's receive buffer, a result buffer
 * too small for the reply; then a normal call.
 *
 * Run by: smoke ipc_hostile (tests/qemu/manifests/ipc_hostile.cue).
 */
#include "demo.h"
#include "echo_proto.h"

static struct capos_cap ep;
static const char rodata[64] = "read-only";

static int call(uint64_t params, uint32_t len, uint64_t result, uint32_t result_len)
{
	struct capos_sqe sqe = {0};
	struct capos_cqe cqe;
	sqe.opcode = CAPOS_OP_CALL;
	sqe.cap_id = ep.cap_id;
	sqe.addr = params;
	sqe.len = len;
	sqe.result_addr = result;
	sqe.result_len = result_len;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	return cqe.result;
}

int main(void)
{
	DEMO_CHECK("ipc_hostile_client",
	           capos_endpoint_open(&capos_rt.capset, "ipc_hostile", &ep) == 0,
	           "has a client facet\n");
	static uint64_t params[300], result[16];
	uint32_t len = echo_encode_params(params, sizeof params, "hi", 2);
	int e = call(0x1000, 64, (uint64_t)(uintptr_t)result, sizeof result);
	DEMO_CHECK("ipc_hostile_client", e == CAPOS_ERR_BAD_BUFFER, "params unmapped: %s\n",
	           capos_strerror(e));
	e = call((uint64_t)(uintptr_t)params, len, (uint64_t)(uintptr_t)rodata, sizeof rodata);
	DEMO_CHECK("ipc_hostile_client", e == CAPOS_ERR_BAD_BUFFER, "read-only result buffer: %s\n",
	           capos_strerror(e));
	e = call((uint64_t)(uintptr_t)params, 2000, (uint64_t)(uintptr_t)result, sizeof result);
	DEMO_CHECK("ipc_hostile_client", e == CAPOS_ERR_RESULT_TOO_SMALL,
	           "2000-byte call into a 256-byte receive: %s\n", capos_strerror(e));
	e = call((uint64_t)(uintptr_t)params, len, (uint64_t)(uintptr_t)result, 16);
	DEMO_CHECK("ipc_hostile_client", e == CAPOS_ERR_RESULT_TOO_SMALL,
	           "reply larger than the result buffer: %s\n", capos_strerror(e));
	char out[16];
	struct capos_call_error err;
	e = echo_call(&ep, 0, "again", NULL, 0, out, sizeof out, NULL, &err);
	DEMO_CHECK("ipc_hostile_client", e == 0 && strcmp(out, "ok") == 0, "normal call: %s\n",
	           e == 0 ? out : capos_strerror(e));
	return demo_finish("ipc_hostile_client");
}
