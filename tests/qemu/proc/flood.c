/* Floods its ring: 16 NOPs per cap_enter, as fast as it can, many times. */
#include "rawsys.h"

ENTRY
{
	for (int round = 0; round < 3000; round++) {
		for (int i = 0; i < 16; i++)
			raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .user_data = (uint64_t)i});
		CHECK(1, raw_cap_enter(16, CAPOS_WAIT_FOREVER) == 16);
		RING->header.cq_head = RING->header.cq_tail;
	}
	raw_exit(0);
}
