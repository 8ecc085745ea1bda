/* Virtio vendor capabilities in PCI config space (virtio 1.0, 4.1.4). */
#include "virtio.h"

#define CAP_CFG_TYPE       3
#define CAP_BAR            4
#define CAP_OFFSET         8
#define CAP_LENGTH         12
#define CAP_NOTIFY_MULT    16
#define CAP_MIN_LEN        16
#define NOTIFY_CAP_MIN_LEN 20

struct parse_ctx {
	const struct pci_cfg_ops *ops;
	const struct pci_device *d;
	struct virtio_pci_layout *out;
	int err;
};

static uint32_t cfg32(const struct parse_ctx *p, uint8_t at)
{
	return p->ops->read32(p->ops->ctx, p->d->bus, p->d->dev, p->d->fn, at);
}

/* A region must lie in a memory BAR we sized; the offset+length sum is
 * done in 64 bits so a wrap cannot pass. */
static bool region_fits(const struct pci_device *d, const struct virtio_region *r)
{
	if (r->bar >= PCI_MAX_BARS || r->len == 0)
		return false;
	const struct pci_bar *b = &d->bars[r->bar];
	if (b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64)
		return false;
	return (uint64_t)r->off + r->len <= b->size;
}

static uint32_t min_len(uint8_t type)
{
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON: return VIRTIO_COMMON_LEN;
	case VIRTIO_PCI_CAP_NOTIFY: return 2;
	default: return 1;
	}
}

static void vendor_cap(void *arg, uint8_t id, uint8_t at)
{
	struct parse_ctx *p = arg;
	if (id != PCI_CAP_VENDOR || at > 256 - CAP_MIN_LEN)
		return;
	uint8_t cap_len = pci_read8(p->ops, p->d->bus, p->d->dev, p->d->fn, (uint16_t)(at + 2));
	uint8_t type = pci_read8(p->ops, p->d->bus, p->d->dev, p->d->fn, (uint16_t)(at + CAP_CFG_TYPE));
	struct virtio_region *slot;
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON: slot = &p->out->common; break;
	case VIRTIO_PCI_CAP_NOTIFY: slot = &p->out->notify; break;
	case VIRTIO_PCI_CAP_ISR: slot = &p->out->isr; break;
	case VIRTIO_PCI_CAP_DEVICE: slot = &p->out->device; break;
	default: return; /* PCI cfg access and future types are not used */
	}
	if (slot->len)
		return; /* the first acceptable one wins */
			/* clang-format off */
	if (cap_len < CAP_MIN_LEN || (type == VIRTIO_PCI_CAP_NOTIFY &&
	    (cap_len < NOTIFY_CAP_MIN_LEN || at > 256 - NOTIFY_CAP_MIN_LEN))) {
			/* clang-format on */
		p->err = VIRTIO_ERR_BAD_CAP;
		return;
	}
	struct virtio_region r = {
		.bar = pci_read8(p->ops, p->d->bus, p->d->dev, p->d->fn, (uint16_t)(at + CAP_BAR)),
		.off = cfg32(p, (uint8_t)(at + CAP_OFFSET)),
		.len = cfg32(p, (uint8_t)(at + CAP_LENGTH)),
	};
	if (r.len < min_len(type) || !region_fits(p->d, &r)) {
		p->err = VIRTIO_ERR_BAD_CAP;
		return;
	}
	*slot = r;
	if (type == VIRTIO_PCI_CAP_NOTIFY)
		p->out->notify_mult = cfg32(p, (uint8_t)(at + CAP_NOTIFY_MULT));
}

int virtio_pci_parse(const struct pci_cfg_ops *ops, const struct pci_device *d,
                     struct virtio_pci_layout *out)
{
	*out = (struct virtio_pci_layout){0};
	struct parse_ctx p = {ops, d, out, VIRTIO_OK};
	if (pci_each_cap(ops, d, vendor_cap, &p) != PCI_OK)
		return VIRTIO_ERR_BAD_CAP;
	if (out->common.len && out->notify.len && out->isr.len)
		return VIRTIO_OK;
	/* A malformed capability explains a missing region better than "none". */
	return p.err != VIRTIO_OK ? p.err : VIRTIO_ERR_NO_CAP;
}

const char *virtio_strerror(int err)
{
	switch (err) {
	case VIRTIO_OK: return "ok";
	case VIRTIO_ERR_NO_CAP: return "required virtio capability missing";
	case VIRTIO_ERR_BAD_CAP: return "virtio capability outside its BAR";
	case VIRTIO_ERR_FEATURES: return "feature negotiation failed";
	case VIRTIO_ERR_STATE: return "call out of order in device initialisation";
	case VIRTIO_ERR_RESET: return "device did not complete reset";
	case VIRTIO_ERR_QUEUE: return "virtqueue absent or unusable";
	case VIRTIO_ERR_DMA: return "address outside the DMA pool";
	case VIRTIO_ERR_FULL: return "virtqueue full";
	case VIRTIO_ERR_EMPTY: return "nothing used";
	case VIRTIO_ERR_DEVICE: return "device broke the ring protocol";
	case VIRTIO_ERR_ARG: return "bad argument";
	case VIRTIO_ERR_CONFIG: return "device config kept changing";
	case VIRTIO_ERR_LEN: return "used length larger than the buffer";
	default: return "unknown virtio error";
	}
}
