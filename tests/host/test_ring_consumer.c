/* Ring consumer logic: indices, corruption detection, SQE validation. */
#include <capos/abi.h>
#include <criterion/criterion.h>
#include <string.h>

#include "ring_consumer.h"

static struct capos_ring_page page;
static struct ring_cursor cur;

static void setup(void) { ring_init(&page, &cur); }
TestSuite(ring, .init = setup);

static struct capos_sqe nop(uint64_t ud)
{
	return (struct capos_sqe){.opcode = CAPOS_OP_NOP, .user_data = ud};
}

static void submit(struct capos_sqe s)
{
	page.sq[page.header.sq_tail & page.header.sq_mask] = s;
	page.header.sq_tail++;
}

Test(ring, init_writes_geometry)
{
	cr_assert_eq(page.header.sq_entries, CAPOS_SQ_ENTRIES);
	cr_assert_eq(page.header.cq_entries, CAPOS_CQ_ENTRIES);
	cr_assert_eq(page.header.sq_mask, CAPOS_SQ_ENTRIES - 1);
	cr_assert_eq(page.header.cq_mask, CAPOS_CQ_ENTRIES - 1);
	cr_assert_eq(ring_sq_pending(&page, &cur), 0);
	cr_assert_eq(ring_cq_space(&page, &cur), (int)CAPOS_CQ_ENTRIES);
}

Test(ring, take_copies_in_order_and_advances_head)
{
	submit(nop(1));
	submit(nop(2));
	cr_assert_eq(ring_sq_pending(&page, &cur), 2);
	struct capos_sqe s;
	ring_take_sqe(&page, &cur, &s);
	cr_assert_eq(s.user_data, 1u);
	ring_take_sqe(&page, &cur, &s);
	cr_assert_eq(s.user_data, 2u);
	cr_assert_eq(page.header.sq_head, 2u);
	cr_assert_eq(ring_sq_pending(&page, &cur), 0);
}

Test(ring, indices_wrap_around_uint32)
{
	cur.sq_head = UINT32_MAX - 1;
	page.header.sq_tail = UINT32_MAX - 1;
	cur.cq_tail = UINT32_MAX;
	page.header.cq_head = UINT32_MAX;
	for (int i = 0; i < 5; i++)
		submit(nop((uint64_t)i));
	cr_assert_eq(ring_sq_pending(&page, &cur), 5);
	for (int i = 0; i < 5; i++) {
		struct capos_sqe s;
		ring_take_sqe(&page, &cur, &s);
		cr_assert_eq(s.user_data, (uint64_t)i);
		struct capos_cqe c = {.user_data = s.user_data};
		ring_post_cqe(&page, &cur, &c);
	}
	cr_assert_eq(ring_cq_ready(&page, &cur), 5);
	cr_assert_eq(page.cq[UINT32_MAX & (CAPOS_CQ_ENTRIES - 1)].user_data, 0u);
	cr_assert_eq(page.cq[3].user_data, 4u);
}

Test(ring, absurd_sq_tail_is_corruption)
{
	page.header.sq_tail = 1000;
	cr_assert_eq(ring_sq_pending(&page, &cur), CAPOS_ERR_RING_CORRUPT);
	page.header.sq_tail = CAPOS_SQ_ENTRIES + 1;
	cr_assert_eq(ring_sq_pending(&page, &cur), CAPOS_ERR_RING_CORRUPT);
	page.header.sq_tail = CAPOS_SQ_ENTRIES; /* exactly full is fine */
	cr_assert_eq(ring_sq_pending(&page, &cur), (int)CAPOS_SQ_ENTRIES);
	cur.sq_head = 10;
	page.header.sq_tail = 9; /* behind the kernel's head */
	cr_assert_eq(ring_sq_pending(&page, &cur), CAPOS_ERR_RING_CORRUPT);
}

Test(ring, user_written_sq_head_is_ignored)
{
	submit(nop(1));
	page.header.sq_head = 12345;
	cr_assert_eq(ring_sq_pending(&page, &cur), 1);
	struct capos_sqe s;
	ring_take_sqe(&page, &cur, &s);
	cr_assert_eq(s.user_data, 1u);
	cr_assert_eq(page.header.sq_head, 1u, "the next take publishes the kernel's head");
	page.header.sq_head = 999;
	ring_publish(&page, &cur); /* what cap_enter does on a corrupt ring */
	cr_assert_eq(page.header.sq_head, 1u);
}

Test(ring, bad_cq_head_is_corruption)
{
	page.header.cq_head = 5; /* ahead of the kernel's cq_tail 0 */
	cr_assert_eq(ring_cq_space(&page, &cur), CAPOS_ERR_RING_CORRUPT);
	cr_assert_eq(ring_cq_ready(&page, &cur), CAPOS_ERR_RING_CORRUPT);
	cur.cq_tail = 100;
	page.header.cq_head = 100 - CAPOS_CQ_ENTRIES - 1;
	cr_assert_eq(ring_cq_space(&page, &cur), CAPOS_ERR_RING_CORRUPT);
	page.header.cq_head = 100 - CAPOS_CQ_ENTRIES;
	cr_assert_eq(ring_cq_space(&page, &cur), 0);
}

Test(ring, cq_fills_then_frees_as_user_consumes)
{
	struct capos_cqe c = {0};
	for (unsigned i = 0; i < CAPOS_CQ_ENTRIES; i++) {
		cr_assert_gt(ring_cq_space(&page, &cur), 0);
		c.user_data = i;
		ring_post_cqe(&page, &cur, &c);
	}
	cr_assert_eq(ring_cq_space(&page, &cur), 0);
	cr_assert_eq(page.header.cq_tail, CAPOS_CQ_ENTRIES);
	page.header.cq_head += 3;
	cr_assert_eq(ring_cq_space(&page, &cur), 3);
}

/* The geometry is written once and never read back: scribbling on it
 * changes nothing the kernel computes. */
Test(ring, scribbled_geometry_is_never_read)
{
	page.header.sq_mask = 0xffffffff;
	page.header.sq_entries = 1;
	page.header.cq_entries = 7;
	page.header.cq_mask = 0;
	for (uint64_t i = 0; i < CAPOS_SQ_ENTRIES; i++) {
		page.sq[i] = nop(40 + i);
		page.header.sq_tail++;
	}
	cr_assert_eq(ring_sq_pending(&page, &cur), (int)CAPOS_SQ_ENTRIES);
	cr_assert_eq(ring_cq_space(&page, &cur), (int)CAPOS_CQ_ENTRIES);
	cr_assert_eq(ring_take_nops(&page, &cur, CAPOS_SQ_ENTRIES), CAPOS_SQ_ENTRIES);
	cr_assert_eq(page.cq[CAPOS_SQ_ENTRIES - 1].user_data, 40u + CAPOS_SQ_ENTRIES - 1);
	cr_assert_eq(ring_cq_ready(&page, &cur), (int)CAPOS_SQ_ENTRIES);
	ring_publish(&page, &cur); /* a corrupt ring's repair writes it again */
	cr_assert_eq(page.header.sq_mask, CAPOS_SQ_ENTRIES - 1);
	cr_assert_eq(page.header.cq_entries, CAPOS_CQ_ENTRIES);
}

Test(ring, validate_nop_and_release)
{
	struct capos_sqe s = nop(1);
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_OK);
	s.opcode = CAPOS_OP_RELEASE;
	s.cap_id = 77;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_OK);
}

Test(ring, validate_reserved_opcodes)
{
	for (unsigned op = CAPOS_OP_FIRST_RESERVED; op <= 255; op++) {
		struct capos_sqe s = {.opcode = (uint8_t)op};
		cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_RESERVED_OPCODE, "op %u", op);
	}
}

Test(ring, validate_reserved_fields_and_flags)
{
	struct capos_sqe s = nop(1);
	s.flags = CAPOS_SQE_PIPELINE;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_INVALID_SQE);
	s = nop(1);
	s.flags = 0x8000;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_INVALID_SQE);
	/* The exception flag exists only on RETURN. */
	s = nop(1);
	s.flags = CAPOS_SQE_EXCEPTION;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_INVALID_SQE);
	s = nop(1);
	s.opcode = CAPOS_OP_RETURN;
	s.flags = CAPOS_SQE_EXCEPTION;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_OK);
	s.flags = CAPOS_SQE_EXCEPTION | CAPOS_SQE_PIPELINE;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_INVALID_SQE);
	s = nop(1);
	s.reserved0 = 1;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_INVALID_SQE);
	s = nop(1);
	s.reserved1 = 1;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_INVALID_SQE);
	s = nop(1);
	s.pipeline_dep = 3;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_INVALID_SQE);
	s = nop(1);
	s.pipeline_field = 3;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_INVALID_SQE);
}

Test(ring, validate_transfers)
{
	struct capos_sqe s = nop(1);
	s.xfer_cap_count = 1;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_BAD_TRANSFER);
	/* clang-format off */
	s = (struct capos_sqe){.opcode = CAPOS_OP_CALL, .addr = 0x500000, .len = 16,
	                       .xfer_cap_count = CAPOS_XFER_MAX};
	/* clang-format on */
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_OK);
	s.xfer_cap_count = CAPOS_XFER_MAX + 1;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_BAD_TRANSFER);
}

Test(ring, validate_call_buffers)
{
	/* clang-format off */
	struct capos_sqe s = {.opcode = CAPOS_OP_CALL, .addr = 0x500000, .len = 64,
	                      .result_addr = 0x600000, .result_len = 128};
	/* clang-format on */
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_OK);
	s.addr = 0xffff800000000000ull; /* kernel half */
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_BAD_BUFFER);
	s.addr = CAPOS_USER_END - 32; /* crosses into the non-canonical hole */
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_BAD_BUFFER);
	s.addr = 0x500000;
	s.len = RING_MAX_PARAMS_LEN + 1;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_BAD_BUFFER);
	s.len = 64;
	s.result_len = 0xffffffffu;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_BAD_BUFFER);
	s.result_len = 16;
	s.result_addr = UINT64_MAX - 4;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_BAD_BUFFER);
	/* zero lengths need no address */
	s = (struct capos_sqe){.opcode = CAPOS_OP_CALL, .addr = UINT64_MAX, .result_addr = 1};
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_OK);
}

Test(ring, validate_recv_buffer)
{
	/* clang-format off */
	struct capos_sqe s = {.opcode = CAPOS_OP_RECV, .result_addr = 0xffffffff00000000ull,
	                      .result_len = 64};
	/* clang-format on */
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_ERR_BAD_BUFFER);
	s.result_addr = 0x700000;
	cr_assert_eq(ring_validate_sqe(&s), CAPOS_OK);
}

Test(ring, user_range_edges)
{
	cr_assert_eq(ring_check_user_range(CAPOS_USER_END - 16, 16, 100), CAPOS_OK);
	cr_assert_eq(ring_check_user_range(CAPOS_USER_END - 16, 17, 100), CAPOS_ERR_BAD_BUFFER);
	cr_assert_eq(ring_check_user_range(CAPOS_USER_END, 1, 100), CAPOS_ERR_BAD_BUFFER);
	cr_assert_eq(ring_check_user_range(0x1000, 101, 100), CAPOS_ERR_BAD_BUFFER);
	cr_assert_eq(ring_check_user_range(UINT64_MAX, 0, 100), CAPOS_OK);
}

Test(ring, every_error_has_a_name)
{
	for (int e = CAPOS_ERR_MIN; e < 0; e++)
		cr_assert_str_neq(ring_error_name(e), "unknown error", "error %d", e);
}

Test(ring, take_nops_takes_a_run_and_publishes_once)
{
	for (uint64_t i = 0; i < 5; i++)
		submit(nop(10 + i));
	struct capos_sqe call = {.opcode = CAPOS_OP_CALL, .cap_id = 3, .user_data = 99};
	submit(call);
	submit(nop(20));
	page.cq[0].result = -1; /* stale: every word is rewritten */
	cr_assert_eq(ring_take_nops(&page, &cur, 7), 5, "stops at the CALL");
	cr_assert_eq(page.header.sq_head, 5u);
	cr_assert_eq(page.header.cq_tail, 5u);
	for (unsigned i = 0; i < 5; i++) {
		struct capos_cqe want = {.user_data = 10 + i};
		cr_assert_eq(memcmp(&page.cq[i], &want, sizeof(want)), 0, "CQE %u", i);
	}
	cr_assert_eq(ring_take_nops(&page, &cur, 2), 0, "the CALL is left queued");
	struct capos_sqe s;
	ring_take_sqe(&page, &cur, &s);
	cr_assert_eq(s.user_data, 99u);
	cr_assert_eq(ring_take_nops(&page, &cur, 1), 1);
	cr_assert_eq(page.cq[5].user_data, 20u);
	cr_assert_eq(ring_sq_pending(&page, &cur), 0);
}

Test(ring, take_nops_respects_max_and_wraps)
{
	cur.sq_head = cur.cq_tail = UINT32_MAX - 2;
	page.header.sq_tail = page.header.cq_head = UINT32_MAX - 2;
	for (uint64_t i = 0; i < 6; i++)
		submit(nop(i));
	cr_assert_eq(ring_take_nops(&page, &cur, 4), 4);
	cr_assert_eq(cur.sq_head, 1u);
	cr_assert_eq(ring_cq_ready(&page, &cur), 4);
	cr_assert_eq(page.cq[0].user_data, 3u);
	cr_assert_eq(ring_take_nops(&page, &cur, 0), 0);
	cr_assert_eq(ring_take_nops(&page, &cur, 2), 2);
}

/* The batch path takes exactly the SQEs the full path would complete as a
 * NOP with result 0 without looking further: valid, opcode NOP, method 0. */
Test(ring, take_nops_agrees_with_validate)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (unsigned round = 0; round < 20000; round++) {
		uint64_t words[8];
		for (unsigned k = 0; k < 8; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Mostly zero fields, so near-NOPs are common. */
			uint64_t keep = x & (x >> 11) & (x >> 23) & 0x0101010101010101ull;
			words[k] = x & (keep * 0xff);
		}
		struct capos_sqe s;
		memcpy(&s, words, sizeof(s));
		if (round % 4 == 0)
			s.opcode = CAPOS_OP_NOP;
		setup();
		submit(s);
		bool plain = ring_validate_sqe(&s) == CAPOS_OK && s.opcode == CAPOS_OP_NOP &&
		             s.method_id == 0;
		uint32_t n = ring_take_nops(&page, &cur, 1);
		cr_assert_eq(n, plain ? 1u : 0u, "round %u: opcode %u flags %x method %u", round,
		             s.opcode, s.flags, s.method_id);
		if (n)
			cr_assert_eq(page.cq[0].user_data, s.user_data);
	}
}
