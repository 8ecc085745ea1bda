/*
 * The Timer capability (kernel/cap/timer.c, schema/time.capnp): now,
 * sleep, resolution.  Pending sleeps live in a static table, at most
 * TIMER_SLEEPS_PER_PROC per process.
 */
#ifndef CAPOS_CAP_TIMER_H
#define CAPOS_CAP_TIMER_H

#define TIMER_SLEEPS_PER_PROC 8u

/* Logs "timer: ..." (sleeps begun, completed, dropped at exit, pending)
 * and returns the number still pending (0 once every process is gone). */
unsigned timer_cap_log_counts(void);

#endif
