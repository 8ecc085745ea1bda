/*
 * Storage for the capability tables of the Eva drivers: a few typed
 * blocks (the kernel gives one frame per directory or chunk), any
 * allocation may fail (out of memory), a free gives its block back.
 */
#ifndef CAPOS_VERIFY_CAP_TABLE_OPS_H
#define CAPOS_VERIFY_CAP_TABLE_OPS_H

#include "__fc_builtin.h"
#include "cap_table.h"

#define FC_DIRS   2
#define FC_CHUNKS 4

/* Typed blocks, so Eva knows what each holds. */
static struct cap_table_dir fc_dir[FC_DIRS];
static struct cap_slot fc_chunk[FC_CHUNKS][CAP_TABLE_CHUNK_SLOTS];
static int fc_dir_used[FC_DIRS], fc_chunk_used[FC_CHUNKS];

static void *fc_alloc(void *ctx, size_t bytes)
{
	(void)ctx;
	if (Frama_C_interval(0, 1))
		return 0; /* out of memory */
	if (bytes == sizeof(struct cap_table_dir)) {
		for (int i = 0; i < FC_DIRS; i++)
			if (!fc_dir_used[i]) {
				fc_dir_used[i] = 1;
				return &fc_dir[i];
			}
	} else {
		for (int i = 0; i < FC_CHUNKS; i++)
			if (!fc_chunk_used[i]) {
				fc_chunk_used[i] = 1;
				return fc_chunk[i];
			}
	}
	return 0;
}

static void fc_free(void *ctx, void *p, size_t bytes)
{
	(void)ctx;
	(void)bytes;
	for (int i = 0; i < FC_DIRS; i++)
		if (p == (void *)&fc_dir[i])
			fc_dir_used[i] = 0;
	for (int i = 0; i < FC_CHUNKS; i++)
		if (p == (void *)fc_chunk[i])
			fc_chunk_used[i] = 0;
}

static const struct cap_table_ops fc_ops = {fc_alloc, fc_free};

#endif
