/*
 * Global descriptor table and TSS.
 *
 * The order is fixed by syscall/sysret (STAR):
 *   0x00 null
 *   0x08 kernel code (64-bit)      KERNEL_CS
 *   0x10 kernel data               KERNEL_DS
 *   0x18 user data  (RPL 3: 0x1b)  USER_DS
 *   0x20 user code  (RPL 3: 0x23)  USER_CS
 *   0x28 TSS (16-byte descriptor)  TSS_SEL
 * syscall loads CS = STAR[47:32] = 0x08, SS = 0x10;
 * sysretq loads CS = STAR[63:48] + 16 = 0x23, SS = STAR[63:48] + 8 = 0x1b
 * with STAR[63:48] = 0x13 (0x10 | 3).
 *
 * IST stacks (in the TSS): 1 = double fault, 2 = NMI, 3 = machine check.
 */
#ifndef CAPOS_ARCH_GDT_H
#define CAPOS_ARCH_GDT_H

#include <stdint.h>

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS   0x1b
#define USER_CS   0x23
#define TSS_SEL   0x28

#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3

#define KERNEL_STACK_SIZE (16 * 1024) /* boot stack and each IST stack */

void gdt_init(void);

#endif
