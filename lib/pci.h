/*
 * PCI configuration-space logic: header decoding, BAR type/size probing,
 * capability-list walking (MSI, MSI-X, PCI Express) and bus enumeration
 * that follows bridges.  Behind a config-access ops struct so the host
 * tests run it on synthetic config spaces, hostile ones included
 * (capability lists that loop or point into the header, 64-bit BARs in the
 * last slot, bridges whose secondary bus loops back); the kernel plugs in
 * the legacy 0xCF8/0xCFC ports or an ECAM window.
 */
#ifndef CAPOS_LIB_PCI_H
#define CAPOS_LIB_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_BARS    6
#define PCI_MAX_CAPS    48 /* (256 - 64) / 4: more means a loop */
#define PCI_CAP_MSI     0x05
#define PCI_CAP_VENDOR  0x09
#define PCI_CAP_PCIE    0x10
#define PCI_CAP_MSIX    0x11
#define PCI_VENDOR_NONE 0xffff

/* Config registers used here. */
#define PCI_VENDOR_ID    0x00
#define PCI_COMMAND      0x04
#define PCI_STATUS       0x06
#define PCI_CLASS_REV    0x08
#define PCI_HEADER_TYPE  0x0e
#define PCI_BAR0         0x10
#define PCI_BUS_NUMBERS  0x18 /* bridges: primary, secondary, subordinate */
#define PCI_CAP_PTR      0x34
#define PCI_INTERRUPT    0x3c /* line (byte 0), pin (byte 1) */
#define PCI_CMD_IO       0x1u
#define PCI_CMD_MEM      0x2u
#define PCI_CMD_MASTER   0x4u
#define PCI_CMD_INTX_OFF 0x400u
#define PCI_STATUS_CAPS  0x10u

enum pci_err {
	PCI_OK = 0,
	PCI_ERR_ABSENT = -1,      /* no function at this address */
	PCI_ERR_MALFORMED = -2,   /* a register that cannot be right */
	PCI_ERR_CAP_LOOP = -3,    /* the capability list does not end */
	PCI_ERR_CAP_POINTER = -4, /* a capability pointer into the header or unaligned */
	PCI_ERR_FULL = -5,        /* the caller's table is full */
};

struct pci_cfg_ops {
	void *ctx;
	uint32_t (*read32)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
	void (*write32)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v);
};

enum pci_bar_type { PCI_BAR_NONE = 0,
	            PCI_BAR_IO,
	            PCI_BAR_MEM32,
	            PCI_BAR_MEM64 };

struct pci_bar {
	enum pci_bar_type type;
	bool prefetchable;
	uint64_t base;
	uint64_t size;
};

struct pci_device {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type; /* 0 device, 1 PCI bridge, 2 CardBus bridge */
	bool multifunction;
	struct pci_bar bars[PCI_MAX_BARS]; /* indexed by BAR number; upper half of a 64-bit BAR is NONE */
	uint8_t irq_pin;                   /* 0 none, 1..4 INTA..INTD */
	uint8_t irq_line;
	uint8_t msi_cap, msix_cap, pcie_cap; /* config offsets, 0 = absent */
	uint16_t msix_table_size;            /* entries */
	uint8_t msix_table_bar, msix_pba_bar;
	uint32_t msix_table_off, msix_pba_off;
	uint8_t secondary_bus, subordinate_bus; /* bridges */
	int cap_err;                            /* PCI_OK or why the capability walk stopped */
	int bar_err;                            /* PCI_OK or PCI_ERR_MALFORMED */
};

uint16_t pci_read16(const struct pci_cfg_ops *ops, uint8_t b, uint8_t d, uint8_t f, uint16_t off);
uint8_t pci_read8(const struct pci_cfg_ops *ops, uint8_t b, uint8_t d, uint8_t f, uint16_t off);

/* Sizes BARs by writing all-ones with decoding off, restoring everything after. */
int pci_probe_bars(const struct pci_cfg_ops *ops, struct pci_device *d);

/* Walks the capability list, recording MSI/MSI-X/PCIe offsets. */
int pci_walk_caps(const struct pci_cfg_ops *ops, struct pci_device *d);

/* Calls fn for every capability (id, config offset) in list order, with the
 * same loop and pointer checks as pci_walk_caps; stops at the first bad
 * pointer and returns why.  Vendor capabilities (virtio) are found this way. */
int pci_each_cap(const struct pci_cfg_ops *ops, const struct pci_device *d,
                 void (*fn)(void *arg, uint8_t id, uint8_t at), void *arg);

/* Reads one function fully (header, BARs, capabilities); PCI_ERR_ABSENT if
 * nothing answers there. */
int pci_read_function(const struct pci_cfg_ops *ops, uint8_t bus, uint8_t dev, uint8_t fn,
                      struct pci_device *d);

/*
 * Enumerates from bus 0, following bridges to their secondary bus (each bus
 * scanned at most once, whatever the bridges claim), filling out[0..max).
 * Returns the number found; devices beyond max are counted in *dropped.
 */
unsigned pci_enumerate(const struct pci_cfg_ops *ops, struct pci_device *out, unsigned max,
                       unsigned *dropped);

/* MSI: programs address/data into the capability at d->msi_cap and enables
 * one vector (multiple-message disabled, per-vector mask cleared). */
int pci_msi_enable(const struct pci_cfg_ops *ops, const struct pci_device *d, uint64_t addr,
                   uint32_t data);
/* Sets or clears the MSI-X enable bit (and the function mask). */
int pci_msix_set_enable(const struct pci_cfg_ops *ops, const struct pci_device *d, bool on);

const char *pci_bar_type_name(enum pci_bar_type t);
const char *pci_strerror(int err);

#endif
