/*
 * DMAPool capability (see dma_pool.h).
 */
#include "cap/dma_pool.h"

#include <capos/abi.h>

#include "capnp/capnp.h"
#include "cap/registry.h"
#include "dev/device_claim.h"
#include "dev/iommu.h"
#include "capos.capnp.h"
#include "device.capnp.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/user_memory.h"
#include "proc/process.h"
#include "vm_ranges.h"

struct dma_pool {
	struct dev_mapped mapped; /* first: mappings are tagged with it */
	bool used;
	uint32_t refs; /* the cap + one per mapping */
	struct dev_claim *claim;
	uint64_t phys; /* first frame of the run */
	uint32_t pages;
	struct iommu_domain *domain; /* NULL without VT-d */
};

static struct dma_pool pools[DMA_POOL_MAX];
static uint64_t frames[UMEM_CONTIG_MAX];

unsigned dma_pool_live(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < DMA_POOL_MAX; i++)
		n += pools[i].used;
	return n;
}

static uint64_t device_address(const struct dma_pool *o)
{
	return o->domain ? DMA_POOL_IOVA : o->phys;
}

static void free_frames(struct dma_pool *o)
{
	for (uint32_t i = 0; i < o->pages; i++)
		pmm_free(o->phys + (uint64_t)i * PAGE_SIZE);
}

/* The ordering rule (dev/iommu.h): the device stops, then its domain goes
 * (invalidation completed), then the frames. */
static void destroy(struct dma_pool *o)
{
	char name[32];
	dev_name(o->claim->pci, name, sizeof name);
	uint64_t free_before = pmm_free_count();
	dev_claim_quiesce(o->claim);
	unsigned still = o->domain ? iommu_domain_destroy(o->domain) : 0;
	free_frames(o);
	uint64_t freed = pmm_free_count() - free_before;
	kprintf("device: DMAPool of %s destroyed after the device stopped: %u frames freed "
	        "(%u were mapped in its domain), %lu in all with page tables\n",
	        name, o->pages, still, freed);
	/* Made before its holder existed: a process_destroy that frees it
	 * counts these frames as its own (as for memory objects). */
	umem_object_freed(0, 0, (uint32_t)freed);
	dev_claim_put(o->claim);
	memset(o, 0, sizeof(*o));
}

static void put(struct dma_pool *o)
{
	if (o->refs == 0)
		panic("dma pool: reference dropped below 0");
	if (--o->refs == 0)
		destroy(o);
}

_Static_assert(DMA_POOL_MAPS <= DEV_MAPS_MAX, "struct dev_mapped holds the mappings");

/* A mapping's reference (struct dev_mapped: the object is its first member). */
static void put_mapped(struct dev_mapped *m) { put((struct dma_pool *)m); }

/* Maps every page of o into a new domain for its function. */
static const char *make_domain(struct dma_pool *o)
{
	const struct pci_device *d = o->claim->pci;
	int err = 0;
	o->domain = iommu_domain_create(d->bus, d->dev, d->fn, o->claim->owner, &err);
	if (o->domain == 0)
		return iommu_strerror(err);
	for (uint32_t i = 0; i < o->pages; i++) {
		uint64_t off = (uint64_t)i * PAGE_SIZE;
		err = iommu_map(o->domain, DMA_POOL_IOVA + off, o->phys + off, IOPT_READ | IOPT_WRITE);
		if (err) {
			iommu_domain_destroy(o->domain);
			o->domain = 0;
			return "cannot map the pool in its domain";
		}
	}
	return 0;
}

int dma_pool_create(struct dev_claim *cl, uint64_t bytes, struct cap_entry *out,
                    const char **why)
{
	struct dma_pool *o = 0;
	for (unsigned i = 0; i < DMA_POOL_MAX && o == 0; i++)
		if (!pools[i].used)
			o = &pools[i];
	*why = "every DMA pool slot is taken";
	if (o == 0 || bytes == 0 || bytes % PAGE_SIZE != 0 || bytes / PAGE_SIZE > UMEM_CONTIG_MAX)
		return CAPOS_ERR_NO_RESOURCES;
	memset(o, 0, sizeof(*o));
	o->pages = (uint32_t)(bytes / PAGE_SIZE);
	o->phys = umem_alloc_contiguous(o->pages);
	*why = "no contiguous run of frames that long";
	if (o->phys == 0)
		return CAPOS_ERR_NO_RESOURCES;
	o->claim = cl;
	if (iommu_enabled()) {
		*why = make_domain(o);
		if (*why) {
			free_frames(o);
			memset(o, 0, sizeof(*o));
			return CAPOS_ERR_NO_RESOURCES;
		}
	}
	o->used = true;
	dev_mapped_init(&o->mapped, DMA_POOL_MAPS, put_mapped);
	o->refs = 1;
	cl->refs++;
	dev_claim_master_on(cl);
	/* clang-format off */
	*out = (struct cap_entry){.object = o, .interface_id = device_DMAPool_ID,
	                          .type = KCAP_DMA_POOL};
	/* clang-format on */
	char name[32];
	dev_name(cl->pci, name, sizeof name);
	kprintf("device: DMAPool of %s for '%s': %u frames at %lx, device address %lx (%s), "
	        "bus mastering on\n",
	        name, cl->owner, o->pages, o->phys, device_address(o),
	        o->domain ? "IOVA in its own VT-d domain" : "physical: no IOMMU");
	return CAPOS_OK;
}

static int refuse(struct kcap_call *c, const char *method, bool overloaded, const char *why)
{
	return kcap_refuse(c, "DMAPool", method, overloaded, why);
}

static const struct kcall_method pool_methods[] = {
	/* clang-format off */
	{device_DMAPool_deviceAddress_METHOD, "deviceAddress",
	 {KCALL_FLAT(device_DMAPool_deviceAddress_Results), 0}},
	{device_DMAPool_map_METHOD, "map", {KCALL_FLAT(device_DMAPool_map_Results), 0}},
	{device_DMAPool_unmap_METHOD, "unmap", {KCALL_FLAT(device_DMAPool_unmap_Results), 0}},
};
/* clang-format on */

/* arg[0]: map hint, unmap addr. */
static int pool_decode(void *object, struct kcap_call *c)
{
	struct dma_pool *o = object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == device_DMAPool_map_METHOD)
		c->arg[0] = device_DMAPool_map_Params_get_hint(device_DMAPool_map_Params_read_root(&m));
	else if (c->method_id == device_DMAPool_unmap_METHOD)
		c->arg[0] =
			device_DMAPool_unmap_Params_get_addr(device_DMAPool_unmap_Params_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	uint64_t size = (uint64_t)o->pages * PAGE_SIZE;
	if (c->method_id == device_DMAPool_map_METHOD && c->arg[0] != 0 &&
	    vm_check_range(c->arg[0], size, CAPOS_USER_MIN, CAPOS_RING_VADDR) != VM_OK)
		return refuse(c, "map", false, "hint outside user space or misaligned");
	if (c->method_id == device_DMAPool_unmap_METHOD && kcap_hits_result(c, c->arg[0], size))
		return refuse(c, "unmap", false, "the range holds this call's result buffer");
	return CAPOS_OK;
}

static int flat_result(struct kcap_call *c, uint16_t method, uint64_t a, uint64_t b, bool flag)
{
	struct capnp_builder bld;
	size_t len = 0;
	capnp_builder_init(&bld, c->result, c->result_cap);
	if (method == device_DMAPool_deviceAddress_METHOD) {
		device_DMAPool_deviceAddress_Results_builder r =
			device_DMAPool_deviceAddress_Results_init_root(&bld);
		device_DMAPool_deviceAddress_Results_set_address(r, a);
		device_DMAPool_deviceAddress_Results_set_size(r, b);
		device_DMAPool_deviceAddress_Results_set_iommu(r, flag);
	} else {
		device_DMAPool_map_Results_set_addr(device_DMAPool_map_Results_init_root(&bld), a);
	}
	if (capnp_builder_finish(&bld, &len) != CAPNP_OK)
		panic("DMAPool: result does not fit the kernel scratch");
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static int map_perform(struct dma_pool *o, struct kcap_call *c)
{
	int slot = dev_mapped_free_slot(&o->mapped);
	if (slot < 0)
		return refuse(c, "map", true, "4 mappings of this pool already");
	for (uint32_t i = 0; i < o->pages; i++)
		frames[i] = o->phys + (uint64_t)i * PAGE_SIZE;
	uint64_t addr = 0;
	const char *why = "";
	enum umem_status s = umem_map_frames(c->caller, c->arg[0], frames, o->pages,
	                                     VM_PROT_READ | VM_PROT_WRITE, DEV_MAP_TAG(&o->mapped),
	                                     &addr, &why);
	if (s)
		return refuse(c, "map", s == UMEM_OVERLOADED, why);
	dev_mapped_add(&o->mapped, slot, c->caller, addr, o->pages);
	o->refs++;
	return flat_result(c, device_DMAPool_map_METHOD, addr, 0, false);
}

static int pool_perform(void *object, struct kcap_call *c)
{
	struct dma_pool *o = object;
	switch (c->method_id) {
	case device_DMAPool_deviceAddress_METHOD:
		return flat_result(c, c->method_id, device_address(o), (uint64_t)o->pages * PAGE_SIZE,
		                   o->domain != 0);
	case device_DMAPool_map_METHOD:
		return map_perform(o, c);
	default: { /* unmap */
		int slot = dev_mapped_find(&o->mapped, c->caller, c->arg[0]);
		const char *why = "not a mapping of this pool";
		if (slot < 0 || !dev_mapped_unmap(&o->mapped, slot, &why))
			return refuse(c, "unmap", false, why);
		return kcap_empty_result(c);
	}
	}
}

static void pool_drop(void *object)
{
	struct dma_pool *o = object;
	/* Released while mapped: the holder loses its mappings with the cap,
	 * so the frames can go (at exit the memory teardown ran first). */
	dev_mapped_release(&o->mapped);
	put(o);
}

static void pool_retain(void *object) { ((struct dma_pool *)object)->refs++; }

const struct kcap_type kcap_dma_pool_type = {
	.kind = KCAP_DMA_POOL,
	KCAP_METHODS(pool_methods),
	.decode = pool_decode,
	.perform = pool_perform,
	.drop = pool_drop,
	.transferable = false, /* device authority stays with the manifest's driver */
	.retain = pool_retain,
	.boot_object = 0, /* made per service by the spawn (service_caps.c) */
};
