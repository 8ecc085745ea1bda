/* counter_client: adds 1, 2 and 3 through Counter, then 0 (refused). */
#include <capos/rt.h>
#include "counter.capnp.rpc.h"

int main(void)
{
	counter_Counter_Client counter;
	counter_Counter_add_Reply r;
	struct capos_call_error err;
	if (counter_Counter_Client_open(&counter, "counter") != 0)
		return 1;
	for (uint32_t n = 1; n <= 3; n++)
		if (counter_Counter_add(&counter, n, &r, &err) == 0)
			capos_printf("[counter_client] add(%u): total %lu\n", n, (unsigned long)r.total);
	int e = counter_Counter_add(&counter, 0, &r, &err);
	capos_printf("[counter_client] add(0): %s\n", err.message);
	return e == CAPOS_ERR_APPLICATION_EXCEPTION ? 0 : 1;
}
