/*
 * A fake kernel behind the runtime's ring client, for host tests.
 *
 * fake_enter() behaves like cap_enter on a struct capos_ring_page in
 * memory: it consumes SQEs (validated by the kernel's own ring_validate_sqe,
 * lib/ring_consumer.c; NOP, RELEASE, CALL answered with a configurable
 * result, everything else refused as the real kernel does), posts CQEs,
 * keeps completions in a backlog while the CQ is full (never dropping one),
 * and can answer a batch in reverse order to exercise out-of-order matching.
 */
#ifndef TEST_RUNTIME_FAKE_KERNEL_H
#define TEST_RUNTIME_FAKE_KERNEL_H

#include <capos/abi.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ring_consumer.h"

#define FAKE_BACKLOG 256

struct fake_kernel {
	struct capos_ring_page *page;
	bool reverse;              /* post each drained batch in reverse order  */
	bool defer;                /* consume SQEs but post nothing until cleared */
	bool bounded;              /* like the real kernel: consume only as many
	                            SQEs as there are free CQ slots            */
	int32_t call_result;       /* result of every CALL                      */
	uint32_t release_ok_below; /* RELEASE of cap_id < this succeeds       */
	struct capos_cqe backlog[FAKE_BACKLOG];
	uint32_t backlog_count;
	uint64_t enters;
	uint64_t consumed;
	uint64_t releases;
};

static inline void fake_ring_setup(struct capos_ring_page *page)
{
	memset(page, 0, sizeof(*page));
	page->header.sq_entries = CAPOS_SQ_ENTRIES;
	page->header.cq_entries = CAPOS_CQ_ENTRIES;
	page->header.sq_mask = CAPOS_SQ_ENTRIES - 1;
	page->header.cq_mask = CAPOS_CQ_ENTRIES - 1;
}

static inline int32_t fake_dispatch(struct fake_kernel *k, const struct capos_sqe *s)
{
	int err = ring_validate_sqe(s); /* the kernel's own check */
	if (err)
		return err;
	switch (s->opcode) {
	case CAPOS_OP_NOP:
		return 0;
	case CAPOS_OP_RELEASE:
		k->releases++;
		return s->cap_id < k->release_ok_below ? 0 : CAPOS_ERR_BAD_CAP;
	case CAPOS_OP_CALL:
		return k->call_result;
	default:
		return CAPOS_ERR_NOT_PERMITTED;
	}
}

static inline void fake_post_backlog(struct fake_kernel *k)
{
	struct capos_ring_header *h = &k->page->header;
	uint32_t n = 0;
	while (n < k->backlog_count && h->cq_tail - h->cq_head < CAPOS_CQ_ENTRIES) {
		k->page->cq[h->cq_tail & (CAPOS_CQ_ENTRIES - 1)] = k->backlog[n++];
		h->cq_tail++;
	}
	memmove(k->backlog, k->backlog + n, (k->backlog_count - n) * sizeof(k->backlog[0]));
	k->backlog_count -= n;
	if (k->backlog_count)
		h->flags |= CAPOS_RING_F_CQ_BACKLOG;
	else
		h->flags &= ~CAPOS_RING_F_CQ_BACKLOG;
}

static inline int64_t fake_enter(uint32_t min_complete, uint64_t timeout_ns, void *ctx)
{
	(void)min_complete;
	(void)timeout_ns;
	struct fake_kernel *k = ctx;
	struct capos_ring_header *h = &k->page->header;
	k->enters++;
	if (h->sq_tail - h->sq_head > CAPOS_SQ_ENTRIES)
		return CAPOS_ERR_RING_CORRUPT;
	struct capos_cqe batch[CAPOS_SQ_ENTRIES];
	uint32_t n = 0;
	uint32_t budget = CAPOS_SQ_ENTRIES;
	if (k->bounded) {
		uint32_t used = h->cq_tail - h->cq_head + k->backlog_count;
		budget = used >= CAPOS_CQ_ENTRIES ? 0 : CAPOS_CQ_ENTRIES - used;
	}
	while (h->sq_head != h->sq_tail && n < budget) {
		const struct capos_sqe *s = &k->page->sq[h->sq_head & (CAPOS_SQ_ENTRIES - 1)];
		memset(&batch[n], 0, sizeof(batch[n]));
		batch[n].user_data = s->user_data;
		batch[n].result = fake_dispatch(k, s);
		n++;
		h->sq_head++;
		k->consumed++;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (k->backlog_count < FAKE_BACKLOG)
			k->backlog[k->backlog_count++] = batch[k->reverse ? n - 1 - i : i];
	}
	if (!k->defer)
		fake_post_backlog(k);
	/* A real kernel would block here for min_complete; the fake never
	 * blocks: the tests check the client copes with a short return. */
	return (int64_t)(h->cq_tail - h->cq_head);
}

#endif
