/*
 * Per-stage kernel counters of a measuring build (`make bench MEASURE=1`
 * compiles the kernel with -DCAPOS_MEASURE; docs/benchmarks.md).
 *
 * The kernel attributes every guest instruction between a process's
 * system call entry and its return to exactly one stage (the one running;
 * a copy or a completion posted inside a stage counts as its own stage),
 * so the stages add up to the kernel's part of an operation.  A program
 * takes the counters with a NOP whose method_id is CAPOS_NOP_MEASURE and
 * whose result buffer holds a struct capos_measure: the kernel copies
 * them there, resets them and completes the NOP with the bytes written.
 * A kernel built without CAPOS_MEASURE treats it as any NOP (result 0),
 * so the same program runs on both.
 *
 * Freestanding: used by the kernel, userspace and host tests.
 */
#ifndef CAPOS_MEASURE_H
#define CAPOS_MEASURE_H

#include <stdint.h>

/* X(NAME, "what it covers"), in the order a CALL passes them. */
#define CAPOS_MEASURE_STAGE_LIST(X)                                                \
	X(ENTRY, "ring entry: syscall dispatch, SQ/CQ indices")                    \
	X(VALIDATE, "SQE copy from the ring + validation")                         \
	X(LOOKUP, "cap lookup: cap id to entry and type")                          \
	X(DECODE, "Cap'n Proto decode of kernel-call params")                      \
	X(PERFORM, "dispatch and perform (endpoint state machine, kernel method)") \
	X(COPY, "user copies: params, messages, results")                          \
	X(POST, "CQE post (at once, or later to another process)")                 \
	X(SWITCH, "block, scheduler, address-space switch to the next process")    \
	X(EXIT, "ring exit: completions ready, wait set-up, return to user")

enum capos_measure_stage {
#define CAPOS_MEASURE_ENUM(name, what) CAPOS_MEASURE_##name,
	CAPOS_MEASURE_STAGE_LIST(CAPOS_MEASURE_ENUM)
#undef CAPOS_MEASURE_ENUM
		CAPOS_MEASURE_STAGE_COUNT
};

#define CAPOS_MEASURE_MAX_STAGES 10u     /* room in the exported struct */
#define CAPOS_NOP_MEASURE        0x4d53u /* NOP method_id: take the counters */

struct capos_measure_stage_total {
	uint64_t cycles; /* TSC ticks (guest instructions under -icount shift=0) */
	uint64_t events; /* times the stage was entered                         */
	uint64_t hooks;  /* hooks whose own work after their TSC read is in it  */
};

struct capos_measure {
	struct capos_measure_stage_total stage[CAPOS_MEASURE_MAX_STAGES];
	/* What one hook costs (calibrated by the kernel when the counters are
	 * taken): a stage carries about this much of each of its `hooks`, so
	 * cycles - hooks x hook_cycles estimates it without measurement. */
	uint64_t hook_cycles;
	uint64_t reserved;
};

_Static_assert(CAPOS_MEASURE_STAGE_COUNT <= CAPOS_MEASURE_MAX_STAGES, "stages fit");
_Static_assert(sizeof(struct capos_measure) == 256, "fixed layout");

#endif
