/* syscall/sysret MSRs; the entry path itself is syscall_entry.S (process code). */
#include "arch/x86_64/syscall.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "log.h"

void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* syscall: CS = 0x08, SS = 0x10; sysretq: CS = 0x10+16|3 = 0x23, SS = 0x10+8|3 = 0x1b */
	wrmsr(MSR_STAR, ((uint64_t)(KERNEL_DS | 3) << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_ENTRY_CLEAR);
	kprintf("syscall: EFER.SCE on, STAR %lx, LSTAR %p, FMASK %lx\n", rdmsr(MSR_STAR),
	        (void *)syscall_entry, rdmsr(MSR_FMASK));
}
