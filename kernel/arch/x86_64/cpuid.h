/* CPUID and the feature bits the interrupt and time code asks about. */
#ifndef CAPOS_ARCH_CPUID_H
#define CAPOS_ARCH_CPUID_H

#include <stdint.h>

#define CPUID1_EDX_TSC          (1u << 4)
#define CPUID1_EDX_APIC         (1u << 9)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

static inline void cpuid_query(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	/* clang-format off */
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
	/* clang-format on */
}

#endif
