/*
 * Typed results of capability calls.
 *
 * A call can fail in three distinct ways, and callers must be able to tell
 * them apart:
 *   CAPOS_ERROR_TRANSPORT  the kernel refused or could not deliver the call:
 *                          a negative CQE result (CAPOS_ERR_* in abi.h).
 *   CAPOS_ERROR_EXCEPTION  the call reached the object and it raised a
 *                          CapException (schema/capos.capnp): type + message
 *                          decoded from the result buffer.
 *   CAPOS_ERROR_LOCAL      the runtime failed before a CQE existed (no
 *                          memory for the params, message too big to encode,
 *                          ring unusable).
 * Functions return 0 on success or the negative code also stored in
 * err->code; err may be NULL when the caller only wants the code.
 */
#ifndef CAPOS_RT_CALL_H
#define CAPOS_RT_CALL_H

#include <stddef.h>
#include <stdint.h>
#include <capos/abi.h>
#include <capos/ring.h>

enum capos_error_kind {
	CAPOS_ERROR_NONE = 0,
	CAPOS_ERROR_TRANSPORT = 1,
	CAPOS_ERROR_EXCEPTION = 2,
	CAPOS_ERROR_LOCAL = 3,
};

/* CapException.Type ordinals (schema/capos.capnp); -1 when not decodable. */
#define CAPOS_EXCEPTION_UNKNOWN     (-1)
#define CAPOS_EXCEPTION_MESSAGE_MAX 128u

struct capos_call_error {
	enum capos_error_kind kind;
	int32_t code;                              /* CAPOS_ERR_* (negative), 0 when kind is NONE */
	int32_t exception_type;                    /* EXCEPTION: CapException.Type, else -1       */
	char message[CAPOS_EXCEPTION_MESSAGE_MAX]; /* EXCEPTION: its message (truncated) */
};

/* One CALL: target, method, params message and result buffer. */
struct capos_call {
	uint32_t cap_id;
	uint16_t method_id;
	const void *params;
	uint32_t params_len;
	void *result;
	uint32_t result_cap;
};

struct capos_reply {
	uint32_t result_len;                 /* bytes of the result message  */
	uint32_t cap_count;                  /* result-cap records           */
	const struct capos_cap_record *caps; /* inside the result buffer     */
};

/*
 * Submits the CALL, waits for its completion and classifies the outcome.
 * On success fills *reply (may be NULL) and returns 0.
 */
int capos_call(struct capos_ring *r, const struct capos_call *c, struct capos_reply *reply,
               struct capos_call_error *err);

/*
 * Classifies a CQE of a CALL whose result buffer is result/result_cap:
 * fills *err and returns 0 or the negative code.  Separate from capos_call
 * so it can be tested on the host.
 */
int capos_call_classify(const struct capos_cqe *cqe, const void *result, uint32_t result_cap,
                        struct capos_reply *reply, struct capos_call_error *err);

/* Records a local failure in err (if not NULL); returns code. */
int capos_error_local(struct capos_call_error *err, int code);

/* "CAPOS_ERR_BAD_CAP" style names for transport codes. */
const char *capos_strerror(int code);
/* "invalidArgument" style names for CapException.Type. */
const char *capos_exception_type_name(int32_t type);
/* One line describing err, e.g. "exception invalidArgument: text too long". */
int capos_error_format(const struct capos_call_error *err, char *buf, size_t size);

#endif /* CAPOS_RT_CALL_H */
