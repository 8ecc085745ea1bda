/*
 * fault_badptr: writes through a pointer to an unmapped user address.  The
 * kernel must kill this process with a logged page-fault reason; the line
 * after the write must never appear.
 *
 * Run by: smoke proc_fault_demos
 * (tests/qemu/manifests/proc_fault_demos.cue).
 */
#include "demo.h"

int main(void)
{
	uintptr_t addr = 0x0000000000000010ull;
	/* clang-format off */
	__asm__("" : "+r"(addr)); /* hide the constant from gcc's bounds checks */
	/* clang-format on */
	volatile uint64_t *bad = (volatile uint64_t *)addr;
	capos_printf("[fault_badptr] writing to unmapped %p\n", (void *)bad);
	*bad = 0xdead;
	capos_printf("[fault_badptr] FAIL: still alive after the bad write\n");
	return 1;
}
