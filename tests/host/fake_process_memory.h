/*
 * The memory half of lib/endpoint_sm.c's ops (struct ipc_ops copy_in,
 * copy_out, check_writable, copy_msg) over the fake processes of the host
 * and property tests (tests/host/test_endpoint_sm.c,
 * tests/props/prop_endpoint.c): a process's memory is its array `mem`
 * (address = offset) and only the first `writable` bytes may be written.
 *
 * Include it after defining struct process with those two members; the
 * f_ names are the ones those tests give every fake op.
 */
#ifndef CAPOS_TESTS_FAKE_PROCESS_MEMORY_H
#define CAPOS_TESTS_FAKE_PROCESS_MEMORY_H

#include <stdint.h>
#include <string.h>

#include "endpoint_sm.h"

#define FAKE_MEM_SIZE sizeof(((struct process *)0)->mem)

static int f_check_writable(struct process *p, uint64_t addr, uint64_t len)
{
	return addr <= p->writable && len <= p->writable - addr ? CAPOS_OK : CAPOS_ERR_BAD_BUFFER;
}

static int f_copy_in(struct process *p, void *dst, uint64_t addr, uint64_t len)
{
	if (addr > FAKE_MEM_SIZE || len > FAKE_MEM_SIZE - addr)
		return CAPOS_ERR_BAD_BUFFER;
	memcpy(dst, p->mem + addr, len);
	return CAPOS_OK;
}

static int f_copy_out(struct process *p, uint64_t addr, const void *src, uint64_t len)
{
	if (f_check_writable(p, addr, len) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	memcpy(p->mem + addr, src, len);
	return CAPOS_OK;
}

/* As the kernel's: segment by segment, a source checked before the
 * destination range it goes to; memmove (one process may be both sides). */
static int f_copy_msg(struct process *dst, uint64_t addr, const struct ipc_seg *segs,
                      unsigned nsegs)
{
	for (unsigned i = 0; i < nsegs; i++) {
		const struct ipc_seg *g = &segs[i];
		const uint8_t *from = g->kbuf;
		if (g->src) {
			if (g->addr > FAKE_MEM_SIZE || g->len > FAKE_MEM_SIZE - g->addr)
				return IPC_SOURCE_BAD;
			from = g->src->mem + g->addr;
		}
		if (f_check_writable(dst, addr, g->len) != CAPOS_OK)
			return CAPOS_ERR_BAD_BUFFER;
		memmove(dst->mem + addr, from, g->len);
		addr += g->len;
	}
	return CAPOS_OK;
}

#endif
