/* syscall/sysret MSRs; the entry path itself is syscall_entry.S (process code). */
#include "arch/x86_64/syscall.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"
#include "log.h"

#include <stddef.h>

/* The offsets syscall_entry.S writes and reads (its TF_* constants). */
_Static_assert(offsetof(struct trap_frame, r10) == 40, "TF_R10");
_Static_assert(offsetof(struct trap_frame, r9) == 48, "TF_R9");
_Static_assert(offsetof(struct trap_frame, r8) == 56, "TF_R8");
_Static_assert(offsetof(struct trap_frame, rbp) == 64, "TF_RBP");
_Static_assert(offsetof(struct trap_frame, rdi) == 72, "TF_RDI");
_Static_assert(offsetof(struct trap_frame, rsi) == 80, "TF_RSI");
_Static_assert(offsetof(struct trap_frame, rdx) == 88, "TF_RDX");
_Static_assert(offsetof(struct trap_frame, rax) == 112, "TF_RAX");
_Static_assert(offsetof(struct trap_frame, vector) == 120, "TF_VECTOR");
_Static_assert(offsetof(struct trap_frame, error_code) == 128, "TF_ERROR");
_Static_assert(offsetof(struct trap_frame, rip) == 136, "TF_RIP");
_Static_assert(offsetof(struct trap_frame, rflags) == 152, "TF_RFLAGS");
_Static_assert(offsetof(struct trap_frame, rsp) == 160, "TF_RSP");

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
