/*
 * Device claims: which PCI function a driver holds, for the device
 * capabilities (kernel/cap/device_mmio.c, interrupt.c, dma_pool.c).
 *
 * A claim is taken when the first device cap of a function is made (the
 * spawn of the manifest service that names it) and every device cap of
 * that function holds a reference.  While any is held the function is
 * busy: a second driver is refused.  dev_claim_quiesce stops the function
 * from mastering the bus (command register, kernel-owned) and resets it;
 * the DMAPool calls it before its frames go back.
 *
 * Mappings of device memory into a process (BAR pages, pool pages) are
 * tagged with DEV_MAP_TAG(object) in the process's ranges, so the
 * process's memory teardown tells the object (dev_mapping_unmapped).
 */
#ifndef CAPOS_DEV_DEVICE_CLAIM_H
#define CAPOS_DEV_DEVICE_CLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define DEV_CLAIM_MAX    16u
#define DEV_CONFIG_BYTES 256u

struct dev_claim {
	const struct pci_device *pci;
	char owner[32]; /* the service it was made for */
	uint32_t refs;  /* device caps of this function */
	bool master;    /* bus mastering turned on (a DMAPool exists) */
};

/* The function's claim if a driver holds it, else NULL. */
struct dev_claim *dev_claim_find(const struct pci_device *d);
/* A reference to d's claim, made for owner when d is free; NULL when the
 * table is full. */
struct dev_claim *dev_claim_get(const struct pci_device *d, const char *owner);
/* Drops a reference; the last one quiesces the function and frees the
 * claim. */
void dev_claim_put(struct dev_claim *c);
/* Bus mastering on (a DMAPool is about to be used). */
void dev_claim_master_on(struct dev_claim *c);
/* Bus mastering off and the function reset (virtio: status 0 through its
 * common configuration, read back 0; logged), so it writes no more memory. */
void dev_claim_quiesce(struct dev_claim *c);
/* Claims held (baseline checks). */
unsigned dev_claim_live(void);

/* Copies the function's first DEV_CONFIG_BYTES of config space. */
void dev_config_copy(const struct pci_device *d, uint8_t out[DEV_CONFIG_BYTES]);

/* "bb:dd.f vvvv:dddd" for logs. */
void dev_name(const struct pci_device *d, char *buf, unsigned len);

struct process;

/* The user mappings of a device object (DeviceMmio: BAR pages, DMAPool:
 * pool pages); the first member of those objects, so a mapping's tag
 * (DEV_MAP_TAG) leads back to it.  Every mapping is the process's that
 * made it (the caps are not transferable) and holds one reference to the
 * object, which `put` drops. */
#define DEV_MAPS_MAX 8u
struct dev_mapped {
	void (*put)(struct dev_mapped *self);
	unsigned limit;        /* mappings at once, at most DEV_MAPS_MAX */
	struct process *owner; /* who mapped: the process (leader) */
	uint32_t owner_pid;
	struct {
		uint64_t addr;
		uint32_t pages; /* 0: a free slot */
	} maps[DEV_MAPS_MAX];
};

/* m empty, for an object taking up to limit mappings at once. */
void dev_mapped_init(struct dev_mapped *m, unsigned limit, void (*put)(struct dev_mapped *self));
/* A free slot, or -1 when limit mappings are in use. */
int dev_mapped_free_slot(const struct dev_mapped *m);
/* Records the mapping caller has just made in slot; the reference it
 * holds is the caller's to take. */
void dev_mapped_add(struct dev_mapped *m, int slot, struct process *caller, uint64_t addr,
                    uint32_t pages);
/* The slot of caller's mapping at addr, or -1. */
int dev_mapped_find(const struct dev_mapped *m, const struct process *caller, uint64_t addr);
/* Unmaps slot's pages from its owner and drops their reference (which
 * may free the object); false, with why, if the owner's memory refused. */
bool dev_mapped_unmap(struct dev_mapped *m, int slot, const char **why);
/* The cap was released: its holder, if still alive, loses the mappings
 * (at exit they are gone already: the memory teardown runs first). */
void dev_mapped_release(struct dev_mapped *m);

/* Tags of device mappings: a struct dev_mapped with bit 0 set (memory
 * objects' tags are aligned pointers, bit 0 clear). */
#define DEV_MAP_TAG(obj)    ((uint64_t)(uintptr_t)(obj) | 1u)
#define DEV_MAP_IS_TAG(tag) (((tag)&1u) != 0)
/* The process's teardown removed a device mapping (user_memory.c). */
void dev_mapping_unmapped(uint64_t tag, uint64_t start, uint64_t pages);

#endif
