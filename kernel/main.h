/*
 * Kernel entry and the hand-off to userspace.
 *
 * kmain() brings the kernel up and then either runs the self-test named by
 * `test=<name>` or calls userspace_start() (kernel/proc/boot_services.c:
 * the manifest's services).
 */
#ifndef CAPOS_KERNEL_MAIN_H
#define CAPOS_KERNEL_MAIN_H

#include <stdint.h>

_Noreturn void kmain(uint32_t magic, uint64_t info_phys);
void userspace_start(void);

#define CAPOS_VERSION "0.1.0"

#endif
