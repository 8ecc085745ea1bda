/*
 * Boot through init: when the boot module is a Cap'n Proto
 * SystemManifest (schema/manifest.capnp, tools/mkmanifest), the kernel
 * decodes and validates it, starts only `initConfig.init` with exactly
 * `initConfig.init.caps`, runs the scheduler until every process has
 * exited and checks that frames, endpoints and handles are back to their
 * baseline.  init starts every service (docs/init.md).
 */
#ifndef CAPOS_PROC_MANIFEST_BOOT_H
#define CAPOS_PROC_MANIFEST_BOOT_H

#include <stdbool.h>
#include <stddef.h>

/* Returns false (doing nothing) when there is no boot module.  Otherwise
 * boots through init and never returns (QEMU exit code: 33 when everything
 * came back, failure otherwise); modules of which none is a valid manifest
 * (an ELF, a truncated or corrupt message) fail the boot, nothing runs. */
bool manifest_boot(void);

#endif
