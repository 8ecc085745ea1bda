/*
 * Caps the kernel makes for one manifest service itself when the root
 * ProcessSpawner starts it (docs/devices.md "Device capabilities").
 */
#ifndef CAPOS_CAP_SERVICE_CAPS_H
#define CAPOS_CAP_SERVICE_CAPS_H

#include <stddef.h>

struct mf_manifest;
struct spawn_grant;

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
