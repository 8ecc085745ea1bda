/*
 * greeter_client: calls the greeter (docs/runtime.md, "Your first
 * service").  Its manifest entry imports the greeter's endpoint as
 * "greeter"; the manifest says that endpoint serves Greeter, so the CapSet
 * entry carries greeter_Greeter_ID and the runtime refuses to open it as
 * anything else.  It lends the greeter its Console for the call.
 *
 * Run by: system.cue (`make run`), smokes greeter and boot_manifest_default.
 */
#include <capos/endpoint.h>
#include <capos/rt.h>

#include "capnp/capnp.h"
#include "greeter.capnp.h"

int main(void)
{
	struct capos_cap greeter, plain;
	int e = capos_endpoint_open_as(&capos_rt.capset, "greeter", greeter_Greeter_ID, &greeter);
	if (e != 0) {
		capos_printf("[greeter_client] no Greeter named 'greeter': %s\n", capos_strerror(e));
		return 1;
	}
	e = capos_endpoint_open(&capos_rt.capset, "greeter", &plain);
	capos_printf("[greeter_client] 'greeter' serves Greeter; as a plain Endpoint it is refused: %s\n",
	             capos_strerror(e));

	uint64_t params[16], result[32];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	greeter_Greeter_greet_Params_set_name(greeter_Greeter_greet_Params_init_root(&b), "capOS", 5);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return 1;

	/* A copy of our Console travels with the call (sideband transfer). */
	struct capos_xfer_desc lend = capos_xfer_copy(capos_rt.console.cap.cap_id);
	struct capos_endpoint_call call = {
		.method_id = greeter_Greeter_greet_METHOD,
		.params = params,
		.params_len = (uint32_t)len,
		.xfer = &lend,
		.xfer_count = 1,
		.result = result,
		.result_cap = sizeof result,
	};
	struct capos_reply reply;
	struct capos_call_error err;
	if (capos_endpoint_call(&greeter, &call, &reply, &err) != 0) {
		char why[160];
		capos_error_format(&err, why, sizeof why);
		capos_printf("[greeter_client] greet failed: %s\n", why);
		return 1;
	}
	struct capnp_reader r;
	struct capnp_text greeting = {0};
	if (capnp_reader_init(&r, result, reply.result_len) == CAPNP_OK)
		greeting = greeter_Greeter_greet_Results_get_greeting(
			greeter_Greeter_greet_Results_read_root(&r));
	capos_printf("[greeter_client] the greeter answered: %.*s\n", (int)greeting.len,
	             greeting.str ? greeting.str : "");
	return greeting.len > 0 ? 0 : 1;
}
