/*
 * Endpoint: cross-process calls through the ring (docs/ipc.md).
 *
 * An endpoint is a kernel object with a bounded set of calls (queued: no
 * receive yet; in flight: delivered to a server, awaiting RETURN) and of
 * posted receives.  The owner capability (KCAP_ENDPOINT) may RECV, RETURN
 * and CALL; the client facet (KCAP_ENDPOINT_CLIENT) may only CALL.
 *
 * Completions that do not happen inside the submitting cap_enter (a CALL
 * waiting for its reply, a RECV waiting for a call) reserve one CQ slot of
 * their process when they are accepted, so the completion can always be
 * posted later (ring_dispatch.c, proc_complete).
 */
#ifndef CAPOS_CAP_ENDPOINT_H
#define CAPOS_CAP_ENDPOINT_H

#include <capos/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap_table.h"

struct process;
struct endpoint;

#define ENDPOINT_MAX 32        /* endpoints alive at once                    */
#define ENDPOINT_CALLS_MAX 16  /* queued + in-flight calls per endpoint       */
#define ENDPOINT_RECVS_MAX 16  /* posted receives per endpoint               */
#define IPC_CALL_POOL 128      /* call records, all endpoints                */
#define IPC_RECV_POOL 64       /* receive records, all endpoints             */

/* An endpoint held by its creator (ProcessSpawner.spawn, the manifest
 * boot) until the processes that use it have their capabilities. */
struct endpoint *endpoint_create(const char *name);
void endpoint_boot_release(struct endpoint *ep);
const char *endpoint_name(const struct endpoint *ep);
int endpoint_grant(struct process *p, struct endpoint *ep, bool owner, uint32_t *cap_id);

bool endpoint_is_cap(uint32_t type);

/* Ring operations on an endpoint capability e of p.  They fill cqe and
 * return true when the completion is to be posted now; false when it was
 * accepted and will be posted later with proc_complete(). */
bool endpoint_call(struct process *p, struct cap_entry *e, const struct capos_sqe *sqe,
                   struct capos_cqe *cqe);
bool endpoint_recv(struct process *p, struct cap_entry *e, const struct capos_sqe *sqe,
                   struct capos_cqe *cqe);
void endpoint_return(struct process *p, struct cap_entry *e, const struct capos_sqe *sqe,
                     struct capos_cqe *cqe);

/* Process teardown, before its capabilities are released: queued calls
 * rolled back, calls it was serving failed with DISCONNECTED, its receives
 * dropped, its in-flight calls abandoned. */
void endpoint_process_exit(struct process *p);

/* p waits only for calls to serve (posted receives, no call of its own
 * pending): the deadlock breaker kills such idle servers first. */
bool endpoint_only_receiving(struct process *p);

/* p holds a call it received and has not answered: its callers wait for
 * it, so the deadlock breaker kills it before them. */
bool endpoint_serving(struct process *p);

/* Appends to buf what p waits for on endpoints: its receives, its calls
 * (queued or being served, by whom).  For the watchdog's table. */
void endpoint_describe_waits(const struct process *p, char *buf, size_t len);

/* Timer: completes calls and receives whose SQE timeout passed with
 * CAPOS_ERR_TIMED_OUT.  Returns true while some deadline is pending. */
bool endpoint_expire(uint64_t now);

/* Live endpoints, calls and receives (for baseline checks in the log). */
/* Returns the number of live endpoints + calls + receives. */
unsigned endpoint_log_counts(const char *when);

#endif
