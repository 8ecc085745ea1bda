/* Runtime endpoint client (descriptor placement, classification) and the
 * server loop's receive parser. */
#include <capos/abi.h>
#include <capos/endpoint.h>
#include <capos/server.h>
#include <criterion/criterion.h>
#include <string.h>

static struct capos_ring_page page;
static struct capos_ring ring;
static struct capos_sqe seen;           /* the CALL the fake kernel saw       */
static uint8_t seen_params[256];        /* params + descriptors it read       */
static struct capos_cap_record give[2]; /* result caps the fake kernel returns */
static uint32_t give_count;

/* Consumes one SQE, copies what a kernel would read, posts a reply with
 * give_count records after an 8-byte result message. */
static int64_t enter(uint32_t min, uint64_t timeout, void *ctx)
{
	(void)min, (void)timeout, (void)ctx;
	struct capos_ring_header *h = &page.header;
	while (h->sq_head != h->sq_tail) {
		seen = page.sq[h->sq_head & (CAPOS_SQ_ENTRIES - 1)];
		h->sq_head++;
		uint64_t span = capos_align8(seen.len) + seen.xfer_cap_count * 16u;
		memcpy(seen_params, (const void *)(uintptr_t)seen.addr,
		       span < sizeof seen_params ? span : sizeof seen_params);
		uint8_t *res = (uint8_t *)(uintptr_t)seen.result_addr;
		memset(res, 0xab, 8);
		memcpy(res + 8, give, give_count * sizeof(give[0]));
		/* clang-format off */
		struct capos_cqe cqe = {.user_data = seen.user_data, .result = 8,
		                        .cap_count = give_count};
		/* clang-format on */
		page.cq[h->cq_tail & (CAPOS_CQ_ENTRIES - 1)] = cqe;
		h->cq_tail++;
	}
	return (int64_t)(h->cq_tail - h->cq_head);
}

static void setup(void)
{
	memset(&page, 0, sizeof page);
	page.header.sq_entries = CAPOS_SQ_ENTRIES;
	page.header.cq_entries = CAPOS_CQ_ENTRIES;
	page.header.sq_mask = CAPOS_SQ_ENTRIES - 1;
	page.header.cq_mask = CAPOS_CQ_ENTRIES - 1;
	cr_assert_eq(capos_ring_init(&ring, &page, enter, NULL), 0);
	give_count = 0;
}

TestSuite(endpoint_rt, .init = setup);

Test(endpoint_rt, descriptors_follow_the_params_at_align8)
{
	uint8_t params[13];
	memset(params, 0x5a, sizeof params);
	struct capos_xfer_desc d[2] = {capos_xfer_copy(0x401), capos_xfer_move(0x802)};
	uint64_t result[8];
	struct capos_endpoint_call c = {
		.method_id = 9,
		.params = params,
		.params_len = sizeof params,
		.xfer = d,
		.xfer_count = 2,
		.result = result,
		.result_cap = sizeof result,
		.timeout_ns = 1234,
	};
	give[0] = (struct capos_cap_record){.cap_id = 0x403, .interface_id = 0x77};
	give_count = 1;
	struct capos_reply reply;
	cr_assert_eq(capos_endpoint_call_in(&ring, 0x400, &c, &reply, NULL), 0);
	cr_assert_eq(seen.opcode, CAPOS_OP_CALL);
	cr_assert_eq(seen.cap_id, 0x400u);
	cr_assert_eq(seen.method_id, 9);
	cr_assert_eq(seen.len, 13u);
	cr_assert_eq(seen.xfer_cap_count, 2);
	cr_assert_eq(seen.timeout_ns, 1234u);
	cr_assert_eq(memcmp(seen_params, params, 13), 0);
	struct capos_xfer_desc got[2];
	memcpy(got, seen_params + 16, sizeof got);
	cr_assert_eq(got[0].cap_id, 0x401u);
	cr_assert_eq(got[0].mode, CAPOS_XFER_COPY);
	cr_assert_eq(got[1].cap_id, 0x802u);
	cr_assert_eq(got[1].mode, CAPOS_XFER_MOVE);
	cr_assert_eq(reply.result_len, 8u);
	cr_assert_eq(reply.cap_count, 1u);
	cr_assert_eq(reply.caps[0].cap_id, 0x403u);
	cr_assert_eq(reply.caps[0].interface_id, 0x77u);
}

Test(endpoint_rt, no_descriptors_passes_params_in_place)
{
	uint8_t params[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint64_t result[2];
	/* clang-format off */
	struct capos_endpoint_call c = {.params = params, .params_len = 8, .result = result,
	                                .result_cap = sizeof result};
	/* clang-format on */
	cr_assert_eq(capos_endpoint_call_in(&ring, 5, &c, NULL, NULL), 0);
	cr_assert_eq(seen.addr, (uint64_t)(uintptr_t)params);
	cr_assert_eq(seen.xfer_cap_count, 0);
}

Test(endpoint_rt, too_many_descriptors_fail_locally)
{
	struct capos_xfer_desc d[CAPOS_XFER_MAX + 1] = {{0}};
	struct capos_endpoint_call c = {.xfer = d, .xfer_count = CAPOS_XFER_MAX + 1};
	struct capos_call_error err;
	cr_assert_eq(capos_endpoint_call_in(&ring, 5, &c, NULL, &err), CAPOS_ERR_BAD_TRANSFER);
	cr_assert_eq(err.kind, CAPOS_ERROR_LOCAL);
	cr_assert_eq(page.header.sq_tail, 0u); /* nothing submitted */
}

Test(endpoint_rt, parse_receive_with_caps)
{
	uint64_t buf[16] = {0};
	struct capos_endpoint_message *m = (void *)buf;
	m->call_id = 0x1234;
	m->method_id = 3;
	m->badge = 0;
	m->params_len = 5;
	m->cap_count = 2;
	uint8_t *p = (uint8_t *)buf;
	memcpy(p + 32, "hello", 5);
	struct capos_cap_record rec[2] = {{.cap_id = 7, .interface_id = 9},
	                                  {.cap_id = 8, .interface_id = 10}};
	memcpy(p + 40, rec, sizeof rec);
	struct capos_server_call call;
	cr_assert_eq(capos_server_parse(buf, 40 + 32, &call), 0);
	cr_assert_eq(call.call_id, 0x1234u);
	cr_assert_eq(call.method_id, 3);
	cr_assert_eq(call.params_len, 5u);
	cr_assert_eq(memcmp(call.params, "hello", 5), 0);
	cr_assert_eq(call.cap_count, 2u);
	cr_assert_eq(call.caps[1].cap_id, 8u);
	/* Lengths that do not add up are refused. */
	cr_assert_eq(capos_server_parse(buf, 40 + 16, &call), CAPOS_ERR_BAD_MESSAGE);
	cr_assert_eq(capos_server_parse(buf, 31, &call), CAPOS_ERR_BAD_MESSAGE);
	m->params_len = 0xffffffffu;
	cr_assert_eq(capos_server_parse(buf, sizeof buf, &call), CAPOS_ERR_BAD_MESSAGE);
	m->params_len = 5;
	m->cap_count = 9;
	cr_assert_eq(capos_server_parse(buf, sizeof buf, &call), CAPOS_ERR_BAD_MESSAGE);
}

Test(endpoint_rt, exception_reply_is_a_capexception)
{
	uint64_t buf[32];
	struct capos_server_reply r = {.buf = buf, .cap = sizeof buf};
	r.xfer_count = 3;
	cr_assert_eq(capos_server_exception(&r, 3, "nope"), CAPOS_SERVER_REPLY);
	cr_assert(r.exception);
	cr_assert_eq(r.xfer_count, 0u);
	struct capos_cqe cqe = {.result = CAPOS_ERR_APPLICATION_EXCEPTION,
	                        .flags = CAPOS_CQE_F_EXCEPTION};
	struct capos_call_error err;
	cr_assert_eq(capos_call_classify(&cqe, buf, r.len, NULL, &err),
	             CAPOS_ERR_APPLICATION_EXCEPTION);
	cr_assert_eq(err.exception_type, 3);
	cr_assert_str_eq(err.message, "nope");
}
