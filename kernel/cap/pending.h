/*
 * A kernel call that completes later (perform returned KCAP_CALL_DEFERRED):
 * who made it and where its completion goes.  ProcessHandle.wait,
 * ThreadHandle.join, Notification.wait, Timer.sleep, Terminal.read and
 * ParkSpace.wait each keep one per call they hold.
 */
#ifndef CAPOS_CAP_PENDING_H
#define CAPOS_CAP_PENDING_H

#include <stdbool.h>
#include <stdint.h>

#include "proc/process.h"

struct kcap_call;

struct kcap_pending {
	struct process *waiter; /* NULL: none pending (the holder clears it) */
	uint32_t waiter_pid;    /* waiter's pid at the call: a reused slot has another */
	/* From the CALL's SQE: the completion's user_data and result buffer. */
	uint64_t user_data;
	uint64_t result_addr;
	uint32_t result_len;
};

/* Records c's caller and its SQE's completion fields in p. */
void kcap_pending_take(struct kcap_pending *p, const struct kcap_call *c);

/* Ends p: clears its waiter and returns it, or NULL if none was pending
 * or its pid is not the caller's any more (a reused process slot). */
struct process *kcap_pending_end(struct kcap_pending *p);

/* Is proc the process that made p's call (and still the same one)?
 * Inline: Timer's per-process scans ask it of all 256 sleep records. */
static inline bool kcap_pending_is(const struct kcap_pending *p, const struct process *proc)
{
	return p->waiter != 0 && p->waiter == proc && p->waiter_pid == proc->pid;
}

/* Posts p's completion to proc (api_complete_call): the result message msg
 * of len bytes, or error < 0. */
void kcap_pending_complete(struct process *proc, const struct kcap_pending *p, const void *msg,
                           uint32_t len, int32_t error);

#endif
