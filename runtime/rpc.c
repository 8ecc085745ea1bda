/*
 * Client side of generated interface stubs (capos/rpc.h): params arenas,
 * capabilities passed with a call, the CALL and the result caps.
 */
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
	o->fixed = NULL;
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

/* The params arena for a call on c: the client's own buffer when it set
 * one (never grown), else the stack one or the heap. */
static void out_init_for(struct capos_rpc_out *o, const struct capos_client *c, size_t hint)
{
	if (c != NULL && c->params_buf != NULL && c->params_cap >= 16) {
		capos_rpc_out_init(o, 0);
		o->fixed = c->params_buf;
		o->bytes = c->params_cap;
		return;
	}
	capos_rpc_out_init(o, hint);
}

static void out_free(struct capos_rpc_out *o)
{
	if (o->heap == NULL)
		return; /* the common case: no call into the heap */
	free(o->heap);
	o->heap = NULL;
}

static uint64_t *out_arena(struct capos_rpc_out *o)
{
	return o->fixed ? o->fixed : o->heap ? o->heap
	                                     : o->stack;
}

bool capos_rpc_build(struct capos_rpc_out *o)
{
	if (o->round > 0) {
		if (o->err != 0 || capnp_builder_error(&o->b) != CAPNP_ERR_NO_SPACE ||
		    o->bytes >= CAPOS_RPC_PARAMS_MAX || o->fixed != NULL)
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
	capnp_builder_init(&o->b, out_arena(o), o->bytes);
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

/* Finishes o's params: 0 and the framed length, or the local error. */
static int out_finish(struct capos_rpc_out *o, size_t *len, struct capos_call_error *err)
{
	if (o->err != 0)
		return capos_error_local(err, o->err);
	if (capnp_builder_finish(&o->b, len) != CAPNP_OK)
		return capos_error_local(err, capnp_builder_error(&o->b) == CAPNP_ERR_NO_SPACE
		                                      ? CAPOS_ERR_INVALID_ARGUMENT /* too big to send */
		                                      : CAPOS_ERR_BAD_MESSAGE);
	return 0;
}

/* Opens the result message of a successful call in rbuf. */
static int result_open(struct capos_rpc_result *res, const void *rbuf,
                       struct capos_call_error *err)
{
	if (capnp_reader_init(&res->msg, rbuf, res->reply.result_len) != CAPNP_OK) {
		capos_rpc_release_rest(res);
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	}
	capnp_reader_guard(&res->msg, res->reply.result_len);
	capnp_reader_set_cap_count(&res->msg, res->reply.cap_count);
	return 0;
}

/* Where c's calls put their results: its own buffer, or res's. */
static void *result_buf(const struct capos_client *c, struct capos_rpc_result *res, uint32_t *cap)
{
	if (c->result_buf != NULL) {
		*cap = c->result_cap;
		return c->result_buf;
	}
	*cap = (uint32_t)sizeof(res->buf);
	return res->buf;
}

static bool client_ok(const struct capos_client *c)
{
	return c != NULL && c->ring != NULL && c->cap.valid;
}

/* The SQE of a CALL of `method` on c with o's finished params (len
 * bytes, the descriptors after them) and its results to rbuf/rcap. */
static void call_sqe(struct capos_sqe *sqe, const struct capos_client *c, uint16_t method,
                     const struct capos_rpc_out *o, const void *msg, size_t len, void *rbuf,
                     uint32_t rcap)
{
	*sqe = (struct capos_sqe){
		.opcode = CAPOS_OP_CALL,
		.xfer_cap_count = (uint8_t)o->xfer_count,
		.cap_id = c->cap.cap_id,
		.addr = (uint64_t)(uintptr_t)msg,
		.result_addr = (uint64_t)(uintptr_t)rbuf,
		.len = (uint32_t)len,
		.result_len = rcap,
		.method_id = method,
	};
}

/* Puts o's descriptors after its len bytes of params, as the ABI wants
 * them (moving the message to a bigger heap arena if they do not fit
 * behind it); *msg is where the message is then.  0 or
 * CAPOS_ERR_NO_RESOURCES. */
static int out_place_xfer(struct capos_rpc_out *o, size_t len, void **msg)
{
	*msg = o->b.arena;
	if (o->xfer_count == 0)
		return 0;
	size_t at = capos_align8(len);
	size_t need = at + o->xfer_count * sizeof(struct capos_xfer_desc);
	if (need > o->bytes) {
		uint64_t *grown = malloc(need);
		if (grown == NULL)
			return CAPOS_ERR_NO_RESOURCES;
		memcpy(grown, o->b.arena, len);
		out_free(o);
		o->heap = grown;
		o->fixed = NULL;
		o->bytes = need;
		*msg = grown;
	}
	uint8_t *arena = *msg;
	memset(arena + len, 0, at - len);
	memcpy(arena + at, o->xfer, o->xfer_count * sizeof(struct capos_xfer_desc));
	return 0;
}

int capos_rpc_send(const struct capos_client *c, uint16_t method, struct capos_rpc_out *o,
                   struct capos_rpc_result *res, struct capos_call_error *err)
{
	res->ring = c ? c->ring : NULL;
	res->taken = 0;
	res->reply.result_len = 0;
	res->reply.cap_count = 0;
	size_t len = 0;
	int ret;
	uint32_t rcap = 0;
	void *rbuf = NULL, *msg = NULL;
	if (!client_ok(c))
		ret = capos_error_local(err, CAPOS_ERR_BAD_CAP);
	else if ((ret = out_finish(o, &len, err)) == 0 &&
	         (ret = out_place_xfer(o, len, &msg)) != 0)
		ret = capos_error_local(err, ret);
	else if (ret == 0) {
		rbuf = result_buf(c, res, &rcap);
		struct capos_sqe sqe;
		struct capos_cqe cqe;
		call_sqe(&sqe, c, method, o, msg, len, rbuf, rcap);
		ret = capos_ring_submit_wait(c->ring, &sqe, &cqe);
		if (ret < 0)
			ret = capos_error_local(err, ret);
		else
			ret = capos_call_classify(&cqe, rbuf, rcap, &res->reply, err);
	}
	out_free(o);
	if (ret != 0)
		return ret;
	return result_open(res, rbuf, err);
}

/* Builds the params of m with fill(args) into o: once in the arena o
 * starts with, again in bigger ones only when that ran out of room. */
static void out_build(struct capos_rpc_out *o, const struct capos_rpc_method *m,
                      capos_rpc_fill_fn fill, const void *args)
{
	while (capos_rpc_build(o)) {
		struct capnp_struct_builder p = capnp_builder_root(&o->b, m->data_words, m->ptr_count);
		int e = fill != NULL ? fill(p, o, args) : 0;
		if (e != 0)
			o->err = e;
		if (o->err == 0 && capnp_builder_error(&o->b) == CAPNP_OK)
			break; /* built: no second look */
	}
}

int capos_rpc_call(const struct capos_client *c, const struct capos_rpc_method *m, size_t hint,
                   capos_rpc_fill_fn fill, const void *args, struct capos_rpc_result *res,
                   struct capos_call_error *err)
{
	struct capos_rpc_out o;
	out_init_for(&o, c, hint);
	out_build(&o, m, fill, args);
	int e = capos_rpc_send(c, m->wire, &o, res, err);
	if (e == 0)
		res->root = capnp_reader_root(&res->msg);
	return e;
}

int capos_rpc_check(struct capos_rpc_result *res, bool release, struct capos_call_error *err)
{
	if (release)
		capos_rpc_release_rest(res);
	if (capnp_reader_error(&res->msg) == CAPNP_OK)
		return 0;
	capos_rpc_release_rest(res);
	return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
}

int capos_rpc_start(const struct capos_client *c, const struct capos_rpc_method *m, size_t hint,
                    capos_rpc_fill_fn fill, const void *args, struct capos_rpc_pending *p,
                    struct capos_call_error *err)
{
	if (p->busy)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT); /* still in flight */
	if (!client_ok(c))
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	struct capos_rpc_out *o = &p->out;
	out_init_for(o, c, hint);
	out_build(o, m, fill, args);
	size_t len = 0;
	void *msg = NULL;
	int e = out_finish(o, &len, err);
	if (e == 0 && (e = out_place_xfer(o, len, &msg)) != 0)
		capos_error_local(err, e);
	p->ring = c->ring;
	p->result = c->result_buf != NULL ? c->result_buf : p->buf;
	p->result_cap = c->result_buf != NULL ? c->result_cap : (uint32_t)sizeof(p->buf);
	struct capos_sqe sqe;
	if (e == 0) {
		call_sqe(&sqe, c, m->wire, o, msg, len, p->result, p->result_cap);
		sqe.user_data = p->user_data = capos_ring_next_user_data(c->ring);
		if ((e = capos_ring_submit(c->ring, &sqe)) < 0)
			capos_error_local(err, e);
	}
	if (e != 0) {
		out_free(o);
		return e;
	}
	p->busy = true;
	return 0;
}

bool capos_rpc_poll(struct capos_rpc_pending *p, struct capos_cqe *cqe)
{
	return p->busy && capos_ring_take(p->ring, p->user_data, cqe);
}

int capos_rpc_complete(struct capos_rpc_pending *p, const struct capos_cqe *cqe,
                       struct capos_rpc_result *res, struct capos_call_error *err)
{
	p->busy = false;
	out_free(&p->out);
	res->ring = p->ring;
	res->taken = 0;
	int e = capos_call_classify(cqe, p->result, p->result_cap, &res->reply, err);
	if (e == 0)
		e = result_open(res, p->result, err);
	if (e == 0)
		res->root = capnp_reader_root(&res->msg);
	return e;
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
