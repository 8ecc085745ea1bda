/* counter_server: serves Counter (demos/counter.capnp); docs/writing-a-service.md. */
#include <capos/rt.h>
#include "counter.capnp.rpc.h"

static int add(void *self, struct capos_rpc_ctx *rc, counter_Counter_add_Params_reader in,
               counter_Counter_add_Results_builder out)
{
	uint64_t *total = self;
	uint32_t amount = counter_Counter_add_Params_get_amount(in);
	if (amount == 0)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument, "nothing to add");
	counter_Counter_add_Results_set_total(out, *total += amount);
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	static const counter_Counter_Server counter = {.add = add};
	static uint64_t total;
	return counter_Counter_Server_serve_named("endpoint", &counter, &total) == 0 ? 0 : 1;
}
