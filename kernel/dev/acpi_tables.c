/* Finds the RSDP and parses the ACPI tables (see acpi_tables.h). */
#include "dev/acpi_tables.h"

#include "boot_info.h"
#include "kstring.h"
#include "log.h"
#include "mem/vmm.h"

#define BIOS_AREA     0xe0000u
#define BIOS_AREA_LEN 0x20000u
#define EBDA_PTR      0x40eu
#define EBDA_LEN      1024u
#define LOW_4G        (4ull << 30)

struct acpi_info acpi;

/* Firmware tables live in RAM or ROM below 4 GiB, which the direct map
 * always covers; nothing above it is read. */
bool acpi_phys_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	(void)ctx;
	if (pa >= LOW_4G || len > LOW_4G - pa)
		return false;
	memcpy(buf, phys_to_virt(pa), len);
	return true;
}

static const struct acpi_read_ops read_ops = {.read = acpi_phys_read};

/* Copies the RSDP into rsdp; returns where it came from, NULL if nowhere. */
static const char *find_rsdp(uint8_t rsdp[ACPI_RSDP_V2_LEN], size_t *len)
{
	if (boot_info.rsdp_len) {
		*len = boot_info.rsdp_len < ACPI_RSDP_V2_LEN ? boot_info.rsdp_len : ACPI_RSDP_V2_LEN;
		memcpy(rsdp, boot_info.rsdp, *len);
		return "Multiboot2 ACPI tag";
	}
	if (boot_info.rsdp_phys && acpi_phys_read(0, boot_info.rsdp_phys, rsdp, ACPI_RSDP_V2_LEN)) {
		*len = ACPI_RSDP_V2_LEN;
		return "PVH start_info";
	}
	uint16_t ebda_seg;
	if (acpi_phys_read(0, EBDA_PTR, &ebda_seg, sizeof ebda_seg) && ebda_seg &&
	    acpi_rsdp_scan(&read_ops, (uint64_t)ebda_seg << 4, EBDA_LEN, rsdp, len) == ACPI_OK)
		return "EBDA scan";
	if (acpi_rsdp_scan(&read_ops, BIOS_AREA, BIOS_AREA_LEN, rsdp, len) == ACPI_OK)
		return "BIOS area scan";
	return 0;
}

static void log_madt(void)
{
	if (!acpi.has_madt) {
		kprintf("acpi: no usable MADT (%s)\n", acpi_strerror(acpi.madt_err));
		return;
	}
	kprintf("acpi: MADT: local APIC at %lx, %u CPU(s), %u I/O APIC(s), %u ISA override(s)%s\n",
	        acpi.lapic_addr, acpi.cpu_count, acpi.ioapic_count, acpi.override_count,
	        acpi.pcat_compat ? ", 8259 PICs present" : "");
	for (unsigned i = 0; i < acpi.ioapic_count; i++)
		kprintf("acpi:   I/O APIC id %u at %x, GSI base %u\n", acpi.ioapics[i].id,
		        acpi.ioapics[i].addr, acpi.ioapics[i].gsi_base);
	for (unsigned i = 0; i < acpi.override_count; i++)
		kprintf("acpi:   ISA IRQ %u -> GSI %u (flags %x)\n", acpi.overrides[i].source,
		        acpi.overrides[i].gsi, acpi.overrides[i].flags);
}

static void log_mcfg(void)
{
	if (!acpi.has_mcfg) {
		kprintf("acpi: no MCFG (%s): PCI through the legacy config ports\n",
		        acpi_strerror(acpi.mcfg_err));
		return;
	}
	for (unsigned i = 0; i < acpi.ecam_count; i++)
		kprintf("acpi: MCFG: ECAM segment %u buses %u-%u at %lx\n", acpi.ecam[i].segment,
		        acpi.ecam[i].bus_start, acpi.ecam[i].bus_end, acpi.ecam[i].base);
}

bool acpi_tables_init(void)
{
	uint8_t rsdp[ACPI_RSDP_V2_LEN];
	size_t len = 0;
	const char *from = find_rsdp(rsdp, &len);
	memset(&acpi, 0, sizeof acpi);
	if (!from) {
		kprintf("acpi: no RSDP (loader tag, PVH or BIOS area)\n");
		return false;
	}
	int err = acpi_parse(&read_ops, rsdp, len, &acpi);
	if (err != ACPI_OK) {
		kprintf("acpi: RSDP from %s unusable: %s\n", from, acpi_strerror(err));
		memset(&acpi, 0, sizeof acpi);
		return false;
	}
	kprintf("acpi: RSDP rev %u (OEM \"%s\") from %s, %s at %lx\n", acpi.revision, acpi.oem,
	        from, acpi.xsdt ? "XSDT" : "RSDT", acpi.root_pa);
	log_madt();
	log_mcfg();
	if (acpi.dropped)
		kprintf("acpi: %u entries beyond the kernel's limits ignored\n", acpi.dropped);
	return true;
}
