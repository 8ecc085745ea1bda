/*
 * The Console client and CALL classification against a fake kernel that
 * decodes the params with the generated code, as the real Console does,
 * and answers with an empty result, a CapException or a transport error.
 */
#include <criterion/criterion.h>
#include <capos/call.h>
#include <capos/console.h>
#include <string.h>
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "test_runtime_fake_kernel.h"

#define CONSOLE_CAP 7u

static struct capos_ring_page page __attribute__((aligned(4096)));
static struct capos_ring ring;
static struct capos_console con;
static char out[8192];
static size_t out_len;
static int calls;

static int32_t empty_result(const struct capos_sqe *s)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, (void *)(uintptr_t)s->result_addr, s->result_len);
	capos_Console_write_Results_init_root(&b);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_RESULT_TOO_SMALL;
	return (int32_t)len;
}

static int32_t exception(const struct capos_sqe *s, enum capos_CapException_Type t, const char *msg)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, (void *)(uintptr_t)s->result_addr, s->result_len);
	capos_CapException_builder x = capos_CapException_init_root(&b);
	capos_CapException_set_type(x, t);
	capos_CapException_set_message(x, msg, strlen(msg));
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED;
	return CAPOS_ERR_APPLICATION_EXCEPTION;
}

static void append(const void *p, size_t n)
{
	cr_assert_leq(out_len + n, sizeof(out));
	memcpy(out + out_len, p, n);
	out_len += n;
}

static int32_t console_call(const struct capos_sqe *s, uint32_t *flags)
{
	calls++;
	if (s->cap_id != CONSOLE_CAP)
		return CAPOS_ERR_BAD_CAP;
	struct capnp_reader m;
	if (capnp_reader_init(&m, (const void *)(uintptr_t)s->addr, s->len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	int32_t r;
	switch (s->method_id) {
	case capos_Console_write_METHOD: {
		struct capnp_data d = capos_Console_write_Params_get_data(
			capos_Console_write_Params_read_root(&m));
		if (capnp_reader_error(&m))
			return CAPOS_ERR_BAD_MESSAGE;
		if (d.len > 4096) {
			r = exception(s, capos_CapException_Type_invalidArgument, "too long");
			*flags = CAPOS_CQE_F_EXCEPTION;
			return r;
		}
		append(d.ptr, d.len);
		return empty_result(s);
	}
	case capos_Console_writeLine_METHOD: {
		struct capnp_text t = capos_Console_writeLine_Params_get_text(
			capos_Console_writeLine_Params_read_root(&m));
		if (capnp_reader_error(&m))
			return CAPOS_ERR_BAD_MESSAGE;
		if (t.len > 4096) {
			r = exception(s, capos_CapException_Type_invalidArgument,
			              "Console.writeLine: more than 4096 bytes");
			*flags = CAPOS_CQE_F_EXCEPTION;
			return r;
		}
		append(t.str, t.len);
		append("\n", 1);
		return empty_result(s);
	}
	default:
		return CAPOS_ERR_UNKNOWN_METHOD;
	}
}

static int64_t enter(uint32_t min_complete, uint64_t timeout_ns, void *ctx)
{
	(void)min_complete;
	(void)timeout_ns;
	(void)ctx;
	struct capos_ring_header *h = &page.header;
	while (h->sq_head != h->sq_tail && h->cq_tail - h->cq_head < CAPOS_CQ_ENTRIES) {
		struct capos_sqe s = page.sq[h->sq_head++ & (CAPOS_SQ_ENTRIES - 1)];
		struct capos_cqe c = {.user_data = s.user_data};
		c.result = s.opcode == CAPOS_OP_CALL ? console_call(&s, &c.flags) : 0;
		page.cq[h->cq_tail++ & (CAPOS_CQ_ENTRIES - 1)] = c;
	}
	return h->cq_tail - h->cq_head;
}

static void setup(void)
{
	fake_ring_setup(&page);
	cr_assert_eq(capos_ring_init(&ring, &page, enter, NULL), 0);
	/* clang-format off */
	struct capos_cap cap = { .cap_id = CONSOLE_CAP, .interface_id = capos_Console_ID,
	                         .valid = true };
	/* clang-format on */
	cr_assert_eq(capos_console_from_cap(&con, &ring, cap), 0);
	out_len = 0;
	calls = 0;
	memset(out, 0, sizeof(out));
}

TestSuite(console, .init = setup);

Test(console, write_and_write_line)
{
	struct capos_call_error err;
	cr_expect_eq(capos_console_write(&con, "ab", 2, &err), 0);
	cr_expect_eq(err.kind, CAPOS_ERROR_NONE);
	cr_expect_eq(capos_console_write_line(&con, "cd", &err), 0);
	cr_expect_eq(capos_console_write_line(&con, "", NULL), 0);
	cr_expect_eq(capos_console_printf(&con, "%d-%s\n", 5, "x"), 0);
	out[out_len] = '\0';
	cr_expect_str_eq(out, "abcd\n\n5-x\n");
	cr_expect_eq(calls, 4);
}

Test(console, long_line_goes_through_the_heap)
{
	static char line[4001];
	memset(line, 'q', 4000);
	cr_expect_eq(capos_console_write_line(&con, line, NULL), 0);
	cr_expect_eq(out_len, 4001);
	cr_expect_eq(out[3999], 'q');
	cr_expect_eq(out[4000], '\n');
}

Test(console, over_long_line_is_an_exception)
{
	static char line[5000];
	memset(line, 'q', sizeof(line));
	struct capos_call_error err;
	int r = capos_console_write_line_n(&con, line, sizeof(line), &err);
	cr_expect_eq(r, CAPOS_ERR_APPLICATION_EXCEPTION);
	cr_expect_eq(err.kind, CAPOS_ERROR_EXCEPTION);
	cr_expect_eq(err.exception_type, capos_CapException_Type_invalidArgument);
	cr_expect_str_eq(err.message, "Console.writeLine: more than 4096 bytes");
	cr_expect_eq(out_len, 0);
}

Test(console, transport_errors_are_typed)
{
	struct capos_console bad = con;
	bad.cap.cap_id = 99;
	struct capos_call_error err;
	cr_expect_eq(capos_console_write_line(&bad, "x", &err), CAPOS_ERR_BAD_CAP);
	cr_expect_eq(err.kind, CAPOS_ERROR_TRANSPORT);
	cr_expect_eq(err.exception_type, CAPOS_EXCEPTION_UNKNOWN);
}

Test(console, local_errors_never_reach_the_ring)
{
	struct capos_call_error err;
	struct capos_console none = {0};
	cr_expect_eq(capos_console_write_line(&none, "x", &err), CAPOS_ERR_BAD_CAP);
	cr_expect_eq(err.kind, CAPOS_ERROR_LOCAL);
	cr_expect_eq(capos_console_write(&con, "x", CAPOS_CONSOLE_MAX_BYTES + 1, &err),
	             CAPOS_ERR_INVALID_ARGUMENT);
	cr_expect_eq(err.kind, CAPOS_ERROR_LOCAL);
	cr_expect_eq(calls, 0);
}

Test(console, binding_checks_the_interface)
{
	struct capos_console c;
	struct capos_cap frames = {.cap_id = 3, .interface_id = capos_FrameAllocator_ID, .valid = true};
	cr_expect_eq(capos_console_from_cap(&c, &ring, frames), CAPOS_ERR_NOT_PERMITTED);
	struct capos_cap invalid = {0};
	cr_expect_eq(capos_console_from_cap(&c, &ring, invalid), CAPOS_ERR_BAD_CAP);

	static uint8_t cs_page[4096];
	struct capos_capset_header *h = (void *)cs_page;
	struct capos_capset_entry *e = (void *)(h + 1);
	h->magic = CAPOS_CAPSET_MAGIC;
	h->version = CAPOS_CAPSET_VERSION;
	h->entry_size = sizeof(*e);
	h->count = 2;
	strcpy(e[0].name, "console");
	e[0].interface_id = capos_Console_ID;
	e[0].cap_id = CONSOLE_CAP;
	strcpy(e[1].name, "frames");
	e[1].interface_id = capos_FrameAllocator_ID;
	struct capos_capset cs;
	cr_assert_eq(capos_capset_parse(&cs, cs_page), 0);
	cr_expect_eq(capos_console_open(&c, &ring, &cs, "console"), 0);
	cr_expect_eq(c.cap.cap_id, CONSOLE_CAP);
	cr_expect_not(c.cap.owned, "CapSet handles are borrowed");
	cr_expect_eq(capos_console_open(&c, &ring, &cs, "frames"), CAPOS_ERR_NOT_PERMITTED);
	cr_expect_eq(capos_console_open(&c, &ring, &cs, "nothing"), CAPOS_ERR_BAD_CAP);
}

Test(classify, success_with_result_caps)
{
	uint64_t buf[16] = {0};
	struct capos_cap_record *rec = (void *)((char *)buf + 24);
	rec[0].cap_id = 11;
	rec[0].interface_id = 0xabc;
	struct capos_cqe cqe = {.result = 20, .cap_count = 2};
	struct capos_reply reply;
	struct capos_call_error err;
	cr_assert_eq(capos_call_classify(&cqe, buf, sizeof(buf), &reply, &err), 0);
	cr_expect_eq(reply.result_len, 20);
	cr_expect_eq(reply.cap_count, 2);
	cr_expect_eq(reply.caps, rec, "records start at align8(result)");
	cr_expect_eq(reply.caps[0].cap_id, 11);
}

Test(classify, records_past_the_buffer_are_refused)
{
	uint64_t buf[4] = {0};
	struct capos_cqe cqe = {.result = 16, .cap_count = 2}; /* 16 + 32 > 32 */
	struct capos_call_error err;
	cr_expect_eq(capos_call_classify(&cqe, buf, sizeof(buf), NULL, &err), CAPOS_ERR_BAD_MESSAGE);
	cr_expect_eq(err.kind, CAPOS_ERROR_LOCAL);
	struct capos_cqe big = {.result = 64};
	cr_expect_eq(capos_call_classify(&big, buf, sizeof(buf), NULL, &err), CAPOS_ERR_BAD_MESSAGE);
}

Test(classify, truncated_and_undecodable_exceptions)
{
	uint64_t buf[4] = {0xffffffffffffffffull, 0, 0, 0};
	struct capos_cqe t = {.result = CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED,
	                      .flags = CAPOS_CQE_F_EXCEPTION};
	struct capos_call_error err;
	cr_expect_eq(capos_call_classify(&t, buf, sizeof(buf), NULL, &err),
	             CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED);
	cr_expect_eq(err.kind, CAPOS_ERROR_EXCEPTION);
	cr_expect_eq(err.exception_type, CAPOS_EXCEPTION_UNKNOWN);
	struct capos_cqe g = {.result = CAPOS_ERR_APPLICATION_EXCEPTION};
	cr_expect_eq(capos_call_classify(&g, buf, sizeof(buf), NULL, &err),
	             CAPOS_ERR_APPLICATION_EXCEPTION);
	cr_expect_eq(err.exception_type, CAPOS_EXCEPTION_UNKNOWN, "garbage is not decoded");
	cr_expect_str_eq(err.message, "");
}

Test(console, printf_longer_than_the_stack_buffer)
{
	static char word[600];
	memset(word, 'w', sizeof(word) - 1);
	cr_expect_eq(capos_console_printf(&con, "<%s>%d", word, 7), 0);
	cr_expect_eq(out_len, 602);
	cr_expect_eq(out[0], '<');
	cr_expect_eq(out[599], 'w');
	cr_expect_eq(out[600], '>');
	cr_expect_eq(out[601], '7');
	cr_expect_eq(calls, 1, "one Console.write for the whole text");
}
