/*
 * What the boot loader told us, copied out of the Multiboot2 information
 * (GRUB) or the PVH start_info (QEMU -kernel) into one protocol-neutral
 * structure before anything else runs.
 */
#ifndef CAPOS_KERNEL_BOOT_INFO_H
#define CAPOS_KERNEL_BOOT_INFO_H

#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_MODULES 8
#define BOOT_MAX_MEMMAP  128
#define BOOT_CMDLINE_MAX 256

/* Memory map region types (the Multiboot2/E820 numbering). */
#define BOOT_MEM_USABLE   1
#define BOOT_MEM_RESERVED 2
#define BOOT_MEM_ACPI     3
#define BOOT_MEM_NVS      4
#define BOOT_MEM_BAD      5

struct boot_module {
	uint64_t phys; /* physical start, page-aligned by the loader */
	uint64_t size; /* bytes */
	char name[64]; /* basename of the module (GRUB module2 string / "initrd") */
};

struct boot_mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* BOOT_MEM_* */
};

enum boot_protocol { BOOT_PROTO_MULTIBOOT2 = 1,
	             BOOT_PROTO_PVH = 2 };

struct boot_info {
	enum boot_protocol protocol;
	char loader[64];                /* boot loader name, "" if unknown */
	char cmdline[BOOT_CMDLINE_MAX]; /* NUL-terminated; truncation is logged */
	unsigned module_count;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned mem_region_count;
	struct boot_mem_region mem_regions[BOOT_MAX_MEMMAP];
	uint64_t usable_bytes;                       /* sum of BOOT_MEM_USABLE regions */
	uint64_t phys_top;                           /* highest end of a usable region */
	uint64_t info_phys, info_size;               /* the loader's info block, reserved */
	uint64_t kernel_phys_start, kernel_phys_end; /* loaded image incl. .bss */
	/* ACPI RSDP: a copy from the Multiboot2 ACPI tag, or the PVH rsdp_paddr
	 * (rsdp_len 0: the loader gave neither; acpi_init scans the BIOS area). */
	uint8_t rsdp[36];
	uint32_t rsdp_len;
	uint64_t rsdp_phys;
};

extern struct boot_info boot_info;

/*
 * Value of `key=value` on the kernel command line, copied into buf
 * (NUL-terminated, at most len-1 bytes); NULL when the key is absent or the
 * value does not fit.  A bare `key` yields "".
 */
const char *boot_arg(const char *key, char *buf, size_t len);

/* Called from the early entry with the protocol's magic and info pointer. */
void boot_info_parse(uint32_t magic, uint64_t info_phys);

#endif
