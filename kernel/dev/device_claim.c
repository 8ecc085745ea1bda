/* Device claims and quiescing (see device_claim.h). */
#include "dev/device_claim.h"

#include "dev/pci_bus.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "mem/user_memory.h"
#include "mem/vmm.h"
#include "proc/process.h"
#include "virtio/virtio.h"

#define LOW_4G        (4ull << 30)
#define VIRTIO_VENDOR 0x1af4u
#define RESET_POLLS   1000000u /* reads of virtio status before the reset is called stuck */

static struct dev_claim claims[DEV_CLAIM_MAX];

void dev_name(const struct pci_device *d, char *buf, unsigned len)
{
	format_snprintf(buf, len, "%02x:%02x.%u %04x:%04x", d->bus, d->dev, d->fn, d->vendor,
	                d->device);
}

struct dev_claim *dev_claim_find(const struct pci_device *d)
{
	for (unsigned i = 0; i < DEV_CLAIM_MAX; i++)
		if (claims[i].refs && claims[i].pci == d)
			return &claims[i];
	return 0;
}

unsigned dev_claim_live(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < DEV_CLAIM_MAX; i++)
		n += claims[i].refs != 0;
	return n;
}

struct dev_claim *dev_claim_get(const struct pci_device *d, const char *owner)
{
	struct dev_claim *c = dev_claim_find(d);
	if (c) {
		c->refs++;
		return c;
	}
	for (unsigned i = 0; i < DEV_CLAIM_MAX; i++) {
		if (claims[i].refs)
			continue;
		c = &claims[i];
		*c = (struct dev_claim){.pci = d, .refs = 1};
		kstrlcpy(c->owner, owner, sizeof(c->owner));
		char name[32];
		dev_name(d, name, sizeof name);
		kprintf("device: %s claimed for '%s'\n", name, owner);
		return c;
	}
	return 0;
}

static void command_write(const struct pci_device *d, uint16_t cmd)
{
	/* The status half written as 0 leaves its write-1-to-clear bits alone. */
	const struct pci_cfg_ops *ops = pci_cfg();
	ops->write32(ops->ctx, d->bus, d->dev, d->fn, PCI_COMMAND, cmd);
}

void dev_claim_master_on(struct dev_claim *c)
{
	const struct pci_device *d = c->pci;
	uint16_t cmd = pci_read16(pci_cfg(), d->bus, d->dev, d->fn, PCI_COMMAND);
	command_write(d, (uint16_t)(cmd | PCI_CMD_MEM | PCI_CMD_MASTER));
	c->master = true;
}

/* virtio: device_status = 0 through the common configuration the vendor
 * capabilities name, in a memory BAR the direct map covers.  Returns the
 * reads it took, or -1 (no common config reachable) / -2 (never read 0). */
static long virtio_reset(const struct pci_device *d)
{
	struct virtio_pci_layout l;
	if (virtio_pci_parse(pci_cfg(), d, &l) != VIRTIO_OK)
		return -1;
	const struct pci_bar *bar = &d->bars[l.common.bar];
	if (bar->base + bar->size > LOW_4G)
		return -1;
	volatile uint8_t *status = phys_to_virt(bar->base + l.common.off + VIRTIO_COMMON_STATUS);
	*status = 0;
	for (unsigned i = 0; i < RESET_POLLS; i++)
		if (*status == 0)
			return (long)i + 1;
	return -2;
}

void dev_claim_quiesce(struct dev_claim *c)
{
	const struct pci_device *d = c->pci;
	char name[32];
	dev_name(d, name, sizeof name);
	uint16_t cmd = pci_read16(pci_cfg(), d->bus, d->dev, d->fn, PCI_COMMAND);
	command_write(d, (uint16_t)(cmd & ~PCI_CMD_MASTER));
	c->master = false;
	if (d->vendor != VIRTIO_VENDOR) {
		kprintf("device: %s quiesced: bus mastering off (no reset known for it)\n", name);
		return;
	}
	long reads = virtio_reset(d);
	if (reads > 0)
		kprintf("device: %s quiesced: bus mastering off, virtio reset (status 0 after %ld "
		        "reads)\n",
		        name, reads);
	else
		kprintf("device: %s quiesced: bus mastering off; virtio reset %s\n", name,
		        reads == -1 ? "impossible (no common config in a mapped BAR)"
		                    : "did not complete (status never read 0)");
}

void dev_claim_put(struct dev_claim *c)
{
	if (c->refs == 0)
		panic("device claim: reference dropped below 0");
	if (--c->refs != 0)
		return;
	char name[32];
	dev_name(c->pci, name, sizeof name);
	if (c->master)
		dev_claim_quiesce(c);
	kprintf("device: %s released by '%s'\n", name, c->owner);
	*c = (struct dev_claim){0};
}

void dev_config_copy(const struct pci_device *d, uint8_t out[DEV_CONFIG_BYTES])
{
	const struct pci_cfg_ops *ops = pci_cfg();
	for (unsigned off = 0; off < DEV_CONFIG_BYTES; off += 4) {
		uint32_t v = ops->read32(ops->ctx, d->bus, d->dev, d->fn, (uint16_t)off);
		memcpy(out + off, &v, 4);
	}
}

void dev_mapped_init(struct dev_mapped *m, unsigned limit, void (*put)(struct dev_mapped *self))
{
	memset(m, 0, sizeof *m);
	m->put = put;
	m->limit = limit;
}

int dev_mapped_free_slot(const struct dev_mapped *m)
{
	for (unsigned i = 0; i < m->limit; i++)
		if (m->maps[i].pages == 0)
			return (int)i;
	return -1;
}

void dev_mapped_add(struct dev_mapped *m, int slot, struct process *caller, uint64_t addr,
                    uint32_t pages)
{
	m->maps[slot].addr = addr;
	m->maps[slot].pages = pages;
	m->owner = caller->leader; /* the mapping is the process's */
	m->owner_pid = caller->pid;
}

int dev_mapped_find(const struct dev_mapped *m, const struct process *caller, uint64_t addr)
{
	for (unsigned i = 0; i < m->limit; i++)
		if (m->maps[i].pages && m->maps[i].addr == addr && m->owner == caller)
			return (int)i;
	return -1;
}

bool dev_mapped_unmap(struct dev_mapped *m, int slot, const char **why)
{
	uint32_t prot = 0;
	if (umem_unmap_frames(m->owner, m->maps[slot].addr, m->maps[slot].pages, DEV_MAP_TAG(m),
	                      &prot, why) != UMEM_OK)
		return false;
	m->maps[slot].pages = 0;
	m->put(m);
	return true;
}

void dev_mapped_release(struct dev_mapped *m)
{
	for (unsigned i = 0; i < m->limit; i++) {
		const char *why = "";
		if (m->maps[i].pages && m->owner && m->owner->pid == m->owner_pid &&
		    m->owner->state != PROC_FREE)
			dev_mapped_unmap(m, (int)i, &why);
	}
}

void dev_mapping_unmapped(uint64_t tag, uint64_t start, uint64_t pages)
{
	struct dev_mapped *m = (struct dev_mapped *)(uintptr_t)(tag & ~UINT64_C(1));
	(void)pages;
	for (unsigned i = 0; i < m->limit; i++)
		if (m->maps[i].pages && m->maps[i].addr == start) {
			m->maps[i].pages = 0;
			m->put(m);
			return;
		}
}
