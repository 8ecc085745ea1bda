/* Kernel log and panic, on top of lib/format.c and the serial driver. */
#include "log.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/serial.h"
#include "cap/terminal.h"
#include "format.h"

static void serial_out(void *ctx, char c)
{
	(void)ctx;
	if (terminal_line_shared)
		terminal_foreign_putc(c); /* shares the line with the terminal (terminal.h) */
	else
		serial_putc(c);
}

/* One call is one uninterrupted write: an interrupt handler that logs (an
 * IOMMU fault, say) while a self-test runs with interrupts on must not
 * land in the middle of the other's line. */
void kvprintf(const char *fmt, va_list ap)
{
	uint64_t flags = irq_save();
	format_v(serial_out, NULL, fmt, ap);
	irq_restore(flags);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

static int panicking;

_Noreturn void panic(const char *fmt, ...)
{
	cli();
	if (panicking++) {
		kprintf("PANIC: nested panic\n");
		qemu_exit(QEMU_EXIT_PANIC);
	}
	va_list ap;
	va_start(ap, fmt);
	kprintf("PANIC: ");
	kvprintf(fmt, ap);
	kprintf("\n");
	va_end(ap);
	uint64_t rsp, rbp;
	/* clang-format off */
	__asm__ volatile("mov %%rsp, %0; mov %%rbp, %1" : "=r"(rsp), "=r"(rbp));
	/* clang-format on */
	kprintf("  caller %p rsp %p rbp %p\n", __builtin_return_address(0),
	        (void *)rsp, (void *)rbp);
	/* Return address - 1: the call itself; tools/symbolize.sh adds its line. */
	kprintf("  called from rip 0x%lx in binary 'kernel'\n",
	        (unsigned long)(uintptr_t)__builtin_return_address(0) - 1);
	kprintf("  cr0 %lx cr2 %lx cr3 %lx cr4 %lx rflags %lx\n", read_cr0(),
	        read_cr2(), read_cr3(), read_cr4(), read_rflags());
	qemu_exit(QEMU_EXIT_PANIC);
}
