/*
 * Modern (1.0) virtio over PCI, driver side: where the device's register
 * blocks live (vendor capabilities), the status/feature handshake and queue
 * setup.  Everything reaches the device through struct virtio_ops, so the
 * same code runs in a userspace driver (BARs mapped through a DeviceMmio
 * cap, addresses from its DMAPool) and in the host tests against a fake
 * device that may lie.  No function here trusts a value read from the
 * device: each one is range-checked and a violation is a typed error.
 */
#ifndef CAPOS_LIB_VIRTIO_H
#define CAPOS_LIB_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define VIRTIO_PCI_VENDOR     0x1af4
#define VIRTIO_PCI_DEVICE_NET 0x1041 /* 0x1040 + device type 1 */

/* Device status bits (virtio 1.0, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER      0x02u
#define VIRTIO_STATUS_DRIVER_OK   0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED      0x80u

/* Transport feature bits. */
#define VIRTIO_F_RING_EVENT_IDX  29
#define VIRTIO_F_VERSION_1       32
#define VIRTIO_F_ACCESS_PLATFORM 33 /* the device goes through an IOMMU */
#define VIRTIO_BIT(n)            (1ull << (n))

/* Vendor capability cfg_type values. */
#define VIRTIO_PCI_CAP_COMMON 1
#define VIRTIO_PCI_CAP_NOTIFY 2
#define VIRTIO_PCI_CAP_ISR    3
#define VIRTIO_PCI_CAP_DEVICE 4

/* Common configuration structure, offsets inside its region. */
#define VIRTIO_COMMON_DFSELECT 0x00
#define VIRTIO_COMMON_DF       0x04
#define VIRTIO_COMMON_GFSELECT 0x08
#define VIRTIO_COMMON_GF       0x0c
#define VIRTIO_COMMON_MSIX     0x10
#define VIRTIO_COMMON_NUMQ     0x12
#define VIRTIO_COMMON_STATUS   0x14
#define VIRTIO_COMMON_CFGGEN   0x15
#define VIRTIO_COMMON_Q_SELECT 0x16
#define VIRTIO_COMMON_Q_SIZE   0x18
#define VIRTIO_COMMON_Q_MSIX   0x1a
#define VIRTIO_COMMON_Q_ENABLE 0x1c
#define VIRTIO_COMMON_Q_NOFF   0x1e
#define VIRTIO_COMMON_Q_DESC   0x20
#define VIRTIO_COMMON_Q_AVAIL  0x28
#define VIRTIO_COMMON_Q_USED   0x30
#define VIRTIO_COMMON_LEN      0x38

#define VIRTIO_MSI_NO_VECTOR 0xffffu /* interrupts of this source not signalled */
#define VIRTIO_DMA_BAD       UINT64_MAX
#define VIRTIO_RESET_POLLS   1000 /* reads of status before a reset is declared stuck */

enum virtio_err {
	VIRTIO_OK = 0,
	VIRTIO_ERR_NO_CAP = -1,   /* a required vendor capability is missing */
	VIRTIO_ERR_BAD_CAP = -2,  /* a capability points outside its BAR */
	VIRTIO_ERR_FEATURES = -3, /* VERSION_1 or a required feature missing, or FEATURES_OK refused */
	VIRTIO_ERR_STATE = -4,    /* call out of order in the init sequence */
	VIRTIO_ERR_RESET = -5,    /* status never read back 0 after reset */
	VIRTIO_ERR_QUEUE = -6,    /* queue absent, too small, or bad notify offset */
	VIRTIO_ERR_DMA = -7,      /* an address outside the driver's DMA pool */
	VIRTIO_ERR_FULL = -8,     /* no free descriptors */
	VIRTIO_ERR_EMPTY = -9,    /* nothing used yet */
	VIRTIO_ERR_DEVICE = -10,  /* the device broke the ring protocol; reset it */
	VIRTIO_ERR_ARG = -11,     /* caller error (size, alignment, count) */
	VIRTIO_ERR_CONFIG = -12,  /* device config kept changing under a read */
	VIRTIO_ERR_LEN = -13,     /* device claimed more bytes than the buffer holds */
};

/*
 * How the library reaches the device.  read/write take a BAR number and an
 * offset inside it (the caller maps the BARs; width is 1, 2 or 4 bytes,
 * little-endian as on the bus).  dma_addr turns a pointer into the
 * driver's DMA pool into the address the device uses, or VIRTIO_DMA_BAD if
 * [va, va+len) is not wholly inside the pool.  barrier orders the driver's
 * ring writes against the device (a full fence suffices everywhere).
 */
struct virtio_ops {
	void *ctx;
	uint32_t (*read)(void *ctx, uint8_t bar, uint32_t off, unsigned width);
	void (*write)(void *ctx, uint8_t bar, uint32_t off, unsigned width, uint32_t v);
	uint64_t (*dma_addr)(void *ctx, const void *va, uint32_t len);
	void (*barrier)(void *ctx);
};

struct virtio_region {
	uint8_t bar;
	uint32_t off;
	uint32_t len; /* 0 = absent */
};

struct virtio_pci_layout {
	struct virtio_region common, notify, isr, device;
	uint32_t notify_mult; /* queue_notify_off * this = byte offset in notify */
};

/*
 * Finds the common/notify/isr/device regions from the function's vendor
 * capabilities (d's BARs already probed).  Takes the first well-formed one
 * of each type as the spec asks; rejects regions that do not fit their
 * BAR.  Common, notify and ISR are required; device config is optional.
 */
int virtio_pci_parse(const struct pci_cfg_ops *ops, const struct pci_device *d,
                     struct virtio_pci_layout *out);

enum virtio_state {
	VIRTIO_S_RESET = 0,   /* nothing negotiated */
	VIRTIO_S_DRIVER,      /* ACKNOWLEDGE | DRIVER set */
	VIRTIO_S_FEATURES_OK, /* features accepted */
	VIRTIO_S_LIVE,        /* DRIVER_OK */
	VIRTIO_S_FAILED,      /* FAILED written; only reset leaves it */
};

struct virtio_dev {
	const struct virtio_ops *ops;
	struct virtio_pci_layout layout;
	enum virtio_state state;
	uint64_t offered;  /* what the device offered */
	uint64_t features; /* what was negotiated */
	uint16_t num_queues;
	uint32_t errors; /* every refused device behaviour */
};

void virtio_dev_init(struct virtio_dev *v, const struct virtio_ops *ops,
                     const struct virtio_pci_layout *layout);
/* Writes 0 to status and waits (bounded) for it to read back 0. */
int virtio_dev_reset(struct virtio_dev *v);
/* Reset, then ACKNOWLEDGE and DRIVER. */
int virtio_dev_begin(struct virtio_dev *v);
/*
 * Accepts offered & wanted; fails (and writes FAILED) if VERSION_1 or any of
 * `required` is not offered, or if the device clears FEATURES_OK.
 */
int virtio_dev_negotiate(struct virtio_dev *v, uint64_t wanted, uint64_t required);
int virtio_dev_driver_ok(struct virtio_dev *v);
/* Routes configuration-change interrupts to MSI-X table entry `vector`
 * (VIRTIO_MSI_NO_VECTOR for none); VIRTIO_ERR_QUEUE if the device does not
 * keep it (it reads back NO_VECTOR when it cannot). */
int virtio_dev_config_vector(struct virtio_dev *v, uint16_t vector);
/* Sets FAILED: the driver gives up on the device. */
void virtio_dev_fail(struct virtio_dev *v);
bool virtio_dev_needs_reset(const struct virtio_dev *v);

uint32_t virtio_cfg_read(const struct virtio_dev *v, uint32_t off, unsigned width);
/* Reads len bytes of device config consistently (config_generation
 * unchanged across the read), retrying a bounded number of times. */
int virtio_cfg_read_bytes(struct virtio_dev *v, uint32_t off, void *buf, unsigned len);
/* ISR status register; reading it acknowledges a legacy interrupt. */
uint8_t virtio_isr_read(const struct virtio_dev *v);

const char *virtio_strerror(int err);

#endif
