/* Glue between the files of kernel/proc and kernel/cap. */
#ifndef CAPOS_PROC_INTERNAL_H
#define CAPOS_PROC_INTERNAL_H

#include <stdint.h>

#include "process.h"

/* capset.c: grants the boot capabilities (TEMPORARY: the same set for every
 * process until the manifest, issue #6) and writes the CapSet page. */
int proc_grant_boot_caps(struct process *p);

/* boot_services.c: a teardown found frames missing. */
void proc_note_leak(uint64_t frames);

/* ring_dispatch.c: consumes up to the per-call budget of SQEs; returns the
 * number consumed or CAPOS_ERR_RING_CORRUPT. */
int ring_drain(struct process *p);

/* syscall.c */
struct trap_frame;
void syscall_dispatch(struct trap_frame *tf);

#endif
