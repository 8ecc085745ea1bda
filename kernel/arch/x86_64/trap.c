/*
 * Trap dispatch: exceptions are reported (kernel) or handed to
 * trap_user_fault (user); IRQs are acknowledged and passed to their handler.
 */
#include "arch/x86_64/trap.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"
#include "arch/x86_64/qemu_exit.h"
#include "log.h"
#include "mem/vmm.h"

/* The one table of exception names: the kernel's fault report and the
 * reason a process is killed with (kernel/proc/fault.c). */
static const struct {
	const char *name;
	const char *mnemonic;
} exceptions[32] = {
	[0] = {"divide error", "#DE"},
	[1] = {"debug", "#DB"},
	[2] = {"NMI", ""},
	[3] = {"breakpoint", "#BP"},
	[4] = {"overflow", "#OF"},
	[5] = {"bound range exceeded", "#BR"},
	[6] = {"invalid opcode", "#UD"},
	[7] = {"device not available", "#NM"},
	[8] = {"double fault", "#DF"},
	[9] = {"coprocessor segment overrun", ""},
	[10] = {"invalid TSS", "#TS"},
	[11] = {"segment not present", "#NP"},
	[12] = {"stack-segment fault", "#SS"},
	[13] = {"general protection fault", "#GP"},
	[14] = {"page fault", "#PF"},
	[16] = {"x87 floating-point error", "#MF"},
	[17] = {"alignment check", "#AC"},
	[18] = {"machine check", "#MC"},
	[19] = {"SIMD floating-point error", "#XM"},
	[20] = {"virtualization exception", "#VE"},
	[21] = {"control protection", "#CP"},
	[28] = {"hypervisor injection", "#HV"},
	[29] = {"VMM communication", "#VC"},
	[30] = {"security", "#SX"},
};

const char *trap_vector_name(uint64_t vector)
{
	if (vector >= 32)
		return "interrupt";
	return exceptions[vector].name ? exceptions[vector].name : "reserved exception";
}

static irq_handler_fn irq_handlers[16];
static struct trap_frame *return_frame;

void trap_set_return_frame(struct trap_frame *next)
{
	return_frame = next;
}

void irq_set_handler(unsigned irq, irq_handler_fn fn)
{
	if (irq >= 16)
		panic("irq_set_handler: irq %u out of range", irq);
	irq_handlers[irq] = fn;
}

void trap_print_report(const struct trap_frame *tf)
{
	const char *mnemonic = tf->vector < 32 ? exceptions[tf->vector].mnemonic : 0;
	bool user = trap_from_user(tf);
	kprintf("FAULT: vector %lu %s%s%s%s, error code %lx, %s mode (CPL%lu)\n", tf->vector,
	        trap_vector_name(tf->vector), mnemonic && *mnemonic ? " (" : "",
	        mnemonic ? mnemonic : "", mnemonic && *mnemonic ? ")" : "", tf->error_code,
	        user ? "user" : "kernel", tf->cs & 3);
	kprintf("  rip %016lx rsp %016lx cr2 %016lx\n", tf->rip, tf->rsp, read_cr2());
	/* The host symbolizer (tools/symbolize.sh) adds file:line here. */
	if (!user)
		kprintf("  at rip 0x%lx in binary 'kernel'\n", tf->rip);
	if (tf->vector == TRAP_PAGE_FAULT) {
		unsigned e = (unsigned)tf->error_code;
		/* clang-format off */
		kprintf("  page fault: %s, %s, %s%s; cr2 in %s\n",
			(e & PF_PRESENT) ? "protection violation" : "page not present",
			(e & PF_IFETCH) ? "instruction fetch" : (e & PF_WRITE) ? "write" : "read",
			(e & PF_USER) ? "from user" : "from kernel",
			(e & PF_RSVD) ? ", reserved bit set" : "", vmm_describe(read_cr2()));
		/* clang-format on */
	}
	kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
	kprintf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->r8);
	kprintf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", tf->r9, tf->r10, tf->r11, tf->r12);
	kprintf("  r13 %016lx r14 %016lx r15 %016lx\n", tf->r13, tf->r14, tf->r15);
	kprintf("  cs %lx ss %lx rflags %lx cr0 %lx cr3 %lx cr4 %lx\n", tf->cs, tf->ss,
	        tf->rflags, read_cr0(), read_cr3(), read_cr4());
}

static void handle_exception(struct trap_frame *tf)
{
	if (trap_from_user(tf)) {
		trap_user_fault(tf);
		return;
	}
	trap_print_report(tf);
	kprintf("FAULT: unexpected exception in the kernel, stopping\n");
	qemu_exit(QEMU_EXIT_FAULT);
}

static void handle_irq(struct trap_frame *tf)
{
	unsigned irq = (unsigned)tf->vector - IRQ_BASE;
	if (intc_ack_isa(irq))
		return;
	if (irq_handlers[irq])
		irq_handlers[irq](tf);
}

struct trap_frame *trap_dispatch(struct trap_frame *tf)
{
	uint64_t flags = read_rflags();
	if (flags & RFLAGS_ENTRY_DIRTY)
		panic("trap entry left RFLAGS %lx (interrupted %lx)", flags, tf->rflags);
	return_frame = tf;
	if (tf->vector < 32)
		handle_exception(tf);
	else if (tf->vector < IRQ_BASE + 16)
		handle_irq(tf);
	else if (tf->vector < 256)
		intc_dispatch(tf);
	else
		panic("trap on unexpected vector %lu", tf->vector);
	return return_frame;
}
