/*
 * Copies the boot loader's information into struct boot_info.  Runs first,
 * on the boot page tables, which map the first 4 GiB at DIRECT_MAP_BASE;
 * both protocols hand us 32-bit physical pointers, so everything is reachable.
 */
#include "boot_info.h"

#include "boot_cmdline.h"
#include "kstring.h"
#include "log.h"
#include "mem/vmm.h"

struct boot_info boot_info;

#define MB2_BOOT_MAGIC 0x36d76289u
#define PVH_MAGIC      0x336ec578u

extern char __kernel_phys_start[], __kernel_phys_end[];

static const void *early_ptr(uint64_t phys)
{
	return (const void *)(DIRECT_MAP_BASE + phys);
}

static void copy_str(char *dst, size_t size, uint64_t phys, const char *what)
{
	if (!phys) {
		dst[0] = '\0';
		return;
	}
	if (kstrlcpy(dst, early_ptr(phys), size) >= size)
		kprintf("boot: %s truncated to %zu bytes\n", what, size - 1);
}

static const char *basename_of(const char *s)
{
	const char *b = s;
	for (; *s; s++)
		if (*s == '/')
			b = s + 1;
	return b;
}

static void add_module(uint64_t phys, uint64_t size, const char *name)
{
	if (boot_info.module_count >= BOOT_MAX_MODULES) {
		kprintf("boot: module %s ignored: more than %d modules\n", name, BOOT_MAX_MODULES);
		return;
	}
	struct boot_module *m = &boot_info.modules[boot_info.module_count++];
	m->phys = phys;
	m->size = size;
	/* The GRUB module2 string may carry arguments after the path. */
	char tmp[sizeof m->name];
	kstrlcpy(tmp, basename_of(name), sizeof tmp);
	char *sp = strchr(tmp, ' ');
	if (sp)
		*sp = '\0';
	kstrlcpy(m->name, tmp, sizeof m->name);
}

static void add_region(uint64_t base, uint64_t len, uint32_t type)
{
	if (len == 0)
		return;
	/* UEFI maps are fragmented: merge a region into an adjacent one of the same type. */
	if (boot_info.mem_region_count) {
		struct boot_mem_region *last = &boot_info.mem_regions[boot_info.mem_region_count - 1];
		if (last->type == type && last->base + last->len == base) {
			last->len += len;
			goto account;
		}
	}
	if (boot_info.mem_region_count >= BOOT_MAX_MEMMAP) {
		kprintf("boot: memory region %lx+%lx ignored: table full\n", base, len);
		return;
	}
	struct boot_mem_region *r = &boot_info.mem_regions[boot_info.mem_region_count++];
	r->base = base;
	r->len = len;
	r->type = type;
account:
	if (type == BOOT_MEM_USABLE) {
		boot_info.usable_bytes += len;
		if (base + len > boot_info.phys_top)
			boot_info.phys_top = base + len;
	}
}

struct mb2_tag {
	uint32_t type, size;
};

static void parse_multiboot2(uint64_t info_phys)
{
	const uint8_t *info = early_ptr(info_phys);
	uint32_t total = *(const uint32_t *)info;
	boot_info.protocol = BOOT_PROTO_MULTIBOOT2;
	boot_info.info_phys = info_phys;
	boot_info.info_size = total;
	for (uint32_t off = 8; off + 8 <= total;) {
		const struct mb2_tag *tag = (const void *)(info + off);
		if (tag->type == 0 || tag->size < 8)
			break;
		const uint8_t *body = (const uint8_t *)(tag + 1);
		switch (tag->type) {
		case 1: /* command line */
			copy_str(boot_info.cmdline, sizeof boot_info.cmdline,
			         info_phys + off + 8, "command line");
			break;
		case 2: /* boot loader name */
			copy_str(boot_info.loader, sizeof boot_info.loader,
			         info_phys + off + 8, "loader name");
			break;
		case 3: { /* module */
			uint32_t start = *(const uint32_t *)body;
			uint32_t end = *(const uint32_t *)(body + 4);
			add_module(start, end - start, (const char *)(body + 8));
			break;
		}
		case 6: { /* memory map */
			uint32_t esize = *(const uint32_t *)body;
			if (esize < 24)
				break;
			for (uint32_t e = 16; e + esize <= tag->size; e += esize) {
				const uint8_t *ent = (const uint8_t *)tag + e;
				add_region(*(const uint64_t *)ent, *(const uint64_t *)(ent + 8),
				           *(const uint32_t *)(ent + 16));
			}
			break;
		}
		case 14: /* ACPI 1.0 RSDP copy; a 2.0 copy (tag 15) wins */
		case 15: {
			uint32_t n = tag->size - 8 < sizeof boot_info.rsdp ? tag->size - 8
			                                                   : (uint32_t)sizeof boot_info.rsdp;
			if (tag->type == 14 && boot_info.rsdp_len)
				break;
			memcpy(boot_info.rsdp, body, n);
			boot_info.rsdp_len = n;
			break;
		}
		default:
			break;
		}
		off += (tag->size + 7) & ~7u;
	}
}

struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};
struct pvh_module {
	uint64_t paddr, size, cmdline_paddr, reserved;
};
struct pvh_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

static void parse_pvh(uint64_t info_phys)
{
	const struct pvh_start_info *si = early_ptr(info_phys);
	boot_info.protocol = BOOT_PROTO_PVH;
	boot_info.info_phys = info_phys;
	boot_info.info_size = sizeof *si;
	kstrlcpy(boot_info.loader, "PVH (qemu -kernel)", sizeof boot_info.loader);
	if (si->magic != PVH_MAGIC)
		panic("boot: PVH start_info magic %x, expected %x", si->magic, PVH_MAGIC);
	copy_str(boot_info.cmdline, sizeof boot_info.cmdline, si->cmdline_paddr, "command line");
	const struct pvh_module *mods = early_ptr(si->modlist_paddr);
	for (uint32_t i = 0; i < si->nr_modules; i++) {
		char name[64] = "initrd";
		if (mods[i].cmdline_paddr)
			copy_str(name, sizeof name, mods[i].cmdline_paddr, "module name");
		add_module(mods[i].paddr, mods[i].size, name[0] ? name : "initrd");
	}
	boot_info.rsdp_phys = si->rsdp_paddr;
	if (si->version < 1 || !si->memmap_paddr)
		panic("boot: PVH start_info v%u has no memory map", si->version);
	const struct pvh_memmap_entry *mm = early_ptr(si->memmap_paddr);
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		add_region(mm[i].addr, mm[i].size, mm[i].type);
}

void boot_info_parse(uint32_t magic, uint64_t info_phys)
{
	boot_info.kernel_phys_start = (uint64_t)__kernel_phys_start;
	boot_info.kernel_phys_end = (uint64_t)__kernel_phys_end;
	if (magic == MB2_BOOT_MAGIC)
		parse_multiboot2(info_phys);
	else if (magic == PVH_MAGIC)
		parse_pvh(info_phys);
	else
		panic("boot: unknown boot protocol (magic %x)", magic);
}

const char *boot_arg(const char *key, char *buf, size_t len)
{
	return boot_cmdline_get(boot_info.cmdline, key, buf, len);
}
