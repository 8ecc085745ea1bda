/*
 * What a static program needs to stand as /init (pid 1) of the Linux guests
 * the benches boot (bench/linux/linuxbench.c, bench/linux/netserve.c): a
 * console, and a way to power the guest off when it is done.  Each program
 * includes it once; it is plain glibc, not capOS code.
 */
#ifndef BENCH_LINUX_GUEST_INIT_H
#define BENCH_LINUX_GUEST_INIT_H

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

/* As /init the kernel gives no console when the initramfs has no
 * /dev/console: mount devtmpfs and take the console from there. */
static inline void guest_console(void)
{
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY)
		return;
	int fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* Pid 1 may not return: flush what was written and power the guest off. */
static inline void guest_power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
}

#endif
