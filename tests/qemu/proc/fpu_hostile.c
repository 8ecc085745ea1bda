/*
 * Hostile: loads a corrupt extended state into its own registers.
 *  1. FXRSTOR of an image whose MXCSR has reserved bits set: #GP on a
 *     real CPU (QEMU's TCG loads it without a check).
 *  2. If still alive, a cap_enter (the kernel saves and restores whatever
 *     state it now has), then XRSTOR of an image whose XSAVE header has a
 *     reserved bit set: #GP with XSAVE on, #UD without (CR4.OSXSAVE clear).
 * Each kills only this process; the kernel's own save area is written
 * only by the CPU, so the kernel's restore never sees these images.
 */
#include "rawsys.h"

static _Alignas(64) uint8_t image[4096];

ENTRY
{
	image[0] = 0x7f; /* FCW 0x37f */
	image[1] = 0x03;
	image[24] = 0x80; /* MXCSR 0xffff1f80: bits 16..31 are reserved */
	image[25] = 0x1f;
	image[26] = 0xff;
	image[27] = 0xff;
	/* clang-format off */
	__asm__ volatile("fxrstor64 %0" ::"m"(image) : "memory");
	/* clang-format on */
	raw_cap_enter(0, 0);
	image[26] = 0; /* a valid MXCSR this time */
	image[27] = 0;
	image[512 + 8 + 7] = 0x80; /* XCOMP_BV bit 63 (compacted form) ... */
	image[512 + 16] = 1;       /* ... and a reserved header byte */
	/* clang-format off */
	__asm__ volatile("xrstor64 %0" ::"m"(image), "a"(0xffffffffu), "d"(0xffffffffu) : "memory");
	/* clang-format on */
	raw_exit(100); /* not reached */
}
