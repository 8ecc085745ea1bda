/*
 * Cap'n Proto SystemManifest -> struct mf_manifest, freestanding.
 *
 * Used by init (and usable by the kernel) to read manifest.bin.  No
 * allocation: the caller provides a struct mf_storage (about 45 KiB: put
 * it in .bss or a kernel object); the decoded manifest's strings and
 * binary data point into the message buffer, which must stay valid.
 * Every malformed input is an error naming the field, never a crash:
 * framing and pointer checks come from lib/capnp, counts are checked
 * against the MF_MAX_* bounds here.  Decoding does not validate the graph:
 * call mf_validate next.
 */
#ifndef CAPOS_LIB_MANIFEST_DECODE_H
#define CAPOS_LIB_MANIFEST_DECODE_H

#include "manifest/manifest.h"

#define MF_MAX_TOTAL_CAPS    512u /* over all services */
#define MF_MAX_TOTAL_EXPORTS 256u

struct mf_storage {
	struct mf_binary binaries[MF_MAX_BINARIES];
	struct mf_cap init_caps[MF_MAX_CAPS];
	struct mf_service services[MF_MAX_SERVICES];
	struct mf_cap caps[MF_MAX_TOTAL_CAPS];
	struct mf_str exports[MF_MAX_TOTAL_EXPORTS];
};

enum mf_decode_err {
	MF_DECODE_OK = 0,
	MF_DECODE_CAPNP,     /* lib/capnp refused the message (framing, bounds, kinds) */
	MF_DECODE_TOO_MANY,  /* a list is longer than the storage bound */
	MF_DECODE_BAD_UNION, /* CapSource discriminant unknown */
};

struct mf_decode_error {
	enum mf_decode_err code;
	int capnp_err;     /* CAPNP_ERR_* when code == MF_DECODE_CAPNP */
	char message[160]; /* NUL-terminated, names the field */
};

/* Decodes buf[0..len) into *out.  Returns MF_DECODE_OK or an error. */
enum mf_decode_err mf_decode(const void *buf, size_t len, struct mf_storage *st,
                             struct mf_manifest *out, struct mf_decode_error *err);

#endif
