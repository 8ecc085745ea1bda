/* Intel VT-d DMA remapping (see iommu.h).  Register-based invalidation
 * (no queued invalidation), 4 KiB second-level pages, one unit. */
#include "dev/iommu.h"

#include "arch/x86_64/intc.h"
#include "arch/x86_64/timer.h"
#include "boot_cmdline.h"
#include "boot_info.h"
#include "dev/acpi_tables.h"
#include "dmar.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/vmm.h"

/* Registers (VT-d spec 11.4). */
#define REG_VER     0x00
#define REG_CAP     0x08
#define REG_ECAP    0x10
#define REG_GCMD    0x18
#define REG_GSTS    0x1c
#define REG_RTADDR  0x20
#define REG_CCMD    0x28
#define REG_FSTS    0x34
#define REG_FECTL   0x38
#define REG_FEDATA  0x3c
#define REG_FEADDR  0x40
#define REG_FEUADDR 0x44

#define GSTS_TES  (1u << 31)
#define GSTS_RTPS (1u << 30)
#define GSTS_QIES (1u << 26)
#define GSTS_IRES (1u << 25)
#define GSTS_CFIS (1u << 23)
#define GSTS_KEEP (GSTS_TES | GSTS_QIES | GSTS_IRES | GSTS_CFIS) /* states, not one-shot commands */
#define GCMD_TE   (1u << 31)
#define GCMD_SRTP (1u << 30)

#define CCMD_ICC     (1ull << 63)
#define CCMD_GLOBAL  (1ull << 61)
#define CCMD_DEVICE  (3ull << 61)
#define IOTLB_IVT    (1ull << 63)
#define IOTLB_GLOBAL (1ull << 60)
#define IOTLB_DOMAIN (2ull << 60)
#define IOTLB_DRAIN  (3ull << 48) /* drain reads and writes first */

#define FSTS_PFO (1u << 0)
#define FSTS_PPF (1u << 1)
#define FSTS_W1C 0x7du /* PFO, AFO, APF, IQE, ICE, ITE */
#define FECTL_IM (1u << 31)
#define FRCD_F   (1ull << 63)
#define FRCD_T   (1ull << 62) /* 1: read request */

#define CTX_PRESENT 1ull
#define MAX_DOMAINS 16
#define SPIN_LIMIT  10000000u /* register polls before the unit counts as hung */

struct iommu_domain {
	bool used;
	uint16_t did;
	uint8_t bus, devfn;
	const char *who;
	struct iopt pt;
};

static volatile uint8_t *regs;
static bool enabled;
static unsigned levels, aw_code, nfr, fro, iro, domain_ids;
static uint64_t root_pa;
static struct iommu_domain domains[MAX_DOMAINS];
static unsigned long faults;
static struct iommu_fault last_fault;
static int fault_vector = -1;

static uint32_t rd32(unsigned off) { return *(volatile uint32_t *)(regs + off); }
static uint64_t rd64(unsigned off) { return *(volatile uint64_t *)(regs + off); }
static void wr32(unsigned off, uint32_t v) { *(volatile uint32_t *)(regs + off) = v; }
static void wr64(unsigned off, uint64_t v) { *(volatile uint64_t *)(regs + off) = v; }

bool iommu_enabled(void) { return enabled; }

const char *iommu_strerror(int err)
{
	switch (err) {
	case IOMMU_ERR_OFF: return "no DMA remapping in use";
	case IOMMU_ERR_BUSY: return "the function already has a DMA domain";
	case IOMMU_ERR_NO_DOMAIN: return "no free DMA domain";
	case IOMMU_ERR_NOMEM: return "no frame for a remapping table";
	case IOMMU_ERR_HW: return "the remapping unit did not complete a command";
	}
	return iopt_strerror(err);
}

const char *iommu_fault_reason(uint8_t r)
{
	static const char *const names[] = {
		[1] = "root entry not present (device has no domain)",
		[2] = "context entry not present (device has no domain)",
		[3] = "invalid context entry",
		[4] = "address beyond the domain's width",
		[5] = "write to a page not mapped writable",
		[6] = "read of a page not mapped readable",
		[7] = "bad page-table pointer",
		[8] = "bad root table pointer",
		[9] = "bad context table pointer",
		[10] = "reserved bits in root entry",
		[11] = "reserved bits in context entry",
		[12] = "reserved bits in page-table entry",
		[13] = "translation type blocked",
	};
	if (r < sizeof names / sizeof names[0] && names[r])
		return names[r];
	return "unknown reason";
}

/* --- commands ------------------------------------------------------- */

static bool gcmd(uint32_t cmd, uint32_t status, bool on)
{
	wr32(REG_GCMD, (rd32(REG_GSTS) & GSTS_KEEP & ~cmd) | (on ? cmd : 0));
	for (unsigned i = 0; i < SPIN_LIMIT; i++)
		if (!!(rd32(REG_GSTS) & status) == on)
			return true;
	return false;
}

/* Waits until bit clears in the 64-bit register at off. */
static bool wait_clear64(unsigned off, uint64_t bit)
{
	for (unsigned i = 0; i < SPIN_LIMIT; i++)
		if (!(rd64(off) & bit))
			return true;
	return false;
}

static bool context_invalidate(uint64_t scope)
{
	wr64(REG_CCMD, CCMD_ICC | scope);
	return wait_clear64(REG_CCMD, CCMD_ICC);
}

/* Register-based IOTLB invalidation; returns once the unit has completed
 * it, so no later DMA uses a translation cached before the call. */
static bool iotlb_invalidate(uint64_t scope)
{
	wr64(iro + 8, IOTLB_IVT | IOTLB_DRAIN | scope);
	return wait_clear64(iro + 8, IOTLB_IVT);
}

/* --- faults ---------------------------------------------------------- */

/* Reads and clears every pending fault record. */
static void fault_drain(void)
{
	uint32_t fsts = rd32(REG_FSTS);
	for (unsigned n = 0; n < nfr; n++) {
		unsigned off = fro + 16 * n;
		uint64_t hi = rd64(off + 8);
		if (!(hi & FRCD_F))
			continue;
		uint64_t lo = rd64(off);
		struct iommu_fault f = {
			.source = (uint16_t)hi,
			.addr = lo & ~0xfffull,
			.reason = (uint8_t)(hi >> 32),
			.write = !(hi & FRCD_T),
		};
		wr32(off + 12, (uint32_t)(FRCD_F >> 32)); /* write 1 to clear F */
		last_fault = f;
		faults++;
		kprintf("iommu: DMA fault: %02x:%02x.%x %s at iova %lx: reason %u (%s)\n",
		        f.source >> 8, (f.source >> 3) & 0x1f, f.source & 7,
		        f.write ? "write" : "read", f.addr, f.reason, iommu_fault_reason(f.reason));
	}
	if (fsts & FSTS_PFO)
		kprintf("iommu: fault records overflowed: some faults were not recorded\n");
	wr32(REG_FSTS, fsts & FSTS_W1C); /* also clears the pending-interrupt bit */
}

static void fault_irq(struct trap_frame *tf)
{
	(void)tf;
	fault_drain();
}

unsigned long iommu_fault_count(struct iommu_fault *last)
{
	if (enabled && fault_vector < 0)
		fault_drain(); /* on the 8259 there is no fault interrupt: poll */
	if (last)
		*last = last_fault;
	return faults;
}

/* --- bring-up ------------------------------------------------------- */

static bool pick_levels(uint64_t cap)
{
	unsigned sagaw = (unsigned)(cap >> 8) & 0x1f;
	if (sagaw & 0x2) {
		levels = 3; /* 39-bit IOVAs */
		aw_code = 1;
	} else if (sagaw & 0x4) {
		levels = 4; /* 48-bit */
		aw_code = 2;
	} else {
		return false;
	}
	return true;
}

static bool setup_faults(void)
{
	wr32(REG_FECTL, FECTL_IM);
	fault_drain(); /* anything firmware left */
	if (!intc_apic_mode()) {
		kprintf("iommu: no local APIC: faults are polled, not signalled\n");
		return true;
	}
	fault_vector = intc_vector_alloc(fault_irq, "iommu faults");
	if (fault_vector < 0) {
		kprintf("iommu: no vector for fault events: faults are polled\n");
		return true;
	}
	wr32(REG_FEDATA, (uint32_t)fault_vector);
	wr32(REG_FEADDR, (uint32_t)intc_msi_address());
	wr32(REG_FEUADDR, 0);
	wr32(REG_FECTL, 0);
	return true;
}

static bool start_unit(const struct dmar_unit *u)
{
	regs = phys_to_virt(u->base);
	uint32_t ver = rd32(REG_VER);
	uint64_t cap = rd64(REG_CAP), ecap = rd64(REG_ECAP);
	nfr = (unsigned)((cap >> 40) & 0xff) + 1;
	fro = (unsigned)((cap >> 24) & 0x3ff) * 16;
	iro = (unsigned)((ecap >> 8) & 0x3ff) * 16;
	domain_ids = 1u << (4 + 2 * (unsigned)(cap & 7));
	if (!pick_levels(cap)) {
		kprintf("iommu: unit supports neither 39- nor 48-bit tables (CAP %lx): not used\n", cap);
		return false;
	}
	kprintf("iommu: VT-d %u.%u at %lx: CAP %lx ECAP %lx, %u-level tables, %u domain ids, "
	        "%u fault record(s)\n",
	        (ver >> 4) & 0xf, ver & 0xf, u->base, cap, ecap, levels, domain_ids, nfr);
	if (rd32(REG_GSTS) & GSTS_TES) {
		kprintf("iommu: translation was left on by firmware: turning it off first\n");
		if (!gcmd(GCMD_TE, GSTS_TES, false))
			return false;
	}
	root_pa = pmm_alloc();
	if (!root_pa)
		return false;
	wr64(REG_RTADDR, root_pa);
	if (!gcmd(GCMD_SRTP, GSTS_RTPS, true) || !context_invalidate(CCMD_GLOBAL) ||
	    !iotlb_invalidate(IOTLB_GLOBAL)) {
		kprintf("iommu: unit did not take the root table: not used\n");
		pmm_free(root_pa);
		root_pa = 0;
		return false;
	}
	setup_faults();
	if (!gcmd(GCMD_TE, GSTS_TES, true)) {
		kprintf("iommu: translation did not turn on: not used\n");
		return false;
	}
	return true;
}

void iommu_init(void)
{
	char word[8];
	if (boot_arg("noiommu", word, sizeof word)) {
		kprintf("iommu: off (noiommu): devices reach all memory\n");
		return;
	}
	if (!acpi.dmar_pa) {
		kprintf("iommu: no DMAR table: no DMA remapping (devices reach all memory)\n");
		return;
	}
	struct dmar_info info;
	int err = dmar_parse(&(struct acpi_read_ops){.read = acpi_phys_read}, acpi.dmar_pa, &info);
	if (err != ACPI_OK) {
		kprintf("iommu: DMAR at %lx unusable: %s\n", acpi.dmar_pa, acpi_strerror(err));
		return;
	}
	kprintf("iommu: DMAR: %u-bit DMA addresses, %u unit(s), %u reserved region(s)%s\n",
	        info.host_width, info.unit_count, info.rmrr_count,
	        info.flags & DMAR_FLAG_INTR_REMAP ? ", interrupt remapping offered (not used)" : "");
	const struct dmar_unit *u = &info.units[0];
	kprintf("iommu: unit at %lx, segment %u, %s, %u device scope(s)\n", u->base, u->segment,
	        u->include_all ? "all devices" : "listed devices", u->scopes);
	/* QEMU 7.2 lists its bus-0 devices as scopes instead of setting
	 * include-all; either way one unit serves the whole machine.  Scope
	 * membership of a domain's device is not checked yet. */
	if (info.unit_count != 1 || u->segment != 0) {
		kprintf("iommu: only a single unit on segment 0 is supported: not used\n");
		return;
	}
	if (info.rmrr_count) {
		kprintf("iommu: reserved memory regions are not honoured yet: not used\n");
		return;
	}
	if (u->base >= (4ull << 30)) {
		kprintf("iommu: registers at %lx are outside the direct map: not used\n", u->base);
		return;
	}
	if (!start_unit(u))
		return;
	enabled = true;
	kprintf("iommu: DMA remapping on: devices without a domain are blocked; faults on vector %d\n",
	        fault_vector);
}

/* --- domains -------------------------------------------------------- */

static uint64_t table_alloc(void *ctx)
{
	(void)ctx;
	return pmm_alloc();
}
static void table_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	pmm_free(pa);
}
static uint64_t *table_at(void *ctx, uint64_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}
static const struct iopt_ops table_ops = {.alloc = table_alloc, .free = table_free, .table = table_at};

static uint64_t *root_entry(uint8_t bus) { return (uint64_t *)phys_to_virt(root_pa) + 2 * bus; }

/* The context entry (two words) for bus:devfn, creating the bus's table. */
static uint64_t *context_entry(uint8_t bus, uint8_t devfn, bool create)
{
	uint64_t *re = root_entry(bus);
	if (!(re[0] & CTX_PRESENT)) {
		if (!create)
			return 0;
		uint64_t t = pmm_alloc();
		if (!t)
			return 0;
		re[1] = 0;
		re[0] = t | CTX_PRESENT;
	}
	return (uint64_t *)phys_to_virt(re[0] & ~0xfffull) + 2 * devfn;
}

/* Frees the bus's context table once no entry in it is present. */
static void context_table_release(uint8_t bus)
{
	uint64_t *re = root_entry(bus);
	const uint64_t *t = phys_to_virt(re[0] & ~0xfffull);
	for (unsigned i = 0; i < 256; i++)
		if (t[2 * i] & CTX_PRESENT)
			return;
	uint64_t pa = re[0] & ~0xfffull;
	re[0] = 0;
	context_invalidate(CCMD_GLOBAL); /* the unit may cache the root entry */
	pmm_free(pa);
}

static uint16_t devfn_of(uint8_t dev, uint8_t fn) { return (uint16_t)((dev & 0x1f) << 3 | (fn & 7)); }

struct iommu_domain *iommu_domain_create(uint8_t bus, uint8_t dev, uint8_t fn, const char *who,
                                         int *err)
{
	*err = 0;
	if (!enabled) {
		*err = IOMMU_ERR_OFF;
		return 0;
	}
	uint8_t devfn = (uint8_t)devfn_of(dev, fn);
	struct iommu_domain *d = 0;
	for (unsigned i = 0; i < MAX_DOMAINS; i++) {
		if (domains[i].used && domains[i].bus == bus && domains[i].devfn == devfn) {
			*err = IOMMU_ERR_BUSY;
			return 0;
		}
		if (!domains[i].used && !d && i + 1 < domain_ids)
			d = &domains[i];
	}
	if (!d) {
		*err = IOMMU_ERR_NO_DOMAIN;
		return 0;
	}
	if (iopt_init(&d->pt, &table_ops, levels) != IOPT_OK) {
		*err = IOMMU_ERR_NOMEM;
		return 0;
	}
	uint64_t *ce = context_entry(bus, devfn, true);
	if (!ce) {
		iopt_destroy(&d->pt);
		*err = IOMMU_ERR_NOMEM;
		return 0;
	}
	d->used = true;
	d->did = (uint16_t)(d - domains + 1); /* id 0 is reserved when caching mode is on */
	d->bus = bus;
	d->devfn = devfn;
	d->who = who;
	/* High word first: the entry becomes present only once complete.
	 * Translation type 0: untranslated requests through the tables. */
	ce[1] = (uint64_t)d->did << 8 | aw_code;
	ce[0] = d->pt.root | CTX_PRESENT;
	context_invalidate(CCMD_DEVICE | (uint64_t)(bus << 8 | devfn) << 16 | d->did);
	iotlb_invalidate(IOTLB_DOMAIN | (uint64_t)d->did << 32);
	kprintf("iommu: domain %u for %02x:%02x.%x (%s)\n", d->did, bus, dev & 0x1f, fn & 7, who);
	return d;
}

int iommu_map(struct iommu_domain *d, uint64_t iova, uint64_t pa, unsigned perm)
{
	/* Caching mode is not used, so a not-present -> present change needs
	 * no invalidation: the unit never caches a missing translation. */
	return iopt_map(&d->pt, iova, pa, perm);
}

int iommu_unmap(struct iommu_domain *d, uint64_t iova, uint64_t *pa_out)
{
	int err = iopt_unmap(&d->pt, iova, pa_out);
	if (err != IOPT_OK)
		return err;
	if (!iotlb_invalidate(IOTLB_DOMAIN | (uint64_t)d->did << 32)) {
		kprintf("iommu: IOTLB invalidation for domain %u did not complete\n", d->did);
		return IOMMU_ERR_HW;
	}
	return IOPT_OK;
}

unsigned iommu_domain_destroy(struct iommu_domain *d)
{
	uint64_t *ce = context_entry(d->bus, d->devfn, false);
	ce[0] = 0;
	ce[1] = 0;
	context_invalidate(CCMD_DEVICE | (uint64_t)(d->bus << 8 | d->devfn) << 16 | d->did);
	iotlb_invalidate(IOTLB_DOMAIN | (uint64_t)d->did << 32);
	context_table_release(d->bus);
	unsigned left = iopt_destroy(&d->pt);
	kprintf("iommu: domain %u for %02x:%02x.%x (%s) destroyed, %u page(s) were still mapped\n",
	        d->did, d->bus, d->devfn >> 3, d->devfn & 7, d->who, left);
	d->used = false;
	return left;
}

unsigned iommu_domain_count(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < MAX_DOMAINS; i++)
		n += domains[i].used;
	return n;
}
