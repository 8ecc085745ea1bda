/*
 * kmain: brings the kernel up one logged step at a time, then runs the
 * self-test named by `test=<name>` or hands over to userspace_start().
 */
#include "main.h"

#include <stdbool.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/intc.h"
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/serial.h"
#include "cap/terminal.h"
#include "arch/x86_64/syscall.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "boot_cmdline.h"
#include "boot_info.h"
#include "dev/iommu.h"
#include "dev/pci_bus.h"
#include "log.h"
#include "mem/heap.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "proc/watchdog.h"
#include "selftest/selftest.h"

/* Every argument some part of the kernel reads (boot_arg); keep in step
 * with docs/boot.md.  Anything else is a typo the user should hear about. */
static const char *const known_args[] = {"test", "nonx", "nowp", "nosmep", "nosmap",
                                         "noxsave", "noapic", "noiommu", "watchdog", "capquota"};
#define KNOWN_ARGS_TEXT "test=NAME nonx nowp nosmep nosmap noxsave noapic noiommu watchdog=SECONDS capquota=N"

/* A word whose key has a dot (kfuzz.seed=1) belongs to a user program,
 * which reads it through BootPackage.commandLine: not the kernel's to judge. */
static bool for_userspace(const char *word, size_t len)
{
	for (size_t i = 0; i < len && word[i] != '='; i++)
		if (word[i] == '.')
			return true;
	return false;
}

static void warn_unknown_args(void)
{
	size_t pos = 0, len;
	const char *word;
	/* clang-format off */
	while ((len = boot_cmdline_next_unknown(boot_info.cmdline, &pos, known_args,
	                                        sizeof known_args / sizeof known_args[0],
	                                        &word)) != 0)
		if (!for_userspace(word, len))
			kprintf("boot: WARNING: unknown command-line argument '%.*s' ignored (known: "
			        KNOWN_ARGS_TEXT ")\n",
			        (int)len, word);
	/* clang-format on */
}

static void log_memory_map(void)
{
	kprintf("boot: loader \"%s\", command line \"%s\"\n", boot_info.loader, boot_info.cmdline);
	for (unsigned i = 0; i < boot_info.mem_region_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem_regions[i];
		kprintf("  mem %016lx-%016lx type %u%s\n", r->base, r->base + r->len - 1, r->type,
		        r->type == BOOT_MEM_USABLE ? " usable" : "");
	}
	kprintf("boot: usable memory %lu MiB, highest usable address %lx\n",
	        boot_info.usable_bytes >> 20, boot_info.phys_top);
	for (unsigned i = 0; i < boot_info.module_count; i++)
		kprintf("boot: module %s at %lx, %lu bytes\n", boot_info.modules[i].name,
		        boot_info.modules[i].phys, boot_info.modules[i].size);
}

_Noreturn void kmain(uint32_t magic, uint64_t info_phys)
{
	serial_init();
	kprintf("\ncapOS " CAPOS_VERSION " (x86_64, built " __DATE__ " " __TIME__ ")\n");
	boot_info_parse(magic, info_phys);
	log_memory_map();
	warn_unknown_args();
	gdt_init();
	idt_init();
	cpu_init();
	pmm_init();
	vmm_init();
	heap_init();
	intc_init();
	timer_init();
	terminal_init();
	pci_bus_init();
	iommu_init();
	syscall_init();
	sti();
	kprintf("capOS: kernel ready: %lu MiB usable, %lu of %lu frames free, NX %s, SMEP %s, SMAP %s\n",
	        boot_info.usable_bytes >> 20, pmm_free_count(), pmm_total_count(),
	        cpu_has_nx ? "on" : "off", cpu_has_smep ? "on" : "off", cpu_has_smap ? "on" : "off");

	watchdog_start();
	char test[64];
	if (boot_arg("test", test, sizeof test)) {
		kprintf("capOS: running self-test %s\n", test);
		selftest_run(test);
	}
	kprintf("capOS: starting userspace\n");
	userspace_start();
	kprintf("capOS: done, %lu frames free, heap %zu bytes in use; exiting QEMU (success)\n",
	        pmm_free_count(), heap_used_bytes());
	qemu_exit(QEMU_EXIT_SUCCESS);
}
