/*
 * Interrupt: one MSI-X entry (or the MSI) of a PCI function
 * (schema/device.capnp).
 *
 *   bind @0 (notification, bit)    the caller's Notification cap id
 *   ack @1 ()                      unmask the entry masked on arrival
 *   info @2 () -> (vector, entry, msix, delivered, latched)
 *
 * Made by the boot code for the manifest service that names the device
 * (kernel/proc/manifest_boot.c); not transferable.  Routed to a vector of
 * its own when made.  An arrival masks the entry (MSI-X), is counted, and
 * sets the bound bit in the bound Notification; with none bound it is
 * latched (counted) and signalled at bind.  The last reference masks the
 * entry and frees the vector.
 */
#ifndef CAPOS_CAP_INTERRUPT_H
#define CAPOS_CAP_INTERRUPT_H

#include <stdint.h>

#include "cap_table.h"

struct dev_claim;

#define INTERRUPT_MAX 16u

/* Why entry of the claimed function cannot be granted (NULL: it can). */
const char *interrupt_entry_problem(const struct dev_claim *cl, unsigned entry);

/* An Interrupt for MSI-X entry `entry` (MSI when the function has no MSI-X
 * and entry is 0) of the claimed function, routed now, taking a claim
 * reference; its cap entry in *out.  CAPOS_OK or CAPOS_ERR_NO_RESOURCES
 * with *why. */
int interrupt_create(struct dev_claim *cl, unsigned entry, struct cap_entry *out,
                     const char **why);

/* Live Interrupt objects (baseline checks). */
unsigned interrupt_live(void);

#endif
