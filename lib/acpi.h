/*
 * ACPI table parsing: RSDP -> RSDT/XSDT -> MADT (interrupt controllers)
 * and MCFG (PCI ECAM windows).  Pure logic behind a read-ops struct so the
 * host tests can feed it synthetic, truncated and hostile tables; the
 * kernel reads physical memory through its direct map.
 *
 * Every length and offset comes from firmware and is checked before use:
 * a table that lies about its length, a MADT entry of length < 2 (which
 * would loop), an entry running past its table or a bad checksum yields a
 * typed error, never an out-of-bounds read.
 */
#ifndef CAPOS_LIB_ACPI_H
#define CAPOS_LIB_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_RSDP_V1_LEN      20
#define ACPI_RSDP_V2_LEN      36
#define ACPI_HEADER_LEN       36
#define ACPI_TABLE_MAX        (64u * 1024) /* larger MADT/MCFG/XSDT are refused */
#define ACPI_ROOT_MAX_ENTRIES 64

#define ACPI_MAX_CPUS      32
#define ACPI_MAX_IOAPICS   4
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_ECAM      4

enum acpi_err {
	ACPI_OK = 0,
	ACPI_ERR_NOT_FOUND = -1, /* no RSDP / no such table */
	ACPI_ERR_CHECKSUM = -2,  /* bytes do not sum to 0 */
	ACPI_ERR_TRUNCATED = -3, /* a length points past its container */
	ACPI_ERR_READ = -4,      /* the read op refused an address */
	ACPI_ERR_MALFORMED = -5, /* signature/length/entry that cannot be right */
};

struct acpi_read_ops {
	void *ctx;
	/* Copies len bytes at physical address pa into buf; false if any byte
	 * is outside readable memory. */
	bool (*read)(void *ctx, uint64_t pa, void *buf, size_t len);
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

/* Interrupt source override: ISA IRQ `source` arrives on `gsi`. */
struct acpi_override {
	uint8_t source;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 0-1, trigger bits 2-3 */
};

struct acpi_ecam {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_info {
	uint8_t revision; /* RSDP revision (0 = ACPI 1.0, RSDT only) */
	char oem[7];
	bool xsdt; /* root table is the XSDT (64-bit pointers) */
	uint64_t root_pa;
	bool has_madt, has_mcfg;
	int madt_err, mcfg_err; /* ACPI_OK or why the table was ignored */
	uint64_t lapic_addr;
	bool pcat_compat;   /* MADT flag: 8259s present and must be masked */
	unsigned cpu_count; /* enabled local APICs */
	uint8_t cpu_apic_ids[ACPI_MAX_CPUS];
	unsigned ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned ecam_count;
	struct acpi_ecam ecam[ACPI_MAX_ECAM];
	unsigned dropped; /* entries beyond the fixed limits above */
	uint64_t dmar_pa; /* first DMAR (VT-d) table, 0 if none; lib/dmar.c parses it */
};

/* Sum of len bytes mod 256 (0 for a valid table). */
uint8_t acpi_checksum(const void *p, size_t len);

/* Validates an RSDP copy (signature, v1 checksum, v2 length/checksum). */
int acpi_rsdp_check(const void *rsdp, size_t len);

/* Scans [start, start+len) on 16-byte boundaries for a valid RSDP; on
 * success copies it (up to ACPI_RSDP_V2_LEN bytes) to out, *out_len set. */
int acpi_rsdp_scan(const struct acpi_read_ops *ops, uint64_t start, uint64_t len,
                   uint8_t out[ACPI_RSDP_V2_LEN], size_t *out_len);

/* Parses the root table and the MADT/MCFG it points to.  Returns an error
 * only when the RSDP or root table is unusable; a bad MADT or MCFG is
 * recorded in madt_err/mcfg_err and skipped. */
int acpi_parse(const struct acpi_read_ops *ops, const void *rsdp, size_t rsdp_len,
               struct acpi_info *out);

/* ISA IRQ -> GSI and flags, applying overrides (identity otherwise). */
uint32_t acpi_isa_gsi(const struct acpi_info *info, uint8_t irq, uint16_t *flags);

const char *acpi_strerror(int err);

#endif
