/*
 * syscall/sysret setup.  syscall_init() sets EFER.SCE, STAR (selectors in
 * gdt.h), LSTAR = syscall_entry and FMASK = IF|DF|TF|AC.
 *
 * syscall_entry is the asm entry path (kernel/arch/x86_64/syscall_entry.S,
 * owned by the process code).
 */
#ifndef CAPOS_ARCH_SYSCALL_H
#define CAPOS_ARCH_SYSCALL_H

void syscall_init(void);
void syscall_entry(void);

#endif
