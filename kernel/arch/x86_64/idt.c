/* The IDT: 32 exception vectors and 224 interrupt vectors, all interrupt gates. */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"
#include "log.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_gate idt[256];
extern const uint64_t trap_vectors[256];

static void set_gate(unsigned vec, uint64_t handler, unsigned ist, unsigned dpl)
{
	idt[vec] = (struct idt_gate){
		.off_lo = handler & 0xffff,
		.sel = KERNEL_CS,
		.ist = ist & 7,
		.type_attr = 0x8e | (dpl << 5), /* present, 64-bit interrupt gate */
		.off_mid = (handler >> 16) & 0xffff,
		.off_hi = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, trap_vectors[v], 0, 0);
	set_gate(2, trap_vectors[2], IST_NMI, 0);
	set_gate(8, trap_vectors[8], IST_DOUBLE_FAULT, 0);
	set_gate(18, trap_vectors[18], IST_MACHINE_CHECK, 0);
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof idt - 1, (uint64_t)idt};
	/* clang-format off */
	__asm__ volatile("lidt %0" ::"m"(ptr) : "memory");
	/* clang-format on */
	kprintf("idt: 32 exception and 224 interrupt vectors installed\n");
}
