/*
 * fairness_print: prints a few lines with short pauses while the spinner
 * and the flooder run.  With fair scheduling it finishes long before them
 * (the smoke expects "[fairness_print] done" before both "done" lines of
 * the others, which are started first).
 *
 * Run by: smokes proc_fault_demos, ring_fairness
 * (tests/qemu/manifests/NAME.cue).
 */
#include "demo.h"

#define LINES 5

int main(void)
{
	for (int i = 1; i <= LINES; i++) {
		capos_printf("[fairness_print] line %d/%d\n", i, LINES);
		demo_spin(100000);
	}
	capos_printf("[fairness_print] done\n");
	return 0;
}
