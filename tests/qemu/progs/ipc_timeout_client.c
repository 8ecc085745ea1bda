/*
 * ipc_timeout_client: the client half of the timeout smoke (see
 * ipc_timeout.c): a "ready?" call, a call with a 50 ms timeout that the
 * server answers too late, then a call without timeout.
 *
 * Run by: smoke ipc_timeout (tests/qemu/manifests/ipc_timeout.cue).
 */
#include "demo.h"
#include "echo_proto.h"

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("ipc_timeout_client",
	           capos_endpoint_open(&capos_rt.capset, "ipc_timeout", &ep) == 0,
	           "has a client facet\n");
	char out[32];
	struct capos_call_error err;
	int e = echo_call(&ep, 0, "ready?", NULL, 0, out, sizeof out, NULL, &err);
	DEMO_CHECK("ipc_timeout_client", e == 0 && strcmp(out, "ready") == 0, "server ready: %s\n",
	           e == 0 ? out : capos_strerror(e));
	static uint64_t params[16], result[16];
	struct capos_endpoint_call c = {
		.method_id = 0,
		.params = params,
		.params_len = echo_encode_params(params, sizeof params, "quick?", 6),
		.result = result,
		.result_cap = sizeof result,
		.timeout_ns = 50000000ull,
	};
	e = capos_endpoint_call(&ep, &c, NULL, &err);
	DEMO_CHECK("ipc_timeout_client", e == CAPOS_ERR_TIMED_OUT, "call with a 50 ms timeout: %s\n",
	           capos_strerror(e));
	e = echo_call(&ep, 0, "patient", NULL, 0, out, sizeof out, NULL, &err);
	DEMO_CHECK("ipc_timeout_client", e == 0 && strcmp(out, "on time") == 0,
	           "call without timeout: %s\n", e == 0 ? out : capos_strerror(e));
	return demo_finish("ipc_timeout_client");
}
