/*
 * CPU feature detection and protection bits.  NXE, WP, SMEP and SMAP are
 * enabled when CPUID advertises them.  The boot arguments nonx, nowp,
 * nosmep and nosmap switch one off; they exist so the fault smokes can show
 * that each protection is what stops the faulting access.  The extended
 * (x87/SSE/AVX) state is set up by fpu_init (fpu.c).
 */
#include "arch/x86_64/cpu.h"

#include "arch/x86_64/fpu.h"

#include "boot_info.h"
#include "log.h"

bool cpu_has_nx, cpu_has_smep, cpu_has_smap;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	/* clang-format off */
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
	/* clang-format on */
}

static bool arg_set(const char *key)
{
	char buf[8];
	return boot_arg(key, buf, sizeof buf) != NULL;
}

/* Logs one feature: enabled, disabled by a boot argument, or absent. */
static bool decide(const char *name, bool present, const char *off_arg)
{
	if (!present) {
		kprintf("cpu: %s not supported by this CPU\n", name);
		return false;
	}
	if (arg_set(off_arg)) {
		kprintf("cpu: %s available but DISABLED by boot argument %s\n", name, off_arg);
		return false;
	}
	kprintf("cpu: %s enabled\n", name);
	return true;
}

void cpu_init(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	uint32_t max_leaf = r[0];
	char vendor[13];
	*(uint32_t *)&vendor[0] = r[1];
	*(uint32_t *)&vendor[4] = r[3];
	*(uint32_t *)&vendor[8] = r[2];
	vendor[12] = '\0';
	cpuid(0x80000000u, 0, r);
	uint32_t max_ext = r[0];

	bool nx = false, smep = false, smap = false;
	if (max_ext >= 0x80000001u) {
		cpuid(0x80000001u, 0, r);
		nx = r[3] & (1u << 20);
	}
	if (max_leaf >= 7) {
		cpuid(7, 0, r);
		smep = r[1] & (1u << 7);
		smap = r[1] & (1u << 20);
	}
	kprintf("cpu: %s, cpuid max leaf %x, extended %x\n", vendor, max_leaf, max_ext);

	cpu_has_nx = decide("NX (EFER.NXE)", nx, "nonx");
	if (cpu_has_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (decide("write protect (CR0.WP)", true, "nowp"))
		write_cr0(read_cr0() | CR0_WP);
	fpu_init();
	cpu_has_smep = decide("SMEP (CR4.SMEP)", smep, "nosmep");
	if (cpu_has_smep)
		write_cr4(read_cr4() | CR4_SMEP);
	cpu_has_smap = decide("SMAP (CR4.SMAP)", smap, "nosmap");
	if (cpu_has_smap) {
		write_cr4(read_cr4() | CR4_SMAP);
		/* clang-format off */
		__asm__ volatile("clac" ::: "memory", "cc");
		/* clang-format on */
	}
}
