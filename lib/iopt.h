/*
 * IOVA page tables: the VT-d second-level tables that translate one DMA
 * domain's device addresses (IOVA) to physical frames, 4 KiB pages only.
 * Pure logic behind an ops struct for table frames, so host tests run it
 * on fake memory and count every frame.
 *
 * Entry format (VT-d 9.8): bit 0 read, bit 1 write, bits 12-51 address;
 * a non-leaf entry has read+write set and points to the next table.
 */
#ifndef CAPOS_LIB_IOPT_H
#define CAPOS_LIB_IOPT_H

#include <stdbool.h>
#include <stdint.h>

#define IOPT_READ  0x1u
#define IOPT_WRITE 0x2u
#define IOPT_PAGE  4096u

enum iopt_err {
	IOPT_OK = 0,
	IOPT_ERR_ALIGN = -1,    /* IOVA or frame not page-aligned */
	IOPT_ERR_RANGE = -2,    /* IOVA beyond the domain's address width */
	IOPT_ERR_MAPPED = -3,   /* IOVA already mapped */
	IOPT_ERR_UNMAPPED = -4, /* nothing mapped at that IOVA */
	IOPT_ERR_NOMEM = -5,    /* no frame for a table */
	IOPT_ERR_PERM = -6,     /* neither read nor write asked for */
	IOPT_ERR_LEVELS = -7,   /* only 3 (39-bit) or 4 (48-bit) levels */
};

struct iopt_ops {
	void *ctx;
	uint64_t (*alloc)(void *ctx); /* a zeroed frame's address, 0 if none */
	void (*free)(void *ctx, uint64_t pa);
	uint64_t *(*table)(void *ctx, uint64_t pa); /* the frame's 512 entries */
};

struct iopt {
	const struct iopt_ops *ops;
	uint64_t root;   /* top-level table */
	unsigned levels; /* 3: 39-bit IOVAs, 4: 48-bit */
	unsigned tables; /* table frames in use, root included */
	unsigned mapped; /* leaf pages mapped */
};

int iopt_init(struct iopt *pt, const struct iopt_ops *ops, unsigned levels);
int iopt_map(struct iopt *pt, uint64_t iova, uint64_t pa, unsigned perm);
/* Clears the leaf; *pa_out gets the frame.  Tables emptied stay until
 * iopt_destroy (the hardware may still be walking them until invalidated). */
int iopt_unmap(struct iopt *pt, uint64_t iova, uint64_t *pa_out);
/* The frame and permissions at iova; false when unmapped. */
bool iopt_lookup(const struct iopt *pt, uint64_t iova, uint64_t *pa_out, unsigned *perm_out);
/* Frees every table frame.  Leaves still mapped are not the tables' to
 * free: the count of them is returned (the caller should have unmapped). */
unsigned iopt_destroy(struct iopt *pt);

const char *iopt_strerror(int err);

#endif
