/*
 * The core's side of blocking on capability objects: timeouts, the
 * deadlock breaker's victim and the watchdog's description all go through
 * here, so the scheduler and the watchdog know no capability type.  What
 * a process waits on is in p->waits (lib/wait.h), kept by the types.
 */
#ifndef CAPOS_PROC_BLOCKING_H
#define CAPOS_PROC_BLOCKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "process.h"

/* Completes the operations whose deadline passed (each type's expire
 * hook); returns the earliest deadline still pending (ktime_ns;
 * UINT64_MAX: none). */
uint64_t proc_wait_expire(uint64_t now);

/* Every live process is blocked and nothing can complete: the one to kill
 * (lib/wait.h wait_pick_victim), or NULL if none is blocked. */
struct process *proc_wait_victim(void);

/* Appends to buf what p waits on, type by type (the watchdog's table). */
void proc_wait_describe(const struct process *p, char *buf, size_t len);

#endif
