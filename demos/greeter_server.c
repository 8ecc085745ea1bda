/*
 * greeter_server: the example service (docs/runtime.md, "Your first
 * service").  It serves Greeter (schema/greeter.capnp) on the endpoint it
 * owns, CapSet entry "endpoint", until no client is left.
 *
 * The manifest grants it no Console.  When a caller lends it one with a
 * call, it writes the greeting through that Console and then releases it:
 * it can print only with a capability someone handed it.
 *
 * Run by: system.cue (`make run`), smokes greeter and boot_manifest_default.
 */
#include <capos/endpoint.h>
#include <capos/rt.h>
#include <capos/server.h>

#include "capnp/capnp.h"
#include "greeter.capnp.h"

/* Writes text through a Console that came with the call, then lets it go. */
static void print_through_lent_console(const struct capos_cap_record *rec, const char *text)
{
	struct capos_cap cap = {0};
	struct capos_console con;
	if (capos_cap_adopt(rec, capos_Console_ID, &cap) == 0 &&
	    capos_console_from_cap(&con, &capos_rt_ring, cap) == 0)
		capos_console_printf(&con, "[greeter] %s (printed with the caller's console)\n", text);
	capos_cap_drop(&cap);
}

static int greet(void *ctx, const struct capos_server_call *call, struct capos_server_reply *reply)
{
	(void)ctx;
	if (call->method_id != greeter_Greeter_greet_METHOD)
		return capos_server_exception(reply, capos_CapException_Type_unimplemented,
		                              "Greeter: no such method");
	struct capnp_reader in;
	struct capnp_text name = {0};
	if (capnp_reader_init(&in, call->params, call->params_len) == CAPNP_OK)
		name = greeter_Greeter_greet_Params_get_name(greeter_Greeter_greet_Params_read_root(&in));
	if (name.str == NULL || capnp_reader_error(&in) != CAPNP_OK)
		return capos_server_exception(reply, capos_CapException_Type_invalidArgument,
		                              "Greeter.greet: bad params");

	char text[64];
	capos_snprintf(text, sizeof text, "hello, %.*s", (int)name.len, name.str);
	if (call->cap_count == 1)
		print_through_lent_console(&call->caps[0], text);

	struct capnp_builder out;
	size_t len = 0;
	capnp_builder_init(&out, reply->buf, reply->cap);
	greeter_Greeter_greet_Results_set_greeting(greeter_Greeter_greet_Results_init_root(&out), text,
	                                           strlen(text));
	if (capnp_builder_finish(&out, &len) != CAPNP_OK)
		return capos_server_exception(reply, capos_CapException_Type_failed, "reply too long");
	reply->len = (uint32_t)len;
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	struct capos_cap ep;
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) != 0)
		return 1;
	struct capos_server_stats stats;
	return capos_server_run(&capos_rt_ring, ep.cap_id, greet, NULL, &stats) == 0 ? 0 : 1;
}
