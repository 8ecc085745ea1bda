/*
 * fpu_keep: holds its own values in every XMM register (the whole YMM
 * register when AVX is on), MXCSR, the x87 control word and st(0), and
 * checks them again and again for FPU_KEEP_ROUNDS rounds without entering
 * the kernel, so the timer preempts it many times in between (the kernel
 * logs how often: "stats: ... N preempted").  Two instances run at once
 * with values derived from their pids: if the kernel lost, mixed up or
 * leaked extended state on a switch, a check would see another value.
 *
 * The loading, the rounds and the checks are one assembly function: the
 * compiler may use XMM registers anywhere in C code, but not inside it.
 *
 * Run by: smokes proc_fpu (FXSAVE path) and proc_fpu_xsave (XSAVE, AVX).
 */
#include <capos/rt.h>

#include "demo.h"

/* Enough rounds for about a second of guest time on a fast host: a slower
 * or loaded host only means more preemptions. */
#define FPU_KEEP_ROUNDS 1000000u

/* Layout of `want` and `seen` (qwords): 16 registers x 4 qwords (YMM;
 * only the low 2 are checked without AVX), then MXCSR, FCW, st(0). */
enum { Q_MXCSR = 64,
       Q_FCW = 65,
       Q_ST0 = 66,
       Q_COUNT = 67 };

/* uint64_t fpu_hold(const uint64_t *want, uint64_t *seen, uint64_t rounds,
 *                   int avx): 0 when every round saw the values, else
 * 1 + the index of the first qword that differed. */
uint64_t fpu_hold(const uint64_t *want, uint64_t *seen, uint64_t rounds, int avx);
__asm__(
	".text\n"
	".globl fpu_hold\n"
	".type fpu_hold, @function\n"
	"fpu_hold:\n"
	"	mov %rdx, %r8\n"
	"	mov %ecx, %r9d\n"
	"	fninit\n"
	"	fldcw 520(%rdi)\n"
	"	fldl 528(%rdi)\n"
	"	ldmxcsr 512(%rdi)\n"
	"	test %r9d, %r9d\n"
	"	jz 1f\n"
#define R(op, i) "	" op " " #i "*32(%rdi), %" \
		 "ymm" #i "\n"
	R("vmovdqu", 0) R("vmovdqu", 1) R("vmovdqu", 2) R("vmovdqu", 3)
		R("vmovdqu", 4) R("vmovdqu", 5) R("vmovdqu", 6) R("vmovdqu", 7)
			R("vmovdqu", 8) R("vmovdqu", 9) R("vmovdqu", 10) R("vmovdqu", 11)
				R("vmovdqu", 12) R("vmovdqu", 13) R("vmovdqu", 14) R("vmovdqu", 15)
#undef R
					"	jmp 2f\n"
					"1:\n"
#define R(i) "	movdqu " #i "*32(%rdi), %xmm" #i "\n"
	R(0) R(1) R(2) R(3) R(4) R(5) R(6) R(7) R(8) R(9) R(10) R(11) R(12) R(13) R(14) R(15)
#undef R
		"2:\n"
		"	test %r9d, %r9d\n"
		"	jz 3f\n"
#define R(i) "	vmovdqu %ymm" #i ", " #i "*32(%rsi)\n"
	R(0) R(1) R(2) R(3) R(4) R(5) R(6) R(7) R(8) R(9) R(10) R(11) R(12) R(13) R(14) R(15)
#undef R
		"	jmp 4f\n"
		"3:\n"
#define R(i) "	movdqu %xmm" #i ", " #i "*32(%rsi)\n"
	R(0) R(1) R(2) R(3) R(4) R(5) R(6) R(7) R(8) R(9) R(10) R(11) R(12) R(13) R(14) R(15)
#undef R
		"4:\n"
		"	movq $0, 512(%rsi)\n"
		"	stmxcsr 512(%rsi)\n"
		"	movq $0, 520(%rsi)\n"
		"	fnstcw 520(%rsi)\n"
		"	fstl 528(%rsi)\n"
		"	xor %ecx, %ecx\n"
		"5:\n"
		"	cmp $64, %ecx\n"
		"	jae 6f\n"
		"	test %r9d, %r9d\n"
		"	jnz 6f\n"
		"	mov %ecx, %eax\n"
		"	and $3, %eax\n"
		"	cmp $2, %eax\n"
		"	jae 7f\n" /* a YMM upper half, not checked without AVX */
		"6:\n"
		"	mov (%rdi,%rcx,8), %rax\n"
		"	cmp (%rsi,%rcx,8), %rax\n"
		"	jne 9f\n"
		"7:\n"
		"	inc %ecx\n"
		"	cmp $67, %ecx\n"
		"	jb 5b\n"
		"	dec %r8\n"
		"	jnz 2b\n"
		"	xor %eax, %eax\n"
		"	ret\n"
		"9:\n"
		"	lea 1(%rcx), %eax\n"
		"	ret\n"
		".size fpu_hold, . - fpu_hold\n");

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	/* clang-format off */
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
	/* clang-format on */
}

/* AVX usable: the CPU has it and the kernel enabled its state in XCR0. */
static int avx_enabled(void)
{
	uint32_t r[4];
	cpuid(1, r);
	if (!(r[2] & (1u << 27)) || !(r[2] & (1u << 28))) /* OSXSAVE, AVX */
		return 0;
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	/* clang-format on */
	return (lo & 6u) == 6u;
}

int main(void)
{
	const char *me = demo_name("fpu_keep");
	uint64_t pid = capos_rt.pid;
	static _Alignas(32) uint64_t want[Q_COUNT], seen[Q_COUNT];
	for (unsigned q = 0; q < 64; q++)
		want[q] = 0x5a00000000000000ull ^ (pid << 40) ^ ((uint64_t)(q / 4) << 8) ^ (q % 4) ^
		          ((uint64_t)q << 20);
	/* Rounding mode from the pid, flush-to-zero on odd pids; every
	 * exception stays masked. */
	want[Q_MXCSR] = 0x1f80u | ((pid & 3u) << 13) | ((pid & 1u) << 15);
	want[Q_FCW] = 0x037fu | ((pid & 3u) << 10);
	double st0 = (double)pid + 0.25;
	memcpy(&want[Q_ST0], &st0, sizeof st0);

	int avx = avx_enabled();
	uint64_t bad = fpu_hold(want, seen, FPU_KEEP_ROUNDS, avx);
	if (bad)
		DEMO_CHECK(me, 0, "qword %lu changed: want %#lx, saw %#lx\n", (unsigned long)(bad - 1),
		           (unsigned long)want[bad - 1], (unsigned long)seen[bad - 1]);
	else
		DEMO_CHECK(me, 1,
		           "16 %s registers, MXCSR %#lx, FCW %#lx and st(0) held over %u rounds\n",
		           avx ? "YMM" : "XMM", (unsigned long)want[Q_MXCSR],
		           (unsigned long)want[Q_FCW], FPU_KEEP_ROUNDS);
	/* Ordinary C floating point after the registers were dirtied. */
	volatile double x = 1.0;
	for (int i = 0; i < 10; i++)
		x = x * 3.0 + 0.5;
	DEMO_CHECK(me, x == 73811.0, "C floating point: 3x+0.5 ten times from 1 = %ld\n", (long)x);
	return demo_finish(me);
}
