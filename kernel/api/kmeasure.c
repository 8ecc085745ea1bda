/*
 * The measuring build's counters and their debug NOP (kmeasure.h).  Empty
 * unless the kernel is built with -DCAPOS_MEASURE (`make ... MEASURE=1`).
 */
#include "api/kmeasure.h"

#ifdef CAPOS_MEASURE
#include "log.h"
#include "proc/process.h"

struct measure kmeasure;

/* The cost of one MEASURE_STAGE hook, on a scratch counter set: the
 * calibration the exported hook_cycles carries. */
static uint64_t hook_cycles(void)
{
	enum { LAPS = 64 };
	struct measure scratch = {0};
	measure_start(&scratch, rdtsc());
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < LAPS; i++)
		measure_set(&scratch, i & 1 ? CAPOS_MEASURE_PERFORM : CAPOS_MEASURE_POST, rdtsc());
	uint64_t t1 = rdtsc();
	return (t1 - t0) / LAPS;
}

int32_t kmeasure_nop(struct process *p, const struct capos_sqe *sqe)
{
	if (sqe->method_id != CAPOS_NOP_MEASURE)
		return 0;
	struct capos_measure out;
	measure_take(&kmeasure, &out, rdtsc());
	out.hook_cycles = hook_cycles();
	uint32_t n = sqe->result_len < sizeof out ? sqe->result_len : (uint32_t)sizeof out;
	if (user_copy_out(p, sqe->result_addr, &out, n) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	kprintf("measure: pid %u took the stage counters (%u bytes), counting again\n", p->pid, n);
	return (int32_t)n;
}
#else
typedef int kmeasure_off; /* ISO C wants one declaration per file */
#endif
