/*
 * Names and formatting of runtime errors (see capos/call.h).
 */
#include <capos/call.h>
#include <capos/fmt.h>
#include <capos/string.h>

const char *capos_strerror(int code)
{
	switch (code) {
	case CAPOS_OK: return "CAPOS_OK";
	case CAPOS_ERR_INVALID_SQE: return "CAPOS_ERR_INVALID_SQE";
	case CAPOS_ERR_RESERVED_OPCODE: return "CAPOS_ERR_RESERVED_OPCODE";
	case CAPOS_ERR_BAD_CAP: return "CAPOS_ERR_BAD_CAP";
	case CAPOS_ERR_BAD_BUFFER: return "CAPOS_ERR_BAD_BUFFER";
	case CAPOS_ERR_RESULT_TOO_SMALL: return "CAPOS_ERR_RESULT_TOO_SMALL";
	case CAPOS_ERR_BAD_TRANSFER: return "CAPOS_ERR_BAD_TRANSFER";
	case CAPOS_ERR_NO_RESOURCES: return "CAPOS_ERR_NO_RESOURCES";
	case CAPOS_ERR_NOT_PERMITTED: return "CAPOS_ERR_NOT_PERMITTED";
	case CAPOS_ERR_APPLICATION_EXCEPTION: return "CAPOS_ERR_APPLICATION_EXCEPTION";
	case CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED: return "CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED";
	case CAPOS_ERR_BAD_MESSAGE: return "CAPOS_ERR_BAD_MESSAGE";
	case CAPOS_ERR_UNKNOWN_METHOD: return "CAPOS_ERR_UNKNOWN_METHOD";
	case CAPOS_ERR_DISCONNECTED: return "CAPOS_ERR_DISCONNECTED";
	case CAPOS_ERR_TIMED_OUT: return "CAPOS_ERR_TIMED_OUT";
	case CAPOS_ERR_BAD_CALL_ID: return "CAPOS_ERR_BAD_CALL_ID";
	case CAPOS_ERR_RING_CORRUPT: return "CAPOS_ERR_RING_CORRUPT";
	case CAPOS_ERR_INVALID_ARGUMENT: return "CAPOS_ERR_INVALID_ARGUMENT";
	default: return "CAPOS_ERR_(unknown)";
	}
}

const char *capos_exception_type_name(int32_t type)
{
	static const char *const names[] = {
		"failed",
		"overloaded",
		"disconnected",
		"unimplemented",
		"invalidArgument",
	};
	if (type >= 0 && (size_t)type < sizeof(names) / sizeof(names[0]))
		return names[type];
	return type == CAPOS_EXCEPTION_UNKNOWN ? "unknown" : "unrecognised";
}

int capos_error_local(struct capos_call_error *err, int code)
{
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		err->kind = CAPOS_ERROR_LOCAL;
		err->code = code;
		err->exception_type = CAPOS_EXCEPTION_UNKNOWN;
	}
	return code;
}

int capos_error_format(const struct capos_call_error *err, char *buf, size_t size)
{
	switch (err->kind) {
	case CAPOS_ERROR_NONE:
		return capos_snprintf(buf, size, "ok");
	case CAPOS_ERROR_TRANSPORT:
		return capos_snprintf(buf, size, "transport error %s (%d)",
		                      capos_strerror(err->code), (int)err->code);
	case CAPOS_ERROR_EXCEPTION:
		return capos_snprintf(buf, size, "exception %s: %s",
		                      capos_exception_type_name(err->exception_type),
		                      err->message[0] ? err->message : "(no message)");
	case CAPOS_ERROR_LOCAL:
		return capos_snprintf(buf, size, "local error %s (%d)",
		                      capos_strerror(err->code), (int)err->code);
	}
	return capos_snprintf(buf, size, "bad error kind %d", (int)err->kind);
}
