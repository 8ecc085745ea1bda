/*
 * vm_oom_tables smoke (run with little memory): VirtualMemory.map calls
 * that run out of physical frames half way, after the kernel built page
 * tables for them.  They are refused (overloaded), every data frame comes
 * back at once, and at exit the page-table frames come back with the
 * address space: the kernel's accounting of this process must be exact
 * although its only VirtualMemory activity was failed maps.
 *
 * Run by: smoke vm_oom_tables (tests/qemu/manifests/vm_oom_tables.cue).
 */
#include "demo.h"
#include <capos/virtual_memory.h>

#define NAME "vm_oom_tables"
#define P    CAPOS_PAGE_SIZE

int main(void)
{
	struct capos_vm vm;
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0) {
		capos_printf("[" NAME "] FAIL: cap missing\n");
		return 1;
	}
	/* 16 MiB, the whole frame limit: more than the machine has free. */
	static const uint64_t hints[] = {0, 0x100000000000ull - 8 * P, 0x180000000000ull - 8 * P};
	for (unsigned i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		struct capos_call_error e = {0};
		uint64_t addr = 0;
		int r = capos_vm_map(&vm, hints[i], 4096 * P, CAPOS_PROT_READ | CAPOS_PROT_WRITE,
		                     &addr, &e);
		DEMO_CHECK(NAME, r != 0 && e.kind == CAPOS_ERROR_EXCEPTION, "map %u refused (%s)\n", i,
		           r ? e.message : "mapped!");
	}
	return demo_finish(NAME);
}
