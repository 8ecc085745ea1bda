/*
 * Server side of generated interface stubs (capos/rpc.h): one call through
 * a generated dispatcher, and the server loop that runs it.
 */
#include <capos/rpc.h>
#include <capos/fmt.h>
#include <capos/string.h>
#if !defined(CAPOS_HOST)
#include <capos/endpoint.h>
#include <capos/rt.h>
#endif
#include "capos.capnp.h"

int capos_rpc_raise(struct capos_rpc_ctx *rc, int type, const char *message)
{
	return capos_server_exception(rc->reply, type, message);
}

int capos_rpc_unimplemented(struct capos_rpc_ctx *rc)
{
	char text[96];
	capos_snprintf(text, sizeof text, "%s: no method %u", rc->interface_name,
	               (unsigned)rc->call->method_id);
	return capos_rpc_raise(rc, capos_CapException_Type_unimplemented, text);
}

int capos_rpc_take_param_cap(struct capos_rpc_ctx *rc, uint32_t index, uint64_t iface,
                             struct capos_cap *out)
{
	memset(out, 0, sizeof(*out));
	if (index >= rc->call->cap_count || (rc->taken & (1u << index)))
		return CAPOS_ERR_BAD_CAP;
	const struct capos_cap_record *rec = &rc->call->caps[index];
	if (rec->interface_id != iface)
		return CAPOS_ERR_NOT_PERMITTED; /* released with the untaken ones */
	rc->taken |= 1u << index;
	*out = (struct capos_cap){rec->cap_id, rec->interface_id, true, true};
	return 0;
}

uint32_t capos_rpc_return_cap(struct capos_rpc_ctx *rc, uint32_t cap_id, bool move)
{
	struct capos_server_reply *r = rc->reply;
	if (r->xfer_count >= CAPOS_XFER_MAX)
		return CAPNP_NO_CAP;
	r->xfer[r->xfer_count] = (struct capos_xfer_desc){
		cap_id, move ? CAPOS_XFER_MOVE : CAPOS_XFER_COPY, 0};
	return r->xfer_count++;
}

int capos_rpc_handle(capos_dispatch_fn d, const void *server, void *self, const char *iface_name,
                     struct capos_ring *ring, const struct capos_server_call *call,
                     struct capos_server_reply *reply)
{
	struct capos_rpc_ctx rc = {
		.call = call,
		.reply = reply,
		.ring = ring,
		.interface_name = iface_name,
	};
	int verdict = CAPOS_SERVER_REPLY;
	if (capnp_reader_init(&rc.in, call->params, call->params_len) != CAPNP_OK) {
		capos_rpc_raise(&rc, capos_CapException_Type_invalidArgument, "params are not a message");
	} else {
		capnp_reader_guard(&rc.in, call->params_len);
		capnp_reader_set_cap_count(&rc.in, call->cap_count);
		capnp_builder_init(&rc.out, reply->buf, reply->cap);
		verdict = d(server, self, &rc);
		size_t len = 0;
		if (reply->exception)
			; /* raised: the exception is the reply */
		else if (capnp_reader_error(&rc.in) != CAPNP_OK)
			capos_rpc_raise(&rc, capos_CapException_Type_invalidArgument, "malformed params");
		else if (capnp_builder_finish(&rc.out, &len) != CAPNP_OK)
			capos_rpc_raise(&rc, capos_CapException_Type_failed, "results too large");
		else
			reply->len = (uint32_t)len;
	}
	/* Capabilities the handler did not take are not kept. */
	for (uint32_t i = 0; i < call->cap_count; i++)
		if (!(rc.taken & (1u << i)))
			(void)capos_release_queue_push(&capos_rt_releases, ring, call->caps[i].cap_id);
	return verdict == CAPOS_SERVER_STOP ? CAPOS_SERVER_STOP : CAPOS_SERVER_REPLY;
}

/* capos_server_run's handler context: the dispatcher and its server. */
struct serve_args {
	capos_dispatch_fn d;
	const void *server;
	void *self;
	const char *iface_name;
	struct capos_ring *ring;
};

static int serve_one(void *ctx, const struct capos_server_call *call,
                     struct capos_server_reply *reply)
{
	const struct serve_args *a = ctx;
	return capos_rpc_handle(a->d, a->server, a->self, a->iface_name, a->ring, call, reply);
}

int capos_serve_in(struct capos_ring *r, uint32_t endpoint_cap, capos_dispatch_fn d,
                   const void *server, void *self, const char *iface_name,
                   struct capos_server_stats *stats)
{
	struct serve_args a = {d, server, self, iface_name, r};
	return capos_server_run(r, endpoint_cap, serve_one, &a, stats);
}

#if !defined(CAPOS_HOST)
int capos_serve(const struct capos_cap *endpoint, capos_dispatch_fn d, const void *server,
                void *self, const char *iface_name)
{
	if (endpoint == NULL || !endpoint->valid)
		return CAPOS_ERR_BAD_CAP;
	return capos_serve_in(&capos_rt_ring, endpoint->cap_id, d, server, self, iface_name, NULL);
}

int capos_serve_named(const char *endpoint_name, capos_dispatch_fn d, const void *server,
                      void *self, const char *iface_name)
{
	struct capos_cap ep;
	int err = capos_endpoint_open(&capos_rt.capset, endpoint_name, &ep);
	if (err != 0) {
		capos_printf("serve: no endpoint '%s' in the CapSet to serve %s on: %s\n", endpoint_name,
		             iface_name, capos_strerror(err));
		return err;
	}
	return capos_serve(&ep, d, server, self, iface_name);
}
#endif
