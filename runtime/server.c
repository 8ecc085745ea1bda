/*
 * Server loop helper (capos/server.h).
 */
#include <capos/server.h>
#include <capos/string.h>
#include "cap_exception.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"

int capos_server_parse(const void *buf, uint32_t n, struct capos_server_call *call)
{
	/* Every field is set below; a refused message leaves *call zeroed. */
	const struct capos_endpoint_message *m = buf;
	if (n < sizeof(*m)) {
		*call = (struct capos_server_call){0};
		return CAPOS_ERR_BAD_MESSAGE;
	}
	uint64_t caps_at = sizeof(*m) + capos_align8(m->params_len);
	uint64_t end = caps_at + (uint64_t)m->cap_count * sizeof(struct capos_cap_record);
	if ((uint64_t)sizeof(*m) + m->params_len > n || (m->cap_count != 0 && end > n) ||
	    m->cap_count > CAPOS_XFER_MAX) {
		*call = (struct capos_server_call){0};
		return CAPOS_ERR_BAD_MESSAGE;
	}
	call->call_id = m->call_id;
	call->method_id = m->method_id;
	call->flags = m->flags;
	call->badge = m->badge;
	call->params = (const uint8_t *)buf + sizeof(*m);
	call->params_len = m->params_len;
	call->cap_count = m->cap_count;
	call->caps = m->cap_count ? (const void *)((const uint8_t *)buf + caps_at) : NULL;
	return 0;
}

int capos_server_exception(struct capos_server_reply *reply, int type, const char *message)
{
	reply->len = cap_exception_build(reply->buf, reply->cap, (unsigned)type, message);
	reply->exception = true;
	reply->xfer_count = 0;
	return CAPOS_SERVER_REPLY;
}

static uint64_t recv_buf[CAPOS_SERVER_RECV_BYTES / 8];
/* Reply message, then (aligned) the transfer descriptors. */
static uint64_t reply_buf[(CAPOS_SERVER_REPLY_BYTES + 8 +
                           CAPOS_XFER_MAX * sizeof(struct capos_xfer_desc)) /
                          8];

static int submit_recv(struct capos_ring *r, uint32_t ep, uint64_t user_data)
{
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_RECV;
	sqe.cap_id = ep;
	sqe.user_data = user_data;
	sqe.result_addr = (uint64_t)(uintptr_t)recv_buf;
	sqe.result_len = sizeof(recv_buf);
	return capos_ring_submit(r, &sqe);
}

static int submit_return(struct capos_ring *r, uint32_t ep, uint32_t call_id,
                         const struct capos_server_reply *reply, uint64_t user_data)
{
	uint8_t *buf = (uint8_t *)reply_buf;
	uint64_t at = capos_align8(reply->len);
	if (reply->xfer_count) {
		memset(buf + reply->len, 0, at - reply->len);
		memcpy(buf + at, reply->xfer, reply->xfer_count * sizeof(struct capos_xfer_desc));
	}
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_RETURN;
	sqe.flags = reply->exception ? CAPOS_SQE_EXCEPTION : 0;
	sqe.xfer_cap_count = (uint8_t)reply->xfer_count;
	sqe.cap_id = ep;
	sqe.call_id = call_id;
	sqe.user_data = user_data;
	sqe.addr = (uint64_t)(uintptr_t)buf;
	sqe.len = reply->len;
	return capos_ring_submit(r, &sqe);
}

/* Collects a RETURN's completion if it is there (counting a refusal). */
static bool take_return(struct capos_ring *r, uint64_t ud, struct capos_server_stats *stats)
{
	struct capos_cqe rc;
	if (!capos_ring_take(r, ud, &rc))
		return false;
	if (rc.result < 0)
		stats->return_errors++;
	return true;
}

int capos_server_run(struct capos_ring *r, uint32_t ep, capos_server_handler handler, void *ctx,
                     struct capos_server_stats *stats)
{
	return capos_server_run_releases(r, ep, handler, NULL, ctx, stats);
}

int capos_server_run_releases(struct capos_ring *r, uint32_t ep, capos_server_handler handler,
                              capos_server_release_handler on_release, void *ctx,
                              struct capos_server_stats *stats)
{
	struct capos_server_stats scratch;
	if (stats == NULL)
		stats = &scratch;
	memset(stats, 0, sizeof(*stats));
	uint64_t recv_ud = capos_ring_next_user_data(r);
	uint64_t ret_ud = 0; /* a RETURN whose CQE is still to be collected */
	int err = submit_recv(r, ep, recv_ud);
	if (err < 0)
		return err;
	for (;;) {
		struct capos_cqe cqe;
		/* The last RETURN's completion first: the cap_enter that queued
		 * it with this RECV posted it before the RECV's, so both are
		 * then taken from the head of the CQ, without the stash. */
		if (ret_ud && take_return(r, ret_ud, stats))
			ret_ud = 0;
		err = capos_ring_wait(r, recv_ud, CAPOS_WAIT_FOREVER, &cqe);
		if (err < 0)
			return err;
		if (ret_ud) {
			take_return(r, ret_ud, stats);
			ret_ud = 0;
		}
		if (cqe.result == CAPOS_ERR_DISCONNECTED)
			return 0; /* no client can call any more */
		if (cqe.result < 0)
			return cqe.result;
		struct capos_server_call call;
		if (capos_server_parse(recv_buf, (uint32_t)cqe.result, &call) != 0)
			return CAPOS_ERR_BAD_MESSAGE; /* the kernel broke the contract */
		if (call.flags & CAPOS_MSG_F_RELEASED) {
			/* Not a call: nothing to RETURN. */
			stats->releases++;
			if (on_release && on_release(ctx, call.badge) == CAPOS_SERVER_STOP)
				return 0;
			recv_ud = capos_ring_next_user_data(r);
			err = submit_recv(r, ep, recv_ud);
			if (err < 0)
				return err;
			continue;
		}
		stats->calls++;
		stats->caps_received += call.cap_count;

		struct capos_server_reply reply; /* xfer[] is read only up to xfer_count */
		reply.len = 0;
		reply.exception = false;
		reply.xfer_count = 0;
		reply.buf = reply_buf;
		reply.cap = CAPOS_SERVER_REPLY_BYTES;
		int verdict = handler(ctx, &call, &reply);
		if (reply.len > reply.cap || reply.xfer_count > CAPOS_XFER_MAX)
			capos_server_exception(&reply, capos_CapException_Type_failed,
			                       "server: reply too large");
		if (reply.exception)
			stats->exceptions++;

		if (reply.xfer_count) {
			/* Wait for this RETURN: a refused transfer must turn into an
			 * exception, or the caller would wait forever. */
			uint64_t ud = capos_ring_next_user_data(r);
			err = submit_return(r, ep, call.call_id, &reply, ud);
			if (err < 0)
				return err;
			struct capos_cqe rc;
			err = capos_ring_wait(r, ud, CAPOS_WAIT_FOREVER, &rc);
			if (err < 0)
				return err;
			if (rc.result == CAPOS_ERR_RESULT_TOO_SMALL || rc.result == CAPOS_ERR_BAD_BUFFER) {
				/* The caller's buffer could not take it: the kernel
				 * told the caller, the call is over. */
				stats->return_errors++;
			} else if (rc.result < 0) {
				stats->return_errors++;
				stats->xfer_fallbacks++;
				capos_server_exception(&reply, capos_CapException_Type_failed,
				                       "server: result capabilities could not be delivered");
				stats->exceptions++;
				ret_ud = capos_ring_next_user_data(r);
				err = submit_return(r, ep, call.call_id, &reply, ret_ud);
				if (err < 0)
					return err;
			}
		} else {
			ret_ud = capos_ring_next_user_data(r);
			err = submit_return(r, ep, call.call_id, &reply, ret_ud);
			if (err < 0)
				return err;
		}
		if (verdict == CAPOS_SERVER_STOP) {
			if (ret_ud) {
				struct capos_cqe rc;
				err = capos_ring_wait(r, ret_ud, CAPOS_WAIT_FOREVER, &rc);
				if (err == 0 && rc.result < 0)
					stats->return_errors++;
			}
			return 0; /* no RECV is outstanding: it was answered */
		}
		/* RETURN and the next RECV go to the kernel in one cap_enter,
		 * which sleeps until both have completed (the RETURN at once):
		 * waiting for one would wake straight away for the RETURN. */
		recv_ud = capos_ring_next_user_data(r);
		err = submit_recv(r, ep, recv_ud);
		if (err < 0)
			return err;
		if (ret_ud) {
			int64_t n = capos_ring_enter(r, 2, CAPOS_WAIT_FOREVER);
			if (n < 0)
				return (int)n;
		}
	}
}
