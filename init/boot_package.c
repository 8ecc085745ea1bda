/* init: the manifest through BootPackage (its generated client), in
 * bounded chunks. */
#include "init.h"

#include <capos/call.h>
#include <capos/string.h>

#include "capos.capnp.rpc.h"

/* Result: a chunk plus its framing; the kernel sends at most 65536 - 64 bytes. */
static uint64_t result_buf[65536 / 8]; /* RING_MAX_RESULT_LEN */

static int failed(const char *method, int e, const struct capos_call_error *err)
{
	char msg[160];
	capos_error_format(err, msg, sizeof msg);
	capos_printf("init: BootPackage.%s failed: %s\n", method, msg);
	return e;
}

int64_t init_read_manifest(uint32_t cap_id, uint8_t *buf, uint64_t cap)
{
	capos_BootPackage_Client bp;
	struct capos_call_error err;
	struct capos_cap c = {cap_id, capos_BootPackage_ID, false, true};
	if (capos_BootPackage_Client_bind(&bp, &capos_rt_ring, c) != 0)
		return CAPOS_ERR_BAD_CAP;
	bp.c.result_buf = result_buf;
	bp.c.result_cap = sizeof result_buf;
	capos_BootPackage_manifestSize_Reply sz;
	int e = capos_BootPackage_manifestSize(&bp, &sz, &err);
	if (e < 0)
		return failed("manifestSize", e, &err);
	uint64_t size = sz.size;
	if (size == 0 || size > cap) {
		capos_printf("init: manifest of %lu bytes does not fit init's %lu-byte buffer\n",
		             (unsigned long)size, (unsigned long)cap);
		return CAPOS_ERR_NO_RESOURCES;
	}
	uint64_t got = 0;
	uint32_t chunks = 0;
	while (got < size) {
		capos_BootPackage_readManifest_Reply r;
		e = capos_BootPackage_readManifest(&bp, got, INIT_READ_CHUNK, &r, &err);
		if (e < 0)
			return failed("readManifest", e, &err);
		if (r.data.len == 0 || r.data.len > size - got) {
			capos_printf("init: readManifest at %lu returned %lu bytes (size %lu)\n",
			             (unsigned long)got, (unsigned long)r.data.len, (unsigned long)size);
			return CAPOS_ERR_BAD_MESSAGE;
		}
		memcpy(buf + got, r.data.ptr, r.data.len);
		got += r.data.len;
		chunks++;
	}
	capos_printf("init: read the manifest: %lu bytes in %u chunks\n", (unsigned long)size,
	             chunks);
	return (int64_t)size;
}
