/* Human-readable names of the capnp runtime's error codes. */
#include "capnp/capnp.h"

const char *capnp_strerror(int err)
{
	switch (err) {
	case CAPNP_OK: return "ok";
	case CAPNP_ERR_FRAMING: return "bad segment table or truncated message";
	case CAPNP_ERR_OUT_OF_BOUNDS: return "struct pointer out of bounds";
	case CAPNP_ERR_LIST_OUT_OF_BOUNDS: return "list extends past its segment";
	case CAPNP_ERR_BAD_SEGMENT: return "far pointer to a missing segment";
	case CAPNP_ERR_BAD_FAR: return "invalid far-pointer landing pad";
	case CAPNP_ERR_POINTER_KIND: return "pointer of the wrong kind";
	case CAPNP_ERR_LIST_KIND: return "list element size does not match the schema";
	case CAPNP_ERR_TEXT: return "text is not NUL-terminated bytes";
	case CAPNP_ERR_TRAVERSAL_LIMIT: return "traversal limit exceeded";
	case CAPNP_ERR_DEPTH_LIMIT: return "nesting depth limit exceeded";
	case CAPNP_ERR_BAD_CAP: return "capability index out of range";
	case CAPNP_ERR_RESERVED_POINTER: return "reserved pointer kind";
	case CAPNP_ERR_NO_SPACE: return "out of space";
	case CAPNP_ERR_INVALID_ARG: return "invalid argument";
	default: return "unknown capnp error";
	}
}
