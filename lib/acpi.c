/* ACPI RSDP/RSDT/XSDT/MADT/MCFG parsing (see acpi.h). */
#include "acpi.h"

#include "kstring.h"

#define MADT_LAPIC           0
#define MADT_IOAPIC          1
#define MADT_OVERRIDE        2
#define MADT_LAPIC_OVERRIDE  5
#define MADT_X2APIC          9
#define MADT_FLAG_PCAT       1u
#define LAPIC_ENABLED        1u
#define LAPIC_ONLINE_CAPABLE 2u
#define MCFG_ENTRY_LEN       16
#define MCFG_FIRST           44 /* header + 8 reserved bytes */
#define MADT_FIRST           44 /* header + lapic address + flags */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

const char *acpi_strerror(int err)
{
	switch (err) {
	case ACPI_OK: return "ok";
	case ACPI_ERR_NOT_FOUND: return "not found";
	case ACPI_ERR_CHECKSUM: return "bad checksum";
	case ACPI_ERR_TRUNCATED: return "truncated";
	case ACPI_ERR_READ: return "unreadable address";
	case ACPI_ERR_MALFORMED: return "malformed";
	}
	return "unknown error";
}

int acpi_rsdp_check(const void *rsdp, size_t len)
{
	const uint8_t *r = rsdp;
	if (len < ACPI_RSDP_V1_LEN)
		return ACPI_ERR_TRUNCATED;
	if (memcmp(r, "RSD PTR ", 8) != 0)
		return ACPI_ERR_NOT_FOUND;
	if (acpi_checksum(r, ACPI_RSDP_V1_LEN) != 0)
		return ACPI_ERR_CHECKSUM;
	if (r[15] >= 2) {
		if (len < ACPI_RSDP_V2_LEN)
			return ACPI_ERR_TRUNCATED;
		uint32_t l = le32(r + 20);
		if (l < ACPI_RSDP_V2_LEN || l > len)
			return l < ACPI_RSDP_V2_LEN ? ACPI_ERR_MALFORMED : ACPI_ERR_TRUNCATED;
		if (acpi_checksum(r, ACPI_RSDP_V2_LEN) != 0)
			return ACPI_ERR_CHECKSUM;
	}
	return ACPI_OK;
}

int acpi_rsdp_scan(const struct acpi_read_ops *ops, uint64_t start, uint64_t len,
                   uint8_t out[ACPI_RSDP_V2_LEN], size_t *out_len)
{
	uint64_t first = (start + 15) & ~15ull;
	for (uint64_t pa = first; pa + ACPI_RSDP_V1_LEN <= start + len; pa += 16) {
		uint8_t sig[8];
		if (!ops->read(ops->ctx, pa, sig, sizeof sig) || memcmp(sig, "RSD PTR ", 8) != 0)
			continue;
		size_t n = pa + ACPI_RSDP_V2_LEN <= start + len ? ACPI_RSDP_V2_LEN : ACPI_RSDP_V1_LEN;
		if (!ops->read(ops->ctx, pa, out, n))
			continue;
		if (acpi_rsdp_check(out, n) == ACPI_OK) {
			*out_len = n;
			return ACPI_OK;
		}
	}
	return ACPI_ERR_NOT_FOUND;
}

/* Reads a table header at pa; checks its length and whole-table checksum. */
static int table_header(const struct acpi_read_ops *ops, uint64_t pa, uint8_t hdr[ACPI_HEADER_LEN],
                        uint32_t *len)
{
	if (!ops->read(ops->ctx, pa, hdr, ACPI_HEADER_LEN))
		return ACPI_ERR_READ;
	*len = le32(hdr + 4);
	if (*len < ACPI_HEADER_LEN || *len > ACPI_TABLE_MAX)
		return ACPI_ERR_MALFORMED;
	uint8_t sum = 0, chunk[64];
	for (uint32_t off = 0; off < *len; off += sizeof chunk) {
		uint32_t n = *len - off < sizeof chunk ? *len - off : (uint32_t)sizeof chunk;
		if (!ops->read(ops->ctx, pa + off, chunk, n))
			return ACPI_ERR_TRUNCATED;
		sum = (uint8_t)(sum + acpi_checksum(chunk, n));
	}
	return sum == 0 ? ACPI_OK : ACPI_ERR_CHECKSUM;
}

static void add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t flags)
{
	if (!(flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE)))
		return;
	if (out->cpu_count >= ACPI_MAX_CPUS || apic_id > 0xff) {
		out->dropped++;
		return;
	}
	out->cpu_apic_ids[out->cpu_count++] = (uint8_t)apic_id;
}

static void madt_entry(struct acpi_info *out, const uint8_t *e, uint8_t len)
{
	switch (e[0]) {
	case MADT_LAPIC:
		if (len >= 8)
			add_cpu(out, e[3], le32(e + 4));
		break;
	case MADT_X2APIC:
		if (len >= 16)
			add_cpu(out, le32(e + 4), le32(e + 8));
		break;
	case MADT_IOAPIC:
		if (len < 12)
			break;
		if (out->ioapic_count >= ACPI_MAX_IOAPICS) {
			out->dropped++;
			break;
		}
		out->ioapics[out->ioapic_count++] =
			(struct acpi_ioapic){.id = e[2], .addr = le32(e + 4), .gsi_base = le32(e + 8)};
		break;
	case MADT_OVERRIDE:
		if (len < 10 || e[2] != 0) /* bus 0 = ISA is the only one defined */
			break;
		if (out->override_count >= ACPI_MAX_OVERRIDES) {
			out->dropped++;
			break;
		}
		out->overrides[out->override_count++] =
			(struct acpi_override){.source = e[3], .gsi = le32(e + 4), .flags = le16(e + 8)};
		break;
	case MADT_LAPIC_OVERRIDE:
		if (len >= 12)
			out->lapic_addr = le64(e + 4);
		break;
	default:
		break; /* NMI sources and others: not needed yet */
	}
}

static int parse_madt(const struct acpi_read_ops *ops, uint64_t pa, uint32_t len,
                      struct acpi_info *out)
{
	uint8_t fixed[8];
	if (len < MADT_FIRST)
		return ACPI_ERR_TRUNCATED;
	if (!ops->read(ops->ctx, pa + ACPI_HEADER_LEN, fixed, sizeof fixed))
		return ACPI_ERR_READ;
	out->lapic_addr = le32(fixed);
	out->pcat_compat = le32(fixed + 4) & MADT_FLAG_PCAT;
	for (uint32_t off = MADT_FIRST; off < len;) {
		uint8_t e[16] = {0};
		if (len - off < 2)
			return ACPI_ERR_TRUNCATED;
		if (!ops->read(ops->ctx, pa + off, e, 2))
			return ACPI_ERR_READ;
		uint8_t elen = e[1];
		if (elen < 2)
			return ACPI_ERR_MALFORMED; /* would never advance */
		if (elen > len - off)
			return ACPI_ERR_TRUNCATED;
		uint8_t n = elen < sizeof e ? elen : (uint8_t)sizeof e;
		if (!ops->read(ops->ctx, pa + off, e, n))
			return ACPI_ERR_READ;
		madt_entry(out, e, elen);
		off += elen;
	}
	return ACPI_OK;
}

static int parse_mcfg(const struct acpi_read_ops *ops, uint64_t pa, uint32_t len,
                      struct acpi_info *out)
{
	if (len < MCFG_FIRST || (len - MCFG_FIRST) % MCFG_ENTRY_LEN != 0)
		return ACPI_ERR_MALFORMED;
	for (uint32_t off = MCFG_FIRST; off < len; off += MCFG_ENTRY_LEN) {
		uint8_t e[MCFG_ENTRY_LEN];
		if (!ops->read(ops->ctx, pa + off, e, sizeof e))
			return ACPI_ERR_READ;
		/* clang-format off */
		struct acpi_ecam w = { .base = le64(e), .segment = le16(e + 8), .bus_start = e[10],
		                       .bus_end = e[11] };
		/* clang-format on */
		if (w.bus_end < w.bus_start || (w.base & 0xfffff) != 0)
			return ACPI_ERR_MALFORMED;
		if (out->ecam_count >= ACPI_MAX_ECAM) {
			out->dropped++;
			continue;
		}
		out->ecam[out->ecam_count++] = w;
	}
	return ACPI_OK;
}

/* Looks at one root-table entry: the MADT and MCFG are parsed, the DMAR
 * remembered, others skipped. */
static void visit_table(const struct acpi_read_ops *ops, uint64_t pa, struct acpi_info *out)
{
	uint8_t hdr[ACPI_HEADER_LEN];
	uint32_t len;
	if (!ops->read(ops->ctx, pa, hdr, 4))
		return;
	bool madt = memcmp(hdr, "APIC", 4) == 0, mcfg = memcmp(hdr, "MCFG", 4) == 0;
	if (memcmp(hdr, "DMAR", 4) == 0 && !out->dmar_pa)
		out->dmar_pa = pa; /* checked and parsed by dmar_parse */
	if (!madt && !mcfg)
		return;
	if ((madt && out->has_madt) || (mcfg && out->has_mcfg))
		return; /* the first one wins */
	int err = table_header(ops, pa, hdr, &len);
	if (err == ACPI_OK)
		err = madt ? parse_madt(ops, pa, len, out) : parse_mcfg(ops, pa, len, out);
	if (madt) {
		out->has_madt = err == ACPI_OK;
		out->madt_err = err;
		if (err != ACPI_OK) { /* nothing half-parsed is used */
			out->cpu_count = out->ioapic_count = out->override_count = 0;
			out->lapic_addr = 0;
		}
	} else {
		out->has_mcfg = err == ACPI_OK;
		out->mcfg_err = err;
		if (err != ACPI_OK)
			out->ecam_count = 0;
	}
}

int acpi_parse(const struct acpi_read_ops *ops, const void *rsdp, size_t rsdp_len,
               struct acpi_info *out)
{
	memset(out, 0, sizeof *out);
	out->madt_err = out->mcfg_err = ACPI_ERR_NOT_FOUND;
	int err = acpi_rsdp_check(rsdp, rsdp_len);
	if (err != ACPI_OK)
		return err;
	const uint8_t *r = rsdp;
	out->revision = r[15];
	memcpy(out->oem, r + 9, 6);
	out->oem[6] = '\0';
	out->xsdt = r[15] >= 2 && le64(r + 24) != 0;
	out->root_pa = out->xsdt ? le64(r + 24) : le32(r + 16);
	uint8_t hdr[ACPI_HEADER_LEN];
	uint32_t len;
	err = table_header(ops, out->root_pa, hdr, &len);
	if (err != ACPI_OK)
		return err;
	if (memcmp(hdr, out->xsdt ? "XSDT" : "RSDT", 4) != 0)
		return ACPI_ERR_MALFORMED;
	unsigned width = out->xsdt ? 8 : 4;
	unsigned entries = (len - ACPI_HEADER_LEN) / width;
	if (entries > ACPI_ROOT_MAX_ENTRIES) {
		out->dropped += entries - ACPI_ROOT_MAX_ENTRIES;
		entries = ACPI_ROOT_MAX_ENTRIES;
	}
	for (unsigned i = 0; i < entries; i++) {
		uint8_t p[8] = {0};
		if (!ops->read(ops->ctx, out->root_pa + ACPI_HEADER_LEN + (uint64_t)i * width, p, width))
			return ACPI_ERR_READ;
		visit_table(ops, width == 8 ? le64(p) : le32(p), out);
	}
	return ACPI_OK;
}

uint32_t acpi_isa_gsi(const struct acpi_info *info, uint8_t irq, uint16_t *flags)
{
	for (unsigned i = 0; i < info->override_count; i++) {
		if (info->overrides[i].source == irq) {
			if (flags)
				*flags = info->overrides[i].flags;
			return info->overrides[i].gsi;
		}
	}
	if (flags)
		*flags = 0;
	return irq;
}
