/*
 * DMAPool: memory a device can reach, and nothing else (schema/device.capnp).
 *
 *   deviceAddress @0 () -> (address, size, iommu)
 *   map @1 (hint) -> (addr)        the whole pool, read-write, cached
 *   unmap @2 (addr)
 *
 * Made by the boot code for the manifest service that names the device
 * (kernel/proc/manifest_boot.c); not transferable.  The frames are one
 * contiguous run, pinned and zeroed.  With VT-d the function gets its own
 * domain mapping exactly the pool at DMA_POOL_IOVA; without, the device
 * address is the physical one.  Creating the pool turns the function's bus
 * mastering on.  Destroying it (the last reference: the holder released
 * it or ended) quiesces the function first (bus mastering off, reset),
 * then destroys the domain (invalidation completed), and only then frees
 * the frames.
 */
#ifndef CAPOS_CAP_DMA_POOL_H
#define CAPOS_CAP_DMA_POOL_H

#include <stdint.h>

#include "cap_table.h"

struct dev_claim;

#define DMA_POOL_MAX  8u
#define DMA_POOL_MAPS 4u
#define DMA_POOL_IOVA UINT64_C(0x10000000) /* where the pool starts in its domain */

/* A pool of `bytes` (page multiple, at most 2 MiB) for the claimed
 * function, taking a claim reference; its cap entry in *out.  CAPOS_OK,
 * or CAPOS_ERR_NO_RESOURCES with *why (no slot, no contiguous frames, no
 * domain). */
int dma_pool_create(struct dev_claim *cl, uint64_t bytes, struct cap_entry *out,
                    const char **why);

/* Live pools (baseline checks). */
unsigned dma_pool_live(void);

#endif
