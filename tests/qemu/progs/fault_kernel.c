/*
 * fault_kernel: writes to a kernel-half address (mapped, but supervisor
 * only).  The kernel must kill this process with a logged page-fault
 * reason; the line after the write must never appear.
 *
 * Run by: smokes proc_fault_demos, proc_smap_smep
 * (tests/qemu/manifests/NAME.cue).
 */
#include "demo.h"

int main(void)
{
	uintptr_t addr = 0xffffffff80100000ull;
	/* clang-format off */
	__asm__("" : "+r"(addr)); /* hide the constant from gcc's bounds checks */
	/* clang-format on */
	volatile uint64_t *k = (volatile uint64_t *)addr;
	capos_printf("[fault_kernel] writing to kernel address %p\n", (void *)k);
	*k = 0xdead;
	capos_printf("[fault_kernel] FAIL: still alive after writing kernel memory\n");
	return 1;
}
