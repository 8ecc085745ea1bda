/* init: the manifest through BootPackage, in bounded chunks. */
#include "init.h"

#include <capos/call.h>
#include <capos/string.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"

/* Result: a chunk plus its framing; the kernel sends at most 65536 - 64 bytes. */
static uint64_t result_buf[65536 / 8]; /* RING_MAX_RESULT_LEN */

static int call(uint32_t cap_id, uint16_t method, const void *params, size_t params_len,
                struct capos_reply *reply)
{
	struct capos_call c = {
		.cap_id = cap_id,
		.method_id = method,
		.params = params,
		.params_len = (uint32_t)params_len,
		.result = result_buf,
		.result_cap = sizeof(result_buf),
	};
	struct capos_call_error err;
	int e = capos_call(&capos_rt_ring, &c, reply, &err);
	if (e < 0) {
		char msg[160];
		capos_error_format(&err, msg, sizeof msg);
		capos_printf("init: BootPackage call %u failed: %s\n", method, msg);
	}
	return e;
}

int64_t init_read_manifest(uint32_t cap_id, uint8_t *buf, uint64_t cap)
{
	uint64_t arena[8];
	struct capnp_builder b;
	size_t len = 0;
	struct capos_reply reply;
	capnp_builder_init(&b, arena, sizeof arena);
	capos_BootPackage_manifestSize_Params_init_root(&b);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	int e = call(cap_id, capos_BootPackage_manifestSize_METHOD, arena, len, &reply);
	if (e < 0)
		return e;
	struct capnp_reader m;
	if (capnp_reader_init(&m, result_buf, reply.result_len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	uint64_t size = capos_BootPackage_manifestSize_Results_get_size(
		capos_BootPackage_manifestSize_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (size == 0 || size > cap) {
		capos_printf("init: manifest of %lu bytes does not fit init's %lu-byte buffer\n",
		             (unsigned long)size, (unsigned long)cap);
		return CAPOS_ERR_NO_RESOURCES;
	}
	uint64_t got = 0;
	uint32_t chunks = 0;
	while (got < size) {
		capnp_builder_init(&b, arena, sizeof arena);
		capos_BootPackage_readManifest_Params_builder p =
			capos_BootPackage_readManifest_Params_init_root(&b);
		capos_BootPackage_readManifest_Params_set_offset(p, got);
		capos_BootPackage_readManifest_Params_set_maxBytes(p, INIT_READ_CHUNK);
		if (capnp_builder_finish(&b, &len) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		e = call(cap_id, capos_BootPackage_readManifest_METHOD, arena, len, &reply);
		if (e < 0)
			return e;
		if (capnp_reader_init(&m, result_buf, reply.result_len) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		capnp_reader_guard(&m, reply.result_len);
		struct capnp_data d = capos_BootPackage_readManifest_Results_get_data(
			capos_BootPackage_readManifest_Results_read_root(&m));
		if (capnp_reader_error(&m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		if (d.len == 0 || d.len > size - got) {
			capos_printf("init: readManifest at %lu returned %lu bytes (size %lu)\n",
			             (unsigned long)got, (unsigned long)d.len, (unsigned long)size);
			return CAPOS_ERR_BAD_MESSAGE;
		}
		memcpy(buf + got, d.ptr, d.len);
		got += d.len;
		chunks++;
	}
	capos_printf("init: read the manifest: %lu bytes in %u chunks\n", (unsigned long)size,
	             chunks);
	return (int64_t)size;
}
