/*
 * reserved_opcode smoke: every opcode from CAPOS_OP_FIRST_RESERVED to 255
 * completes with CAPOS_ERR_RESERVED_OPCODE and its user_data echoed; the
 * ring keeps working.
 *
 * Run by: smoke ring_reserved_opcode
 * (tests/qemu/manifests/ring_reserved_opcode.cue); selftests.cue (smoke
 * boot_selftests).
 */
#include "demo.h"

#define NAME "reserved_opcode"

int main(void)
{
	unsigned refused = 0, wrong = 0;
	/* In batches of 16: one cap_enter serves a whole batch. */
	for (unsigned op = CAPOS_OP_FIRST_RESERVED; op <= 255; op += CAPOS_SQ_ENTRIES) {
		unsigned last = op + CAPOS_SQ_ENTRIES - 1 > 255 ? 255 : op + CAPOS_SQ_ENTRIES - 1;
		for (unsigned o = op; o <= last; o++) {
			struct capos_sqe s;
			memset(&s, 0, sizeof(s));
			s.opcode = (uint8_t)o;
			s.user_data = 0x5e5e000000000000ull | o;
			if (capos_ring_submit(&capos_rt_ring, &s) != 0)
				wrong++;
		}
		for (unsigned o = op; o <= last; o++) {
			struct capos_cqe cqe;
			int e = capos_ring_wait(&capos_rt_ring, 0x5e5e000000000000ull | o,
			                        CAPOS_WAIT_FOREVER, &cqe);
			if (e == 0 && cqe.result == CAPOS_ERR_RESERVED_OPCODE)
				refused++;
			else {
				wrong++;
				capos_printf("[" NAME "] opcode %u: wait %d result %d\n", o, e,
				             (int)cqe.result);
			}
		}
	}
	unsigned total = 256 - CAPOS_OP_FIRST_RESERVED;
	DEMO_CHECK(NAME, refused == total && wrong == 0,
	           "%u reserved opcodes (%u..255) refused with CAPOS_ERR_RESERVED_OPCODE, user_data echoed\n",
	           refused, CAPOS_OP_FIRST_RESERVED);
	struct capos_sqe s;
	memset(&s, 0, sizeof(s));
	s.opcode = CAPOS_OP_NOP;
	struct capos_cqe cqe;
	int e = capos_ring_submit_wait(&capos_rt_ring, &s, &cqe);
	DEMO_CHECK(NAME, e == 0 && cqe.result == 0, "NOP after the reserved opcodes completes\n");
	return demo_finish(NAME);
}
