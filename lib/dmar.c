/* DMAR parsing (see dmar.h). */
#include "dmar.h"

#include "kstring.h"

#define DMAR_SCOPE_MIN 6 /* type, length, reserved(2), enum id, start bus */
#define DRHD_MIN       16

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Counts the device scopes in [p, p+len); -1 when one is malformed. */
static int count_scopes(const uint8_t *p, uint32_t len)
{
	int n = 0;
	for (uint32_t off = 0; off < len;) {
		if (len - off < 2)
			return ACPI_ERR_TRUNCATED;
		uint8_t slen = p[off + 1];
		if (slen < DMAR_SCOPE_MIN || (slen - DMAR_SCOPE_MIN) % 2)
			return ACPI_ERR_MALFORMED;
		if (slen > len - off)
			return ACPI_ERR_TRUNCATED;
		off += slen;
		n++;
	}
	return n;
}

static int parse_drhd(const uint8_t *s, uint16_t len, struct dmar_info *out)
{
	if (len < DRHD_MIN)
		return ACPI_ERR_MALFORMED;
	int scopes = count_scopes(s + DRHD_MIN, len - DRHD_MIN);
	if (scopes < 0)
		return scopes;
	uint64_t base = le64(s + 8);
	if (base == 0 || (base & 0xfff))
		return ACPI_ERR_MALFORMED;
	if (out->unit_count == DMAR_MAX_UNITS) {
		out->dropped++;
		return ACPI_OK;
	}
	struct dmar_unit *u = &out->units[out->unit_count++];
	u->base = base;
	u->segment = le16(s + 6);
	u->include_all = s[4] & 1;
	u->scopes = (unsigned)scopes;
	return ACPI_OK;
}

static int parse_body(const uint8_t *t, uint32_t len, struct dmar_info *out)
{
	out->host_width = t[36] + 1u;
	out->flags = t[37];
	if (out->host_width < 32 || out->host_width > 64)
		return ACPI_ERR_MALFORMED;
	for (uint32_t off = DMAR_HEADER_LEN; off < len;) {
		if (len - off < 4)
			return ACPI_ERR_TRUNCATED;
		uint16_t type = le16(t + off), slen = le16(t + off + 2);
		if (slen < 4)
			return ACPI_ERR_MALFORMED;
		if (slen > len - off)
			return ACPI_ERR_TRUNCATED;
		int err = ACPI_OK;
		if (type == DMAR_TYPE_DRHD)
			err = parse_drhd(t + off, slen, out);
		else if (type == DMAR_TYPE_RMRR)
			out->rmrr_count++;
		else
			out->other_count++;
		if (err != ACPI_OK)
			return err;
		off += slen;
	}
	return out->unit_count || out->dropped ? ACPI_OK : ACPI_ERR_NOT_FOUND;
}

int dmar_parse(const struct acpi_read_ops *ops, uint64_t pa, struct dmar_info *out)
{
	static uint8_t t[ACPI_TABLE_MAX]; /* boot is single-threaded; no stack that large */
	memset(out, 0, sizeof *out);
	if (!ops->read(ops->ctx, pa, t, ACPI_HEADER_LEN))
		return ACPI_ERR_READ;
	uint32_t len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 |
	               (uint32_t)t[7] << 24;
	if (memcmp(t, "DMAR", 4) != 0 || len < DMAR_HEADER_LEN || len > ACPI_TABLE_MAX)
		return ACPI_ERR_MALFORMED;
	if (!ops->read(ops->ctx, pa, t, len))
		return ACPI_ERR_TRUNCATED;
	if (acpi_checksum(t, len) != 0)
		return ACPI_ERR_CHECKSUM;
	int err = parse_body(t, len, out);
	if (err != ACPI_OK)
		memset(out, 0, sizeof *out);
	return err;
}
