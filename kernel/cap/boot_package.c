/*
 * BootPackage capability (see boot_package.h).  One object: the manifest
 * module as the boot loader left it (read-only to everyone but the boot
 * code).  The badge picks the view: 0 the whole manifest (init's), any
 * other the schema entry alone (BOOT_PACKAGE_SCHEMA_ENTRY), which is all
 * a shell needs to know the interfaces and nothing of the binaries.  The schema caps a read at 65536 bytes; the result must also fit
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
	const uint8_t *schemas; /* the schema entry's bytes, or NULL */
	uint64_t schemas_size;
	uint64_t reads;
} the_package;

void *boot_package_object(const void *data, uint64_t size)
{
	the_package.data = data;
	the_package.size = size;
	return &the_package;
}

void boot_package_set_schemas(const void *data, uint64_t size)
{
	the_package.schemas = data;
	the_package.schemas_size = size;
}

/* The bytes a cap with this badge reads (the schema view may be empty). */
static const uint8_t *view_data(const struct boot_package *bp, uint64_t badge)
{
	return badge == 0 ? bp->data : bp->schemas;
}

static uint64_t view_size(const struct boot_package *bp, uint64_t badge)
{
	return badge == 0 ? bp->size : bp->schemas_size;
}

static const struct kcall_method bp_methods[] = {
	/* clang-format off */
	{capos_BootPackage_manifestSize_METHOD, "manifestSize",
	 {KCALL_FLAT(capos_BootPackage_manifestSize_Results), 0}},
	{capos_BootPackage_readManifest_METHOD, "readManifest",
	 {KCALL_FLAT(capos_BootPackage_readManifest_Results) + BOOT_PACKAGE_CHUNK_LIMIT, 0}},
	{capos_BootPackage_commandLine_METHOD, "commandLine",
	 {KCALL_FLAT(capos_BootPackage_commandLine_Results) + BOOT_CMDLINE_MAX, 0}},
};
/* clang-format on */
_Static_assert(BOOT_CMDLINE_MAX % 8 == 0, "the longest command line text needs no padding");
_Static_assert(BOOT_PACKAGE_CHUNK_LIMIT % 8 == 0, "a whole chunk needs no padding");

/* readManifest: arg[0] = offset, arg[1] = bytes it returns; its result is
 * bounded by those bytes, not by the largest chunk.  commandLine: bounded
 * by the command line's length. */
static int boot_package_decode(void *object, struct kcap_call *c)
{
	struct boot_package *bp = object;
	if (c->method_id == capos_BootPackage_commandLine_METHOD) {
		/* The text and its NUL (boot_info keeps it NUL-terminated). */
		c->bound.bytes = KCALL_FLAT(capos_BootPackage_commandLine_Results) +
		                 (uint32_t)capos_align8(strlen(boot_info.cmdline) + 1);
		return CAPOS_OK;
	}
	if (c->method_id != capos_BootPackage_readManifest_METHOD)
		return CAPOS_OK; /* manifestSize: no params */
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	capos_BootPackage_readManifest_Params_reader r =
		capos_BootPackage_readManifest_Params_read_root(&m);
	uint64_t offset = capos_BootPackage_readManifest_Params_get_offset(r);
	uint32_t max = capos_BootPackage_readManifest_Params_get_maxBytes(r);
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (max == 0)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "BootPackage.readManifest: maxBytes is 0");
	uint64_t n = 0, size = view_size(bp, c->badge);
	if (offset < size) {
		n = size - offset;
		if (n > max)
			n = max;
		if (n > BOOT_PACKAGE_CHUNK_LIMIT)
			n = BOOT_PACKAGE_CHUNK_LIMIT;
	}
	c->arg[0] = offset;
	c->arg[1] = n;
	c->bound.bytes = KCALL_FLAT(capos_BootPackage_readManifest_Results) + (uint32_t)capos_align8(n);
	return CAPOS_OK;
}

static int boot_package_perform(void *object, struct kcap_call *c)
{
	struct boot_package *bp = object;
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	if (c->method_id == capos_BootPackage_manifestSize_METHOD) {
		capos_BootPackage_manifestSize_Results_set_size(
			capos_BootPackage_manifestSize_Results_init_root(&b), view_size(bp, c->badge));
	} else if (c->method_id == capos_BootPackage_commandLine_METHOD) {
		capos_BootPackage_commandLine_Results_set_text(
			capos_BootPackage_commandLine_Results_init_root(&b), boot_info.cmdline,
			strlen(boot_info.cmdline));
	} else {
		uint64_t n = c->arg[1];
		capos_BootPackage_readManifest_Results_set_data(
			capos_BootPackage_readManifest_Results_init_root(&b),
			n ? view_data(bp, c->badge) + c->arg[0] : 0, n);
		bp->reads++;
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		panic("BootPackage: result does not fit the kernel scratch");
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

const struct kcap_type kcap_boot_package_type = {
	.kind = KCAP_BOOT_PACKAGE,
	KCAP_METHODS(bp_methods),
	.decode = boot_package_decode,
	.perform = boot_package_perform,
	.drop = 0,            /* static object */
	.transferable = true, /* the schema view only (transfer.c, process_spawner.c) */
	.retain = 0,
	.boot_object = 0,
};
