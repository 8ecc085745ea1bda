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

/* The parsed tables (zeroed when acpi_tables_init failed). */
extern struct acpi_info acpi;

#endif
