/*
 * echo_client: calls Echo on the endpoint facet "echo_server" (its import
 * of echo_server's exported endpoint): round trips, a long text, an
 * unknown method (an application exception from the server), RECV/RETURN
 * on a client facet (refused).
 *
 * Run by: smoke ipc_echo (tests/qemu/manifests/ipc_echo.cue); selftests.cue (smoke
 * boot_selftests); system-spawn.cue (`make
 * run-spawn`; smoke spawn_smoke).
 */
#include "demo.h"
#include "echo_proto.h"

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("echo_client", capos_endpoint_open(&capos_rt.capset, "echo_server", &ep) == 0,
	           "has a client facet 'echo_server'\n");
	char out[256];
	struct capos_call_error err;
	int e = echo_call(&ep, capos_Echo_echo_METHOD, "hello, capOS", NULL, 0, out, sizeof out,
	                  NULL, &err);
	DEMO_CHECK("echo_client", e == 0 && strcmp(out, "hello, capOS") == 0, "echo: %s\n",
	           e == 0 ? out : capos_strerror(e));
	unsigned good = 0;
	for (unsigned i = 0; i < 100; i++) {
		char text[32];
		capos_snprintf(text, sizeof text, "round %u", i);
		if (echo_call(&ep, capos_Echo_echo_METHOD, text, NULL, 0, out, sizeof out, NULL,
		              &err) == 0 &&
		    strcmp(out, text) == 0)
			good++;
	}
	DEMO_CHECK("echo_client", good == 100, "%u of 100 round trips echoed exactly\n", good);

	char big[200];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	e = echo_call(&ep, capos_Echo_echo_METHOD, big, NULL, 0, out, sizeof out, NULL, &err);
	DEMO_CHECK("echo_client", e == 0 && strlen(out) == 199, "long text: %u bytes back\n",
	           (unsigned)strlen(out));

	e = echo_call(&ep, 7, "?", NULL, 0, out, sizeof out, NULL, &err);
	char line[200];
	capos_error_format(&err, line, sizeof line);
	DEMO_CHECK("echo_client",
	           e == CAPOS_ERR_APPLICATION_EXCEPTION && err.kind == CAPOS_ERROR_EXCEPTION &&
	               err.exception_type == capos_CapException_Type_unimplemented,
	           "unknown method: %s\n", line);

	/* A client facet cannot serve. */
	uint64_t buf[8];
	struct capos_sqe sqe = { 0 };
	struct capos_cqe cqe;
	sqe.opcode = CAPOS_OP_RECV;
	sqe.cap_id = ep.cap_id;
	sqe.result_addr = (uint64_t)(uintptr_t)buf;
	sqe.result_len = sizeof buf;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	DEMO_CHECK("echo_client", cqe.result == CAPOS_ERR_NOT_PERMITTED, "RECV on a facet: %s\n",
	           capos_strerror(cqe.result));
	memset(&sqe, 0, sizeof sqe);
	sqe.opcode = CAPOS_OP_RETURN;
	sqe.cap_id = ep.cap_id;
	sqe.call_id = 1;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	DEMO_CHECK("echo_client", cqe.result == CAPOS_ERR_NOT_PERMITTED, "RETURN on a facet: %s\n",
	           capos_strerror(cqe.result));
	return demo_finish("echo_client");
}
