/*
 * DeviceMmio capability (see device_mmio.h).
 */
#include "cap/device_mmio.h"

#include <capos/abi.h>

#include "capnp/capnp.h"
#include "cap/registry.h"
#include "dev/device_claim.h"
#include "capos.capnp.h"
#include "device.capnp.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/user_memory.h"
#include "proc/process.h"
#include "vm_ranges.h"

#define MSIX_ENTRY_BYTES 16u

struct device_mmio {
	struct dev_mapped mapped; /* first: mappings are tagged with it */
	bool used;
	uint32_t refs; /* the cap + one per mapping */
	struct dev_claim *claim;
	uint8_t bar;
	uint8_t config[DEV_CONFIG_BYTES];
};

static struct device_mmio mmios[DEVICE_MMIO_MAX];
static uint64_t frames[DEVICE_MMIO_MAP_PAGES]; /* one map at a time */

unsigned device_mmio_live(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < DEVICE_MMIO_MAX; i++)
		n += mmios[i].used;
	return n;
}

const char *device_mmio_bar_problem(const struct dev_claim *cl, unsigned bar)
{
	if (bar >= PCI_MAX_BARS)
		return "no such BAR";
	const struct pci_bar *b = &cl->pci->bars[bar];
	if (b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64)
		return "not a memory BAR";
	if (b->size < PAGE_SIZE || (b->base & (PAGE_SIZE - 1)) != 0)
		return "smaller than a page or not page aligned";
	return 0;
}

static void put(struct device_mmio *o)
{
	if (o->refs == 0)
		panic("device mmio: reference dropped below 0");
	if (--o->refs != 0)
		return;
	char name[32];
	dev_name(o->claim->pci, name, sizeof name);
	kprintf("device: DeviceMmio of %s bar %u freed\n", name, o->bar);
	dev_claim_put(o->claim);
	memset(o, 0, sizeof(*o));
}

_Static_assert(DEVICE_MMIO_MAPS <= DEV_MAPS_MAX, "struct dev_mapped holds the mappings");

/* A mapping's reference (struct dev_mapped: the object is its first member). */
static void put_mapped(struct dev_mapped *m) { put((struct device_mmio *)m); }

int device_mmio_create(struct dev_claim *cl, unsigned bar, struct cap_entry *out)
{
	for (unsigned i = 0; i < DEVICE_MMIO_MAX; i++) {
		struct device_mmio *o = &mmios[i];
		if (o->used)
			continue;
		memset(o, 0, sizeof(*o));
		o->used = true;
		dev_mapped_init(&o->mapped, DEVICE_MMIO_MAPS, put_mapped);
		o->refs = 1;
		o->claim = cl;
		o->bar = (uint8_t)bar;
		dev_config_copy(cl->pci, o->config);
		cl->refs++;
		/* clang-format off */
		*out = (struct cap_entry){.object = o, .interface_id = device_DeviceMmio_ID,
		                          .type = KCAP_DEVICE_MMIO};
		/* clang-format on */
		char name[32];
		dev_name(cl->pci, name, sizeof name);
		kprintf("device: DeviceMmio of %s bar %u (%lx size %lx) for '%s'\n", name, bar,
		        cl->pci->bars[bar].base, cl->pci->bars[bar].size, cl->owner);
		return CAPOS_OK;
	}
	return CAPOS_ERR_NO_RESOURCES;
}

/* Does [off, off+len) of BAR bar touch a page of the region [roff,
 * roff+rlen) of BAR rbar? */
static bool touches(unsigned bar, uint64_t off, uint64_t len, unsigned rbar, uint64_t roff,
                    uint64_t rlen)
{
	if (bar != rbar || rlen == 0)
		return false;
	uint64_t rs = roff & ~(PAGE_SIZE - 1), re = (roff + rlen + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	return off < re && rs < off + len;
}

static int refuse(struct kcap_call *c, const char *method, bool overloaded, const char *why)
{
	return kcap_refuse(c, "DeviceMmio", method, overloaded, why);
}

static const struct kcall_method mmio_methods[] = {
	/* clang-format off */
	{device_DeviceMmio_info_METHOD, "info",
	 {KCALL_FLAT(device_DeviceMmio_info_Results) +
	          8u * (device_DeviceInfo_DATA_WORDS + device_DeviceInfo_PTR_COUNT) + DEV_CONFIG_BYTES,
	  0}},
	{device_DeviceMmio_map_METHOD, "map", {KCALL_FLAT(device_DeviceMmio_map_Results), 0}},
	{device_DeviceMmio_unmap_METHOD, "unmap", {KCALL_FLAT(device_DeviceMmio_unmap_Results), 0}},
};
/* clang-format on */

/* arg: map (offset, length, hint), unmap (addr). */
static int mmio_decode(void *object, struct kcap_call *c)
{
	struct device_mmio *o = object;
	const struct pci_device *d = o->claim->pci;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == device_DeviceMmio_map_METHOD) {
		device_DeviceMmio_map_Params_reader r = device_DeviceMmio_map_Params_read_root(&m);
		c->arg[0] = device_DeviceMmio_map_Params_get_offset(r);
		c->arg[1] = device_DeviceMmio_map_Params_get_length(r);
		c->arg[2] = device_DeviceMmio_map_Params_get_hint(r);
	} else if (c->method_id == device_DeviceMmio_unmap_METHOD) {
		c->arg[0] = device_DeviceMmio_unmap_Params_get_addr(
			device_DeviceMmio_unmap_Params_read_root(&m));
	}
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == device_DeviceMmio_map_METHOD) {
		uint64_t off = c->arg[0], len = c->arg[1], size = d->bars[o->bar].size;
		if (len == 0 || ((off | len) & (PAGE_SIZE - 1)) != 0)
			return refuse(c, "map", false, "offset and length must be 4 KiB aligned, length > 0");
		if (off >= size || len > size - off)
			return refuse(c, "map", false, "the range is outside the BAR");
		if (len / PAGE_SIZE > DEVICE_MMIO_MAP_PAGES)
			return refuse(c, "map", false, "more than 512 pages in one map");
		if (d->msix_cap &&
		    (touches(o->bar, off, len, d->msix_table_bar, d->msix_table_off,
		             (uint64_t)d->msix_table_size * MSIX_ENTRY_BYTES) ||
		     touches(o->bar, off, len, d->msix_pba_bar, d->msix_pba_off,
		             ((uint64_t)d->msix_table_size + 63) / 64 * 8)))
			return refuse(c, "map", false,
			              "the range overlaps the MSI-X table or PBA (kernel-owned)");
		if (c->arg[2] != 0 &&
		    vm_check_range(c->arg[2], len, CAPOS_USER_MIN, CAPOS_RING_VADDR) != VM_OK)
			return refuse(c, "map", false, "hint outside user space or misaligned");
	}
	if (c->method_id == device_DeviceMmio_unmap_METHOD && kcap_hits_result(c, c->arg[0], 1))
		return refuse(c, "unmap", false, "the range holds this call's result buffer");
	return CAPOS_OK;
}

static int info_perform(struct device_mmio *o, struct kcap_call *c)
{
	const struct pci_device *d = o->claim->pci;
	const struct pci_bar *b = &d->bars[o->bar];
	struct capnp_builder bld;
	size_t len = 0;
	capnp_builder_init(&bld, c->result, c->result_cap);
	device_DeviceMmio_info_Results_builder r = device_DeviceMmio_info_Results_init_root(&bld);
	device_DeviceInfo_builder i = device_DeviceMmio_info_Results_init_info(r);
	device_DeviceInfo_set_bus(i, d->bus);
	device_DeviceInfo_set_device(i, d->dev);
	device_DeviceInfo_set_function(i, d->fn);
	device_DeviceInfo_set_vendorId(i, d->vendor);
	device_DeviceInfo_set_deviceId(i, d->device);
	device_DeviceInfo_set_classCode(i, d->class_code);
	device_DeviceInfo_set_subclass(i, d->subclass);
	device_DeviceInfo_set_progIf(i, d->prog_if);
	device_DeviceInfo_set_bar(i, o->bar);
	device_DeviceInfo_set_barSize(i, b->size);
	device_DeviceInfo_set_barIs64(i, b->type == PCI_BAR_MEM64);
	device_DeviceInfo_set_barPrefetchable(i, b->prefetchable);
	device_DeviceInfo_set_msixBar(i, d->msix_cap ? d->msix_table_bar : 0xff);
	device_DeviceInfo_set_msixTableOffset(i, d->msix_table_off);
	device_DeviceInfo_set_msixTableBytes(i, (uint32_t)d->msix_table_size * MSIX_ENTRY_BYTES);
	device_DeviceInfo_set_msixPbaBar(i, d->msix_cap ? d->msix_pba_bar : 0xff);
	device_DeviceInfo_set_msixPbaOffset(i, d->msix_pba_off);
	device_DeviceInfo_set_config(i, o->config, DEV_CONFIG_BYTES);
	if (capnp_builder_finish(&bld, &len) != CAPNP_OK)
		panic("DeviceMmio: info does not fit the kernel scratch");
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static int map_perform(struct device_mmio *o, struct kcap_call *c)
{
	int slot = dev_mapped_free_slot(&o->mapped);
	if (slot < 0)
		return refuse(c, "map", true, "8 mappings of this BAR already");
	uint64_t base = o->claim->pci->bars[o->bar].base + c->arg[0];
	uint32_t pages = (uint32_t)(c->arg[1] / PAGE_SIZE);
	for (uint32_t i = 0; i < pages; i++)
		frames[i] = base + (uint64_t)i * PAGE_SIZE;
	uint64_t addr = 0;
	const char *why = "";
	enum umem_status s =
		umem_map_frames(c->caller, c->arg[2], frames, pages,
	                        VM_PROT_READ | VM_PROT_WRITE | UMEM_PROT_UNCACHED,
	                        DEV_MAP_TAG(&o->mapped), &addr, &why);
	if (s)
		return refuse(c, "map", s == UMEM_OVERLOADED, why);
	dev_mapped_add(&o->mapped, slot, c->caller, addr, pages);
	o->refs++;
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	device_DeviceMmio_map_Results_set_addr(device_DeviceMmio_map_Results_init_root(&b), addr);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		panic("DeviceMmio: map result does not fit the kernel scratch");
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static int mmio_perform(void *object, struct kcap_call *c)
{
	struct device_mmio *o = object;
	switch (c->method_id) {
	case device_DeviceMmio_info_METHOD:
		return info_perform(o, c);
	case device_DeviceMmio_map_METHOD:
		return map_perform(o, c);
	default: { /* unmap */
		int slot = dev_mapped_find(&o->mapped, c->caller, c->arg[0]);
		const char *why = "not a mapping of this BAR";
		if (slot < 0 || !dev_mapped_unmap(&o->mapped, slot, &why))
			return refuse(c, "unmap", false, why);
		return kcap_empty_result(c);
	}
	}
}

static void mmio_drop(void *object)
{
	struct device_mmio *o = object;
	/* Released while mapped: the holder loses the mappings with the cap
	 * (at exit they are gone already: the memory teardown runs first). */
	dev_mapped_release(&o->mapped);
	put(o);
}

static void mmio_retain(void *object) { ((struct device_mmio *)object)->refs++; }

const struct kcap_type kcap_device_mmio_type = {
	.kind = KCAP_DEVICE_MMIO,
	KCAP_METHODS(mmio_methods),
	.decode = mmio_decode,
	.perform = mmio_perform,
	.drop = mmio_drop,
	.transferable = false, /* device authority stays with the manifest's driver */
	.retain = mmio_retain,
	.boot_object = 0, /* made per service by the spawn (service_caps.c) */
};
