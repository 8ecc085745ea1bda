/*
 * The ACPI DMAR table: where the Intel VT-d DMA-remapping units are and
 * which PCI devices each one covers.  Pure logic behind the ACPI read ops
 * (lib/acpi.h) so host tests can feed it truncated and hostile tables.
 *
 * Every length comes from firmware and is checked: a remapping structure
 * or device scope shorter than its header (which would loop) or running
 * past its container is a typed error and the whole table is refused.
 */
#ifndef CAPOS_LIB_DMAR_H
#define CAPOS_LIB_DMAR_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi.h"

#define DMAR_MAX_UNITS  4
#define DMAR_HEADER_LEN 48 /* ACPI header + width, flags, 10 reserved */

/* Remapping structure types (VT-d spec 8.2). */
#define DMAR_TYPE_DRHD 0 /* a remapping unit */
#define DMAR_TYPE_RMRR 1 /* memory a device must keep reaching */

#define DMAR_FLAG_INTR_REMAP 0x1

struct dmar_unit {
	uint64_t base; /* register page (physical) */
	uint16_t segment;
	bool include_all; /* covers every device of the segment not listed elsewhere */
	unsigned scopes;  /* device scope entries */
};

struct dmar_info {
	unsigned host_width; /* DMA physical address width in bits */
	uint8_t flags;
	unsigned unit_count;
	struct dmar_unit units[DMAR_MAX_UNITS];
	unsigned rmrr_count;  /* reserved regions (none on QEMU); not honoured yet */
	unsigned other_count; /* ATSR/RHSA/ANDD/...: skipped */
	unsigned dropped;     /* units beyond DMAR_MAX_UNITS */
};

/* Parses the DMAR at physical address pa.  ACPI_OK with out filled, or an
 * acpi_err (out then zeroed: nothing half-parsed is used). */
int dmar_parse(const struct acpi_read_ops *ops, uint64_t pa, struct dmar_info *out);

#endif
