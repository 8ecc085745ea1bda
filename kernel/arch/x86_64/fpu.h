/*
 * User extended state: x87, SSE, AVX (and AVX-512 when offered).
 *
 * The kernel itself never touches these registers (-mgeneral-regs-only),
 * so a process's extended state stays live in the CPU from the moment the
 * scheduler loads it until the scheduler saves it again: switching is
 * eager, one save and at most one restore per context switch, and no #NM
 * trap is involved.  XSAVEOPT/XSAVE + XRSTOR when CPUID offers XSAVE,
 * FXSAVE/FXRSTOR otherwise (or with the boot argument noxsave).
 *
 * A struct fpu_state belongs to one thread of execution; today that is a
 * process (struct process embeds one), later each thread owns its own.
 */
#ifndef CAPOS_ARCH_FPU_H
#define CAPOS_ARCH_FPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One frame per state: the XSAVE area, 64-byte aligned because it is
 * page aligned. */
struct fpu_state {
	uint64_t frame; /* physical address; 0 = none */
	void *area;     /* the same frame through the direct map */
};

/* The clean state of every new thread: FCW 0x37f, MXCSR 0x1f80, the rest 0. */
#define FPU_INIT_FCW   0x037fu
#define FPU_INIT_MXCSR 0x1f80u

/* Reads CPUID, sets CR0 (MP, NE; clears EM, TS) and CR4 (OSFXSR,
 * OSXMMEXCPT, OSXSAVE), programs XCR0 and sizes the save area.  Logs the
 * choice.  Panics only on a CPU without FXSR (not an x86_64 CPU). */
void fpu_init(void);

/* True when XSAVE is in use (false: FXSAVE). */
bool fpu_uses_xsave(void);
/* XCR0 in use (0 with FXSAVE) and the area size in bytes. */
uint64_t fpu_xcr0(void);
uint32_t fpu_area_size(void);

/* Takes one frame for s and writes the clean initial state into it.
 * Returns 0 or CAPOS_ERR_NO_RESOURCES (no frame). */
int fpu_state_alloc(struct fpu_state *s);
/* Returns the frame; s is then empty. */
void fpu_state_free(struct fpu_state *s);

/* Loads s into the registers unless they already hold it. */
void fpu_load(struct fpu_state *s);
/* Saves the registers into s (they belong to s: it was loaded last). */
void fpu_save(struct fpu_state *s);

/* The live x87 status/control words and MXCSR: what a user #MF or #XM
 * was about (the faulting process's state is still in the registers). */
uint16_t fpu_read_fsw(void);
uint16_t fpu_read_fcw(void);
uint32_t fpu_read_mxcsr(void);

/* Counters for the log: loads done, loads skipped (already live), saves. */
struct fpu_stats {
	uint64_t loads, loads_skipped, saves;
};
void fpu_get_stats(struct fpu_stats *out);

#endif
