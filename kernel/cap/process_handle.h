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
 * Handles live in a pool that grows with memory (kernel/mem/kpool.h;
 * out of memory, a spawn is overloaded).  A handle lives while a
 * capability refers to it or its child lives.
 */
#ifndef CAPOS_CAP_PROCESS_HANDLE_H
#define CAPOS_CAP_PROCESS_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include "cap_table.h"

struct process;

/* A handle for child with one capability reference, as a result-cap entry
 * in *out; CAPOS_ERR_NO_RESOURCES when memory is out.  spawner_badge
 * is the badge of the ProcessSpawner cap that spawned it (0 = unrestricted). */
int process_handle_create(struct process *child, uint64_t spawner_badge, struct cap_entry *out);

/* Children alive that were spawned through a spawner cap with this badge
 * (a handle outlives its cap while its child lives, so this counts them all). */
unsigned process_handle_live_children(uint64_t spawner_badge);

/* Live handles and pending waits (baseline checks). */
unsigned process_handle_live(void);

#endif
