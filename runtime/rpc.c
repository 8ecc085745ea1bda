/*
 * Client side of generated interface stubs (capos/rpc.h): params arenas,
 * capabilities passed with a call, the CALL and the result caps.
 */
#include <capos/endpoint.h>
#include <capos/heap.h>
#include <capos/rpc.h>
#include <capos/string.h>
#if defined(CAPOS_HOST)
#include <stdlib.h> /* host tests: the C library's malloc */
/* Host tests: the process release queue that handle.c defines in userspace. */
struct capos_release_queue capos_rt_releases;
#else
#include <capos/rt.h>
#endif

int capos_client_bind(struct capos_client *c, struct capos_ring *r, struct capos_cap cap,
                      uint64_t iface)
{
	memset(c, 0, sizeof(*c));
	if (!cap.valid)
		return CAPOS_ERR_BAD_CAP;
	if (cap.interface_id != iface)
		return CAPOS_ERR_NOT_PERMITTED;
	c->ring = r;
	c->cap = cap;
	return 0;
}

#if !defined(CAPOS_HOST)
int capos_client_open(struct capos_client *c, const char *name, uint64_t iface)
{
	const struct capos_capset_entry *e;
	memset(c, 0, sizeof(*c));
	int err = capos_capset_lookup(&capos_rt.capset, name, iface, &e);
	if (err != 0)
		return err;
	return capos_client_bind(c, &capos_rt_ring, capos_cap_borrow(e), iface);
}
#endif

void capos_rpc_out_init(struct capos_rpc_out *o, size_t hint)
{
	o->heap = NULL;
	o->bytes = sizeof(o->stack);
	o->round = 0;
	o->xfer_count = 0;
	o->err = 0;
	/* framing and slack on top of what the stub expects */
	size_t want = hint + 64;
	if (hint > CAPOS_RPC_PARAMS_MAX)
		want = CAPOS_RPC_PARAMS_MAX;
	if (want > o->bytes) {
		o->heap = malloc(want);
		if (o->heap != NULL)
			o->bytes = want;
	}
}

static void out_free(struct capos_rpc_out *o)
{
	free(o->heap);
	o->heap = NULL;
}

bool capos_rpc_build(struct capos_rpc_out *o)
{
	if (o->round > 0) {
		if (o->err != 0 || capnp_builder_error(&o->b) != CAPNP_ERR_NO_SPACE ||
		    o->bytes >= CAPOS_RPC_PARAMS_MAX)
			return false; /* built, or failed for good */
		size_t bigger = o->bytes * 4 < CAPOS_RPC_PARAMS_MAX ? o->bytes * 4 : CAPOS_RPC_PARAMS_MAX;
		uint64_t *grown = malloc(bigger);
		if (grown == NULL) {
			o->err = CAPOS_ERR_NO_RESOURCES;
			return false;
		}
		out_free(o);
		o->heap = grown;
		o->bytes = bigger;
	}
	o->round++;
	o->xfer_count = 0;
	capnp_builder_init(&o->b, o->heap ? o->heap : o->stack, o->bytes);
	return true;
}

uint32_t capos_rpc_pass_cap(struct capos_rpc_out *o, const struct capos_cap *cap, bool move)
{
	if (cap == NULL || !cap->valid)
		return CAPNP_NO_CAP;
	if (o->xfer_count >= CAPOS_XFER_MAX) {
		o->err = CAPOS_ERR_BAD_TRANSFER;
		return CAPNP_NO_CAP;
	}
	o->xfer[o->xfer_count] = (struct capos_xfer_desc){
		cap->cap_id, move ? CAPOS_XFER_MOVE : CAPOS_XFER_COPY, 0};
	return o->xfer_count++;
}

int capos_rpc_send(const struct capos_client *c, uint16_t method, struct capos_rpc_out *o,
                   struct capos_rpc_result *res, struct capos_call_error *err)
{
	res->ring = c ? c->ring : NULL;
	res->taken = 0;
	/* The client's own result buffer, if it set one, else the reply's. */
	void *rbuf = c != NULL && c->result_buf != NULL ? c->result_buf : res->buf;
	uint32_t rcap = c != NULL && c->result_buf != NULL ? c->result_cap : (uint32_t)sizeof(res->buf);
	memset(&res->reply, 0, sizeof(res->reply));
	size_t len = 0;
	int ret;
	if (c == NULL || c->ring == NULL || !c->cap.valid)
		ret = capos_error_local(err, CAPOS_ERR_BAD_CAP);
	else if (o->err != 0)
		ret = capos_error_local(err, o->err);
	else if (capnp_builder_finish(&o->b, &len) != CAPNP_OK)
		ret = capos_error_local(err, capnp_builder_error(&o->b) == CAPNP_ERR_NO_SPACE
		                                     ? CAPOS_ERR_INVALID_ARGUMENT /* too big to send */
		                                     : CAPOS_ERR_BAD_MESSAGE);
	else {
		struct capos_endpoint_call call = {
			.method_id = method,
			.params = o->b.arena,
			.params_len = (uint32_t)len,
			.xfer = o->xfer,
			.xfer_count = o->xfer_count,
			.result = rbuf,
			.result_cap = rcap,
		};
		ret = capos_endpoint_call_in(c->ring, c->cap.cap_id, &call, &res->reply, err);
	}
	out_free(o);
	if (ret != 0)
		return ret;
	if (capnp_reader_init(&res->msg, rbuf, res->reply.result_len) != CAPNP_OK) {
		capos_rpc_release_rest(res);
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	}
	capnp_reader_guard(&res->msg, res->reply.result_len);
	capnp_reader_set_cap_count(&res->msg, res->reply.cap_count);
	return 0;
}

int capos_rpc_take_cap(struct capos_rpc_result *res, uint32_t index, uint64_t iface,
                       struct capos_cap *out)
{
	memset(out, 0, sizeof(*out));
	if (index >= res->reply.cap_count || index >= 32 || (res->taken & (1u << index)))
		return CAPOS_ERR_BAD_CAP;
	res->taken |= 1u << index;
	return capos_cap_adopt_in(&capos_rt_releases, res->ring, &res->reply.caps[index], iface, out);
}

void capos_rpc_drop_cap(struct capos_rpc_result *res, struct capos_cap *cap)
{
	if (cap->valid && cap->owned)
		(void)capos_release_queue_push(&capos_rt_releases, res->ring, cap->cap_id);
	cap->valid = false;
	cap->owned = false;
}

void capos_rpc_release_rest(struct capos_rpc_result *res)
{
	for (uint32_t i = 0; i < res->reply.cap_count && i < 32; i++) {
		if (res->taken & (1u << i))
			continue;
		res->taken |= 1u << i;
		(void)capos_release_queue_push(&capos_rt_releases, res->ring, res->reply.caps[i].cap_id);
	}
}
