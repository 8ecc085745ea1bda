/*
 * The ParkSpace capability (kernel/cap/park_space.c, schema/thread.capnp).
 */
#ifndef CAPOS_CAP_PARK_SPACE_H
#define CAPOS_CAP_PARK_SPACE_H

/* Logs "park: ..." (parked, woken, timed out, dropped, refused, pending)
 * and returns the number still parked (0 once every process is gone). */
unsigned park_space_log_counts(void);
/* thread_exit(status, clear_word): zeroes the word and wakes one parked
 * thread on it (0: nothing). */
struct process;
void park_space_exit_word(struct process *p, uint64_t addr);

#endif
