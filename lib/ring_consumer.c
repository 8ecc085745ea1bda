/* Ring consumer logic: see ring_consumer.h for the trust model. */
#include "ring_consumer.h"

#include "kstring.h"

void ring_init(struct capos_ring_page *page, struct ring_cursor *c)
{
	memset(page, 0, sizeof(*page)); /* a byte loop here was a sixth of a spawn */
	c->sq_head = 0;
	c->cq_tail = 0;
	ring_publish(page, c);
}

int ring_check_user_range(uint64_t addr, uint64_t len, uint64_t max_len)
{
	if (len == 0)
		return CAPOS_OK;
	if (len > max_len)
		return CAPOS_ERR_BAD_BUFFER;
	if (addr >= CAPOS_USER_END || len > CAPOS_USER_END - addr)
		return CAPOS_ERR_BAD_BUFFER;
	return CAPOS_OK;
}

int ring_validate_sqe(const struct capos_sqe *sqe)
{
	if (sqe->opcode >= CAPOS_OP_FIRST_RESERVED)
		return CAPOS_ERR_RESERVED_OPCODE;
	uint16_t known = CAPOS_SQE_F_KNOWN;
	if (sqe->opcode == CAPOS_OP_RETURN)
		known |= CAPOS_SQE_EXCEPTION;
	if (sqe->opcode == CAPOS_OP_CALL)
		known |= CAPOS_SQE_KERNEL;
	if ((sqe->flags & ~known) != 0 || sqe->reserved0 != 0 || sqe->reserved1 != 0 ||
	    sqe->pipeline_dep != 0 || sqe->pipeline_field != 0)
		return CAPOS_ERR_INVALID_SQE;

	int carries_transfers = sqe->opcode == CAPOS_OP_CALL || sqe->opcode == CAPOS_OP_RETURN;
	if (sqe->xfer_cap_count != 0 &&
	    (!carries_transfers || sqe->xfer_cap_count > CAPOS_XFER_MAX))
		return CAPOS_ERR_BAD_TRANSFER;

	switch (sqe->opcode) {
	case CAPOS_OP_NOP:
	case CAPOS_OP_RELEASE:
		return CAPOS_OK;
	case CAPOS_OP_CALL:
	case CAPOS_OP_RETURN: {
		/* Params plus the transfer descriptors that follow them. */
		uint64_t span = capos_align8(sqe->len) +
		                (uint64_t)sqe->xfer_cap_count * sizeof(struct capos_xfer_desc);
		if (sqe->xfer_cap_count == 0)
			span = sqe->len;
		if (sqe->len > RING_MAX_PARAMS_LEN)
			return CAPOS_ERR_BAD_BUFFER;
		/* clang-format off */
		int err = ring_check_user_range(sqe->addr, span,
		                                RING_MAX_PARAMS_LEN + CAPOS_XFER_MAX *
		                                    sizeof(struct capos_xfer_desc) + 8);
		/* clang-format on */
		if (err)
			return err;
		return ring_check_user_range(sqe->result_addr, sqe->result_len,
		                             RING_MAX_RESULT_LEN);
	}
	case CAPOS_OP_RECV:
		return ring_check_user_range(sqe->result_addr, sqe->result_len,
		                             RING_MAX_RESULT_LEN);
	default:
		return CAPOS_ERR_RESERVED_OPCODE; /* unreachable: checked above */
	}
}

const char *ring_error_name(int err)
{
	switch (err) {
	case CAPOS_OK: return "ok";
	case CAPOS_ERR_INVALID_SQE: return "invalid SQE";
	case CAPOS_ERR_RESERVED_OPCODE: return "reserved opcode";
	case CAPOS_ERR_BAD_CAP: return "bad capability";
	case CAPOS_ERR_BAD_BUFFER: return "bad buffer";
	case CAPOS_ERR_RESULT_TOO_SMALL: return "result buffer too small";
	case CAPOS_ERR_BAD_TRANSFER: return "bad transfer descriptor";
	case CAPOS_ERR_NO_RESOURCES: return "no resources";
	case CAPOS_ERR_NOT_PERMITTED: return "not permitted";
	case CAPOS_ERR_APPLICATION_EXCEPTION: return "application exception";
	case CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED: return "application exception (truncated)";
	case CAPOS_ERR_BAD_MESSAGE: return "bad message";
	case CAPOS_ERR_UNKNOWN_METHOD: return "unknown method";
	case CAPOS_ERR_DISCONNECTED: return "disconnected";
	case CAPOS_ERR_TIMED_OUT: return "timed out";
	case CAPOS_ERR_BAD_CALL_ID: return "bad call id";
	case CAPOS_ERR_RING_CORRUPT: return "ring corrupt";
	case CAPOS_ERR_INVALID_ARGUMENT: return "invalid argument";
	default: return "unknown error";
	}
}
