/*
 * The ParkSpace wait queue (kernel/cap/park_space.c): threads parked on a
 * user address, keyed by (space, addr), woken oldest first.  Records are
 * the caller's (the kernel allocates them from its heap); the queue only
 * links them and hands finished ones to ops->finish, which frees them.
 *
 * Host-tested (tests/host/test_park_queue.c): the kernel is one CPU with
 * interrupts off, so nothing here locks.
 */
#ifndef CAPOS_LIB_PARK_QUEUE_H
#define CAPOS_LIB_PARK_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#define PARK_NO_DEADLINE UINT64_MAX

struct park_waiter {
	struct park_waiter *next;
	const void *space; /* whose addresses (the process) */
	uint64_t addr;
	const void *owner; /* the parked thread */
	uint64_t deadline; /* PARK_NO_DEADLINE: none */
};

enum park_end {
	PARK_WOKEN,     /* a wake reached it */
	PARK_TIMED_OUT, /* its deadline passed */
	PARK_DROPPED,   /* its owner ended */
};

struct park_ops {
	/* w left the queue for the reason given; the callee owns it now. */
	void (*finish)(void *ctx, struct park_waiter *w, enum park_end why);
	void *ctx;
};

struct park_queue {
	struct park_waiter *head, *tail;
	const struct park_ops *ops;
	uint64_t parked, woken, timed_out, dropped;
};

void park_queue_init(struct park_queue *q, const struct park_ops *ops);
/* Appends w (after every waiter parked before it). */
void park_enqueue(struct park_queue *q, struct park_waiter *w);
/* Finishes up to n waiters on (space, addr), oldest first; returns how many. */
uint32_t park_wake(struct park_queue *q, const void *space, uint64_t addr, uint32_t n);
/* Finishes the waiters whose deadline is <= now; returns the earliest
 * deadline left (PARK_NO_DEADLINE: none). */
uint64_t park_expire(struct park_queue *q, uint64_t now);
/* Finishes every waiter of owner (PARK_DROPPED); returns how many. */
uint32_t park_drop_owner(struct park_queue *q, const void *owner);
/* Waiters of owner, and every waiter. */
uint32_t park_count_owner(const struct park_queue *q, const void *owner);
uint32_t park_count(const struct park_queue *q);

#endif
