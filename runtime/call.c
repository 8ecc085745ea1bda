/*
 * Generic CALL and the classification of its completion (capos/call.h).
 */
#include <capos/call.h>
#include <capos/string.h>
#include "capnp/capnp.h"
#include "capos.capnp.h"

_Static_assert(capos_CapException_Type_failed == 0 &&
                       capos_CapException_Type_invalidArgument == 4,
               "capos_exception_type_name() follows the schema ordinals");

static void decode_exception(const void *buf, uint32_t cap, struct capos_call_error *err)
{
	struct capnp_reader m;
	if (buf == NULL || cap == 0 || capnp_reader_init(&m, buf, cap) != CAPNP_OK)
		return;
	capos_CapException_reader r = capos_CapException_read_root(&m);
	int32_t type = (int32_t)capos_CapException_get_type(r);
	struct capnp_text msg = capos_CapException_get_message(r);
	if (capnp_reader_error(&m) != CAPNP_OK)
		return;
	err->exception_type = type;
	size_t n = msg.len < CAPOS_EXCEPTION_MESSAGE_MAX - 1 ? msg.len : CAPOS_EXCEPTION_MESSAGE_MAX - 1;
	memcpy(err->message, msg.str, n);
	err->message[n] = '\0';
}

int capos_call_classify(const struct capos_cqe *cqe, const void *result, uint32_t result_cap,
                        struct capos_reply *reply, struct capos_call_error *err)
{
	struct capos_call_error scratch;
	if (err == NULL)
		err = &scratch;
	/* Field by field: the message is only read after an exception. */
	err->kind = CAPOS_ERROR_NONE;
	err->code = 0;
	err->exception_type = CAPOS_EXCEPTION_UNKNOWN;
	err->message[0] = '\0';
	if (reply != NULL)
		*reply = (struct capos_reply){0};

	if (cqe->result >= 0 && !(cqe->flags & CAPOS_CQE_F_EXCEPTION)) {
		uint32_t len = (uint32_t)cqe->result;
		uint64_t caps_at = capos_align8(len);
		uint64_t caps_end = caps_at + (uint64_t)cqe->cap_count * sizeof(struct capos_cap_record);
		if (len > result_cap || (cqe->cap_count != 0 && caps_end > result_cap))
			return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE); /* kernel broke the contract */
		if (reply != NULL) {
			reply->result_len = len;
			reply->cap_count = cqe->cap_count;
			reply->caps = cqe->cap_count ? (const void *)((const char *)result + caps_at) : NULL;
		}
		return 0;
	}
	if (cqe->result == CAPOS_ERR_APPLICATION_EXCEPTION ||
	    cqe->result == CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED ||
	    (cqe->flags & CAPOS_CQE_F_EXCEPTION)) {
		err->kind = CAPOS_ERROR_EXCEPTION;
		err->code = cqe->result < 0 ? cqe->result : CAPOS_ERR_APPLICATION_EXCEPTION;
		if (err->code == CAPOS_ERR_APPLICATION_EXCEPTION)
			decode_exception(result, result_cap, err);
		return err->code;
	}
	err->kind = CAPOS_ERROR_TRANSPORT;
	err->code = cqe->result;
	return err->code;
}

int capos_call(struct capos_ring *r, const struct capos_call *c, struct capos_reply *reply,
               struct capos_call_error *err)
{
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_CALL;
	sqe.cap_id = c->cap_id;
	sqe.method_id = c->method_id;
	sqe.addr = (uint64_t)(uintptr_t)c->params;
	sqe.len = c->params_len;
	sqe.result_addr = (uint64_t)(uintptr_t)c->result;
	sqe.result_len = c->result_cap;
	struct capos_cqe cqe;
	int e = capos_ring_submit_wait(r, &sqe, &cqe);
	if (e < 0)
		return capos_error_local(err, e);
	return capos_call_classify(&cqe, c->result, c->result_cap, reply, err);
}
