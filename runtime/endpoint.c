/*
 * Endpoint client (capos/endpoint.h).
 */
#include <capos/endpoint.h>
#include <capos/heap.h>
#include <capos/string.h>
#if defined(CAPOS_HOST)
#include <stdlib.h>
#endif
#include "capos.capnp.h"

/* Params + descriptors up to this size are assembled on the stack. */
#define STACK_BYTES 1024u

int capos_endpoint_open_as(const struct capos_capset *cs, const char *name, uint64_t interface_id,
                           struct capos_cap *out)
{
	const struct capos_capset_entry *e;
	memset(out, 0, sizeof(*out));
	int err = capos_capset_lookup(cs, name, interface_id, &e);
	if (err == 0)
		*out = capos_cap_borrow(e);
	return err;
}

int capos_endpoint_open(const struct capos_capset *cs, const char *name, struct capos_cap *out)
{
	return capos_endpoint_open_as(cs, name, capos_Endpoint_ID, out);
}

int capos_endpoint_call_in(struct capos_ring *r, uint32_t cap_id,
                           const struct capos_endpoint_call *c, struct capos_reply *reply,
                           struct capos_call_error *err)
{
	if (c->xfer_count > CAPOS_XFER_MAX)
		return capos_error_local(err, CAPOS_ERR_BAD_TRANSFER);
	const void *params = c->params;
	uint64_t stack[STACK_BYTES / 8];
	void *heap = NULL;
	if (c->xfer_count > 0) {
		/* The ABI wants the descriptors at addr + align8(len). */
		uint64_t at = capos_align8(c->params_len);
		uint64_t total = at + c->xfer_count * sizeof(struct capos_xfer_desc);
		uint8_t *buf = (uint8_t *)stack;
		if (total > sizeof(stack)) {
			heap = malloc(total);
			if (heap == NULL)
				return capos_error_local(err, CAPOS_ERR_NO_RESOURCES);
			buf = heap;
		}
		memcpy(buf, c->params, c->params_len);
		memset(buf + c->params_len, 0, at - c->params_len);
		memcpy(buf + at, c->xfer, c->xfer_count * sizeof(struct capos_xfer_desc));
		params = buf;
	}
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_CALL;
	sqe.xfer_cap_count = (uint8_t)c->xfer_count;
	sqe.cap_id = cap_id;
	sqe.method_id = c->method_id;
	sqe.addr = (uint64_t)(uintptr_t)params;
	sqe.len = c->params_len;
	sqe.result_addr = (uint64_t)(uintptr_t)c->result;
	sqe.result_len = c->result_cap;
	sqe.timeout_ns = c->timeout_ns;
	struct capos_cqe cqe;
	int e = capos_ring_submit_wait(r, &sqe, &cqe);
	free(heap);
	if (e < 0)
		return capos_error_local(err, e);
	return capos_call_classify(&cqe, c->result, c->result_cap, reply, err);
}

#if !defined(CAPOS_HOST)
int capos_endpoint_call(const struct capos_cap *ep, const struct capos_endpoint_call *c,
                        struct capos_reply *reply, struct capos_call_error *err)
{
	if (ep == NULL || !ep->valid)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	return capos_endpoint_call_in(&capos_rt_ring, ep->cap_id, c, reply, err);
}
#endif
