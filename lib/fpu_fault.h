/*
 * Words for an x87 (#MF) or SIMD (#XM) floating-point exception: which
 * unmasked exception flags are set, from the status and control words
 * (x87 FSW/FCW) or MXCSR.  The kernel puts them in the kill reason of the
 * process that raised it; host-tested (tests/host/test_fpu_fault.c).
 */
#ifndef CAPOS_LIB_FPU_FAULT_H
#define CAPOS_LIB_FPU_FAULT_H

#include <stddef.h>
#include <stdint.h>

/* The six exception flags, bit 0..5 in both FSW and MXCSR: invalid
 * operation, denormal operand, divide by zero, overflow, underflow,
 * precision.  Their masks are FCW bits 0..5 and MXCSR bits 7..12. */
#define FPU_EXC_FLAGS 0x3fu

/* Unmasked raised flags: the ones that caused the exception. */
unsigned fpu_x87_unmasked(uint16_t fsw, uint16_t fcw);
unsigned fpu_simd_unmasked(uint32_t mxcsr);

/* Writes e.g. "divide by zero, overflow" (or "no unmasked flag") for the
 * flags in `flags` into buf (always NUL-terminated).  Returns buf. */
const char *fpu_exc_describe(unsigned flags, char *buf, size_t len);

#endif
