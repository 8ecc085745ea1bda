/* lib/measure.c: stage accounting of the measuring kernel build. */
#include <criterion/criterion.h>

#include "measure.h"

static struct measure m;

#define CYC(s) (m.total.stage[CAPOS_MEASURE_##s].cycles)
#define EV(s)  (m.total.stage[CAPOS_MEASURE_##s].events)

Test(measure, stages_partition_the_time)
{
	m = (struct measure){0};
	measure_start(&m, 100);
	measure_set(&m, CAPOS_MEASURE_VALIDATE, 110);
	measure_set(&m, CAPOS_MEASURE_PERFORM, 130);
	measure_set(&m, CAPOS_MEASURE_POST, 160);
	measure_set(&m, CAPOS_MEASURE_EXIT, 170);
	measure_stop(&m, 200);
	cr_expect_eq(CYC(ENTRY), 10);
	cr_expect_eq(CYC(VALIDATE), 20);
	cr_expect_eq(CYC(PERFORM), 30);
	cr_expect_eq(CYC(POST), 10);
	cr_expect_eq(CYC(EXIT), 30);
	uint64_t sum = 0;
	for (unsigned i = 0; i < CAPOS_MEASURE_STAGE_COUNT; i++)
		sum += m.total.stage[i].cycles;
	cr_expect_eq(sum, 100, "every tick from start to stop counted once");
	cr_expect_eq(EV(ENTRY), 1);
	cr_expect_eq(EV(PERFORM), 1);
}

Test(measure, nested_stage_returns_to_the_outer_one)
{
	m = (struct measure){0};
	measure_start(&m, 0);
	measure_set(&m, CAPOS_MEASURE_PERFORM, 10);
	measure_enter(&m, CAPOS_MEASURE_COPY, 20);
	measure_leave(&m, 50);
	measure_enter(&m, CAPOS_MEASURE_POST, 60);
	measure_enter(&m, CAPOS_MEASURE_COPY, 65);
	measure_leave(&m, 70);
	measure_leave(&m, 80);
	measure_stop(&m, 100);
	cr_expect_eq(CYC(PERFORM), 10 + 10 + 20);
	cr_expect_eq(CYC(COPY), 30 + 5);
	cr_expect_eq(CYC(POST), 5 + 10);
	cr_expect_eq(EV(COPY), 2);
	cr_expect_eq(EV(PERFORM), 1, "returning to a stage is not entering it");
	cr_expect_eq(m.total.stage[CAPOS_MEASURE_PERFORM].hooks, 3, "set + two leaves");
	cr_expect_eq(m.total.stage[CAPOS_MEASURE_POST].hooks, 2, "enter + leave from copy");
	cr_expect_eq(m.depth, 0);
}

Test(measure, nothing_counts_while_stopped)
{
	m = (struct measure){0};
	measure_start(&m, 0);
	measure_stop(&m, 10);
	measure_set(&m, CAPOS_MEASURE_SWITCH, 500); /* e.g. an interrupt's switch */
	measure_enter(&m, CAPOS_MEASURE_COPY, 600);
	measure_leave(&m, 700);
	measure_stop(&m, 800);
	cr_expect_eq(CYC(ENTRY), 10);
	cr_expect_eq(CYC(SWITCH), 0);
	cr_expect_eq(CYC(COPY), 0);
	cr_expect_eq(EV(SWITCH), 0);
}

Test(measure, too_deep_nesting_stays_in_the_outer_stage_and_unwinds)
{
	m = (struct measure){0};
	measure_start(&m, 0);
	unsigned n = MEASURE_DEPTH + 2;
	for (unsigned i = 0; i < n; i++)
		measure_enter(&m, CAPOS_MEASURE_COPY, 10 + i);
	for (unsigned i = 0; i < n; i++)
		measure_leave(&m, 100 + i);
	cr_expect_eq(m.dropped, 2);
	cr_expect_eq(m.depth, 0);
	cr_expect_eq(m.stage, (unsigned)CAPOS_MEASURE_ENTRY, "back in the outermost stage");
	measure_leave(&m, 200); /* one leave too many: ignored */
	cr_expect_eq(m.depth, 0);
	measure_stop(&m, 300);
	uint64_t sum = 0;
	for (unsigned i = 0; i < CAPOS_MEASURE_STAGE_COUNT; i++)
		sum += m.total.stage[i].cycles;
	cr_expect_eq(sum, 300);
}

Test(measure, take_copies_resets_and_stops)
{
	m = (struct measure){0};
	measure_start(&m, 0);
	measure_set(&m, CAPOS_MEASURE_PERFORM, 40);
	struct capos_measure out;
	measure_take(&m, &out, 100);
	cr_expect_eq(out.stage[CAPOS_MEASURE_ENTRY].cycles, 40);
	cr_expect_eq(out.stage[CAPOS_MEASURE_PERFORM].cycles, 60);
	cr_expect_eq(CYC(PERFORM), 0);
	cr_expect_not(m.running);
	measure_set(&m, CAPOS_MEASURE_POST, 150);
	cr_expect_eq(EV(POST), 0, "the rest of the taking call is not counted");
}
