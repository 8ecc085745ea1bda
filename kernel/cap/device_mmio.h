/*
 * DeviceMmio: one memory BAR of one PCI function (schema/device.capnp).
 *
 *   info @0 () -> (info :DeviceInfo)          config space copy included
 *   map @1 (offset, length, hint) -> (addr)   uncached, inside the BAR,
 *                                             never the MSI-X table/PBA
 *   unmap @2 (addr)
 *
 * Made by the boot code for the manifest service that names the device
 * (kernel/proc/manifest_boot.c); not transferable.  Each mapping holds a
 * reference; the process's memory teardown removes them, and releasing
 * the cap unmaps what is still mapped.
 */
#ifndef CAPOS_CAP_DEVICE_MMIO_H
#define CAPOS_CAP_DEVICE_MMIO_H

#include <stdint.h>

#include "cap_table.h"

struct dev_claim;

#define DEVICE_MMIO_MAX       16u
#define DEVICE_MMIO_MAPS      8u   /* mappings of one cap at once */
#define DEVICE_MMIO_MAP_PAGES 512u /* pages of one map (2 MiB) */

/* Why a BAR cannot be granted (NULL: it can): not a memory BAR, empty,
 * smaller than a page or not page aligned. */
const char *device_mmio_bar_problem(const struct dev_claim *cl, unsigned bar);

/* A DeviceMmio for BAR `bar` of the claimed function, taking a claim
 * reference; its cap entry (one reference) in *out.  CAPOS_OK, or
 * CAPOS_ERR_NO_RESOURCES when the table is full. */
int device_mmio_create(struct dev_claim *cl, unsigned bar, struct cap_entry *out);

/* Live DeviceMmio objects (baseline checks). */
unsigned device_mmio_live(void);

#endif
