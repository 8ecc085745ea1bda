/*
 * struct mf_manifest -> Cap'n Proto SystemManifest (schema/manifest.capnp),
 * standard binary format, one segment.
 *
 * A minimal builder that knows only this schema's layout (offsets as
 * printed by `capnp compile -ocapnp schema/manifest.capnp`).  It is checked
 * against the reference implementation by tests/manifest (capnp convert
 * binary:json must decode it to the CUE export).  To be replaced by the
 * generated builders of tools/capnpc-c once they exist.
 */
#ifndef MKMANIFEST_ENCODE_H
#define MKMANIFEST_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"

/* Returns a malloc'd message (segment table + segment) or NULL. */
uint8_t *mf_encode(const struct mf_manifest *m, size_t *size_out);

#endif
