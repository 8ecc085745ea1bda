/*
 * What a blocked process waits on, as counts the capability types keep
 * (kernel/cap/endpoint.c, process_handle.c) in each process, and the
 * deadlock breaker's choice made from those counts alone: the scheduler
 * never reads a type's own records (like xv6's sleep channel or seL4's
 * thread state: the object tells the core, the core does not ask).
 *
 * Freestanding; shared by the kernel and tests/host/test_wait.c.
 */
#ifndef CAPOS_LIB_WAIT_H
#define CAPOS_LIB_WAIT_H

#include <stdbool.h>
#include <stdint.h>

enum wait_kind {
	WAIT_REPLY,   /* its own endpoint call, queued or being served       */
	WAIT_SERVING, /* a call it received and owes an answer to (a caller
	                 still waits for it)                                 */
	WAIT_RECEIVE, /* a posted receive: waits for a call to serve         */
	WAIT_CHILD,   /* ProcessHandle.wait on a live child                  */
	WAIT_SIGNAL,  /* Notification.wait that only a process can end       */
	WAIT_DEVICE,  /* Notification.wait an interrupt may end (one is bound) */
	WAIT_SLEEP,   /* Timer.sleep: counted only for a sleep with no end
	                 (a deadline is a timeout: the scheduler waits it out) */
	WAIT_KINDS
};

struct wait_counts {
	uint32_t n[WAIT_KINDS];
};

/* Counts one more / one less wait of kind k.  wait_end returns false (and
 * changes nothing) when there was none: a bug of the caller.  Inline: an
 * IPC round trip counts six of them. */
static inline void wait_begin(struct wait_counts *w, enum wait_kind k) { w->n[k]++; }

static inline bool wait_end(struct wait_counts *w, enum wait_kind k)
{
	if (w->n[k] == 0)
		return false;
	w->n[k]--;
	return true;
}

/* An idle server: receives posted or a Notification wait, no call of its
 * own pending. */
bool wait_only_receiving(const struct wait_counts *w);

/*
 * The deadlock breaker's victim among n processes that are all blocked
 * with nothing able to complete: returns its index, or -1 when n is 0 or
 * when one of them waits for a device (WAIT_DEVICE: an interrupt can still
 * end that wait, so nothing is dead yet).  An idle server or a
 * Notification waiter goes first (the first found); else a server holding
 * an unanswered call (its death fails its callers' calls, DISCONNECTED,
 * and lets them go on); a supervisor waiting on a child goes last (the
 * child's death completes its wait); ties go to the lowest index.
 */
int wait_pick_victim(const struct wait_counts *const blocked[], unsigned n);

#endif
