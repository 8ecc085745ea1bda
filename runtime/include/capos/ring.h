/*
 * The ring client: the one owner of the process's capability ring.
 *
 * It submits SQEs (advancing sq_tail after the entry is written), calls
 * cap_enter, and matches completions to requests by user_data.  Completions
 * may arrive in any order: CQEs read while waiting for another request are
 * parked in a small stash until their owner asks for them.  CQ slots are
 * freed (cq_head advanced) as soon as a CQE is copied out, so the kernel can
 * post completions it held back while the CQ was full
 * (CAPOS_RING_F_CQ_BACKLOG).
 *
 * How cap_enter is reached is a function pointer so the host tests can put
 * a fake kernel behind the same client.
 */
#ifndef CAPOS_RT_RING_H
#define CAPOS_RT_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/abi.h>

/* Completions parked for later takers.  Bigger than the CQ so a full CQ
 * can always be drained. */
#define CAPOS_RING_STASH 64u

/* user_data values with this bit set belong to the runtime itself (queued
 * releases); capos_ring_next_user_data never returns one. */
#define CAPOS_RT_USER_DATA_INTERNAL (1ull << 63)

typedef int64_t (*capos_enter_fn)(uint32_t min_complete, uint64_t timeout_ns, void *ctx);

struct capos_ring_stats {
	uint64_t submitted; /* SQEs published                       */
	uint64_t enters;    /* cap_enter calls                      */
	uint64_t reaped;    /* CQEs copied out of the CQ            */
	uint64_t stashed;   /* CQEs parked for another taker        */
	uint64_t sq_full;   /* submits that found the SQ full       */
	uint64_t corrupt;   /* times the ring indices looked wrong  */
};

struct capos_ring {
	volatile struct capos_ring_page *page;
	capos_enter_fn enter;
	void *enter_ctx;
	uint64_t next_user_data;
	uint32_t stash_count;
	struct capos_cqe stash[CAPOS_RING_STASH];
	struct capos_ring_stats stats;
};

/*
 * Checks the header the kernel set up (entry counts and masks) and binds
 * the client to it.  Returns 0 or CAPOS_ERR_RING_CORRUPT.
 */
int capos_ring_init(struct capos_ring *r, void *page, capos_enter_fn enter, void *ctx);

/* A fresh user_data value (never 0, never with the internal bit). */
uint64_t capos_ring_next_user_data(struct capos_ring *r);

/* Free SQ slots as userspace sees them now. */
uint32_t capos_ring_sq_space(const struct capos_ring *r);

/*
 * Copies *sqe into the next SQ slot and publishes it.  When the SQ is full
 * it first lets the kernel drain it (cap_enter with CAPOS_NO_WAIT).
 * Returns 0, CAPOS_ERR_NO_RESOURCES (still full) or CAPOS_ERR_RING_CORRUPT.
 */
int capos_ring_submit(struct capos_ring *r, const struct capos_sqe *sqe);

/* Calls cap_enter through the client (counts it). */
int64_t capos_ring_enter(struct capos_ring *r, uint32_t min_complete, uint64_t timeout_ns);

/*
 * Copies every CQE currently in the CQ into the stash (while there is room)
 * and frees their slots.  Returns the number moved, or CAPOS_ERR_RING_CORRUPT
 * when cq_tail - cq_head is impossible.
 */
int capos_ring_reap(struct capos_ring *r);

/* Takes the completion for user_data out of the stash/CQ without entering
 * the kernel.  Returns true and fills *out if it was there. */
bool capos_ring_take(struct capos_ring *r, uint64_t user_data, struct capos_cqe *out);

/*
 * Waits for the completion of user_data: submits pending SQEs and blocks in
 * cap_enter as needed.  With CAPOS_WAIT_FOREVER it waits until the CQE comes;
 * otherwise one cap_enter(1, timeout_ns) is made, and CAPOS_ERR_TIMED_OUT is
 * returned if the CQE has not arrived when it returns (which can be before
 * timeout_ns when another request completes first: the runtime has no clock
 * to wait out the rest).  Returns 0 with *out filled, or a
 * negative CAPOS_ERR_* when waiting itself failed (the CQE's own result is in
 * out->result).
 */
int capos_ring_wait(struct capos_ring *r, uint64_t user_data, uint64_t timeout_ns,
                    struct capos_cqe *out);

/* Submit + wait in one go: fills sqe->user_data with a fresh value. */
int capos_ring_submit_wait(struct capos_ring *r, struct capos_sqe *sqe, struct capos_cqe *out);

/* Sends a NOP with user_data; convenience for smokes and benchmarks. */
int capos_ring_nop(struct capos_ring *r, uint64_t user_data);

/* The process ring, bound by the runtime before main (userspace only). */
extern struct capos_ring capos_rt_ring;

/* A ring per thread (include/capos/abi.h): in a spawned thread, calls on
 * capos_ring_default (the start code sets it to &capos_rt_ring) go to the
 * thread's own ring, capos_thread_ring (runtime/thread.c sets it). */
extern _Thread_local struct capos_ring *capos_thread_ring;
extern struct capos_ring *capos_ring_default;

/*
 * Batches, io_uring style: no copy through a caller's SQE, one index
 * publication per batch.  Inline: for a batch of one, the calls and their
 * frames were most of the runtime's part.
 *
 * capos_ring_nops queues n NOPs with user_data first, first + 1, ...
 * written straight into the SQ and published with one sq_tail store.
 * Returns n, or CAPOS_ERR_NO_RESOURCES when fewer than n slots are free
 * (nothing queued), or CAPOS_ERR_RING_CORRUPT.
 *
 * capos_ring_peek copies up to max completions in arrival order (the
 * stash's first, then the CQ's) into out[] and frees their CQ slots with
 * one cq_head store.  Returns how many, or CAPOS_ERR_RING_CORRUPT.  Mixing
 * it with capos_ring_take is fine: each completion is returned once.
 */

/* The calling thread's ring for r (see capos_thread_ring above). */
static inline struct capos_ring *capos_ring_self(struct capos_ring *r)
{
	return capos_thread_ring != 0 && r == capos_ring_default ? capos_thread_ring : r;
}

static inline int capos_ring_nops(struct capos_ring *r, uint64_t first, uint32_t n)
{
	r = capos_ring_self(r);
	volatile struct capos_ring_header *h = &r->page->header;
	uint32_t tail = h->sq_tail;
	uint32_t used = tail - __atomic_load_n(&h->sq_head, __ATOMIC_ACQUIRE);
	if (used > CAPOS_SQ_ENTRIES) {
		r->stats.corrupt++;
		return CAPOS_ERR_RING_CORRUPT;
	}
	if (n > CAPOS_SQ_ENTRIES - used) {
		r->stats.sq_full++;
		return CAPOS_ERR_NO_RESOURCES;
	}
	/* Whole entries (the slots still hold older SQEs), written as plain
	 * memory: the kernel reads the slots only after the release below. */
	struct capos_sqe *sq = (struct capos_sqe *)r->page->sq;
	for (uint32_t i = 0; i < n; i++)
		sq[(tail + i) & (CAPOS_SQ_ENTRIES - 1)] =
			(struct capos_sqe){.opcode = CAPOS_OP_NOP, .user_data = first + i};
	__atomic_store_n(&h->sq_tail, tail + n, __ATOMIC_RELEASE);
	r->stats.submitted += n;
	return (int)n;
}

/* Moves up to max of the oldest stashed completions to out[] (they are
 * older than anything in the CQ); capos_ring_peek's rare part. */
uint32_t capos_ring_stash_oldest(struct capos_ring *r, struct capos_cqe *out, uint32_t max);

static inline int capos_ring_peek(struct capos_ring *r, struct capos_cqe *out, uint32_t max)
{
	r = capos_ring_self(r);
	volatile struct capos_ring_header *h = &r->page->header;
	uint32_t head = h->cq_head;
	uint32_t tail = __atomic_load_n(&h->cq_tail, __ATOMIC_ACQUIRE);
	if (tail - head > CAPOS_CQ_ENTRIES) {
		r->stats.corrupt++;
		return CAPOS_ERR_RING_CORRUPT;
	}
	uint32_t got = r->stash_count > 0 ? capos_ring_stash_oldest(r, out, max) : 0;
	uint32_t start = got;
	/* Plain copies: the CQEs up to the acquired tail are complete and the
	 * kernel does not touch them until cq_head moves past them. */
	const struct capos_cqe *cq = (const struct capos_cqe *)r->page->cq;
	for (; got < max && head != tail; got++, head++)
		out[got] = cq[head & (CAPOS_CQ_ENTRIES - 1)];
	if (got > start) {
		__atomic_store_n(&h->cq_head, head, __ATOMIC_RELEASE);
		r->stats.reaped += got - start;
	}
	return (int)got;
}

#endif /* CAPOS_RT_RING_H */
