/*
 * The kernel's side of the capability ring, minus everything that needs the
 * kernel: index bookkeeping, SQE structural validation, completion posting
 * and user-range checks.  Host-tested; the kernel calls it with a pointer to
 * the ring page through its own (direct) mapping.
 *
 * Trust model: the ring page is shared with an untrusted process that may
 * rewrite any byte at any time.  So
 *   - the kernel keeps its own copies of the indices it produces (sq_head,
 *     cq_tail) in struct ring_cursor and only ever *writes* them to the page;
 *   - it reads each user-produced index (sq_tail, cq_head) exactly once per
 *     check and validates the distance against the ring size;
 *   - an SQE is copied out in one go before any field is looked at, so the
 *     process cannot change a field between validation and use;
 *   - the geometry fields (sizes, masks) are written once, by ring_init,
 *     for the runtime to check; the kernel never reads them back, and it
 *     writes its own indices only when it moves them, so a process that
 *     scribbles on any of them misleads only itself (cap_enter does not
 *     rewrite them: that cost every entry six stores for no safety).
 */
#ifndef CAPOS_LIB_RING_CONSUMER_H
#define CAPOS_LIB_RING_CONSUMER_H

#include <capos/abi.h>
#include <stdint.h>

/* Largest params message / result buffer a single SQE may name. */
#define RING_MAX_PARAMS_LEN (64u * 1024u)
#define RING_MAX_RESULT_LEN (64u * 1024u)

struct ring_cursor {
	uint32_t sq_head; /* next SQE the kernel consumes (kernel truth) */
	uint32_t cq_tail; /* next CQE slot the kernel fills (kernel truth) */
};

/* Zeroes the page and writes the geometry; cursor starts at 0/0. */
void ring_init(struct capos_ring_page *page, struct ring_cursor *c);

/* One read of a user-writable field: the compiler must not re-read it. */
#define RING_READ_ONCE32(x)     (*(const volatile uint32_t *)&(x))
#define RING_WRITE_ONCE32(x, v) (*(volatile uint32_t *)&(x) = (v))

/*
 * The index helpers below run on every cap_enter, so they are inline:
 * an empty cap_enter is mostly their calls otherwise.
 */

/* Writes the geometry and the kernel-owned indices: at ring_init, and
 * again when cap_enter finds the ring corrupt (so a process that repairs
 * its own indices finds the kernel's as they are). */
static inline void ring_publish(struct capos_ring_page *page, const struct ring_cursor *c)
{
	struct capos_ring_header *h = &page->header;
	RING_WRITE_ONCE32(h->sq_entries, CAPOS_SQ_ENTRIES);
	RING_WRITE_ONCE32(h->cq_entries, CAPOS_CQ_ENTRIES);
	RING_WRITE_ONCE32(h->sq_mask, CAPOS_SQ_ENTRIES - 1);
	RING_WRITE_ONCE32(h->cq_mask, CAPOS_CQ_ENTRIES - 1);
	RING_WRITE_ONCE32(h->sq_head, c->sq_head);
	RING_WRITE_ONCE32(h->cq_tail, c->cq_tail);
}

/* Number of SQEs waiting, or CAPOS_ERR_RING_CORRUPT when sq_tail is more
 * than CAPOS_SQ_ENTRIES ahead of the kernel's sq_head (or behind it). */
static inline int ring_sq_pending(const struct capos_ring_page *page, const struct ring_cursor *c)
{
	uint32_t tail = RING_READ_ONCE32(page->header.sq_tail);
	uint32_t pending = tail - c->sq_head; /* free-running: wraps correctly */
	if (pending > CAPOS_SQ_ENTRIES)
		return CAPOS_ERR_RING_CORRUPT;
	return (int)pending;
}

/* Completions posted and not yet consumed, or CAPOS_ERR_RING_CORRUPT when
 * cq_head is ahead of the kernel's cq_tail or more than CAPOS_CQ_ENTRIES
 * behind it. */
static inline int ring_cq_ready(const struct capos_ring_page *page, const struct ring_cursor *c)
{
	uint32_t head = RING_READ_ONCE32(page->header.cq_head);
	uint32_t ready = c->cq_tail - head;
	if (ready > CAPOS_CQ_ENTRIES)
		return CAPOS_ERR_RING_CORRUPT;
	return (int)ready;
}

/* Free CQ slots (same corruption rule). */
static inline int ring_cq_space(const struct capos_ring_page *page, const struct ring_cursor *c)
{
	int ready = ring_cq_ready(page, c);
	if (ready < 0)
		return ready;
	return (int)CAPOS_CQ_ENTRIES - ready;
}

/* Copies the SQE at sq_head into *out and advances sq_head (caller checked
 * ring_sq_pending() > 0).  Eight 8-byte loads, each done exactly once (SQEs
 * are 64-byte aligned in the page), each stored straight into *out: the
 * copy is what gets validated and used.  Inline, and without an array
 * between the loads and *out: a call and a second copy through the stack
 * were half of it. */
static inline void ring_take_sqe(struct capos_ring_page *page, struct ring_cursor *c,
                                 struct capos_sqe *out)
{
	const volatile uint64_t *src =
		(const volatile uint64_t *)&page->sq[c->sq_head & (CAPOS_SQ_ENTRIES - 1)];
#pragma GCC unroll 8
	for (unsigned i = 0; i < sizeof(*out) / 8; i++) {
		uint64_t w = src[i];
		__builtin_memcpy((char *)out + 8 * i, &w, 8);
	}
	c->sq_head++;
	RING_WRITE_ONCE32(page->header.sq_head, c->sq_head);
}

/*
 * The SQE as eight little-endian words (abi.h's offset asserts): word 0 is
 * opcode | xfer_cap_count << 8 | flags << 16 | cap_id << 32, word 1
 * user_data, word 5 method_id | reserved0 << 16 | call_id << 32, word 6
 * pipeline_dep | pipeline_field << 32 | reserved1 << 48.  A plain NOP has
 * the low halves of words 0 and 5 and all of word 6 zero; cap_id and
 * call_id are ignored by a NOP.
 */
#define SQE_WORD_OPCODE_FLAGS 0u
#define SQE_WORD_USER_DATA    1u
#define SQE_WORD_METHOD       5u
#define SQE_WORD_PIPELINE     6u
_Static_assert(CAPOS_OP_NOP == 0, "a plain NOP's first half-word is 0");
_Static_assert(offsetof(struct capos_sqe, reserved1) == 54, "sqe.reserved1 in word 6");

/*
 * The batch path for the commonest SQE: takes SQEs from sq_head while each
 * is a plain NOP (opcode NOP, method 0, no flags, no transfers, every
 * reserved and pipelining field 0: exactly what ring_validate_sqe accepts
 * for a NOP and what completes with result 0 whatever else it holds) and
 * posts each one's CQE (its user_data, result 0), at most `max` of them.
 * Stops at the first SQE that is anything else and leaves it queued for
 * ring_take_sqe.  Each SQE word it uses is read once and only its register
 * copy is tested, so a concurrent rewrite changes nothing but which
 * user_data is echoed.  sq_head and cq_tail are published once, after the
 * last CQE is written.  The caller checked that `max` SQEs are pending and
 * `max` CQ slots free.  Returns the number completed.  Inline: it is the
 * whole of a batch of NOPs, and its call was a third of a batch of one.
 */
static inline uint32_t ring_take_nops(struct capos_ring_page *page, struct ring_cursor *c,
                                      uint32_t max)
{
	uint32_t head = c->sq_head, tail = c->cq_tail, n = 0;
	while (n < max) {
		const volatile uint64_t *w =
			(const volatile uint64_t *)&page->sq[(head + n) & (CAPOS_SQ_ENTRIES - 1)];
		/* Opcode and flags first: any other SQE leaves after one read
		 * (what a separate opcode hint cost every SQE). */
		uint64_t w0 = w[SQE_WORD_OPCODE_FLAGS];
		if ((uint32_t)w0 != 0)
			break; /* not a plain NOP: the full path takes it */
		uint64_t w5 = w[SQE_WORD_METHOD];
		uint64_t w6 = w[SQE_WORD_PIPELINE];
		if (((uint32_t)w5 | w6) != 0)
			break;
		page->cq[(tail + n) & (CAPOS_CQ_ENTRIES - 1)] =
			(struct capos_cqe){.user_data = w[SQE_WORD_USER_DATA]};
		n++;
	}
	if (n == 0)
		return 0;
	/* clang-format off */
	__asm__ volatile("" ::: "memory"); /* CQEs before the index (see ring_post_cqe) */
	/* clang-format on */
	c->sq_head = head + n;
	c->cq_tail = tail + n;
	RING_WRITE_ONCE32(page->header.sq_head, head + n);
	RING_WRITE_ONCE32(page->header.cq_tail, tail + n);
	return n;
}

/* Whether the SQE at sq_head looks like a NOP: a hint, read once, that
 * spares an SQE after another SQE ring_take_nops's setup (which decides
 * from its own reads). */
static inline int ring_peek_nop(const struct capos_ring_page *page, const struct ring_cursor *c)
{
	return *(const volatile uint8_t *)&page->sq[c->sq_head & (CAPOS_SQ_ENTRIES - 1)].opcode ==
	       CAPOS_OP_NOP;
}

/* Writes a CQE at cq_tail and advances it (caller checked ring_cq_space() > 0).
 * Inline: every completion is posted through it. */
static inline void ring_post_cqe(struct capos_ring_page *page, struct ring_cursor *c,
                                 const struct capos_cqe *cqe)
{
	uint32_t tail = c->cq_tail;
	page->cq[tail & (CAPOS_CQ_ENTRIES - 1)] = *cqe;
	/* The entry must be visible before the index that publishes it.  On
	 * one x86 CPU stores are ordered; the barrier stops the compiler. */
	/* clang-format off */
	__asm__ volatile("" ::: "memory");
	/* clang-format on */
	c->cq_tail = tail + 1;
	RING_WRITE_ONCE32(page->header.cq_tail, tail + 1);
}

/* Structural validation of a copied SQE, independent of any capability:
 * reserved opcode -> CAPOS_ERR_RESERVED_OPCODE; unknown flags, non-zero
 * reserved or pipelining fields -> CAPOS_ERR_INVALID_SQE; transfers on an
 * opcode that carries none, or more than CAPOS_XFER_MAX ->
 * CAPOS_ERR_BAD_TRANSFER; buffers outside the user half, wrapping, or
 * longer than the limits above -> CAPOS_ERR_BAD_BUFFER. */
int ring_validate_sqe(const struct capos_sqe *sqe);

/* 0 when [addr, addr + len) lies in the user half without wrapping and len
 * <= max_len; CAPOS_ERR_BAD_BUFFER otherwise.  len == 0 is always fine. */
int ring_check_user_range(uint64_t addr, uint64_t len, uint64_t max_len);

const char *ring_error_name(int err);

#endif /* CAPOS_LIB_RING_CONSUMER_H */
