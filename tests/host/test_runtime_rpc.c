/*
 * Generated client stubs and server dispatch (tests/capnp/rpctest.capnp)
 * end to end on the host: the fake kernel below takes each CALL the
 * client stub submits, turns its transfer descriptors into cap records as
 * the real kernel does, serves it with capos_rpc_handle and the generated
 * dispatcher, and returns the reply (message, exception, result caps).
 */
#include <criterion/criterion.h>
#include <capos/rpc.h>
#include <stdio.h>
#include <string.h>
#include "rpctest.capnp.rpc.h"

#define STORE_CAP 5u
#define SHELF_CAP 6u
#define SLOT_BASE 100u /* the "kernel" gives received caps slots from here */

static struct capos_ring_page page __attribute__((aligned(4096)));
static struct capos_ring ring;
static rpctest_Store_Client store;
static uint64_t cap_iface[256]; /* interface of each slot, 0 = none */
static uint32_t next_slot;
static int calls;

/* Server state and what the handlers saw. */
struct store {
	uint32_t puts;
	char last_key[64];
	size_t last_value_len;
	int32_t last_weight;
	bool last_flag;
	struct capos_cap lent;
	bool keep_lent;
};
static struct store st;

static int put(void *self, struct capos_rpc_ctx *rc, rpctest_Store_put_Params_reader in,
               rpctest_Store_put_Results_builder out)
{
	(void)rc;
	struct store *s = self;
	struct capnp_text key = rpctest_Store_put_Params_get_key(in);
	snprintf(s->last_key, sizeof s->last_key, "%s", key.str);
	s->last_value_len = rpctest_Store_put_Params_get_value(in).len;
	s->last_weight = rpctest_Store_put_Params_get_weight(in);
	s->last_flag = rpctest_Store_put_Params_get_flag(in);
	if (key.len == 0)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument, "empty key");
	rpctest_Store_put_Results_set_count(out, ++s->puts);
	rpctest_Store_put_Results_set_echoed(out, key.str, key.len);
	rpctest_Store_put_Results_set_kind(out, rpctest_Store_put_Params_get_kind(in));
	return CAPOS_SERVER_REPLY;
}

static int lend(void *self, struct capos_rpc_ctx *rc, rpctest_Store_lend_Params_reader in,
                rpctest_Store_lend_Results_builder out)
{
	struct store *s = self;
	uint32_t peer = rpctest_Store_lend_Params_get_peer(in);
	if (s->keep_lent && capos_rpc_take_param_cap(rc, peer, rpctest_Store_ID, &s->lent) != 0)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument, "no Store lent");
	struct capnp_text note = rpctest_Store_lend_Params_get_note(in);
	rpctest_Store_lend_Results_set_note(out, note.str, note.len);
	rpctest_Store_lend_Results_set_back(out, capos_rpc_return_cap(rc, STORE_CAP, false));
	return CAPOS_SERVER_REPLY;
}

static int batch(void *self, struct capos_rpc_ctx *rc, rpctest_Store_batch_Params_reader in,
                 rpctest_Store_batch_Results_builder out)
{
	(void)self;
	(void)rc;
	struct capnp_list items = rpctest_Store_batch_Params_get_items(in);
	int64_t sum = 0;
	for (uint32_t i = 0; i < capnp_list_len(items); i++)
		sum += rpctest_Item_get_n(rpctest_Item_list_get(items, i));
	rpctest_Store_batch_Results_set_sum(out, sum);
	rpctest_Item_builder first = rpctest_Store_batch_Results_init_first(out);
	struct capnp_text label = rpctest_Item_get_label(rpctest_Item_list_get(items, 0));
	rpctest_Item_set_label(first, label.str, label.len);
	return CAPOS_SERVER_REPLY;
}

static int return_(void *self, struct capos_rpc_ctx *rc, rpctest_Store_return_Params_reader in,
                   rpctest_Store_return_Results_builder out)
{
	(void)self;
	(void)rc;
	(void)in;
	(void)out; /* leaves the result at its schema default */
	return CAPOS_SERVER_STOP;
}

static const rpctest_Store_Server server = {
	.put = put, .lend = lend, .batch = batch, .return_ = return_, /* nothing: unimplemented */
};

/* Shelf extends Store and Pinger: its table serves put (Store's, with the
 * handler above), ping (Pinger's) and its own count and big. */
static int ping(void *self, struct capos_rpc_ctx *rc, rpctest_Pinger_ping_Params_reader in,
                rpctest_Pinger_ping_Results_builder out)
{
	(void)self;
	(void)rc;
	rpctest_Pinger_ping_Results_set_n(out, rpctest_Pinger_ping_Params_get_n(in) + 1);
	return CAPOS_SERVER_REPLY;
}

static int count(void *self, struct capos_rpc_ctx *rc, rpctest_Shelf_count_Params_reader in,
                 rpctest_Shelf_count_Results_builder out)
{
	(void)rc;
	(void)in;
	rpctest_Shelf_count_Results_set_n(out, ((struct store *)self)->puts);
	return CAPOS_SERVER_REPLY;
}

/* A result of `bytes` bytes of data, byte i = i * 7. */
static int big(void *self, struct capos_rpc_ctx *rc, rpctest_Shelf_big_Params_reader in,
               rpctest_Shelf_big_Results_builder out)
{
	(void)self;
	(void)rc;
	static uint8_t data[CAPOS_SERVER_REPLY_BYTES];
	uint32_t n = rpctest_Shelf_big_Params_get_bytes(in);
	if (n > sizeof data)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument, "too big");
	for (uint32_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 7);
	rpctest_Shelf_big_Results_set_data(out, data, n);
	return CAPOS_SERVER_REPLY;
}

static const rpctest_Shelf_Server shelf_server = {
	.put = put, .ping = ping, .count = count, .big = big, /* lend ...: unimplemented */
};

static uint32_t new_slot(uint64_t iface)
{
	uint32_t s = SLOT_BASE + next_slot++;
	cap_iface[s] = iface;
	return s;
}

/* One CALL as the kernel would carry it to the server and back. */
static int32_t serve_call(const struct capos_sqe *s, struct capos_cqe *c)
{
	calls++;
	if (s->cap_id != STORE_CAP && s->cap_id != SHELF_CAP)
		return CAPOS_ERR_BAD_CAP;
	const uint8_t *params = (const void *)(uintptr_t)s->addr;
	const struct capos_xfer_desc *xfer = (const void *)(params + capos_align8(s->len));
	struct capos_cap_record recs[CAPOS_XFER_MAX];
	for (uint32_t i = 0; i < s->xfer_cap_count; i++) {
		cr_assert(cap_iface[xfer[i].cap_id] != 0, "transfer of an empty slot");
		recs[i] = (struct capos_cap_record){new_slot(cap_iface[xfer[i].cap_id]), 0,
		                                    cap_iface[xfer[i].cap_id]};
	}
	struct capos_server_call call = {
		.call_id = 1,
		.method_id = s->method_id,
		.params = params,
		.params_len = s->len,
		.caps = s->xfer_cap_count ? recs : NULL,
		.cap_count = s->xfer_cap_count,
	};
	static uint64_t buf[CAPOS_SERVER_REPLY_BYTES / 8];
	struct capos_server_reply reply = {.buf = buf, .cap = sizeof buf};
	if (s->cap_id == SHELF_CAP)
		capos_rpc_handle(rpctest_Shelf_Server_dispatch, &shelf_server, &st, "Shelf", &ring,
		                 &call, &reply);
	else
		capos_rpc_handle(rpctest_Store_Server_dispatch, &server, &st, "Store", &ring, &call,
		                 &reply);
	uint8_t *result = (void *)(uintptr_t)s->result_addr;
	if (capos_align8(reply.len) + reply.xfer_count * 16 > s->result_len)
		return CAPOS_ERR_RESULT_TOO_SMALL;
	memcpy(result, buf, reply.len);
	if (reply.exception) {
		c->flags = CAPOS_CQE_F_EXCEPTION;
		return CAPOS_ERR_APPLICATION_EXCEPTION;
	}
	struct capos_cap_record *out = (void *)(result + capos_align8(reply.len));
	for (uint32_t i = 0; i < reply.xfer_count; i++)
		out[i] = (struct capos_cap_record){new_slot(cap_iface[reply.xfer[i].cap_id]), 0,
		                                   cap_iface[reply.xfer[i].cap_id]};
	c->cap_count = (uint16_t)reply.xfer_count;
	return (int32_t)reply.len;
}

static int releases;

static int64_t enter(uint32_t min_complete, uint64_t timeout_ns, void *ctx)
{
	(void)min_complete;
	(void)timeout_ns;
	(void)ctx;
	struct capos_ring_header *h = &page.header;
	while (h->sq_head != h->sq_tail && h->cq_tail - h->cq_head < CAPOS_CQ_ENTRIES) {
		struct capos_sqe s = page.sq[h->sq_head++ & (CAPOS_SQ_ENTRIES - 1)];
		struct capos_cqe c = {.user_data = s.user_data};
		if (s.opcode == CAPOS_OP_CALL)
			c.result = serve_call(&s, &c);
		else if (s.opcode == CAPOS_OP_RELEASE)
			releases++;
		page.cq[h->cq_tail++ & (CAPOS_CQ_ENTRIES - 1)] = c;
	}
	return h->cq_tail - h->cq_head;
}

static void setup(void)
{
	memset(&page, 0, sizeof page);
	page.header.sq_entries = CAPOS_SQ_ENTRIES;
	page.header.cq_entries = CAPOS_CQ_ENTRIES;
	page.header.sq_mask = CAPOS_SQ_ENTRIES - 1;
	page.header.cq_mask = CAPOS_CQ_ENTRIES - 1;
	cr_assert_eq(capos_ring_init(&ring, &page, enter, NULL), 0);
	memset(cap_iface, 0, sizeof cap_iface);
	cap_iface[STORE_CAP] = rpctest_Store_ID;
	cap_iface[SHELF_CAP] = rpctest_Shelf_ID;
	next_slot = 0;
	calls = 0;
	releases = 0;
	memset(&st, 0, sizeof st);
	memset(&capos_rt_releases, 0, sizeof capos_rt_releases);
	struct capos_cap cap = {STORE_CAP, rpctest_Store_ID, false, true};
	cr_assert_eq(rpctest_Store_Client_bind(&store, &ring, cap), 0);
}

TestSuite(rpc, .init = setup);

Test(rpc, flat_params_and_results)
{
	rpctest_Store_put_Reply r;
	struct capos_call_error err;
	cr_assert_eq(rpctest_Store_put(&store, "k1", "abc", 3, rpctest_Kind_fancy, -5, true, &r, &err), 0);
	cr_expect_eq(r.count, 1);
	cr_expect_str_eq(r.echoed.str, "k1");
	cr_expect_eq(r.kind, rpctest_Kind_fancy);
	cr_expect_eq(rpctest_Store_put_Results_get_count(r.results), 1);
	cr_expect_str_eq(st.last_key, "k1");
	cr_expect_eq(st.last_value_len, 3);
	cr_expect_eq(st.last_weight, -5);
	cr_expect(st.last_flag);
	cr_assert_eq(rpctest_Store_put(&store, "k2", NULL, 0, rpctest_Kind_plain, 0, false, NULL, NULL), 0);
	cr_expect_eq(st.puts, 2);
}

Test(rpc, long_params_leave_the_stack_arena)
{
	static char key[900];
	static uint8_t value[20000];
	memset(key, 'k', sizeof key - 1);
	rpctest_Store_put_Reply r;
	cr_assert_eq(rpctest_Store_put(&store, key, value, sizeof value, rpctest_Kind_plain, 1, false,
	                               &r, NULL),
	             0);
	cr_expect_eq(r.echoed.len, sizeof key - 1);
	cr_expect_eq(st.last_value_len, sizeof value);
}

Test(rpc, results_larger_than_the_reply_buffer_are_a_transport_error)
{
	static char key[2000];
	memset(key, 'k', sizeof key - 1);
	struct capos_call_error err;
	cr_expect_eq(rpctest_Store_put(&store, key, NULL, 0, rpctest_Kind_plain, 1, false, NULL, &err),
	             CAPOS_ERR_RESULT_TOO_SMALL);
	cr_expect_eq(err.kind, CAPOS_ERROR_TRANSPORT);
}

Test(rpc, large_results_go_to_a_buffer_of_the_callers)
{
	static char key[5000];
	static uint64_t big[1024];
	memset(key, 'k', sizeof key - 1);
	rpctest_Store_put_Reply r;
	rpctest_Store_Client big_results = store;
	big_results.c.result_buf = big;
	big_results.c.result_cap = sizeof big;
	cr_assert_eq(rpctest_Store_put(&big_results, key, NULL, 0, rpctest_Kind_plain, 1, false, &r,
	                               NULL),
	             0);
	cr_expect_eq(r.echoed.len, sizeof key - 1);
	cr_expect((const char *)r.echoed.str >= (const char *)big &&
	          (const char *)r.echoed.str < (const char *)big + sizeof big);
}

Test(rpc, params_over_the_abi_limit_are_refused_locally)
{
	static uint8_t value[CAPOS_RPC_PARAMS_MAX];
	struct capos_call_error err;
	cr_expect_eq(rpctest_Store_put(&store, "k", value, sizeof value, rpctest_Kind_plain, 1, false,
	                               NULL, &err),
	             CAPOS_ERR_INVALID_ARGUMENT);
	cr_expect_eq(err.kind, CAPOS_ERROR_LOCAL);
	cr_expect_eq(calls, 0);
}

Test(rpc, server_exception_is_typed)
{
	rpctest_Store_put_Reply r;
	struct capos_call_error err;
	int e = rpctest_Store_put(&store, "", NULL, 0, rpctest_Kind_plain, 0, false, &r, &err);
	cr_expect_eq(e, CAPOS_ERR_APPLICATION_EXCEPTION);
	cr_expect_eq(err.kind, CAPOS_ERROR_EXCEPTION);
	cr_expect_eq(err.exception_type, capos_CapException_Type_invalidArgument);
	cr_expect_str_eq(err.message, "empty key");
	cr_expect_eq(r.count, 0, "a failed call leaves the flat fields zero");
}

Test(rpc, method_without_handler_is_unimplemented)
{
	struct capos_call_error err;
	cr_expect_eq(rpctest_Store_nothing(&store, NULL, &err), CAPOS_ERR_APPLICATION_EXCEPTION);
	cr_expect_eq(err.exception_type, capos_CapException_Type_unimplemented);
	cr_expect_str_eq(err.message, "Store: no method 3");
}

static struct capnp_reader served(uint16_t method, const void *params, uint32_t len,
                                  struct capos_server_reply *reply)
{
	static uint64_t buf[CAPOS_SERVER_REPLY_BYTES / 8];
	struct capos_server_call call = {.method_id = method, .params = params, .params_len = len};
	*reply = (struct capos_server_reply){.buf = buf, .cap = sizeof buf};
	capos_rpc_handle(rpctest_Store_Server_dispatch, &server, &st, "Store", &ring, &call, reply);
	struct capnp_reader m;
	cr_assert_eq(capnp_reader_init(&m, buf, reply->len), CAPNP_OK);
	return m;
}

Test(rpc, unknown_ordinal_is_unimplemented)
{
	uint64_t msg[2] = {0x0000000100000000ull, 0}; /* 1 segment of 1 word, null root */
	struct capos_server_reply reply;
	struct capnp_reader m = served(9, msg, sizeof msg, &reply);
	cr_expect(reply.exception);
	capos_CapException_reader x = capos_CapException_read_root(&m);
	cr_expect_eq(capos_CapException_get_type(x), capos_CapException_Type_unimplemented);
	cr_expect_str_eq(capos_CapException_get_message(x).str, "Store: no method 9");
}

Test(rpc, cap_param_and_result_cap)
{
	rpctest_Store_lend_Reply r;
	struct capos_call_error err;
	struct capos_cap me = {STORE_CAP, rpctest_Store_ID, false, true};
	st.keep_lent = true;
	cr_assert_eq(rpctest_Store_lend(&store, &me, "hi", &r, &err), 0);
	cr_expect(st.lent.valid && st.lent.owned);
	cr_expect_eq(st.lent.cap_id, SLOT_BASE + 0);
	cr_expect(r.back.valid && r.back.owned);
	cr_expect_eq(r.back.interface_id, rpctest_Store_ID);
	cr_expect_eq(r.back.cap_id, SLOT_BASE + 1);
	cr_expect_str_eq(r.note.str, "hi");
	cr_expect_eq(capos_rt_releases.count, 0, "nothing to release: every cap was taken");
}

Test(rpc, untaken_param_caps_are_released)
{
	struct capos_cap me = {STORE_CAP, rpctest_Store_ID, false, true};
	rpctest_Store_lend_Reply r;
	cr_assert_eq(rpctest_Store_lend(&store, &me, "x", &r, NULL), 0);
	cr_expect_eq(capos_rt_releases.count, 1, "the server did not keep the lent cap");
	cr_expect_eq(capos_rt_releases.ids[0], SLOT_BASE + 0);
}

Test(rpc, result_cap_of_the_wrong_interface_is_refused_and_released)
{
	cap_iface[STORE_CAP] = rpctest_Store_ID;
	cap_iface[SHELF_CAP] = rpctest_Shelf_ID;
	/* The server hands back a slot whose interface is not Store. */
	cap_iface[9] = capos_Console_ID;
	struct capos_cap console = {9, capos_Console_ID, false, true};
	rpctest_Store_lend_Reply r;
	struct capos_call_error err;
	/* Passing a Console where a Store is expected: the server refuses to take it. */
	st.keep_lent = true;
	int e = rpctest_Store_lend(&store, &console, "x", &r, &err);
	cr_expect_eq(e, CAPOS_ERR_APPLICATION_EXCEPTION);
	cr_expect_str_eq(err.message, "no Store lent");
	cr_expect_eq(capos_rt_releases.count, 1, "the refused cap is released");
}

static int fill_items(rpctest_Store_batch_Params_builder p, struct capos_rpc_out *o, void *arg)
{
	(void)o;
	const int64_t *v = arg;
	struct capnp_list_builder l = rpctest_Store_batch_Params_init_items(p, 3);
	for (uint32_t i = 0; i < 3; i++)
		rpctest_Item_set_n(rpctest_Item_list_at(l, i), v[i]);
	rpctest_Item_set_label(rpctest_Item_list_at(l, 0), "first", 5);
	return 0;
}

Test(rpc, struct_params_through_the_call_form)
{
	int64_t v[3] = {1, 20, 300};
	rpctest_Store_batch_Reply r;
	cr_assert_eq(rpctest_Store_batch_Call(&store, fill_items, v, &r, NULL), 0);
	cr_expect_eq(r.sum, 321);
	cr_expect_str_eq(rpctest_Item_get_label(rpctest_Store_batch_Results_get_first(r.results)).str,
	                 "first");
}

static int fill_fails(rpctest_Store_batch_Params_builder p, struct capos_rpc_out *o, void *arg)
{
	(void)p;
	(void)o;
	(void)arg;
	return CAPOS_ERR_INVALID_ARGUMENT;
}

Test(rpc, a_failing_fill_never_reaches_the_ring)
{
	struct capos_call_error err;
	cr_expect_eq(rpctest_Store_batch_Call(&store, fill_fails, NULL, NULL, &err),
	             CAPOS_ERR_INVALID_ARGUMENT);
	cr_expect_eq(err.kind, CAPOS_ERROR_LOCAL);
	cr_expect_eq(calls, 0);
}

Test(rpc, keyword_method_and_result_default)
{
	rpctest_Store_return_Reply r;
	cr_assert_eq(rpctest_Store_return(&store, &r, NULL), 0);
	cr_expect_eq(r.default_, 7);
}

Test(rpc, binding_and_local_errors)
{
	rpctest_Store_Client c;
	struct capos_cap console = {9, capos_Console_ID, false, true};
	cr_expect_eq(rpctest_Store_Client_bind(&c, &ring, console), CAPOS_ERR_NOT_PERMITTED);
	cr_expect_eq(rpctest_Store_Client_bind(&c, &ring, (struct capos_cap){0}), CAPOS_ERR_BAD_CAP);
	struct capos_call_error err;
	cr_expect_eq(rpctest_Store_nothing(&c, NULL, &err), CAPOS_ERR_BAD_CAP);
	cr_expect_eq(err.kind, CAPOS_ERROR_LOCAL);
	cr_expect_eq(calls, 0);
}

Test(rpc, malformed_params_are_invalid_argument)
{
	/* One segment of 1 word whose root points far outside it. */
	uint64_t junk[2] = {0x0000000100000000ull, 0x0000000100007ffcull};
	struct capos_server_reply reply;
	struct capnp_reader m = served(rpctest_Store_put_METHOD, junk, sizeof junk, &reply);
	cr_expect(reply.exception);
	cr_expect_eq(capos_CapException_get_type(capos_CapException_read_root(&m)),
	             capos_CapException_Type_invalidArgument);
	cr_expect_eq(st.puts, 0);
}

Test(rpc, params_that_are_not_a_message_are_invalid_argument)
{
	uint64_t junk[1] = {0xffffffffffffffffull};
	struct capos_server_reply reply;
	struct capnp_reader m = served(rpctest_Store_put_METHOD, junk, sizeof junk, &reply);
	cr_expect(reply.exception);
	cr_expect_eq(capos_CapException_get_type(capos_CapException_read_root(&m)),
	             capos_CapException_Type_invalidArgument);
}

static rpctest_Shelf_Client shelf_client(void)
{
	rpctest_Shelf_Client c;
	struct capos_cap cap = {SHELF_CAP, rpctest_Shelf_ID, false, true};
	cr_assert_eq(rpctest_Shelf_Client_bind(&c, &ring, cap), 0);
	return c;
}

Test(rpc, inherited_methods_through_the_derived_client_and_dispatch)
{
	rpctest_Shelf_Client shelf = shelf_client();
	rpctest_Store_put_Reply put_r;
	cr_assert_eq(rpctest_Shelf_put(&shelf, "kk", NULL, 0, rpctest_Kind_fancy, 3, true, &put_r,
	                               NULL),
	             0);
	cr_expect_eq(put_r.count, 1);
	cr_expect_eq(put_r.kind, rpctest_Kind_fancy);
	cr_expect_str_eq(st.last_key, "kk");
	rpctest_Pinger_ping_Reply ping_r;
	cr_assert_eq(rpctest_Shelf_ping(&shelf, 41, &ping_r, NULL), 0);
	cr_expect_eq(ping_r.n, 42);
	rpctest_Shelf_count_Reply count_r;
	cr_assert_eq(rpctest_Shelf_count(&shelf, &count_r, NULL), 0);
	cr_expect_eq(count_r.n, 1, "count (Shelf @0) is not put (Store @0)");
	/* An inherited method without a handler, and one the interface does
	 * not have at all. */
	struct capos_call_error err;
	cr_expect_eq(rpctest_Shelf_nothing(&shelf, NULL, &err), CAPOS_ERR_APPLICATION_EXCEPTION);
	cr_expect_eq(err.exception_type, capos_CapException_Type_unimplemented);
	cr_expect_eq(CAPOS_RPC_WIRE(1, rpctest_Store_put_METHOD), 1024);
	cr_expect_eq(CAPOS_RPC_WIRE(2, rpctest_Pinger_ping_METHOD), 2048);
}

Test(rpc, the_base_interface_ordinal_is_not_the_derived_one)
{
	/* Store.put's plain ordinal (0) on a Shelf is Shelf.count. */
	rpctest_Store_Client as_store = store;
	as_store.c.cap.cap_id = SHELF_CAP;
	rpctest_Store_put_Reply r;
	cr_assert_eq(rpctest_Store_put(&as_store, "x", NULL, 0, rpctest_Kind_plain, 0, false, &r,
	                               NULL),
	             0);
	cr_expect_eq(st.puts, 0, "Shelf.count answered, put never ran");
}

Test(rpc, results_of_several_kib_through_the_callers_buffer)
{
	static uint64_t buf[CAPOS_SERVER_REPLY_BYTES / 8];
	rpctest_Shelf_Client shelf = shelf_client();
	rpctest_Shelf_big_Reply r;
	struct capos_call_error err;
	cr_expect_eq(rpctest_Shelf_big(&shelf, 6000, &r, &err), CAPOS_ERR_RESULT_TOO_SMALL,
	             "1 KiB by default: the transport says so");
	cr_expect_eq(err.kind, CAPOS_ERROR_TRANSPORT);
	shelf.c.result_buf = buf;
	shelf.c.result_cap = sizeof buf;
	cr_assert_eq(rpctest_Shelf_big(&shelf, 6000, &r, &err), 0);
	cr_assert_eq(r.data.len, 6000);
	for (uint32_t i = 0; i < r.data.len; i++)
		cr_assert_eq(r.data.ptr[i], (uint8_t)(i * 7));
}

Test(rpc, start_and_finish_collect_completions_later)
{
	rpctest_Shelf_Client shelf = shelf_client();
	static struct capos_rpc_pending p[3];
	memset(p, 0, sizeof p);
	cr_assert_eq(rpctest_Shelf_ping_start(&shelf, 1, &p[0], NULL), 0);
	cr_assert_eq(rpctest_Shelf_ping_start(&shelf, 2, &p[1], NULL), 0);
	cr_assert_eq(rpctest_Shelf_put_start(&shelf, "async", NULL, 0, rpctest_Kind_plain, 0, false,
	                                     &p[2], NULL),
	             0);
	cr_expect_eq(rpctest_Shelf_ping_start(&shelf, 3, &p[0], NULL), CAPOS_ERR_INVALID_ARGUMENT,
	             "a pending call in flight is not reused");
	cr_expect_eq(calls, 0, "nothing entered the kernel yet");
	struct capos_cqe cqe;
	cr_expect(!capos_rpc_poll(&p[0], &cqe));
	cr_assert_geq(capos_ring_enter(&ring, 0, 0), 3);
	cr_assert_geq(capos_ring_reap(&ring), 0);
	/* Collected in another order than submitted. */
	rpctest_Store_put_Reply put_r;
	cr_assert(capos_rpc_poll(&p[2], &cqe));
	cr_assert_eq(rpctest_Shelf_put_finish(&p[2], &cqe, &put_r, NULL), 0);
	cr_expect_eq(put_r.count, 1);
	for (uint32_t i = 0; i < 2; i++) {
		rpctest_Pinger_ping_Reply r;
		cr_assert(capos_rpc_poll(&p[i], &cqe));
		cr_assert_eq(rpctest_Shelf_ping_finish(&p[i], &cqe, &r, NULL), 0);
		cr_expect_eq(r.n, i + 2);
		cr_expect(!p[i].busy);
	}
}

Test(rpc, start_passes_caps_after_the_params)
{
	rpctest_Store_lend_Reply r;
	static struct capos_rpc_pending p;
	memset(&p, 0, sizeof p);
	struct capos_cap peer = {STORE_CAP, rpctest_Store_ID, false, true};
	st.keep_lent = true;
	cr_assert_eq(rpctest_Store_lend_start(&store, &peer, "async", &p, NULL), 0);
	cr_assert_geq(capos_ring_enter(&ring, 0, 0), 1);
	cr_assert_geq(capos_ring_reap(&ring), 0);
	struct capos_cqe cqe;
	cr_assert(capos_rpc_poll(&p, &cqe));
	cr_assert_eq(rpctest_Store_lend_finish(&p, &cqe, &r, NULL), 0);
	cr_expect(st.lent.valid);
	cr_expect(r.back.valid);
	cr_expect_str_eq(r.note.str, "async");
}
