/* lib/dmar.c on synthetic DMAR tables: valid, truncated and hostile. */
#include <criterion/criterion.h>
#include <string.h>

#include "dmar.h"

#define MEM_SIZE 0x2000
#include "fake_firmware.h"

static uint32_t len_now;

/* DMAR header at 0 with width 39 and interrupt remapping flag. */
static void start(void)
{
	memset(mem, 0, sizeof mem);
	memcpy(mem, "DMAR", 4);
	mem[8] = 1;
	mem[36] = 38;
	mem[37] = DMAR_FLAG_INTR_REMAP;
	len_now = DMAR_HEADER_LEN;
}
/* Appends a DRHD with `scopes` PCI endpoint scopes (one path entry each). */
static uint8_t *drhd(uint64_t base, bool all, unsigned scopes)
{
	uint8_t *s = mem + len_now;
	uint16_t len = (uint16_t)(16 + 8 * scopes);
	put16(s, DMAR_TYPE_DRHD);
	put16(s + 2, len);
	s[4] = all;
	put16(s + 6, 0);
	put64(s + 8, base);
	for (unsigned i = 0; i < scopes; i++) {
		uint8_t *d = s + 16 + 8 * i;
		d[0] = 1; /* PCI endpoint */
		d[1] = 8;
		d[5] = 0; /* start bus */
		d[6] = (uint8_t)(4 + i);
		d[7] = 0;
	}
	len_now += len;
	return s;
}
static void seal(void)
{
	put32(mem + 4, len_now);
	mem[9] = 0;
	uint8_t sum = acpi_checksum(mem, len_now);
	mem[9] = (uint8_t)(0 - sum);
}

Test(dmar, qemu_like_table)
{
	start();
	drhd(0xfed90000, true, 0);
	seal();
	struct dmar_info d;
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_OK);
	cr_assert_eq(d.host_width, 39);
	cr_assert_eq(d.flags, DMAR_FLAG_INTR_REMAP);
	cr_assert_eq(d.unit_count, 1);
	cr_assert_eq(d.units[0].base, 0xfed90000);
	cr_assert(d.units[0].include_all);
	cr_assert_eq(d.units[0].scopes, 0);
}

Test(dmar, scopes_rmrr_and_unknown_structures)
{
	start();
	drhd(0xfed91000, false, 2);
	uint8_t *r = mem + len_now; /* RMRR, skipped but counted */
	put16(r, DMAR_TYPE_RMRR);
	put16(r + 2, 24);
	len_now += 24;
	uint8_t *x = mem + len_now; /* some future type */
	put16(x, 9);
	put16(x + 2, 8);
	len_now += 8;
	drhd(0xfed90000, true, 0);
	seal();
	struct dmar_info d;
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_OK);
	cr_assert_eq(d.unit_count, 2);
	cr_assert_eq(d.units[0].scopes, 2);
	cr_assert_not(d.units[0].include_all);
	cr_assert_eq(d.rmrr_count, 1);
	cr_assert_eq(d.other_count, 1);
}

Test(dmar, too_many_units_are_counted)
{
	start();
	for (unsigned i = 0; i < DMAR_MAX_UNITS + 2; i++)
		drhd(0xfed90000 + 0x1000 * i, false, 0);
	seal();
	struct dmar_info d;
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_OK);
	cr_assert_eq(d.unit_count, DMAR_MAX_UNITS);
	cr_assert_eq(d.dropped, 2);
}

Test(dmar, bad_checksum_signature_and_lengths)
{
	struct dmar_info d;
	start();
	drhd(0xfed90000, true, 0);
	seal();
	mem[40] ^= 1;
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_CHECKSUM);
	start();
	drhd(0xfed90000, true, 0);
	seal();
	memcpy(mem, "DMAX", 4);
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_MALFORMED);
	start();
	seal();
	put32(mem + 4, 0x1000000); /* longer than any table we accept */
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_MALFORMED);
	start();
	seal();
	put32(mem + 4, MEM_SIZE + 16); /* runs past readable memory */
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_TRUNCATED);
	cr_assert_eq(dmar_parse(&ops, MEM_SIZE, &d), ACPI_ERR_READ);
	start();
	seal(); /* no remapping unit at all */
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_NOT_FOUND);
}

Test(dmar, hostile_structures_refuse_the_table)
{
	struct dmar_info d;
	start();
	uint8_t *s = drhd(0xfed90000, true, 0);
	put16(s + 2, 0); /* zero length would loop */
	seal();
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_MALFORMED);
	cr_assert_eq(d.unit_count, 0, "nothing half-parsed");

	start();
	s = drhd(0xfed90000, true, 0);
	put16(s + 2, 200); /* past the table */
	seal();
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_TRUNCATED);

	start();
	s = drhd(0xfed90000, true, 1);
	s[16 + 1] = 0; /* scope length 0 would loop */
	seal();
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_MALFORMED);

	start();
	s = drhd(0xfed90000, true, 1);
	s[16 + 1] = 40; /* scope past its DRHD */
	seal();
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_TRUNCATED);

	start();
	drhd(0xfed90800, true, 0); /* register page not aligned */
	seal();
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_MALFORMED);

	start();
	drhd(0xfed90000, true, 0);
	mem[36] = 200; /* absurd address width */
	seal();
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_MALFORMED);

	start();
	drhd(0xfed90000, true, 0);
	len_now += 2; /* a 2-byte tail cannot hold a structure header */
	seal();
	cr_assert_eq(dmar_parse(&ops, 0, &d), ACPI_ERR_TRUNCATED);
}
