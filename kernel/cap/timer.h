/*
 * The Timer capability (kernel/cap/timer.c, schema/time.capnp): now,
 * sleep, resolution.  Pending sleeps live in a pool that grows with
 * memory (kernel/mem/kpool.h); a thread has at most its ring's
 * CAPOS_CQ_ENTRIES pending, each holding a reserved CQ slot.
 */
#ifndef CAPOS_CAP_TIMER_H
#define CAPOS_CAP_TIMER_H

/* Logs "timer: ..." (sleeps begun, completed, dropped at exit, pending)
 * and returns the number still pending (0 once every process is gone). */
unsigned timer_cap_log_counts(void);
/* Sleeps pending now (SystemMonitor.memory). */
unsigned timer_sleeps_pending(void);

#endif
