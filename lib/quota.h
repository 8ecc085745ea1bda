/*
 * A process's limits as a spawn passes them on (docs/processes.md
 * "Limits and quotas"): the child's quota is a base (its spawner's own,
 * or a manifest service's) with each field a request gives in its place,
 * and no field may pass a ceiling, so authority only narrows.
 *
 * Pure logic: shared by the kernel (kernel/cap/process_spawner.c) and the
 * host tests (tests/host/test_quota.c).
 */
#ifndef CAPOS_LIB_QUOTA_H
#define CAPOS_LIB_QUOTA_H

#include <stdint.h>

struct quota {
	uint32_t caps;    /* capabilities held at once (its cap table's limit) */
	uint32_t ranges;  /* mapping ranges (VirtualMemory, MemoryObject, devices) */
	uint32_t frames;  /* FrameAllocator frames + mapped pages + memory objects */
	uint32_t threads; /* spawned threads alive at once, the first not counted */
};

#define QUOTA_FIELDS 4u

/* The name of field i (0..QUOTA_FIELDS-1, in struct order): "caps"... */
const char *quota_field_name(unsigned i);
uint32_t quota_field(const struct quota *q, unsigned i);

/* *out = *base with each non-zero field of *want in its place.  Returns
 * -1, or the index of the first given field above the same field of
 * *top (then *out is *base). */
int quota_narrow(const struct quota *base, const struct quota *want, const struct quota *top,
                 struct quota *out);

/* Does *want give any field (non-zero)? */
int quota_given(const struct quota *want);

#endif
