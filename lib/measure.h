/*
 * Stage accounting for the kernel's measuring build (include/capos/measure.h):
 * time between two marks goes to the stage that was running.  A stage may
 * nest another (a copy inside perform) up to MEASURE_DEPTH deep; leaving
 * returns to the outer one.  Nothing is counted while stopped: between a
 * return to user and the next system call, and after a take.
 *
 * Pure logic over timestamps the caller passes (the kernel passes rdtsc),
 * so it is host-tested (tests/host/test_measure.c).
 */
#ifndef CAPOS_LIB_MEASURE_H
#define CAPOS_LIB_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

#include <capos/measure.h>

#define MEASURE_DEPTH 4u

struct measure {
	struct capos_measure total;
	uint64_t mark;  /* when the running stage last started counting */
	unsigned stage; /* the running stage                            */
	unsigned depth; /* outer stages saved in `outer`                */
	unsigned outer[MEASURE_DEPTH];
	bool running;
	uint64_t dropped; /* enters beyond MEASURE_DEPTH (not nested)     */
};

/* A system call began: the ENTRY stage runs from `now`, nothing nested. */
void measure_start(struct measure *m, uint64_t now);
/* The running stage ends, `stage` runs next (same depth). */
void measure_set(struct measure *m, unsigned stage, uint64_t now);
/* `stage` runs inside the running one until measure_leave. */
void measure_enter(struct measure *m, unsigned stage, uint64_t now);
void measure_leave(struct measure *m, uint64_t now);
/* The running stage ends and nothing is counted until measure_start. */
void measure_stop(struct measure *m, uint64_t now);
/* Copies the totals to *out, clears them, and stops counting. */
void measure_take(struct measure *m, struct capos_measure *out, uint64_t now);

#endif
