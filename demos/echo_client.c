/*
 * echo_client: calls Echo through the generated client on its import
 * "echo_server" of echo_server's exported endpoint (which the manifest
 * says serves Echo): round trips, a long text, an unknown method (an
 * application exception from the server), RECV/RETURN on a client facet
 * (refused).
 *
 * Run by: smoke ipc_echo (tests/qemu/manifests/ipc_echo.cue); selftests.cue (smoke
 * boot_selftests); system-spawn.cue (`make
 * run-spawn`; smoke spawn_smoke).
 */
#include "demo.h"
#include "capos.capnp.rpc.h"

/* Echo.echo(text): 0 when the same text came back. */
static int round_trip(const capos_Echo_Client *echo, const char *text, struct capos_call_error *err)
{
	capos_Echo_echo_Reply r;
	int e = capos_Echo_echo(echo, text, &r, err);
	/* clang-format off */
	return e != 0 ? e : strcmp(r.text.str, text) == 0 ? 0 : CAPOS_ERR_BAD_MESSAGE;
	/* clang-format on */
}

/* A call of method 7, which Echo does not have, through the generic path. */
static int call_unknown(const capos_Echo_Client *echo, struct capos_call_error *err)
{
	struct capos_rpc_out o;
	struct capos_rpc_result res;
	capos_rpc_out_init(&o, 0);
	while (capos_rpc_build(&o))
		capos_Echo_echo_Params_init_root(&o.b);
	return capos_rpc_send(&echo->c, 7, &o, &res, err);
}

int main(void)
{
	capos_Echo_Client echo;
	DEMO_CHECK("echo_client", capos_Echo_Client_open(&echo, "echo_server") == 0,
	           "has a client facet 'echo_server' that serves Echo\n");
	struct capos_call_error err;
	int e = round_trip(&echo, "hello, capOS", &err);
	DEMO_CHECK("echo_client", e == 0, "echo: %s\n", e == 0 ? "hello, capOS" : capos_strerror(e));
	unsigned good = 0;
	for (unsigned i = 0; i < 100; i++) {
		char text[32];
		capos_snprintf(text, sizeof text, "round %u", i);
		good += round_trip(&echo, text, &err) == 0;
	}
	DEMO_CHECK("echo_client", good == 100, "%u of 100 round trips echoed exactly\n", good);

	char big[200];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	e = round_trip(&echo, big, &err);
	DEMO_CHECK("echo_client", e == 0, "long text: %u bytes back\n", e == 0 ? 199u : 0u);

	e = call_unknown(&echo, &err);
	char line[200];
	capos_error_format(&err, line, sizeof line);
	DEMO_CHECK("echo_client",
	           e == CAPOS_ERR_APPLICATION_EXCEPTION && err.kind == CAPOS_ERROR_EXCEPTION &&
	                   err.exception_type == capos_CapException_Type_unimplemented,
	           "unknown method: %s\n", line);

	/* A client facet cannot serve. */
	uint64_t buf[8];
	struct capos_sqe sqe = {0};
	struct capos_cqe cqe;
	sqe.opcode = CAPOS_OP_RECV;
	sqe.cap_id = echo.c.cap.cap_id;
	sqe.result_addr = (uint64_t)(uintptr_t)buf;
	sqe.result_len = sizeof buf;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	DEMO_CHECK("echo_client", cqe.result == CAPOS_ERR_NOT_PERMITTED, "RECV on a facet: %s\n",
	           capos_strerror(cqe.result));
	memset(&sqe, 0, sizeof sqe);
	sqe.opcode = CAPOS_OP_RETURN;
	sqe.cap_id = echo.c.cap.cap_id;
	sqe.call_id = 1;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	DEMO_CHECK("echo_client", cqe.result == CAPOS_ERR_NOT_PERMITTED, "RETURN on a facet: %s\n",
	           capos_strerror(cqe.result));
	return demo_finish("echo_client");
}
