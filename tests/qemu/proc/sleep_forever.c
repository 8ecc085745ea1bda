/*
 * Timer.sleep(2^64-1 ns) (the Timer is the first CapSet entry), then
 * cap_enter waiting for it with no timeout.  Nothing can ever complete
 * it: once every other process is blocked too, the scheduler's deadlock
 * breaker kills this one ("blocked forever in cap_enter"), the Timer
 * drops its sleep, and nothing is left behind.  Never exits by itself.
 */
#include "rawsys.h"

static uint64_t msg[3] = {2ull << 32, 1ull << 32, ~0ull};
static _Alignas(8) uint8_t result[64];

ENTRY
{
	raw_submit((struct capos_sqe){
		.opcode = CAPOS_OP_CALL,
		.cap_id = raw_console_cap(),
		.user_data = 1,
		.addr = (uint64_t)(uintptr_t)msg,
		.len = sizeof msg,
		.result_addr = (uint64_t)(uintptr_t)result,
		.result_len = sizeof result,
		.method_id = 1,
	});
	raw_cap_enter(1, CAPOS_WAIT_FOREVER);
	raw_exit(1); /* not reached: the sleep never completes */
}
