/*
 * pool_sleeper: a child of the pools smoke.  Submits SLEEPS Timer.sleep
 * calls of 10 minutes on the "timer" cap it was granted, then waits in
 * cap_enter until one completes, which in the smoke never happens: the
 * parent counts the sleeps pending (SystemMonitor.memory) and kills it.
 * Prints nothing unless something fails.
 *
 * Run by: tests/qemu/progs/pools.c (smoke pools).
 */
#include <capos/timer.h>

#include "demo.h"
#include "time.capnp.rpc.h"

#define SLEEPS 25u /* of the ring's 32 CQ slots, each pending sleep holds one */

static struct capos_rpc_pending pending[SLEEPS];

int main(void)
{
	time_Timer_Client t;
	if (time_Timer_Client_open(&t, "timer") != 0) {
		capos_printf("[%s] FAIL: no 'timer' cap\n", demo_name("pool_sleeper"));
		return 1;
	}
	for (unsigned i = 0; i < SLEEPS; i++) {
		struct capos_call_error err;
		if (time_Timer_sleep_start(&t, 600000000000ull, &pending[i], &err) != 0) {
			capos_printf("[%s] FAIL: sleep %u not submitted: %s\n",
			             demo_name("pool_sleeper"), i, capos_strerror(err.code));
			return 1;
		}
	}
	capos_ring_enter(&capos_rt_ring, 1, CAPOS_WAIT_FOREVER);
	capos_printf("[%s] FAIL: a 10-minute sleep ended\n", demo_name("pool_sleeper"));
	return 1;
}
