/* Local APIC (see lapic.h). */
#include "arch/x86_64/lapic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpuid.h"
#include "log.h"
#include "mem/vmm.h"

#define MSR_APIC_BASE    0x1bu
#define MSR_TSC_DEADLINE 0x6e0u
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ADDR   0xffffff000ull

#define REG_ID         0x020
#define REG_VERSION    0x030
#define REG_TPR        0x080
#define REG_EOI        0x0b0
#define REG_SVR        0x0f0
#define REG_ESR        0x280
#define REG_LVT_TIMER  0x320
#define REG_LVT_LINT0  0x350
#define REG_LVT_LINT1  0x360
#define REG_LVT_ERROR  0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR  0x390
#define REG_TIMER_DIV  0x3e0

#define SVR_ENABLE       (1u << 8)
#define LVT_MASKED       (1u << 16)
#define LVT_ONESHOT      (0u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define TIMER_DIV_1      0xbu

static volatile uint32_t *regs;

static uint32_t rd(unsigned reg) { return regs[reg / 4]; }
static void wr(unsigned reg, uint32_t v) { regs[reg / 4] = v; }

bool lapic_init(uint64_t phys)
{
	uint32_t r[4];
	cpuid_query(1, 0, r);
	if (!(r[3] & CPUID1_EDX_APIC)) {
		kprintf("lapic: CPUID reports no local APIC\n");
		return false;
	}
	uint64_t msr = rdmsr(MSR_APIC_BASE);
	uint64_t base = msr & APIC_BASE_ADDR;
	if (phys && phys != base) {
		kprintf("lapic: MADT says %lx, IA32_APIC_BASE says %lx; using the MSR\n", phys, base);
	}
	if (base >= (4ull << 30)) {
		kprintf("lapic: base %lx above 4 GiB is not in the direct map\n", base);
		return false;
	}
	/* xAPIC mode (MMIO): leave x2APIC off. */
	wrmsr(MSR_APIC_BASE, (msr & ~APIC_BASE_X2APIC) | APIC_BASE_ENABLE);
	regs = phys_to_virt(base);
	wr(REG_TPR, 0);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, LVT_MASKED);
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	wr(REG_LVT_ERROR, LAPIC_ERROR_VECTOR);
	wr(REG_ESR, 0);
	wr(REG_SVR, SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	lapic_eoi(); /* nothing may be left in service from the firmware */
	kprintf("lapic: id %u version %x at %lx enabled (spurious vector %u, timer vector %u)\n",
	        lapic_id(), rd(REG_VERSION) & 0xff, base, LAPIC_SPURIOUS_VECTOR, LAPIC_TIMER_VECTOR);
	return true;
}

uint32_t lapic_id(void) { return rd(REG_ID) >> 24; }

void lapic_eoi(void) { wr(REG_EOI, 0); }

void lapic_timer_oneshot(uint32_t count)
{
	wr(REG_TIMER_DIV, TIMER_DIV_1);
	wr(REG_LVT_TIMER, LVT_ONESHOT | LAPIC_TIMER_VECTOR);
	wr(REG_TIMER_INIT, count);
}

uint32_t lapic_timer_current(void) { return rd(REG_TIMER_CUR); }

void lapic_timer_deadline_mode(void)
{
	wr(REG_LVT_TIMER, LVT_TSC_DEADLINE | LAPIC_TIMER_VECTOR);
	/* Serialises the LVT write before the first deadline write (SDM 10.5.4.1). */
	/* clang-format off */
	__asm__ volatile("mfence" ::: "memory");
	/* clang-format on */
}

void lapic_timer_deadline(uint64_t tsc) { wrmsr(MSR_TSC_DEADLINE, tsc); }

void lapic_timer_stop(void)
{
	wr(REG_LVT_TIMER, LVT_MASKED | LAPIC_TIMER_VECTOR);
	wr(REG_TIMER_INIT, 0);
}
