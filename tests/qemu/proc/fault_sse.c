/*
 * An unmasked SSE divide by zero: MXCSR with the divide-by-zero mask
 * cleared, then 1.0 / 0.0 in divss.  With CR4.OSXMMEXCPT set that is #XM,
 * and the kernel kills only this process, naming the exception and MXCSR.
 * QEMU's TCG (what the smokes run) does not raise #XM: the divide then
 * only sets MXCSR.ZE, which is checked, and the process exits with 3.
 */
#include "rawsys.h"

static const float one = 1.0f, zero = 0.0f;

ENTRY
{
	uint32_t mxcsr = 0x1f80u & ~0x200u; /* ZM cleared */
	/* clang-format off */
	__asm__ volatile("ldmxcsr %0\n"
	                 "movss %1, %%xmm0\n"
	                 "divss %2, %%xmm0\n" ::"m"(mxcsr),
	                 "m"(one), "m"(zero)
	                 : "xmm0", "memory");
	/* clang-format on */
	uint32_t after;
	/* clang-format off */
	__asm__ volatile("stmxcsr %0" : "=m"(after));
	/* clang-format on */
	CHECK(1, (after & 0x4u) != 0); /* ZE raised */
	raw_exit(3);
}
