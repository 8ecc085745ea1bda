/*
 * MSI and MSI-X routing: a device's message-signalled interrupt aimed at
 * the boot CPU's local APIC on a vector from intc_vector_alloc.  Kernel
 * groundwork for an Interrupt capability: nothing user-visible yet.
 */
#ifndef CAPOS_DEV_MSI_H
#define CAPOS_DEV_MSI_H

#include "arch/x86_64/trap.h"
#include "pci.h"

enum msi_err {
	MSI_ERR_NO_CAP = -1,    /* the function has no MSI / MSI-X capability */
	MSI_ERR_BAD_ENTRY = -2, /* MSI-X entry beyond the table */
	MSI_ERR_BAD_TABLE = -3, /* table not inside a memory BAR the kernel maps */
	MSI_ERR_NO_VECTOR = -4, /* every dynamic vector is taken */
	MSI_ERR_NO_APIC = -5,   /* on the 8259 PIC: messages have no LAPIC to reach */
};

/* Programs MSI-X table entry `entry` of d for a new vector owned by fn,
 * unmasks it and enables MSI-X (INTx off).  Returns the vector or an
 * msi_err. */
int msix_route(const struct pci_device *d, unsigned entry, irq_handler_fn fn, const char *who);
/* Masks the entry and frees its vector. */
void msix_unroute(const struct pci_device *d, unsigned entry, int vector);

/* Masks (true) or unmasks one routed entry: an Interrupt masks it when it
 * arrives and unmasks it at ack.  A masked entry's arrivals wait in the
 * device's pending bits. */
void msix_set_masked(const struct pci_device *d, unsigned entry, bool masked);

/* Same for plain MSI (one message). */
int msi_route(const struct pci_device *d, irq_handler_fn fn, const char *who);
void msi_unroute(const struct pci_device *d, int vector);

/* The MSI-X table entry's four words (address lo/hi, data, control), for
 * checks; false when the table is not reachable. */
bool msix_read_entry(const struct pci_device *d, unsigned entry, uint32_t out[4]);

const char *msi_strerror(int err);

#endif
