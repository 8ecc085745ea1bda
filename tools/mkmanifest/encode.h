/*
 * struct mf_manifest -> Cap'n Proto SystemManifest (schema/manifest.capnp),
 * standard binary format, one segment, built with our runtime (lib/capnp)
 * and the generated builders (generated/manifest.capnp.h).  Checked
 * against the reference implementation by tests/manifest: `capnp convert
 * binary:json` must decode it to the CUE export.
 */
#ifndef MKMANIFEST_ENCODE_H
#define MKMANIFEST_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"

/* Returns a malloc'd message (segment table + segment) or NULL. */
uint8_t *mf_encode(const struct mf_manifest *m, size_t *size_out);

#endif
