/*
 * fault_hlt: executes `hlt` in ring 3.  Privileged: the CPU raises #GP and
 * the kernel must kill this process with a logged reason; the line after
 * must never appear.
 *
 * Run by: tests/qemu/manifests/rt_panic_hlt.cue
 * (smoke rt_panic_hlt).
 */
#include "demo.h"

int main(void)
{
	capos_printf("[fault_hlt] executing hlt in ring 3\n");
	__asm__ volatile("hlt");
	capos_printf("[fault_hlt] FAIL: still alive after hlt\n");
	return 1;
}
