/*
 * Boot through init (issue #6): when the boot module is a Cap'n Proto
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

struct mf_manifest;
struct spawn_grant;

/* Returns false (doing nothing) when there is no boot module.  Otherwise
 * boots through init and never returns (QEMU exit code: 33 when everything
 * came back, failure otherwise); modules of which none is a valid manifest
 * (an ELF, a truncated or corrupt message) fail the boot, nothing runs. */
bool manifest_boot(void);

/*
 * The caps the kernel makes for a manifest service itself (notification,
 * interrupt, deviceMmio, dmaPool; docs/devices.md) when the root spawner
 * starts services[svc].
 *
 * manifest_service_caps_check: how many there are, or -1 with a message
 * naming the service, the cap and the device in why (a device missing at
 * boot, driven by another process, a BAR or entry it lacks).  No effect.
 *
 * manifest_service_caps_make: makes them into out[0..count) (CapSet name
 * and a cap entry holding one reference each, dropped by the caller with
 * kcap_drop once the child holds its own); -1 with why and nothing left
 * behind when a resource ran out.
 */
int manifest_service_caps_check(const struct mf_manifest *m, unsigned svc, char *why,
                                size_t why_len);
int manifest_service_caps_make(const struct mf_manifest *m, unsigned svc, struct spawn_grant *out,
                               char *why, size_t why_len);

#endif
