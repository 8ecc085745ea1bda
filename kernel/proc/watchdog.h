/*
 * Watchdog: `watchdog=SECONDS` on the kernel command line (make run passes
 * RUN_TIMEOUT) bounds how long the system may run.  When the deadline
 * passes, the kernel prints a table of the live processes -- pid, name,
 * binary, state, what each is blocked on, caps, frames -- and exits QEMU
 * with QEMU_EXIT_WATCHDOG (status 41), so a service that spins or waits
 * forever ends the run with a name instead of a silent hang.
 */
#ifndef CAPOS_PROC_WATCHDOG_H
#define CAPOS_PROC_WATCHDOG_H

#include <stdint.h>

#define WATCHDOG_MAX_SECONDS 86400u

struct trap_frame;

/* Reads watchdog= from the command line and arms it (logged either way). */
void watchdog_start(void);

/* Timer tick: fires when the deadline has passed.  tf is the interrupted
 * frame (its rip is shown for a process caught running in user mode). */
void watchdog_check(uint64_t now, const struct trap_frame *tf);

#endif
