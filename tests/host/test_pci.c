/* lib/pci.c on synthetic config spaces, hostile ones included. */
#include <criterion/criterion.h>
#include <string.h>

#include "pci.h"

/* A fake function: 256 bytes of config space and a writable mask per dword. */
struct fake_fn {
	bool present;
	uint32_t reg[64];
	uint32_t wmask[64];
};
static struct fake_fn fns[4][32][8]; /* buses 0..3 */
static unsigned reads_outside;

static uint32_t fake_read(void *ctx, uint8_t b, uint8_t d, uint8_t f, uint16_t off)
{
	(void)ctx;
	cr_assert_eq(off & 3, 0, "unaligned config read");
	if (b >= 4 || !fns[b][d][f].present) {
		if (b >= 4)
			reads_outside++;
		return 0xffffffffu;
	}
	cr_assert_lt(off, 256);
	return fns[b][d][f].reg[off / 4];
}

static void fake_write(void *ctx, uint8_t b, uint8_t d, uint8_t f, uint16_t off, uint32_t v)
{
	(void)ctx;
	if (b >= 4 || !fns[b][d][f].present)
		return;
	struct fake_fn *fn = &fns[b][d][f];
	fn->reg[off / 4] = (fn->reg[off / 4] & ~fn->wmask[off / 4]) | (v & fn->wmask[off / 4]);
}

static const struct pci_cfg_ops ops = {.read32 = fake_read, .write32 = fake_write};

static struct fake_fn *add_fn(uint8_t b, uint8_t d, uint8_t f, uint16_t vendor, uint16_t device,
                              uint32_t class_rev, uint8_t header)
{
	struct fake_fn *fn = &fns[b][d][f];
	memset(fn, 0, sizeof *fn);
	fn->present = true;
	fn->reg[0] = vendor | (uint32_t)device << 16;
	fn->reg[2] = class_rev;
	fn->reg[3] = (uint32_t)header << 16;
	fn->wmask[1] = 0xffff; /* command */
	return fn;
}

static void set_bar(struct fake_fn *fn, unsigned i, uint32_t value, uint32_t wmask)
{
	fn->reg[4 + i] = value;
	fn->wmask[4 + i] = wmask;
}

static void set_caps(struct fake_fn *fn, uint8_t first)
{
	fn->reg[1] |= (uint32_t)PCI_STATUS_CAPS << 16;
	fn->reg[PCI_CAP_PTR / 4] = first;
}

static void put_cap(struct fake_fn *fn, uint8_t at, uint8_t id, uint8_t next, uint16_t ctrl)
{
	fn->reg[at / 4] = id | (uint32_t)next << 8 | (uint32_t)ctrl << 16;
}

static void setup(void)
{
	memset(fns, 0, sizeof fns);
	reads_outside = 0;
}
TestSuite(pci, .init = setup);

Test(pci, bars_typed_and_sized_and_restored)
{
	struct fake_fn *fn = add_fn(0, 3, 0, 0x1af4, 0x1041, 0x02000001, 0);
	fn->reg[1] = PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER;
	set_bar(fn, 0, 0xc001, 0xffffffe0);     /* io, 32 bytes */
	set_bar(fn, 1, 0xfebd1000, 0xfffff000); /* mem32, 4 KiB */
	set_bar(fn, 2, 0, 0);                   /* unimplemented */
	set_bar(fn, 3, 0x0000400c, 0xffffc000); /* mem64 prefetchable, 16 KiB */
	set_bar(fn, 4, 0x00000080, 0xffffffff); /* its upper half: 0x80_00004000 */
	set_bar(fn, 5, 0xfe000000, 0xff000000); /* mem32, 16 MiB */
	fn->reg[PCI_INTERRUPT / 4] = 0x010b;    /* INTA, line 11 */
	struct pci_device d;
	cr_assert_eq(pci_read_function(&ops, 0, 3, 0, &d), PCI_OK);
	cr_assert_eq(d.vendor, 0x1af4);
	cr_assert_eq(d.device, 0x1041);
	cr_assert_eq(d.class_code, 2);
	cr_assert_eq(d.revision, 1);
	cr_assert_eq(d.bar_err, PCI_OK);
	cr_assert_eq(d.bars[0].type, PCI_BAR_IO);
	cr_assert_eq(d.bars[0].base, 0xc000);
	cr_assert_eq(d.bars[0].size, 32);
	cr_assert_eq(d.bars[1].type, PCI_BAR_MEM32);
	cr_assert_eq(d.bars[1].size, 0x1000);
	cr_assert_eq(d.bars[2].type, PCI_BAR_NONE);
	cr_assert_eq(d.bars[3].type, PCI_BAR_MEM64);
	cr_assert(d.bars[3].prefetchable);
	cr_assert_eq(d.bars[3].base, 0x8000004000ull);
	cr_assert_eq(d.bars[3].size, 0x4000);
	cr_assert_eq(d.bars[4].type, PCI_BAR_NONE, "upper half of a 64-bit BAR");
	cr_assert_eq(d.bars[5].size, 16u << 20);
	cr_assert_eq(d.irq_pin, 1);
	cr_assert_eq(d.irq_line, 11);
	/* Every register is back as it was. */
	cr_assert_eq(fn->reg[1] & 0xffff, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	cr_assert_eq(fn->reg[4], 0xc001);
	cr_assert_eq(fn->reg[5], 0xfebd1000);
	cr_assert_eq(fn->reg[7], 0x400c);
	cr_assert_eq(fn->reg[8], 0x80);
}

Test(pci, hostile_bars)
{
	struct fake_fn *fn = add_fn(0, 1, 0, 0x1234, 0x5678, 0, 0);
	set_bar(fn, 0, 0x6, 0xfffff000); /* reserved memory type 3 */
	set_bar(fn, 5, 0x4, 0xfffff000); /* 64-bit in the last slot */
	struct pci_device d;
	cr_assert_eq(pci_read_function(&ops, 0, 1, 0, &d), PCI_OK);
	cr_assert_eq(d.bar_err, PCI_ERR_MALFORMED);
	cr_assert_eq(d.bars[0].type, PCI_BAR_NONE);
	cr_assert_eq(d.bars[5].type, PCI_BAR_NONE);
	/* Bridge: only two BARs are decoded. */
	fn = add_fn(0, 2, 0, 0x8086, 0x1111, 0x06040000, 1);
	set_bar(fn, 2, 0x00010100, 0xffffffff); /* bus numbers, not a BAR */
	cr_assert_eq(pci_read_function(&ops, 0, 2, 0, &d), PCI_OK);
	cr_assert_eq(d.bars[2].type, PCI_BAR_NONE);
	cr_assert_eq(d.secondary_bus, 1);
	cr_assert_eq(d.subordinate_bus, 1);
	/* Unknown header type: identity only. */
	add_fn(0, 4, 0, 0x8086, 0x2222, 0, 0x7f);
	cr_assert_eq(pci_read_function(&ops, 0, 4, 0, &d), PCI_OK);
	cr_assert_eq(d.bar_err, PCI_ERR_MALFORMED);
}

Test(pci, absent_function)
{
	struct pci_device d;
	cr_assert_eq(pci_read_function(&ops, 0, 9, 0, &d), PCI_ERR_ABSENT);
	add_fn(0, 9, 0, 0x0000, 0, 0, 0);
	cr_assert_eq(pci_read_function(&ops, 0, 9, 0, &d), PCI_ERR_ABSENT);
}

Test(pci, capabilities_msi_msix_pcie)
{
	struct fake_fn *fn = add_fn(0, 3, 0, 0x1af4, 0x1041, 0x02000001, 0);
	set_caps(fn, 0x40 | 3); /* low bits are reserved and ignored */
	put_cap(fn, 0x40, PCI_CAP_PCIE, 0x50, 0);
	put_cap(fn, 0x50, 0x09, 0x60, 0);         /* vendor-specific */
	put_cap(fn, 0x60, PCI_CAP_MSIX, 0x70, 2); /* 3 entries */
	fn->reg[0x64 / 4] = 0x1 | 0x0;            /* table in BAR1 at 0 */
	fn->reg[0x68 / 4] = 0x1 | 0x800;          /* PBA in BAR1 at 0x800 */
	put_cap(fn, 0x70, PCI_CAP_MSI, 0, 0x80);
	struct pci_device d;
	pci_read_function(&ops, 0, 3, 0, &d);
	cr_assert_eq(d.cap_err, PCI_OK);
	cr_assert_eq(d.pcie_cap, 0x40);
	cr_assert_eq(d.msix_cap, 0x60);
	cr_assert_eq(d.msix_table_size, 3);
	cr_assert_eq(d.msix_table_bar, 1);
	cr_assert_eq(d.msix_pba_off, 0x800);
	cr_assert_eq(d.msi_cap, 0x70);
}

Test(pci, capability_loops_and_bad_pointers)
{
	struct fake_fn *fn = add_fn(0, 3, 0, 0x1af4, 0x1041, 0, 0);
	struct pci_device d;
	set_caps(fn, 0x40);
	put_cap(fn, 0x40, PCI_CAP_MSI, 0x50, 0);
	put_cap(fn, 0x50, 0x09, 0x40, 0); /* back to the first */
	pci_read_function(&ops, 0, 3, 0, &d);
	cr_assert_eq(d.cap_err, PCI_ERR_CAP_LOOP);
	cr_assert_eq(d.msi_cap, 0x40, "what was found before the loop is kept");
	put_cap(fn, 0x40, PCI_CAP_MSI, 0x40, 0); /* points at itself */
	cr_assert_eq(pci_walk_caps(&ops, &d), PCI_ERR_CAP_LOOP);
	put_cap(fn, 0x40, PCI_CAP_MSI, 0x10, 0); /* into the header */
	cr_assert_eq(pci_walk_caps(&ops, &d), PCI_ERR_CAP_POINTER);
	set_caps(fn, 0x3c);
	cr_assert_eq(pci_walk_caps(&ops, &d), PCI_ERR_CAP_POINTER);
	/* Status says no list: the pointer is not followed at all. */
	fn->reg[1] = 0;
	cr_assert_eq(pci_walk_caps(&ops, &d), PCI_OK);
	cr_assert_eq(d.msi_cap, 0);
	/* MSI-X naming BAR 7. */
	set_caps(fn, 0x40);
	put_cap(fn, 0x40, PCI_CAP_MSIX, 0, 0);
	fn->reg[0x44 / 4] = 7;
	cr_assert_eq(pci_walk_caps(&ops, &d), PCI_ERR_MALFORMED);
	cr_assert_eq(d.msix_cap, 0);
	/* A long chain through every dword ends as a loop, not a hang. */
	for (uint8_t at = 0x40; at != 0; at = (uint8_t)(at + 4))
		put_cap(fn, at, 0x09, (uint8_t)(at + 4 == 0x100 ? 0x40 : at + 4), 0);
	cr_assert_eq(pci_walk_caps(&ops, &d), PCI_ERR_CAP_LOOP);
}

Test(pci, enumerate_follows_bridges_once)
{
	add_fn(0, 0, 0, 0x8086, 0x29c0, 0x06000000, 0);
	add_fn(0, 1, 0, 0x1234, 0x1111, 0x03000000, 0x80); /* multifunction */
	add_fn(0, 1, 2, 0x1234, 0x2222, 0x01010000, 0);
	add_fn(0, 2, 0, 0x1234, 0x3333, 0x03000000, 0); /* not multifunction: */
	add_fn(0, 2, 1, 0x1234, 0x4444, 0x03000000, 0); /* ...fn 1 not looked at */
	struct fake_fn *br = add_fn(0, 5, 0, 0x8086, 0x7777, 0x06040000, 1);
	br->reg[PCI_BUS_NUMBERS / 4] = 0x00020100; /* secondary 1, subordinate 2 */
	add_fn(1, 0, 0, 0x1af4, 0x1041, 0x02000000, 0);
	struct fake_fn *br2 = add_fn(1, 1, 0, 0x8086, 0x7777, 0x06040000, 1);
	br2->reg[PCI_BUS_NUMBERS / 4] = 0x00000001; /* hostile: secondary bus 0 again */
	struct fake_fn *br3 = add_fn(1, 2, 0, 0x8086, 0x7777, 0x06040000, 1);
	br3->reg[PCI_BUS_NUMBERS / 4] = 0x00ff0101; /* hostile: itself */
	struct pci_device out[16];
	unsigned dropped;
	unsigned n = pci_enumerate(&ops, out, 16, &dropped);
	cr_assert_eq(n, 8);
	cr_assert_eq(dropped, 0);
	cr_assert_eq(out[2].fn, 2);
	cr_assert_eq(out[4].header_type, 1);
	cr_assert_eq(out[5].bus, 1);
	cr_assert_eq(out[5].device, 0x1041);
	cr_assert_eq(reads_outside, 0);
	n = pci_enumerate(&ops, out, 3, &dropped);
	cr_assert_eq(n, 3);
	cr_assert_eq(dropped, 5);
}

Test(pci, msi_programming)
{
	struct fake_fn *fn = add_fn(0, 3, 0, 0x1af4, 0x1041, 0, 0);
	set_caps(fn, 0x40);
	put_cap(fn, 0x40, PCI_CAP_MSI, 0, 0x0180 | 0x30); /* 64-bit, maskable, MME set */
	fn->wmask[0x40 / 4] = 0xffff0000;
	fn->wmask[0x44 / 4] = fn->wmask[0x48 / 4] = fn->wmask[0x4c / 4] = 0xffffffff;
	fn->wmask[0x50 / 4] = 0xffffffff;
	fn->reg[0x50 / 4] = 1; /* masked */
	struct pci_device d;
	pci_read_function(&ops, 0, 3, 0, &d);
	cr_assert_eq(pci_msi_enable(&ops, &d, 0xfee00000u, 0x41), PCI_OK);
	cr_assert_eq(fn->reg[0x44 / 4], 0xfee00000u);
	cr_assert_eq(fn->reg[0x48 / 4], 0);
	cr_assert_eq(fn->reg[0x4c / 4], 0x41);
	cr_assert_eq(fn->reg[0x50 / 4], 0, "unmasked");
	cr_assert_eq(fn->reg[0x40 / 4] >> 16, 0x0181, "enabled, one message");
	cr_assert_eq(pci_msi_enable(&ops, &d, 0xfee00002u, 0x41), PCI_ERR_MALFORMED);
	cr_assert_eq(pci_msi_enable(&ops, &d, 0xfee00000u, 0x10000), PCI_ERR_MALFORMED);
	/* 32-bit-only MSI cannot take a high address. */
	put_cap(fn, 0x40, PCI_CAP_MSI, 0, 0);
	cr_assert_eq(pci_msi_enable(&ops, &d, 0x1fee00000ull, 0x41), PCI_ERR_MALFORMED);
	cr_assert_eq(pci_msi_enable(&ops, &d, 0xfee00000u, 0x42), PCI_OK);
	cr_assert_eq(fn->reg[0x48 / 4], 0x42);
	d.msi_cap = 0;
	cr_assert_eq(pci_msi_enable(&ops, &d, 0xfee00000u, 0x42), PCI_ERR_ABSENT);
	cr_assert_eq(pci_msix_set_enable(&ops, &d, true), PCI_ERR_ABSENT);
}

Test(pci, msix_enable_bit)
{
	struct fake_fn *fn = add_fn(0, 3, 0, 0x1af4, 0x1041, 0, 0);
	set_caps(fn, 0x40);
	put_cap(fn, 0x40, PCI_CAP_MSIX, 0, 0x4000 | 7); /* function-masked, 8 entries */
	fn->wmask[0x40 / 4] = 0xc0000000;
	struct pci_device d;
	pci_read_function(&ops, 0, 3, 0, &d);
	cr_assert_eq(d.msix_table_size, 8);
	cr_assert_eq(pci_msix_set_enable(&ops, &d, true), PCI_OK);
	cr_assert_eq(fn->reg[0x40 / 4] >> 16, 0x8007);
	cr_assert_eq(pci_msix_set_enable(&ops, &d, false), PCI_OK);
	cr_assert_eq(fn->reg[0x40 / 4] >> 16, 0x0007);
}
