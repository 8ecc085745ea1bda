/*
 * Echo (schema/capos.capnp) message helpers shared by the IPC demos: every
 * demo method takes and returns one Text, encoded as Echo.echo params /
 * results.
 */
#ifndef CAPOS_DEMO_ECHO_PROTO_H
#define CAPOS_DEMO_ECHO_PROTO_H

#include <capos/endpoint.h>
#include <capos/rt.h>
#include <capos/server.h>
#include "capnp/capnp.h"
#include "capos.capnp.h"

/* Encodes Echo.echo params {text}; returns the message length or 0. */
static inline uint32_t echo_encode_params(void *buf, uint32_t cap, const char *text, size_t len)
{
	struct capnp_builder b;
	size_t n = 0;
	capnp_builder_init(&b, buf, cap);
	capos_Echo_echo_Params_set_text(capos_Echo_echo_Params_init_root(&b), text, len);
	return capnp_builder_finish(&b, &n) == CAPNP_OK ? (uint32_t)n : 0;
}

static inline uint32_t echo_encode_results(void *buf, uint32_t cap, const char *text, size_t len)
{
	struct capnp_builder b;
	size_t n = 0;
	capnp_builder_init(&b, buf, cap);
	capos_Echo_echo_Results_set_text(capos_Echo_echo_Results_init_root(&b), text, len);
	return capnp_builder_finish(&b, &n) == CAPNP_OK ? (uint32_t)n : 0;
}

/* Decodes a {text} struct (params or results: same layout).  0 or -1. */
static inline int echo_decode_text(const void *buf, uint32_t len, struct capnp_text *out)
{
	struct capnp_reader m;
	if (capnp_reader_init(&m, buf, len) != CAPNP_OK)
		return -1;
	capnp_reader_guard(&m, len);
	*out = capos_Echo_echo_Params_get_text(capos_Echo_echo_Params_read_root(&m));
	return capnp_reader_error(&m) == CAPNP_OK ? 0 : -1;
}

/* Client: Echo.echo(text) on an endpoint, with optional transfers. */
static inline int echo_call(const struct capos_cap *ep, uint16_t method, const char *text,
                            const struct capos_xfer_desc *xfer, uint32_t nxfer, char *out,
                            size_t out_cap, struct capos_reply *reply,
                            struct capos_call_error *err)
{
	static uint64_t params[64], result[64];
	uint32_t n = echo_encode_params(params, sizeof(params), text, strlen(text));
	struct capos_endpoint_call c = {
		.method_id = method,
		.params = params,
		.params_len = n,
		.xfer = xfer,
		.xfer_count = nxfer,
		.result = result,
		.result_cap = sizeof(result),
	};
	struct capos_reply scratch;
	if (reply == NULL)
		reply = &scratch;
	int e = capos_endpoint_call(ep, &c, reply, err);
	if (e != 0)
		return e;
	struct capnp_text t;
	if (echo_decode_text(result, reply->result_len, &t) != 0)
		return CAPOS_ERR_BAD_MESSAGE;
	size_t k = t.len < out_cap - 1 ? t.len : out_cap - 1;
	memcpy(out, t.str, k);
	out[k] = 0;
	return 0;
}

/* Server, by hand: one RECV on ep into buf, waited for.  The CQE says what
 * came: a call (result > 0, call_id) or an error (CAPOS_ERR_DISCONNECTED
 * once no client is left). */
static inline struct capos_cqe echo_recv(const struct capos_cap *ep, void *buf, uint32_t len)
{
	struct capos_sqe sqe = {
		.opcode = CAPOS_OP_RECV,
		.cap_id = ep->cap_id,
		.result_addr = (uint64_t)(uintptr_t)buf,
		.result_len = len,
	};
	struct capos_cqe cqe = {0};
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	return cqe;
}

#endif
