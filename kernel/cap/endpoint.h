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
 * posted later (kernel/api/ring_dispatch.c, api_complete).
 */
#ifndef CAPOS_CAP_ENDPOINT_H
#define CAPOS_CAP_ENDPOINT_H

#include <capos/abi.h>
#include <stdbool.h>
#include <stdint.h>

#include "cap_table.h"
#include "endpoint_sm.h"

struct process;
struct endpoint;

/* ENDPOINT_CALLS_MAX, ENDPOINT_RECVS_MAX, ... : lib/endpoint_sm.h; endpoints
 * themselves live in a pool that grows with memory (kernel/mem/kpool.h). */

/* An endpoint held by its creator (ProcessSpawner.spawn, the manifest
 * boot) until the processes that use it have their capabilities. */
struct endpoint *endpoint_create(const char *name);
void endpoint_boot_release(struct endpoint *ep);

/* Live endpoints, calls and receives (for baseline checks in the log). */
/* Returns the number of live endpoints + calls + receives. */
unsigned endpoint_log_counts(const char *when);
/* The register-call system calls of thread p (include/capos/abi.h):
 * arguments in its frame tf, results written there; they may block. */
struct trap_frame;
void endpoint_sys_call(struct process *p, struct trap_frame *tf);
void endpoint_sys_recv(struct process *p, struct trap_frame *tf);
void endpoint_sys_reply_recv(struct process *p, struct trap_frame *tf);

/* Live endpoints (SystemMonitor.memory). */
unsigned endpoint_live_count(void);

#endif
