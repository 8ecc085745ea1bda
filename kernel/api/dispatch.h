/*
 * The invocation layer (docs/invocation.md): the syscall entry and the
 * ring dispatcher.  Every completion a process receives is posted here:
 * at once by ring_drain, or later (a deferred kernel call, an endpoint
 * delivery or reply, a timeout) by api_complete.
 */
#ifndef CAPOS_API_DISPATCH_H
#define CAPOS_API_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

struct process;
struct capos_cqe;
struct trap_frame;

/* ring_dispatch.c: consumes up to the per-call budget of the `pending`
 * SQEs, 0 < pending <= CAPOS_SQ_ENTRIES, with `ready` completions not yet
 * consumed, ready <= CAPOS_CQ_ENTRIES (ring_sq_pending's and
 * ring_cq_ready's checked counts: cap_enter reads each user index once,
 * so an empty call costs no more than those reads).  Returns the
 * completions ready now: `ready` plus those posted meanwhile (the kernel
 * never posts past the space `ready` left, so it is <= CAPOS_CQ_ENTRIES
 * without a second read of cq_head). */
int ring_drain(struct process *p, uint32_t pending, uint32_t ready);

/* ring_dispatch.c: posts a completion that was accepted earlier (its CQ
 * slot was reserved when the SQE was accepted) and wakes p if its
 * cap_enter now has enough completions.  handoff: p runs next if it is
 * runnable then (an endpoint delivery or reply: the other side waits).
 * Ignored for a dead process. */
void api_complete(struct process *p, const struct capos_cqe *cqe, bool handoff);

/* ring_dispatch.c: completes a deferred kernel call (KCAP_CALL_DEFERRED)
 * of p: on error < 0 the CQE carries it; else the result message msg (len
 * bytes) goes to the CALL's result buffer as a result posted at once would
 * (nothing if the caller asked for none, RESULT_TOO_SMALL if it does not
 * fit, BAD_BUFFER if the buffer is no longer writable). */
void api_complete_call(struct process *p, uint64_t user_data, uint64_t result_addr,
                       uint32_t result_len, const void *msg, uint32_t len, int32_t error);

/* syscall.c: cap_enter and exit, from syscall_entry.S. */
void syscall_dispatch(struct trap_frame *tf);

#endif
