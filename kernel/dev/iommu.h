/*
 * Intel VT-d DMA remapping (kernel-internal; the DMAPool capability will
 * be built on it).  iommu_init finds the first remapping unit in the ACPI
 * DMAR table, installs an empty root table, routes fault events to a
 * vector from intc_vector_alloc and turns translation on: from then on a
 * device without a domain is BLOCKED (its DMA faults and is logged).
 *
 * A domain gives one PCI function (bus:dev.fn) its own IOVA space.
 *
 * Ordering rule: a frame comes back only after the device can no longer
 * write it.  iommu_unmap clears the entry, invalidates the IOTLB and waits
 * for the invalidation to complete before it returns; only then may the
 * caller free or reuse the frame.  Quiesce (reset) the device before
 * iommu_domain_destroy; frames still mapped at destroy are unreachable by
 * the device once it returns, and only then the caller's to free.
 */
#ifndef CAPOS_DEV_IOMMU_H
#define CAPOS_DEV_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "iopt.h"

enum iommu_err {
	IOMMU_ERR_OFF = -20,       /* no remapping hardware in use */
	IOMMU_ERR_BUSY = -21,      /* that function already has a domain */
	IOMMU_ERR_NO_DOMAIN = -22, /* every domain slot / id is taken */
	IOMMU_ERR_NOMEM = -23,     /* no frame for a table */
	IOMMU_ERR_HW = -24,        /* the hardware did not complete a command */
};

struct iommu_domain;

/* The last fault the handler read, for tests and diagnostics. */
struct iommu_fault {
	uint16_t source; /* requester id: bus << 8 | dev << 3 | fn */
	uint64_t addr;   /* IOVA page */
	uint8_t reason;
	bool write;
};

void iommu_init(void);
bool iommu_enabled(void);

struct iommu_domain *iommu_domain_create(uint8_t bus, uint8_t dev, uint8_t fn, const char *who,
                                         int *err);
/* perm: IOPT_READ / IOPT_WRITE.  Returns IOPT_OK or an iopt_err. */
int iommu_map(struct iommu_domain *d, uint64_t iova, uint64_t pa, unsigned perm);
/* See the ordering rule above.  IOPT_OK or an iopt_err / IOMMU_ERR_HW. */
int iommu_unmap(struct iommu_domain *d, uint64_t iova, uint64_t *pa_out);
/* Returns the number of pages that were still mapped. */
unsigned iommu_domain_destroy(struct iommu_domain *d);
unsigned iommu_domain_count(void);

/* Faults logged so far; *last gets the latest (if any). */
unsigned long iommu_fault_count(struct iommu_fault *last);
const char *iommu_fault_reason(uint8_t reason);
const char *iommu_strerror(int err);

#endif
