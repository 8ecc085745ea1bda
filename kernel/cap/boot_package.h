/*
 * BootPackage: read-only access to the boot manifest (schema/capos.capnp),
 * granted whole to init only.  A badged copy (any badge but 0) is the
 * schema view: manifestSize and readManifest then read the manifest's
 * binary BOOT_PACKAGE_SCHEMA_ENTRY (the compiled schemas, docs/terminal.md)
 * instead, size 0 when the manifest has none.  Only that view may be
 * passed on (a spawn grant with a badge, or IPC of a badged copy).
 *
 *   manifestSize @0 () -> (size :UInt64)
 *   readManifest @1 (offset :UInt64, maxBytes :UInt32) -> (data :Data)
 *
 * readManifest returns up to min(maxBytes, BOOT_PACKAGE_CHUNK_MAX) bytes
 * from offset (empty at or past the end); maxBytes 0 is invalidArgument.
 */
#ifndef CAPOS_CAP_BOOT_PACKAGE_H
#define CAPOS_CAP_BOOT_PACKAGE_H

#include <stdint.h>

/* Bounded by the result buffer (RING_MAX_RESULT_LEN) minus framing. */
#define BOOT_PACKAGE_CHUNK_MAX   65536u
#define BOOT_PACKAGE_CHUNK_LIMIT (65536u - 64u)

/* The manifest binary a badged BootPackage reads. */
#define BOOT_PACKAGE_SCHEMA_ENTRY "capos.schemas"

/* The boot object over the manifest bytes (manifest_boot.c sets it once). */
void *boot_package_object(const void *data, uint64_t size);
/* The schema view's bytes (manifest_boot.c, when the manifest has them). */
void boot_package_set_schemas(const void *data, uint64_t size);

#endif
