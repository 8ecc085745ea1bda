/*
 * fault_privileged: executes `cli` (then `hlt`, should cli not trap) in
 * ring 3.  Both are privileged: the CPU raises #GP and the kernel must kill
 * this process with a logged reason; the line after must never appear.
 *
 * Run by: smoke proc_fault_demos
 * (tests/qemu/manifests/proc_fault_demos.cue).
 */
#include "demo.h"

int main(void)
{
	capos_printf("[fault_privileged] executing cli in ring 3\n");
	__asm__ volatile("cli");
	capos_printf("[fault_privileged] FAIL: cli did not trap; trying hlt\n");
	__asm__ volatile("hlt");
	capos_printf("[fault_privileged] FAIL: still alive after hlt\n");
	return 1;
}
