/*
 * ProcessHandle: the parent's view of a spawned child (schema/capos.capnp).
 *
 *   wait @0 () -> (exitCode :Int64)
 *
 * A handle is created by ProcessSpawner.spawn and returned as a result cap
 * (not transferable).  wait completes at once if the child has exited,
 * otherwise it is deferred (its CQ slot reserved) and completed when the
 * child is destroyed; one wait at a time per handle (a second is
 * overloaded).  The exit code of a killed process is -1.
 *
 * Handles come from a static pool (PROCESS_HANDLE_MAX).  A handle lives
 * while a capability refers to it or its child lives.
 */
#ifndef CAPOS_CAP_PROCESS_HANDLE_H
#define CAPOS_CAP_PROCESS_HANDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap_table.h"

struct process;

#define PROCESS_HANDLE_MAX 64

/* A handle for child with one capability reference, as a result-cap entry
 * in *out; CAPOS_ERR_NO_RESOURCES when the pool is exhausted.  spawner_badge
 * is the badge of the ProcessSpawner cap that spawned it (0 = unrestricted). */
int process_handle_create(struct process *child, uint64_t spawner_badge, struct cap_entry *out);

/* Children alive that were spawned through a spawner cap with this badge
 * (a handle outlives its cap while its child lives, so this counts them all). */
unsigned process_handle_live_children(uint64_t spawner_badge);

/* process_destroy: p is going away.  Completes a pending wait on p's
 * handle with its exit code, and forgets p as a waiter. */
void process_handle_process_gone(struct process *p);

/* Live handles and pending waits (baseline checks). */
unsigned process_handle_live(void);
/* Appends to buf the children p waits for (ProcessHandle.wait), for the
 * watchdog's table. */
void process_handle_describe_waits(const struct process *p, char *buf, size_t len);
/* True while p has a wait pending on a child that is still alive. */
bool process_handle_waiting(const struct process *p);

#endif
