/*
 * BootPackage capability (see boot_package.h).  One object: the manifest
 * module as the boot loader left it (read-only to everyone but the boot
 * code).  The schema caps a read at 65536 bytes; the result must also fit
 * the kernel's 64 KiB result buffer with its framing, so a read returns at
 * most BOOT_PACKAGE_CHUNK_LIMIT bytes (callers loop until they have it all).
 */
#include "cap/boot_package.h"

#include <capos/abi.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "boot_info.h"
#include "cap/registry.h"
#include "kstring.h"
#include "log.h"

static struct boot_package {
	const uint8_t *data;
	uint64_t size;
	uint64_t reads;
} the_package;

void *boot_package_object(const void *data, uint64_t size)
{
	the_package.data = data;
	the_package.size = size;
	return &the_package;
}

static int read_manifest(struct boot_package *bp, struct kcap_call *c, struct capnp_reader *m)
{
	capos_BootPackage_readManifest_Params_reader r =
		capos_BootPackage_readManifest_Params_read_root(m);
	uint64_t offset = capos_BootPackage_readManifest_Params_get_offset(r);
	uint32_t max = capos_BootPackage_readManifest_Params_get_maxBytes(r);
	if (capnp_reader_error(m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (max == 0)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "BootPackage.readManifest: maxBytes is 0");
	uint64_t n = 0;
	if (offset < bp->size) {
		n = bp->size - offset;
		if (n > max)
			n = max;
		if (n > BOOT_PACKAGE_CHUNK_LIMIT)
			n = BOOT_PACKAGE_CHUNK_LIMIT;
	}
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	capos_BootPackage_readManifest_Results_builder out =
		capos_BootPackage_readManifest_Results_init_root(&b);
	capos_BootPackage_readManifest_Results_set_data(out, n ? bp->data + offset : 0, n);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_NO_RESOURCES;
	c->result_len = (uint32_t)len;
	bp->reads++;
	return CAPOS_OK;
}

/* The boot loader's command line (boot_info keeps it NUL-terminated). */
static int command_line(struct kcap_call *c)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	capos_BootPackage_commandLine_Results_builder out =
		capos_BootPackage_commandLine_Results_init_root(&b);
	capos_BootPackage_commandLine_Results_set_text(out, boot_info.cmdline,
	                                               strlen(boot_info.cmdline));
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_NO_RESOURCES;
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static int boot_package_call(void *object, struct kcap_call *c)
{
	struct boot_package *bp = object;
	struct capnp_reader m;
	if (capnp_reader_init(&m, c->params, c->params_len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	capnp_reader_set_limits(&m, c->params_len / 8 + 16, 16);
	switch (c->method_id) {
	case capos_BootPackage_manifestSize_METHOD: {
		struct capnp_builder b;
		size_t len = 0;
		capnp_builder_init(&b, c->result, c->result_cap);
		capos_BootPackage_manifestSize_Results_builder out =
			capos_BootPackage_manifestSize_Results_init_root(&b);
		capos_BootPackage_manifestSize_Results_set_size(out, bp->size);
		if (capnp_builder_finish(&b, &len) != CAPNP_OK)
			return CAPOS_ERR_NO_RESOURCES;
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	case capos_BootPackage_readManifest_METHOD:
		return read_manifest(bp, c, &m);
	case capos_BootPackage_commandLine_METHOD:
		return command_line(c);
	default:
		return CAPOS_ERR_UNKNOWN_METHOD;
	}
}

const struct kcap_type kcap_boot_package_type = {
	.kind = KCAP_BOOT_PACKAGE,
	.name = "bootPackage",
	.interface_id = capos_BootPackage_ID,
	.call = boot_package_call,
	.drop = 0, /* static object */
	.transferable = false, /* init only */
	.retain = 0,
	.boot_object = 0,
};
