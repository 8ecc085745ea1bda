/*
 * The ParkSpace capability (kernel/cap/park_space.c, schema/thread.capnp).
 */
#ifndef CAPOS_CAP_PARK_SPACE_H
#define CAPOS_CAP_PARK_SPACE_H

/* Logs "park: ..." (parked, woken, timed out, dropped, refused, pending)
 * and returns the number still parked (0 once every process is gone). */
unsigned park_space_log_counts(void);

#endif
