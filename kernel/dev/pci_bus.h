/*
 * PCI enumeration at boot and the kernel's table of functions.  Config
 * space goes through ECAM where the MCFG offers it (q35), else the legacy
 * 0xCF8/0xCFC ports.  Config space, BAR ranges and interrupt routing stay
 * kernel-owned: nothing here is visible to user space yet.
 */
#ifndef CAPOS_DEV_PCI_BUS_H
#define CAPOS_DEV_PCI_BUS_H

#include "pci.h"

#define PCI_TABLE_MAX 64

void pci_bus_init(void);

unsigned pci_device_count(void);
const struct pci_device *pci_device_at(unsigned i);
/* First function with this vendor:device, NULL if none. */
const struct pci_device *pci_find(uint16_t vendor, uint16_t device);
/* First function of this class and subclass, NULL if none. */
const struct pci_device *pci_find_class(uint8_t class_code, uint8_t subclass);
/* Config access for code that programs a device (MSI/MSI-X). */
const struct pci_cfg_ops *pci_cfg(void);

#endif
