/*
 * The measuring build's hooks (include/capos/measure.h, lib/measure.h):
 * MEASURE_STAGE(X) ends the running stage and starts X; MEASURE_ENTER(X) /
 * MEASURE_LEAVE() nest X inside it; MEASURE_START() / MEASURE_STOP() at
 * system call entry and return.  Without CAPOS_MEASURE every hook is
 * empty and the NOP is an ordinary NOP: the default kernel is unchanged.
 */
#ifndef CAPOS_KERNEL_KMEASURE_H
#define CAPOS_KERNEL_KMEASURE_H

#include <capos/abi.h>
#include <capos/measure.h>

#ifdef CAPOS_MEASURE
#include "arch/x86_64/cpu.h"
#include "measure.h"

struct process;
extern struct measure kmeasure;
/* A NOP: with method_id CAPOS_NOP_MEASURE, the counters into the SQE's
 * result buffer (then reset); returns the CQE result. */
int32_t kmeasure_nop(struct process *p, const struct capos_sqe *sqe);

#define MEASURE_START()     measure_start(&kmeasure, rdtsc())
#define MEASURE_STOP()      measure_stop(&kmeasure, rdtsc())
#define MEASURE_STAGE(s)    measure_set(&kmeasure, CAPOS_MEASURE_##s, rdtsc())
#define MEASURE_ENTER(s)    measure_enter(&kmeasure, CAPOS_MEASURE_##s, rdtsc())
#define MEASURE_LEAVE()     measure_leave(&kmeasure, rdtsc())
#define MEASURE_NOP(p, sqe) kmeasure_nop(p, sqe)
#else
#define MEASURE_START()     ((void)0)
#define MEASURE_STOP()      ((void)0)
#define MEASURE_STAGE(s)    ((void)0)
#define MEASURE_ENTER(s)    ((void)0)
#define MEASURE_LEAVE()     ((void)0)
#define MEASURE_NOP(p, sqe) 0
#endif

#endif
