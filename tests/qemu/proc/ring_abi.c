/* Ring ABI from the kernel's side: NOP, reserved opcodes, invalid SQEs, bad
 * buffers and caps, release and stale ids, CQ back-pressure (never an
 * overflow), corrupt indices with recovery, syscall argument checks. */
#include "rawsys.h"

#define CAP_GEN_SHIFT 14 /* lib/cap_table.h: CAP_ID_INDEX_BITS */

static char page_buf[64] __attribute__((aligned(8)));
static uint64_t result_buf[16];
static uint64_t msg[7];

/* Console.writeLine("[ring_abi] raw writeLine"): 25 bytes of text with
 * the NUL, 4 words, 7 in all (rawsys.h). */
static uint32_t build_write_line(void)
{
	static const char text[] = "[ring_abi] raw writeLine";
	return raw_write_line_msg(msg, text, sizeof text - 1);
}

ENTRY
{
	/* 1-9: entry state and the CapSet page */
	CHECK(1, CAPSET->magic == CAPOS_CAPSET_MAGIC && CAPSET->version == CAPOS_CAPSET_VERSION);
	CHECK(2, CAPSET->count == 1 && CAPSET->entry_size == sizeof(struct capos_capset_entry));
	const volatile struct capos_capset_entry *e = (const volatile void *)(CAPSET + 1);
	CHECK(3, e[0].name[0] == 'c' && e[0].interface_id == 0xc86a45f046c44b68ull);
	CHECK(4, RING->header.sq_entries == CAPOS_SQ_ENTRIES && RING->header.cq_mask == 31);

	/* 10-19: NOP echoes user_data; reserved opcodes; invalid SQEs */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .user_data = 0xdeadbeefcafe});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_FIRST_RESERVED, .user_data = 2});
	raw_submit((struct capos_sqe){.opcode = 255, .user_data = 3});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .flags = CAPOS_SQE_PIPELINE, .user_data = 4});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .reserved1 = 9, .user_data = 5});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .xfer_cap_count = 1, .user_data = 6});
	CHECK(10, raw_cap_enter(6, CAPOS_WAIT_FOREVER) == 6);
	struct capos_cqe c = raw_pop();
	CHECK(11, c.user_data == 0xdeadbeefcafe && c.result == 0);
	c = raw_pop();
	CHECK(12, c.user_data == 2 && c.result == CAPOS_ERR_RESERVED_OPCODE);
	c = raw_pop();
	CHECK(13, c.user_data == 3 && c.result == CAPOS_ERR_RESERVED_OPCODE);
	CHECK(14, raw_pop().result == CAPOS_ERR_INVALID_SQE);
	CHECK(15, raw_pop().result == CAPOS_ERR_INVALID_SQE);
	CHECK(16, raw_pop().result == CAPOS_ERR_BAD_TRANSFER);
	CHECK(17, RING->header.sq_dropped == 5);

	/* 20-29: buffers and caps */
	uint32_t con = raw_console_cap();
	/* clang-format off */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con,
	                              .addr = 0xffffffff80000000ull, .len = 16, .user_data = 20});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .addr = 0x10000000,
	                              .len = 16, .user_data = 21}); /* unmapped */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con,
	                              .addr = (uint64_t)page_buf, .len = 1u << 20, .user_data = 22});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con,
	                              .addr = (uint64_t)page_buf, .len = 16,
	                              .result_addr = CAPOS_CAPSET_VADDR, .result_len = 64,
	                              .user_data = 23}); /* read-only result buffer */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con + (1u << CAP_GEN_SHIFT),
	                              .user_data = 24}); /* wrong generation */
	/* clang-format on */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_RECV, .cap_id = con, .user_data = 25});
	CHECK(20, raw_cap_enter(6, CAPOS_WAIT_FOREVER) == 6);
	CHECK(21, raw_pop().result == CAPOS_ERR_BAD_BUFFER);
	CHECK(22, raw_pop().result == CAPOS_ERR_BAD_BUFFER);
	CHECK(23, raw_pop().result == CAPOS_ERR_BAD_BUFFER);
	CHECK(24, raw_pop().result == CAPOS_ERR_BAD_BUFFER);
	CHECK(25, raw_pop().result == CAPOS_ERR_BAD_CAP);
	CHECK(26, raw_pop().result == CAPOS_ERR_NOT_PERMITTED);

	/* 30-39: CQ back-pressure: 48 NOPs, nothing consumed: 32 complete, 16 wait */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 16; i++)
			raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .user_data = 1000 + round * 16 + i});
		int64_t n = raw_cap_enter(0, CAPOS_NO_WAIT);
		CHECK(30 + round, n == (round == 0 ? 16 : 32));
	}
	CHECK(33, RING->header.sq_tail - RING->header.sq_head == 16);
	CHECK(34, RING->header.cq_overflow == 0);
	for (int i = 0; i < 32; i++)
		CHECK(35, raw_pop().user_data == (uint64_t)(1000 + i));
	CHECK(36, raw_cap_enter(16, CAPOS_WAIT_FOREVER) == 16);
	for (int i = 0; i < 16; i++)
		CHECK(37, raw_pop().user_data == (uint64_t)(1032 + i));

	/* 40-49: corrupt indices are refused, repaired, and the ring works again */
	uint32_t good_tail = RING->header.sq_tail;
	RING->header.sq_tail = good_tail + 1000;
	CHECK(40, raw_cap_enter(0, CAPOS_NO_WAIT) == CAPOS_ERR_RING_CORRUPT);
	RING->header.sq_tail = good_tail - 1;
	CHECK(41, raw_cap_enter(0, CAPOS_NO_WAIT) == CAPOS_ERR_RING_CORRUPT);
	RING->header.sq_tail = good_tail;
	uint32_t good_head = RING->header.cq_head;
	RING->header.cq_head = good_head + 3;
	CHECK(42, raw_cap_enter(0, CAPOS_NO_WAIT) == CAPOS_ERR_RING_CORRUPT);
	RING->header.cq_head = good_head;
	RING->header.sq_mask = 0xffff; /* scribbled geometry is never read back */
	RING->header.sq_head = 77;     /* nor the kernel's own index */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_NOP, .user_data = 42});
	CHECK(43, raw_cap_enter(1, CAPOS_WAIT_FOREVER) == 1);
	CHECK(44, RING->header.sq_head == RING->header.sq_tail); /* published as it moved */
	CHECK(45, raw_pop().user_data == 42);
	good_tail = RING->header.sq_tail; /* a corrupt call publishes everything again */
	RING->header.sq_tail = good_tail + 1000;
	CHECK(46, raw_cap_enter(0, CAPOS_NO_WAIT) == CAPOS_ERR_RING_CORRUPT);
	RING->header.sq_tail = good_tail;
	CHECK(47, RING->header.sq_mask == CAPOS_SQ_ENTRIES - 1);
	CHECK(48, raw_cap_enter(0, CAPOS_NO_WAIT) == 0);

	/* 60-69: the Console through a hand-built Cap'n Proto message */
	uint32_t len = build_write_line();
	/* clang-format off */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 1,
	                              .addr = (uint64_t)msg, .len = len,
	                              .result_addr = (uint64_t)result_buf,
	                              .result_len = sizeof(result_buf), .user_data = 60});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 1,
	                              .addr = (uint64_t)msg, .len = len, .user_data = 61});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 1,
	                              .addr = (uint64_t)msg, .len = len - 8, .user_data = 62});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 7,
	                              .addr = (uint64_t)msg, .len = len, .user_data = 63});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 1,
	                              .addr = (uint64_t)msg, .len = len,
	                              .result_addr = (uint64_t)result_buf, .result_len = 4,
	                              .user_data = 64});
	/* clang-format on */
	CHECK(60, raw_cap_enter(5, CAPOS_WAIT_FOREVER) == 5);
	c = raw_pop();
	CHECK(61, c.user_data == 60 && c.result > 0 && c.result <= (int)sizeof(result_buf));
	CHECK(62, (result_buf[0] & 0xffffffff) == 0); /* one segment */
	c = raw_pop();
	CHECK(63, c.user_data == 61 && c.result == 0);        /* no result wanted */
	CHECK(64, raw_pop().result == CAPOS_ERR_BAD_MESSAGE); /* truncated message */
	CHECK(65, raw_pop().result == CAPOS_ERR_UNKNOWN_METHOD);
	CHECK(66, raw_pop().result == CAPOS_ERR_RESULT_TOO_SMALL);
	for (unsigned i = 0; i < 64; i++)
		page_buf[i] = (char)0xff; /* garbage params */
	/* clang-format off */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 1,
	                              .addr = (uint64_t)page_buf, .len = 64, .user_data = 67});
	/* clang-format on */
	CHECK(67, raw_cap_enter(1, CAPOS_WAIT_FOREVER) == 1);
	CHECK(68, raw_pop().result == CAPOS_ERR_BAD_MESSAGE);

	/* 50-59: release, stale ids, syscall arguments, timeout */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_RELEASE, .cap_id = con, .user_data = 50});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_RELEASE, .cap_id = con, .user_data = 51});
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .user_data = 52});
	CHECK(50, raw_cap_enter(3, CAPOS_WAIT_FOREVER) == 3);
	CHECK(51, raw_pop().result == 0);
	CHECK(52, raw_pop().result == CAPOS_ERR_BAD_CAP);
	CHECK(53, raw_pop().result == CAPOS_ERR_BAD_CAP);
	CHECK(54, raw_cap_enter(CAPOS_CQ_ENTRIES + 1, 0) == CAPOS_ERR_INVALID_ARGUMENT);
	CHECK(55, raw_syscall(7, 0, 0) == CAPOS_ERR_INVALID_ARGUMENT);
	CHECK(56, raw_cap_enter(1, 30 * 1000 * 1000) == 0); /* 30 ms, nothing to complete */
	raw_exit(0);
}
