/*
 * GDT (layout in gdt.h) and the one TSS: rsp0 for traps from ring 3 and
 * three IST stacks so #DF, NMI and #MC always run on a known-good stack.
 */
#include "arch/x86_64/gdt.h"

#include "arch/x86_64/cpu.h"
#include "log.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
static uint64_t gdt[7];
static uint8_t ist_stacks[3][KERNEL_STACK_SIZE] __attribute__((aligned(16)));
/* Used as rsp0 until the process code installs per-process kernel stacks. */
static uint8_t rsp0_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16)));

#define SEG_CODE64(dpl) (0x00af9a0000000000ull | ((uint64_t)(dpl) << 45))
#define SEG_DATA(dpl)   (0x00cf920000000000ull | ((uint64_t)(dpl) << 45) | 0xffff)

void tss_set_rsp0(uint64_t rsp0)
{
	tss.rsp[0] = rsp0;
}

void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = SEG_CODE64(0) | 0xffff;
	gdt[2] = SEG_DATA(0);
	gdt[3] = SEG_DATA(3);
	gdt[4] = SEG_CODE64(3) | 0xffff;
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof tss - 1;
	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	         (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;

	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][KERNEL_STACK_SIZE];
	tss.rsp[0] = (uint64_t)&rsp0_stack[KERNEL_STACK_SIZE];
	tss.iomap_base = sizeof tss; /* no I/O bitmap: ring 3 gets no ports */

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof gdt - 1, (uint64_t)gdt};
	/* clang-format off */
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movw %%ax, %%fs\n\t"
		"movw %%ax, %%gs\n\t"
		"movw %w3, %%ax\n\t"
		"ltr %%ax\n\t"
		:
		: "m"(ptr), "i"((uint64_t)KERNEL_CS), "i"(KERNEL_DS), "i"(TSS_SEL)
		: "rax", "memory");
	/* clang-format on */
	kprintf("gdt: loaded (kernel cs %x ds %x, user cs %x ds %x, tss %x; IST #DF/NMI/#MC)\n",
	        KERNEL_CS, KERNEL_DS, USER_CS, USER_DS, TSS_SEL);
}
