/*
 * Capability handles.
 *
 * A handle names a slot in the process's capability table together with
 * the interface id the runtime checked it against.  Handles from the CapSet
 * are borrowed (never released by the runtime); handles adopted from result
 * caps are owned: dropping one queues a RELEASE, and the queue is flushed by
 * capos_flush_releases(), when it fills up, and when main returns.
 * Releases are batched so that dropping a handle never blocks.
 */
#ifndef CAPOS_RT_HANDLE_H
#define CAPOS_RT_HANDLE_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/abi.h>
#include <capos/capset.h>
#include <capos/ring.h>

struct capos_cap {
	uint32_t cap_id;
	uint64_t interface_id;
	bool owned; /* release when dropped */
	bool valid;
};

/* A borrowed handle to a CapSet entry (never released). */
struct capos_cap capos_cap_borrow(const struct capos_capset_entry *e);

/*
 * Adopts a result-cap record as an owned handle if its interface id is the
 * one expected; returns 0 or CAPOS_ERR_NOT_PERMITTED (the record is then
 * queued for release so the slot is not leaked).
 */
int capos_cap_adopt(const struct capos_cap_record *rec, uint64_t expected_interface,
                    struct capos_cap *out);

/* ---------------------------------------------------------------------- */
/* The release queue.                                                     */
/* ---------------------------------------------------------------------- */

#define CAPOS_RELEASE_QUEUE 32u

struct capos_release_queue {
	uint32_t count;
	uint32_t ids[CAPOS_RELEASE_QUEUE];
	uint64_t seq;      /* internal user_data sequence          */
	uint64_t released; /* RELEASE completions with result 0    */
	uint64_t failed;   /* RELEASE completions with an error    */
};

/* Queues cap_id; flushes first (through r) when the queue is full. */
int capos_release_queue_push(struct capos_release_queue *q, struct capos_ring *r,
                             uint32_t cap_id);

/*
 * Submits one RELEASE per queued id and waits for all of them.  Returns the
 * number whose CQE was an error (each is counted in q->failed), or a
 * negative CAPOS_ERR_* when the ring itself failed (the ids not yet
 * submitted stay queued).
 */
int capos_release_queue_flush(struct capos_release_queue *q, struct capos_ring *r);

/* capos_cap_adopt over an explicit queue and ring (host-testable). */
int capos_cap_adopt_in(struct capos_release_queue *q, struct capos_ring *r,
                       const struct capos_cap_record *rec, uint64_t expected_interface,
                       struct capos_cap *out);

/* Userspace: the process queue and ring. */
void capos_cap_drop(struct capos_cap *c);
int capos_flush_releases(void);
extern struct capos_release_queue capos_rt_releases;

#endif /* CAPOS_RT_HANDLE_H */
