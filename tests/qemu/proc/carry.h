/*
 * Shared by the carry_* smoke programs: queue a CALL on the process's own
 * endpoint that carries a COPY of that endpoint's owner capability, then
 * release the slot, so the call holds the last owner reference.  Ending
 * the call (timeout, exit) drops that reference, which disconnects the
 * endpoint, which fails every call on it: the kernel must not meet the
 * same call record twice.
 */
#ifndef CAPOS_TESTS_CARRY_H
#define CAPOS_TESTS_CARRY_H

#include "rawsys.h"

static inline uint32_t carry_cap(const char *want)
{
	const volatile struct capos_capset_entry *e =
		(const volatile struct capos_capset_entry *)(CAPSET + 1);
	for (unsigned i = 0; i < CAPSET->count; i++) {
		unsigned k = 0;
		while (want[k] && e[i].name[k] == want[k])
			k++;
		if (want[k] == 0 && e[i].name[k] == 0)
			return e[i].cap_id;
	}
	raw_exit(90);
}

static struct capos_xfer_desc carry_desc[1] __attribute__((aligned(8)));
static uint8_t carry_result[64] __attribute__((aligned(8)));

/* SQE 1: CALL ep (no params) carrying a COPY of ep, timeout_ns;
 * SQE 2: RELEASE ep.  Both completions are checked by the caller. */
static inline void carry_queue(uint32_t ep, uint64_t timeout_ns)
{
	carry_desc[0] = (struct capos_xfer_desc){.cap_id = ep, .mode = CAPOS_XFER_COPY};
	raw_submit((struct capos_sqe){
		.opcode = CAPOS_OP_CALL,
		.xfer_cap_count = 1,
		.cap_id = ep,
		.user_data = 1,
		.addr = (uint64_t)carry_desc,
		.len = 0,
		.result_addr = (uint64_t)carry_result,
		.result_len = sizeof carry_result,
		.timeout_ns = timeout_ns,
	});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_RELEASE, .cap_id = ep, .user_data = 2});
}

#endif
