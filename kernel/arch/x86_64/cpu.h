/*
 * Small CPU helpers and the feature flags set by cpu_init() from CPUID.
 */
#ifndef CAPOS_ARCH_CPU_H
#define CAPOS_ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>

/* True when the feature is present AND was enabled by cpu_init(). */
extern bool cpu_has_nx, cpu_has_smep, cpu_has_smap;

/* Reads CPUID, enables NXE, WP, SMEP and SMAP when advertised, sets up
 * user extended state (fpu.h), logs them. */
void cpu_init(void);

/* Sets the stack the CPU switches to on a trap from ring 3 (TSS.rsp0). */
void tss_set_rsp0(uint64_t rsp0);

#define MSR_EFER           0xc0000080u
#define MSR_STAR           0xc0000081u
#define MSR_LSTAR          0xc0000082u
#define MSR_FMASK          0xc0000084u
#define MSR_FS_BASE        0xc0000100u
#define MSR_GS_BASE        0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_NXE (1ull << 11)

#define CR0_MP         (1ull << 1)
#define CR0_EM         (1ull << 2)
#define CR0_TS         (1ull << 3)
#define CR0_NE         (1ull << 5)
#define CR0_WP         (1ull << 16)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE    (1ull << 18)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)

#define RFLAGS_IF          (1ull << 9)
#define RFLAGS_TF          (1ull << 8)
#define RFLAGS_DF          (1ull << 10)
#define RFLAGS_NT          (1ull << 14)
#define RFLAGS_AC          (1ull << 18)
/*
 * Every RFLAGS bit user mode can leave set that changes what ring 0 does:
 * TF (single-step traps in the kernel), IF (interrupts before the stack
 * switch), DF (string instructions run backwards), NT (iretq takes #GP),
 * AC (SMAP is off while it is set), plus IOPL, RF, ID and the arithmetic
 * flags so the kernel always starts from the same RFLAGS (0x2).  FMASK
 * clears these on `syscall`; trap entry loads RFLAGS = 0x2.
 */
#define RFLAGS_ENTRY_CLEAR 0x257fd5ull
/* What the kernel checks on every entry: none of these may be set. */
#define RFLAGS_ENTRY_DIRTY (RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC)

/* clang-format off */
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("hlt" ::: "memory"); }

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }

/* clang-format on */
static inline uint64_t read_rflags(void)
{
	uint64_t v;
	/* clang-format off */
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	/* clang-format on */
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	/* clang-format on */
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	/* clang-format off */
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
	/* clang-format on */
}

static inline void invlpg(uint64_t va)
{
	/* clang-format off */
	__asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
	/* clang-format on */
}

/* Masks interrupts; returns the previous RFLAGS for irq_restore. */
static inline uint64_t irq_save(void)
{
	uint64_t flags;
	/* clang-format off */
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
	/* clang-format on */
	return flags;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		sti();
}

/* Bracket every kernel access to user memory (stac/clac when SMAP is on). */
static inline void user_access_begin(void)
{
	if (cpu_has_smap)
		/* clang-format off */
		__asm__ volatile("stac" ::: "memory", "cc");
	/* clang-format on */
}
static inline void user_access_end(void)
{
	if (cpu_has_smap)
		/* clang-format off */
		__asm__ volatile("clac" ::: "memory", "cc");
	/* clang-format on */
}

#endif
