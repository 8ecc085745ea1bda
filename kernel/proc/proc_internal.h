/* Glue between the files of kernel/proc and kernel/cap. */
#ifndef CAPOS_PROC_INTERNAL_H
#define CAPOS_PROC_INTERNAL_H

#include <stdint.h>

#include "process.h"

/* boot_services.c: a teardown found frames missing. */
void proc_note_leak(uint64_t frames);
uint64_t proc_leaked_frames(void);

/* ring_dispatch.c: consumes up to the per-call budget of SQEs; returns the
 * number consumed or CAPOS_ERR_RING_CORRUPT. */
int ring_drain(struct process *p);

/* ring_dispatch.c: posts a completion that was accepted earlier (an
 * endpoint CALL or RECV) into its reserved CQ slot and wakes p if its
 * cap_enter now has enough completions.  Ignored for a dead process. */
struct capos_cqe;
void proc_complete(struct process *p, const struct capos_cqe *cqe);

/* syscall.c */
struct trap_frame;
void syscall_dispatch(struct trap_frame *tf);

#endif
