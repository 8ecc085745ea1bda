/*
 * The firmware's ACPI tables, found once at boot (Multiboot2 RSDP tag, PVH
 * rsdp_paddr, or a scan of the EBDA and BIOS area) and parsed by lib/acpi.c.
 */
#ifndef CAPOS_DEV_ACPI_TABLES_H
#define CAPOS_DEV_ACPI_TABLES_H

#include "acpi.h"

/* Finds and parses the tables, logging what was found.  false: no usable
 * RSDP/root table (the interrupt code then stays on the 8259 PIC). */
bool acpi_tables_init(void);

/* The read op over physical memory below 4 GiB (the direct map), for
 * parsers of further tables (lib/dmar.c). */
bool acpi_phys_read(void *ctx, uint64_t pa, void *buf, size_t len);

/* The parsed tables (zeroed when acpi_tables_init failed). */
extern struct acpi_info acpi;

#endif
