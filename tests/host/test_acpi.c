/* lib/acpi.c on synthetic firmware tables: valid, truncated and hostile. */
#include <criterion/criterion.h>
#include <string.h>

#include "acpi.h"

#define MEM_SIZE 0x10000
#include "fake_firmware.h"

static void fix_checksum(uint8_t *t, size_t len, size_t at)
{
	t[at] = 0;
	t[at] = (uint8_t)(0 - acpi_checksum(t, len));
}

/* A table header with signature and length at pa; body filled by the caller. */
static uint8_t *table(uint64_t pa, const char *sig, uint32_t len)
{
	uint8_t *t = mem + pa;
	memset(t, 0, len);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "CAPOST", 6);
	return t;
}
static void seal(uint64_t pa)
{
	uint32_t len;
	memcpy(&len, mem + pa + 4, 4);
	fix_checksum(mem + pa, len, 9);
}

static uint8_t rsdp[ACPI_RSDP_V2_LEN];

static void make_rsdp(unsigned rev, uint64_t root)
{
	memset(rsdp, 0, sizeof rsdp);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "CAPOS ", 6);
	rsdp[15] = (uint8_t)rev;
	if (rev >= 2) {
		put32(rsdp + 20, ACPI_RSDP_V2_LEN);
		put64(rsdp + 24, root);
	} else {
		put32(rsdp + 16, (uint32_t)root);
	}
	fix_checksum(rsdp, ACPI_RSDP_V1_LEN, 8);
	if (rev >= 2)
		fix_checksum(rsdp, ACPI_RSDP_V2_LEN, 32);
}

#define XSDT_PA 0x1000
#define MADT_PA 0x2000
#define MCFG_PA 0x3000

static uint32_t madt_len;
static void madt_begin(void)
{
	uint8_t *t = table(MADT_PA, "APIC", 0x200);
	put32(t + 36, 0xfee00000u);
	put32(t + 40, 1); /* PCAT_COMPAT */
	madt_len = 44;
}
static void madt_add(const uint8_t *e, uint8_t len)
{
	memcpy(mem + MADT_PA + madt_len, e, len);
	madt_len += len;
}
static void madt_end(void)
{
	put32(mem + MADT_PA + 4, madt_len);
	seal(MADT_PA);
}

static void standard_madt(void)
{
	madt_begin();
	/* clang-format off */
	madt_add((uint8_t[]){ 0, 8, 0, 0, 1, 0, 0, 0 }, 8);          /* cpu apic 0 enabled */
	madt_add((uint8_t[]){ 0, 8, 1, 1, 0, 0, 0, 0 }, 8);          /* cpu apic 1 disabled */
	madt_add((uint8_t[]){ 1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 }, 12); /* ioapic */
	madt_add((uint8_t[]){ 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 }, 10);  /* IRQ0 -> GSI2 */
	madt_add((uint8_t[]){ 2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0 }, 10); /* IRQ9 level high */
	madt_add((uint8_t[]){ 4, 6, 0xff, 0, 0, 1 }, 6);             /* NMI: skipped */
	/* clang-format on */
	madt_end();
}

static void standard_mcfg(void)
{
	uint8_t *t = table(MCFG_PA, "MCFG", 60);
	put64(t + 44, 0xb0000000u);
	t[54] = 0;
	t[55] = 0xff;
	seal(MCFG_PA);
}

static void standard_xsdt(unsigned n, const uint64_t *pas)
{
	uint8_t *t = table(XSDT_PA, "XSDT", 36 + 8 * n);
	for (unsigned i = 0; i < n; i++)
		put64(t + 36 + 8 * i, pas[i]);
	seal(XSDT_PA);
}

static void setup(void)
{
	memset(mem, 0, sizeof mem);
	standard_madt();
	standard_mcfg();
	table(0x4000, "FACP", 116);
	seal(0x4000);
	standard_xsdt(3, (uint64_t[]){0x4000, MADT_PA, MCFG_PA});
	make_rsdp(2, XSDT_PA);
}

TestSuite(acpi, .init = setup);

Test(acpi, parses_xsdt_madt_mcfg)
{
	struct acpi_info in;
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_OK);
	cr_assert(in.xsdt);
	cr_assert_str_eq(in.oem, "CAPOS ");
	cr_assert(in.has_madt && in.has_mcfg);
	cr_assert_eq(in.lapic_addr, 0xfee00000u);
	cr_assert(in.pcat_compat);
	cr_assert_eq(in.cpu_count, 1);
	cr_assert_eq(in.ioapic_count, 1);
	cr_assert_eq(in.ioapics[0].addr, 0xfec00000u);
	cr_assert_eq(in.override_count, 2);
	uint16_t flags;
	cr_assert_eq(acpi_isa_gsi(&in, 0, &flags), 2);
	cr_assert_eq(acpi_isa_gsi(&in, 9, &flags), 9);
	cr_assert_eq(flags, 0x0d);
	cr_assert_eq(acpi_isa_gsi(&in, 4, &flags), 4);
	cr_assert_eq(flags, 0);
	cr_assert_eq(in.ecam_count, 1);
	cr_assert_eq(in.ecam[0].base, 0xb0000000u);
	cr_assert_eq(in.ecam[0].bus_end, 0xff);
	cr_assert_eq(in.dropped, 0);
}

Test(acpi, rsdt_with_v1_rsdp)
{
	uint8_t *t = table(0x5000, "RSDT", 36 + 4);
	put32(t + 36, MADT_PA);
	seal(0x5000);
	make_rsdp(0, 0x5000);
	struct acpi_info in;
	cr_assert_eq(acpi_parse(&ops, rsdp, ACPI_RSDP_V1_LEN, &in), ACPI_OK);
	cr_assert(!in.xsdt);
	cr_assert(in.has_madt);
	cr_assert(!in.has_mcfg);
	cr_assert_eq(in.mcfg_err, ACPI_ERR_NOT_FOUND);
}

Test(acpi, bad_rsdp_refused)
{
	struct acpi_info in;
	cr_assert_eq(acpi_parse(&ops, rsdp, 10, &in), ACPI_ERR_TRUNCATED);
	cr_assert_eq(acpi_parse(&ops, rsdp, ACPI_RSDP_V1_LEN, &in), ACPI_ERR_TRUNCATED); /* rev 2 */
	rsdp[0] = 'X';
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_ERR_NOT_FOUND);
	make_rsdp(2, XSDT_PA);
	rsdp[30] ^= 1; /* extended checksum */
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_ERR_CHECKSUM);
	make_rsdp(2, XSDT_PA);
	put32(rsdp + 20, 1000); /* claims more than we hold */
	fix_checksum(rsdp, ACPI_RSDP_V1_LEN, 8);
	fix_checksum(rsdp, ACPI_RSDP_V2_LEN, 32);
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_ERR_TRUNCATED);
}

Test(acpi, root_table_hostile)
{
	struct acpi_info in;
	make_rsdp(2, 0xfffffff0u); /* unreadable */
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_ERR_READ);
	make_rsdp(2, MADT_PA); /* wrong signature for a root */
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_ERR_MALFORMED);
	make_rsdp(2, XSDT_PA);
	put32(mem + XSDT_PA + 4, 0xffffff); /* length far too large */
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_ERR_MALFORMED);
	put32(mem + XSDT_PA + 4, 12); /* shorter than a header */
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_ERR_MALFORMED);
	put32(mem + XSDT_PA + 4, 60);
	mem[XSDT_PA + 20] ^= 0x55;
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_ERR_CHECKSUM);
}

Test(acpi, table_past_end_of_memory)
{
	uint64_t pa = MEM_SIZE - 40;
	table(pa, "APIC", 40);
	put32(mem + pa + 4, 200); /* runs off the end of readable memory */
	standard_xsdt(1, (uint64_t[]){pa});
	struct acpi_info in;
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_OK);
	cr_assert(!in.has_madt);
	cr_assert_eq(in.madt_err, ACPI_ERR_TRUNCATED);
}

Test(acpi, madt_zero_length_entry_does_not_loop)
{
	madt_begin();
	madt_add((uint8_t[]){0, 8, 0, 0, 1, 0, 0, 0}, 8);
	madt_add((uint8_t[]){1, 0, 0, 0}, 4);
	madt_end();
	struct acpi_info in;
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_OK);
	cr_assert(!in.has_madt);
	cr_assert_eq(in.madt_err, ACPI_ERR_MALFORMED);
	cr_assert_eq(in.cpu_count, 0, "nothing half-parsed is kept");
	cr_assert(in.has_mcfg, "the MCFG is still used");
}

Test(acpi, madt_entry_past_table_end)
{
	madt_begin();
	madt_add((uint8_t[]){1, 40, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0}, 12);
	madt_end();
	struct acpi_info in;
	acpi_parse(&ops, rsdp, sizeof rsdp, &in);
	cr_assert_eq(in.madt_err, ACPI_ERR_TRUNCATED);
	cr_assert_eq(in.ioapic_count, 0);
	/* One dangling byte after the last entry. */
	madt_begin();
	madt_add((uint8_t[]){0, 8, 0, 0, 1, 0, 0, 0, 7}, 9);
	madt_end();
	acpi_parse(&ops, rsdp, sizeof rsdp, &in);
	cr_assert_eq(in.madt_err, ACPI_ERR_TRUNCATED);
}

Test(acpi, madt_short_entries_ignored_and_limits_counted)
{
	madt_begin();
	madt_add((uint8_t[]){1, 4, 0, 0}, 4); /* IOAPIC too short to hold an address */
	for (int i = 0; i < ACPI_MAX_IOAPICS + 2; i++)
		madt_add((uint8_t[]){1, 12, (uint8_t)i, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0}, 12);
	madt_add((uint8_t[]){5, 12, 0, 0, 0, 0, 0xd0, 0xfe, 1, 0, 0, 0}, 12); /* LAPIC override */
	madt_end();
	struct acpi_info in;
	acpi_parse(&ops, rsdp, sizeof rsdp, &in);
	cr_assert(in.has_madt);
	cr_assert_eq(in.ioapic_count, ACPI_MAX_IOAPICS);
	cr_assert_eq(in.dropped, 2);
	cr_assert_eq(in.lapic_addr, 0x1fed00000ull);
}

Test(acpi, madt_bad_checksum)
{
	mem[MADT_PA + 50] ^= 0xff;
	struct acpi_info in;
	acpi_parse(&ops, rsdp, sizeof rsdp, &in);
	cr_assert_eq(in.madt_err, ACPI_ERR_CHECKSUM);
	cr_assert(!in.has_madt);
}

Test(acpi, mcfg_hostile)
{
	struct acpi_info in;
	put32(mem + MCFG_PA + 4, 59); /* not a whole entry */
	seal(MCFG_PA);
	acpi_parse(&ops, rsdp, sizeof rsdp, &in);
	cr_assert_eq(in.mcfg_err, ACPI_ERR_MALFORMED);
	standard_mcfg();
	mem[MCFG_PA + 54] = 5;
	mem[MCFG_PA + 55] = 4; /* end bus before start bus */
	seal(MCFG_PA);
	acpi_parse(&ops, rsdp, sizeof rsdp, &in);
	cr_assert_eq(in.mcfg_err, ACPI_ERR_MALFORMED);
	cr_assert_eq(in.ecam_count, 0);
	cr_assert(in.has_madt);
}

Test(acpi, rsdp_scan)
{
	uint8_t out[ACPI_RSDP_V2_LEN];
	size_t n = 0;
	cr_assert_eq(acpi_rsdp_scan(&ops, 0x8000, 0x1000, out, &n), ACPI_ERR_NOT_FOUND);
	/* A decoy with a bad checksum first, then the real one. */
	memcpy(mem + 0x8100, "RSD PTR ", 8);
	memcpy(mem + 0x8230, rsdp, sizeof rsdp);
	memcpy(mem + 0x8305, rsdp, sizeof rsdp); /* unaligned: not looked at */
	cr_assert_eq(acpi_rsdp_scan(&ops, 0x8000, 0x1000, out, &n), ACPI_OK);
	cr_assert_eq(n, ACPI_RSDP_V2_LEN);
	cr_assert_eq(memcmp(out, rsdp, n), 0);
	/* Scanning right up to the end of memory reads nothing beyond it. */
	cr_assert_eq(acpi_rsdp_scan(&ops, MEM_SIZE - 0x100, 0x1000, out, &n), ACPI_ERR_NOT_FOUND);
}

Test(acpi, too_many_root_entries_capped)
{
	uint64_t pas[ACPI_ROOT_MAX_ENTRIES + 3];
	for (unsigned i = 0; i < ACPI_ROOT_MAX_ENTRIES + 3; i++)
		pas[i] = 0x4000;
	pas[ACPI_ROOT_MAX_ENTRIES + 2] = MADT_PA; /* beyond the cap */
	standard_xsdt(ACPI_ROOT_MAX_ENTRIES + 3, pas);
	struct acpi_info in;
	cr_assert_eq(acpi_parse(&ops, rsdp, sizeof rsdp, &in), ACPI_OK);
	cr_assert_eq(in.dropped, 3);
	cr_assert(!in.has_madt);
}
