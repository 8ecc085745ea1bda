/*
 * greeter_server: the example service (docs/runtime.md, "Your first
 * service").  It serves Greeter (schema/greeter.capnp) through the
 * generated dispatcher on the endpoint it owns, CapSet entry "endpoint",
 * until no client is left.
 *
 * The manifest grants it no Console.  When a caller passes one with the
 * call, it writes the greeting through it (the generated Console client)
 * and then releases it: it can print only with a capability someone handed
 * it.
 *
 * Run by: system.cue (`make run`), smokes greeter and boot_manifest_default.
 */
#include <capos/rt.h>
#include "greeter.capnp.rpc.h"

/* Writes text through the Console that came with the call, then lets it go. */
static void print_through_lent_console(struct capos_rpc_ctx *rc, uint32_t index, const char *text)
{
	struct capos_cap cap;
	capos_Console_Client con;
	char line[96];
	if (capos_rpc_take_param_cap(rc, index, capos_Console_ID, &cap) != 0)
		return;
	capos_snprintf(line, sizeof line, "[greeter] %s (printed with the caller's console)", text);
	if (capos_Console_Client_bind(&con, &capos_rt_ring, cap) == 0)
		capos_Console_writeLine(&con, line, NULL, NULL);
	capos_cap_drop(&cap);
}

static int greet(void *self, struct capos_rpc_ctx *rc, greeter_Greeter_greet_Params_reader in,
                 greeter_Greeter_greet_Results_builder out)
{
	(void)self;
	struct capnp_text name = greeter_Greeter_greet_Params_get_name(in);
	char text[64];
	capos_snprintf(text, sizeof text, "hello, %.*s", (int)name.len, name.str);
	if (greeter_Greeter_greet_Params_has_console(in))
		print_through_lent_console(rc, greeter_Greeter_greet_Params_get_console(in), text);
	greeter_Greeter_greet_Results_set_greeting(out, text, strlen(text));
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	static const greeter_Greeter_Server greeter = {.greet = greet};
	return greeter_Greeter_Server_serve_named("endpoint", &greeter, NULL) == 0 ? 0 : 1;
}
