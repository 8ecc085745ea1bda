/*
 * greeter_client: calls the greeter (docs/runtime.md, "Your first
 * service") through the generated client.  Its manifest entry imports the
 * greeter's endpoint as "greeter"; the manifest says that endpoint serves
 * Greeter, so the CapSet entry carries greeter_Greeter_ID and the runtime
 * refuses to open it as anything else.  It lends the greeter a copy of its
 * Console as the call's `console` parameter.
 *
 * Run by: system.cue (`make run`), smokes greeter and boot_manifest_default.
 */
#include <capos/endpoint.h>
#include <capos/rt.h>
#include "greeter.capnp.rpc.h"

int main(void)
{
	greeter_Greeter_Client greeter;
	int e = greeter_Greeter_Client_open(&greeter, "greeter");
	if (e != 0) {
		capos_printf("[greeter_client] no Greeter named 'greeter': %s\n", capos_strerror(e));
		return 1;
	}
	struct capos_cap plain;
	e = capos_endpoint_open(&capos_rt.capset, "greeter", &plain);
	capos_printf("[greeter_client] 'greeter' serves Greeter; as a plain Endpoint it is refused: %s\n",
	             capos_strerror(e));

	greeter_Greeter_greet_Reply r;
	struct capos_call_error err;
	if (greeter_Greeter_greet(&greeter, "capOS", &capos_rt.console.cap, &r, &err) != 0) {
		char why[160];
		capos_error_format(&err, why, sizeof why);
		capos_printf("[greeter_client] greet failed: %s\n", why);
		return 1;
	}
	capos_printf("[greeter_client] the greeter answered: %.*s\n", (int)r.greeting.len,
	             r.greeting.str);
	return r.greeting.len > 0 ? 0 : 1;
}
