/*
 * A new process's extended state is the clean initial one, whatever the
 * processes before it left in the registers: FCW 0x37f, MXCSR 0x1f80,
 * every other byte of the FXSAVE image zero (status and tag words, x87
 * and XMM registers) and, with AVX on, the upper YMM halves zero.  The
 * image is taken first thing, before any compiled code could touch an
 * XMM register.  Exit 0, or the number of the failed check.
 */
#include "rawsys.h"

/* Not static: the naked _start names them in assembly. */
_Alignas(64) uint8_t fresh_image[512];
static _Alignas(32) uint8_t upper[16][16];

__attribute__((section(".text.start"), noreturn, naked)) void _start(void);
__attribute__((noreturn, used)) void fresh_check(void);

void _start(void)
{
	__asm__ volatile("fxsave64 fresh_image(%rip)\n"
	                 "jmp fresh_check\n");
}

static int avx_enabled(void)
{
	uint32_t a, b, c, d;
	/* clang-format off */
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	/* clang-format on */
	if (!(c & (1u << 27)) || !(c & (1u << 28)))
		return 0;
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	/* clang-format on */
	return (lo & 6u) == 6u;
}

void fresh_check(void)
{
	/* The upper YMM halves are read before any code that might use AVX:
	 * none does (no -mavx), and nothing below writes a YMM register. */
	if (avx_enabled()) {
		/* clang-format off */
#define U(i) __asm__ volatile("vextractf128 $1, %%ymm" #i ", %0" : "=m"(upper[i]));
		U(0) U(1) U(2) U(3) U(4) U(5) U(6) U(7) U(8) U(9) U(10) U(11) U(12) U(13) U(14) U(15)
#undef U
		/* clang-format on */
	}
	uint16_t fcw = (uint16_t)(fresh_image[0] | fresh_image[1] << 8);
	uint32_t mxcsr = (uint32_t)fresh_image[24] | (uint32_t)fresh_image[25] << 8 | (uint32_t)fresh_image[26] << 16 |
	                 (uint32_t)fresh_image[27] << 24;
	CHECK(1, fcw == 0x037f);
	CHECK(2, mxcsr == 0x1f80);
	for (unsigned i = 2; i < 24; i++) /* FSW, FTW, FOP, FIP, FDP */
		CHECK(3, fresh_image[i] == 0);
	for (unsigned i = 32; i < 160; i++) /* st0..st7 */
		CHECK(4, fresh_image[i] == 0);
	for (unsigned i = 160; i < 416; i++) /* xmm0..xmm15 */
		CHECK(5, fresh_image[i] == 0);
	for (unsigned r = 0; r < 16; r++)
		for (unsigned i = 0; i < 16; i++)
			CHECK(6, upper[r][i] == 0);
	raw_exit(0);
}
