/*
 * Leaving QEMU: the isa-debug-exit device (iobase 0xf4, iosize 4).
 * Writing code c makes QEMU exit with status (c << 1) | 1:
 *
 *   QEMU_EXIT_SUCCESS 0x10 -> 33  everything ran; `make run` maps it to 0
 *   QEMU_EXIT_FAILURE 0x11 -> 35  init exited non-zero (a service failed),
 *                                 a self-test failed, the boot manifest
 *                                 was refused, or frames/endpoints/handles
 *                                 did not come back after the last exit
 *   QEMU_EXIT_PANIC   0x12 -> 37  panic(): a kernel bug
 *   QEMU_EXIT_FAULT   0x13 -> 39  an unexpected CPU exception in the kernel
 *   QEMU_EXIT_WATCHDOG 0x14 -> 41 the watchdog= deadline passed with processes
 *                                 still alive (their table is printed first)
 *
 * Status 1 means QEMU itself stopped otherwise (triple fault with
 * -no-reboot, or the device is missing); 0 is never produced by the kernel.
 */
#ifndef CAPOS_ARCH_QEMU_EXIT_H
#define CAPOS_ARCH_QEMU_EXIT_H

#define QEMU_EXIT_PORT     0xf4
#define QEMU_EXIT_SUCCESS  0x10
#define QEMU_EXIT_FAILURE  0x11
#define QEMU_EXIT_PANIC    0x12
#define QEMU_EXIT_FAULT    0x13
#define QEMU_EXIT_WATCHDOG 0x14

_Noreturn void qemu_exit(unsigned code);

#endif
