/*
 * Capability tables for the host tests: lib/cap_table.c's storage from a
 * static pool of 4 KiB blocks (what the kernel's frames are), so a test
 * that returns early leaks nothing the sanitizers see, with a count of
 * blocks in use and a way to make allocations fail.
 *
 * ct_pool_reset() at the start of each test or case forgets every table;
 * ct_table() sets one up with chunk 0 allocated, and returns that chunk's
 * slots so a test limited to CAP_TABLE_CHUNK_SLOTS can read them directly.
 */
#ifndef CAPOS_TESTS_CAP_TABLE_POOL_H
#define CAPOS_TESTS_CAP_TABLE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "cap_table.h"

#ifndef CT_POOL_BLOCKS
#define CT_POOL_BLOCKS 128u
#endif

static unsigned char ct_pool[CT_POOL_BLOCKS][4096] __attribute__((aligned(16)));
static bool ct_pool_used[CT_POOL_BLOCKS];
static unsigned ct_pool_live;       /* blocks in use */
static unsigned ct_pool_fail_after; /* 0: never fail; n: the nth alloc from now fails and later ones too */

static void *ct_pool_alloc(void *ctx, size_t bytes)
{
	(void)ctx;
	if (bytes > sizeof ct_pool[0])
		return NULL;
	if (ct_pool_fail_after != 0 && --ct_pool_fail_after == 0) {
		ct_pool_fail_after = 1; /* stays failing */
		return NULL;
	}
	for (unsigned i = 0; i < CT_POOL_BLOCKS; i++) {
		if (!ct_pool_used[i]) {
			ct_pool_used[i] = true;
			ct_pool_live++;
			memset(ct_pool[i], 0xa5, sizeof ct_pool[i]); /* not zeroed, as a frame */
			return ct_pool[i];
		}
	}
	return NULL;
}

static void ct_pool_free(void *ctx, void *p, size_t bytes)
{
	(void)ctx;
	(void)bytes;
	unsigned i = (unsigned)(((unsigned char(*)[4096])p) - ct_pool);
	ct_pool_used[i] = false;
	ct_pool_live--;
}

static const struct cap_table_ops ct_pool_ops = {ct_pool_alloc, ct_pool_free};

static inline void ct_pool_reset(void)
{
	memset(ct_pool_used, 0, sizeof ct_pool_used);
	ct_pool_live = 0;
	ct_pool_fail_after = 0;
}

static inline struct cap_slot *ct_table(struct cap_table *t, uint32_t limit)
{
	if (cap_table_init(t, &ct_pool_ops, NULL, limit) != 0 || cap_table_ensure(t, 1) != 0)
		return NULL;
	return t->dir->chunk[0];
}

#endif
