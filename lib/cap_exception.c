/* The CapException builder (see cap_exception.h). */
#include "cap_exception.h"

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "kstring.h"

uint32_t cap_exception_build(void *buf, size_t cap, unsigned type, const char *message)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, buf, cap);
	capos_CapException_builder x = capos_CapException_init_root(&b);
	capos_CapException_set_type(x, (enum capos_CapException_Type)type);
	capos_CapException_set_message(x, message, strlen(message));
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return 0;
	return (uint32_t)len;
}
