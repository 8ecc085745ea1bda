/*
 * vm_protect_kill smoke: a page mapped through VirtualMemory, written,
 * then protected read-only: reading still works, the next write kills the
 * process with a logged page-fault reason (write, protection violation).
 * Its pages come back at teardown.
 *
 * Run by: smoke vm_protect (tests/qemu/manifests/vm_protect.cue).
 */
#include "demo.h"
#include <capos/virtual_memory.h>

int main(void)
{
	struct capos_vm vm;
	uint64_t a = 0;
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0 ||
	    capos_vm_map(&vm, 0, 2 * CAPOS_PAGE_SIZE, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &a, NULL) != 0) {
		capos_printf("[vm_protect_kill] FAIL: no mapping\n");
		return 1;
	}
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)a;
	p[0] = 0xc0ffee;
	DEMO_CHECK("vm_protect_kill",
	           capos_vm_protect(&vm, a, 2 * CAPOS_PAGE_SIZE, CAPOS_PROT_READ, NULL) == 0,
	           "protected %#lx read-only\n", (unsigned long)a);
	DEMO_CHECK("vm_protect_kill", p[0] == 0xc0ffee, "read after protect: %#x\n", p[0]);
	capos_printf("[vm_protect_kill] writing to the read-only page at %#lx now\n",
	             (unsigned long)a);
	p[1] = 1;
	capos_printf("[vm_protect_kill] FAIL: the write went through\n");
	return 1;
}
