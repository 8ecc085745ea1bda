/*
 * The bookkeeping pieces of an endpoint that do not need the kernel
 * (kernel/cap/endpoint.c uses them; tests/host/test_endpoint_queue.c tests
 * them): an intrusive FIFO for queued calls and posted receives, and call
 * ids.
 *
 * Call id = generation << EPQ_CALL_INDEX_BITS | record index.  The
 * generation advances with every call (one counter for all records) and
 * skips 0, so an id is never 0 and an answered call's id does not name a
 * later call in the same record for 2^16 - 1 calls.
 *
 * Freestanding; shared by the kernel and the host tests.
 */
#ifndef CAPOS_LIB_ENDPOINT_QUEUE_H
#define CAPOS_LIB_ENDPOINT_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

struct epq_node {
	struct epq_node *next;
};

struct epq {
	struct epq_node *head; /* oldest */
	struct epq_node *tail;
	uint32_t count;
};

void epq_push(struct epq *q, struct epq_node *n);
/* Removes and returns the oldest node, NULL when empty. */
struct epq_node *epq_pop(struct epq *q);
/* Removes n wherever it is; false if n is not in q. */
bool epq_remove(struct epq *q, struct epq_node *n);
static inline struct epq_node *epq_head(const struct epq *q) { return q->head; }

#define EPQ_CALL_INDEX_BITS 16u
#define EPQ_CALL_GEN_MASK   ((1u << (32u - EPQ_CALL_INDEX_BITS)) - 1u)

static inline uint32_t epq_call_id(uint32_t index, uint32_t gen)
{
	return (gen << EPQ_CALL_INDEX_BITS) | index;
}
static inline uint32_t epq_call_index(uint32_t call_id)
{
	return call_id & ((1u << EPQ_CALL_INDEX_BITS) - 1u);
}
static inline uint32_t epq_call_gen(uint32_t call_id) { return call_id >> EPQ_CALL_INDEX_BITS; }
/* The generation after gen (never 0). */
static inline uint32_t epq_next_gen(uint32_t gen)
{
	gen = (gen + 1u) & EPQ_CALL_GEN_MASK;
	return gen == 0 ? 1u : gen;
}

#endif /* CAPOS_LIB_ENDPOINT_QUEUE_H */
