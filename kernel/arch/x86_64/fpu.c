/*
 * User extended state save/restore (see fpu.h).  The kernel is built
 * -mgeneral-regs-only: between fpu_load and fpu_save nothing but the
 * process that owns the state changes these registers.
 */
#include "arch/x86_64/fpu.h"

#include <capos/abi.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpuid.h"
#include "boot_info.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/vmm.h"

/* XCR0 components this kernel enables when CPUID offers them: the user
 * state components it knows the meaning of.  AVX-512's three travel
 * together (the CPU refuses a partial set). */
#define XFEAT_X87    (1ull << 0)
#define XFEAT_SSE    (1ull << 1)
#define XFEAT_AVX    (1ull << 2)
#define XFEAT_AVX512 ((1ull << 5) | (1ull << 6) | (1ull << 7))

/* Offsets in the legacy (FXSAVE) region. */
#define FXAREA_FCW   0
#define FXAREA_MXCSR 24
#define FXAREA_SIZE  512u

#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX   (1u << 28)
#define CPUID1_EDX_FXSR  (1u << 24)
#define CPUID1_EDX_SSE2  (1u << 26)

static bool use_xsave, use_xsaveopt;
static uint64_t xcr0;
static uint32_t area_size = FXAREA_SIZE;
/* The state whose values the registers hold; NULL: nobody's (or unknown). */
static struct fpu_state *live;
static struct fpu_stats stats;

bool fpu_uses_xsave(void) { return use_xsave; }
uint64_t fpu_xcr0(void) { return xcr0; }
uint32_t fpu_area_size(void) { return area_size; }
void fpu_get_stats(struct fpu_stats *out) { *out = stats; }

static void xsetbv(uint32_t reg, uint64_t v)
{
	/* clang-format off */
	__asm__ volatile("xsetbv" ::"c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
	/* clang-format on */
}

static bool arg_set(const char *key)
{
	char buf[8];
	return boot_arg(key, buf, sizeof buf) != NULL;
}

/* XSAVE with the components we know, if the CPU offers it and the area
 * fits one frame.  Returns false to fall back to FXSAVE. */
static bool xsave_setup(void)
{
	uint32_t r[4];
	cpuid_query(0xd, 0, r);
	uint64_t offered = ((uint64_t)r[3] << 32) | r[0];
	uint64_t want = XFEAT_X87 | XFEAT_SSE;
	if ((offered & want) != want) {
		kprintf("fpu: XSAVE offers components %lx without x87+SSE: not used\n", offered);
		return false;
	}
	cpuid_query(1, 0, r);
	if ((r[2] & CPUID1_ECX_AVX) && (offered & XFEAT_AVX))
		want |= XFEAT_AVX;
	if ((want & XFEAT_AVX) && (offered & XFEAT_AVX512) == XFEAT_AVX512)
		want |= XFEAT_AVX512;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	xsetbv(0, want);
	cpuid_query(0xd, 0, r); /* ebx: the size for the XCR0 just set */
	if (r[1] < FXAREA_SIZE + 64 || r[1] > PAGE_SIZE) {
		kprintf("fpu: XSAVE area of %u bytes does not fit a frame: not used\n", r[1]);
		xsetbv(0, XFEAT_X87 | XFEAT_SSE);
		write_cr4(read_cr4() & ~CR4_OSXSAVE);
		return false;
	}
	cpuid_query(0xd, 1, r);
	use_xsaveopt = r[0] & 1u;
	cpuid_query(0xd, 0, r);
	area_size = r[1];
	xcr0 = want;
	return true;
}

void fpu_init(void)
{
	uint32_t r[4];
	cpuid_query(1, 0, r);
	if (!(r[3] & CPUID1_EDX_FXSR) || !(r[3] & CPUID1_EDX_SSE2))
		panic("fpu: CPU without FXSR/SSE2 (cpuid 1 edx %x): not an x86_64 CPU", r[3]);
	bool has_xsave = r[2] & CPUID1_ECX_XSAVE;

	/* MP+NE: x87 errors raise #MF (not the legacy IRQ 13); EM and TS
	 * clear: no #NM, the state is switched eagerly. */
	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	/* OSFXSR: SSE on and FXSAVE saves XMM; OSXMMEXCPT: an unmasked SIMD
	 * exception is #XM (not #UD). */
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);

	if (!has_xsave)
		kprintf("fpu: XSAVE not supported by this CPU\n");
	else if (arg_set("noxsave"))
		kprintf("fpu: XSAVE available but DISABLED by boot argument noxsave\n");
	else
		use_xsave = xsave_setup();

	if (use_xsave)
		kprintf("fpu: XSAVE%s/XRSTOR, XCR0 %lx (x87 SSE%s%s), %u-byte area, one frame per "
		        "process, eager switching\n",
		        use_xsaveopt ? "OPT" : "", xcr0, (xcr0 & XFEAT_AVX) ? " AVX" : "",
		        (xcr0 & XFEAT_AVX512) ? " AVX-512" : "", area_size);
	else
		kprintf("fpu: FXSAVE/FXRSTOR (x87 SSE), %u-byte area, one frame per process, eager "
		        "switching\n",
		        area_size);
}

int fpu_state_alloc(struct fpu_state *s)
{
	uint64_t frame = pmm_alloc();
	if (frame == 0)
		return CAPOS_ERR_NO_RESOURCES;
	uint8_t *a = phys_to_virt(frame);
	/* Zero, including the XSAVE header: XSTATE_BV = 0 means every
	 * component starts in its initial configuration; XRSTOR still takes
	 * MXCSR from the legacy region. */
	memset(a, 0, PAGE_SIZE);
	uint16_t fcw = FPU_INIT_FCW;
	uint32_t mxcsr = FPU_INIT_MXCSR;
	memcpy(a + FXAREA_FCW, &fcw, sizeof fcw);
	memcpy(a + FXAREA_MXCSR, &mxcsr, sizeof mxcsr);
	s->frame = frame;
	s->area = a;
	return CAPOS_OK;
}

void fpu_state_free(struct fpu_state *s)
{
	if (s->frame == 0)
		return;
	if (live == s)
		live = NULL;
	pmm_free(s->frame);
	s->frame = 0;
	s->area = NULL;
}

void fpu_load(struct fpu_state *s)
{
	if (live == s) {
		stats.loads_skipped++;
		return;
	}
	if (use_xsave)
		/* clang-format off */
		__asm__ volatile("xrstor64 (%0)" ::"r"(s->area), "a"(0xffffffffu), "d"(0xffffffffu)
		                 : "memory");
	/* clang-format on */
	else
		/* clang-format off */
		__asm__ volatile("fxrstor64 (%0)" ::"r"(s->area) : "memory");
	/* clang-format on */
	live = s;
	stats.loads++;
}

void fpu_save(struct fpu_state *s)
{
	if (live != s)
		panic("fpu: saving state %p but the registers hold %p", (void *)s, (void *)live);
	if (use_xsaveopt)
		/* clang-format off */
		__asm__ volatile("xsaveopt64 (%0)" ::"r"(s->area), "a"(0xffffffffu), "d"(0xffffffffu)
		                 : "memory");
	/* clang-format on */
	else if (use_xsave)
		/* clang-format off */
		__asm__ volatile("xsave64 (%0)" ::"r"(s->area), "a"(0xffffffffu), "d"(0xffffffffu)
		                 : "memory");
	/* clang-format on */
	else
		/* clang-format off */
		__asm__ volatile("fxsave64 (%0)" ::"r"(s->area) : "memory");
	/* clang-format on */
	stats.saves++;
}

uint16_t fpu_read_fsw(void)
{
	uint16_t v;
	/* clang-format off */
	__asm__ volatile("fnstsw %0" : "=m"(v));
	/* clang-format on */
	return v;
}

uint16_t fpu_read_fcw(void)
{
	uint16_t v;
	/* clang-format off */
	__asm__ volatile("fnstcw %0" : "=m"(v));
	/* clang-format on */
	return v;
}

uint32_t fpu_read_mxcsr(void)
{
	uint32_t v;
	/* clang-format off */
	__asm__ volatile("stmxcsr %0" : "=m"(v));
	/* clang-format on */
	return v;
}
