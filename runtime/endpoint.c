/*
 * Endpoint client (capos/endpoint.h).
 */
#include <capos/endpoint.h>
#include <capos/heap.h>
#include <capos/string.h>
#if defined(CAPOS_HOST)
#include <stdlib.h>
#endif
#include "capnp/capnp.h"
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

int capos_endpoint_mint_in(struct capos_ring *r, uint32_t owner_cap, uint64_t badge,
                           uint64_t interface_id, bool notify, struct capos_cap *facet,
                           struct capos_call_error *err)
{
	memset(facet, 0, sizeof(*facet));
	/* The result: a one-pointer message and one record, or a CapException. */
	uint64_t params[8], result[40];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof(params));
	capos_Endpoint_mintClient_Params_builder in = capos_Endpoint_mintClient_Params_init_root(&b);
	capos_Endpoint_mintClient_Params_set_badge(in, badge);
	capos_Endpoint_mintClient_Params_set_interfaceId(in, interface_id);
	capos_Endpoint_mintClient_Params_set_notifyOnRelease(in, notify);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_NO_RESOURCES);
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_CALL;
	sqe.flags = CAPOS_SQE_KERNEL; /* the kernel's Endpoint, not the server */
	sqe.cap_id = owner_cap;
	sqe.method_id = capos_Endpoint_mintClient_METHOD;
	sqe.addr = (uint64_t)(uintptr_t)params;
	sqe.len = (uint32_t)len;
	sqe.result_addr = (uint64_t)(uintptr_t)result;
	sqe.result_len = sizeof(result);
	struct capos_cqe cqe;
	int e = capos_ring_submit_wait(r, &sqe, &cqe);
	if (e < 0)
		return capos_error_local(err, e);
	struct capos_reply reply;
	e = capos_call_classify(&cqe, result, sizeof(result), &reply, err);
	if (e < 0)
		return e;
	if (reply.cap_count != 1)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	/* Owned from here; the interface is what was asked for. */
	*facet = (struct capos_cap){.cap_id = reply.caps[0].cap_id,
	                            .interface_id = reply.caps[0].interface_id,
	                            .owned = true,
	                            .valid = true};
	return 0;
}

#if !defined(CAPOS_HOST)
int capos_endpoint_mint(const struct capos_cap *owner, uint64_t badge, uint64_t interface_id,
                        bool notify, struct capos_cap *facet, struct capos_call_error *err)
{
	if (owner == NULL || !owner->valid) {
		memset(facet, 0, sizeof(*facet));
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	}
	return capos_endpoint_mint_in(&capos_rt_ring, owner->cap_id, badge, interface_id, notify,
	                              facet, err);
}

int capos_endpoint_call(const struct capos_cap *ep, const struct capos_endpoint_call *c,
                        struct capos_reply *reply, struct capos_call_error *err)
{
	if (ep == NULL || !ep->valid)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	return capos_endpoint_call_in(&capos_rt_ring, ep->cap_id, c, reply, err);
}
#endif
