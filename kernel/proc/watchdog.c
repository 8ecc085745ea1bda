/* The kernel watchdog (see watchdog.h and docs/debugging.md). */
#include "watchdog.h"

#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/rtc.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "boot_cmdline.h"
#include "blocking.h"
#include "boot_info.h"
#include "format.h"
#include "log.h"
#include "rtc_time.h"
#include "sched.h"
#include "mem/user_memory.h"

#define WATCHDOG_CALLERS 8 /* user stack frames shown per process */

/* How often the RTC is read (ns): its resolution is a second anyway. */
#define WATCHDOG_RTC_EVERY UINT64_C(250000000)
#define NS_PER_SEC         UINT64_C(1000000000)

/* Armed when deadline != UINT64_MAX.  Real time comes from the RTC; the
 * ktime_ns deadline (the calibrated TSC) stays as the fallback if the RTC
 * cannot be read. */
static uint64_t deadline = UINT64_MAX; /* ktime_ns */
static uint32_t seconds;
static bool rtc_ok;
static uint32_t rtc_start;   /* seconds since midnight at start */
static uint64_t rtc_checked; /* ktime_ns of the last RTC read */

void watchdog_start(void)
{
	char arg[16];
	if (boot_arg("watchdog", arg, sizeof arg) == 0) {
		kprintf("watchdog: off (no watchdog=SECONDS on the command line)\n");
		return;
	}
	if (!boot_cmdline_parse_uint(arg, WATCHDOG_MAX_SECONDS, &seconds)) {
		kprintf("boot: WARNING: watchdog=%s ignored: not a number of seconds in 1..%u; "
		        "watchdog off\n",
		        arg, WATCHDOG_MAX_SECONDS);
		return;
	}
	deadline = ktime_ns() + (uint64_t)seconds * NS_PER_SEC;
	rtc_ok = rtc_read_seconds(&rtc_start);
	if (!rtc_ok)
		kprintf("watchdog: the CMOS clock gives no valid time: counting kernel time "
		        "(the TSC) instead\n");
	kprintf("watchdog: %u s: then the kernel lists the live processes and exits QEMU "
	        "(status 41)\n",
	        seconds);
}

static const char *state_name(enum proc_state s)
{
	switch (s) {
	case PROC_RUNNABLE: return "runnable";
	case PROC_RUNNING: return "running";
	case PROC_BLOCKED: return "blocked";
	case PROC_ZOMBIE: return "exiting";
	case PROC_HOLDER: return "first thread ended";
	default: return "free";
	}
}

/* What p is doing or waiting for, in words. */
static void describe(const struct process *p, const struct trap_frame *tf, uint64_t now,
                     char *buf, size_t len)
{
	buf[0] = '\0';
	switch (p->state) {
	case PROC_RUNNING:
		if (tf && trap_from_user(tf))
			format_append(buf, len, "on the CPU in user mode (spinning?) at rip 0x%lx "
			                        "in binary '%s'",
			              tf->rip, p->binary);
		else
			format_append(buf, len, "on the CPU");
		return;
	case PROC_RUNNABLE:
		format_append(buf, len, "nothing: waits for the CPU (%lu slices so far, %lu "
		                        "preempted)",
		              p->slices, p->preempted);
		return;
	case PROC_BLOCKED:
		format_append(buf, len, "cap_enter: %u completions", p->wait_min);
		if (p->wait_deadline != UINT64_MAX)
			format_append(buf, len, ", timeout in %lu ms",
			              p->wait_deadline > now
			                      ? (p->wait_deadline - now) / 1000000
			                      : 0);
		proc_wait_describe(p, buf, len);
		return;
	default:
		return;
	}
}

/* Frames creation took plus those charged since (FrameAllocator,
 * VirtualMemory, MemoryObject grants). */
static uint64_t frames_of(struct process *p)
{
	struct umem_query q;
	umem_frame_query(p, &q);
	return p->frames_at_create + q.held_frames;
}

/* Where p is in its program: the user rip it last entered the kernel or
 * was interrupted at, and the callers on its frame-pointer chain (user
 * code keeps frame pointers; _start ends the chain with rbp 0).  One
 * line each, `rip 0x... in binary` so the host symbolizer names them.
 * The frame sits at the top of the kernel stack for every entry from
 * user mode (trap or syscall); user memory is read through p's page
 * tables, so a bad rbp only ends the walk. */
static void print_user_stack(struct process *p)
{
	if (p->slices == 0 || p->kstack_top == 0)
		return; /* never ran: no user frame yet */
	const struct trap_frame *uf =
		(const struct trap_frame *)(p->kstack_top - sizeof(struct trap_frame));
	if (!trap_from_user(uf))
		return;
	kprintf("watchdog:   pid %u at rip 0x%lx in binary '%s'\n", p->pid, uf->rip, p->binary);
	uint64_t fp = uf->rbp;
	for (unsigned i = 0; i < WATCHDOG_CALLERS && fp != 0; i++) {
		uint64_t frame[2]; /* the caller's rbp, the return address */
		if ((fp & 7) != 0 || user_copy_in(p, frame, fp, sizeof frame) != CAPOS_OK ||
		    frame[1] == 0)
			return;
		/* return address - 1: inside the call, so the line is the call's */
		kprintf("watchdog:   pid %u called from rip 0x%lx in binary '%s'\n", p->pid,
		        frame[1] - 1, p->binary);
		if (frame[0] <= fp)
			return; /* callers' frames are higher up the stack */
		fp = frame[0];
	}
}

static void print_table(uint64_t now, const struct trap_frame *tf)
{
	kprintf("watchdog: %u s passed and %u processes are still alive:\n", seconds,
	        process_live_count());
	kprintf("watchdog: %4s %-20s %-20s %-9s %5s %6s  %s\n", "pid", "name", "binary", "state",
	        "caps", "frames", "doing / blocked on");
	for (unsigned i = 0; i < process_slot_count(); i++) {
		struct process *p = process_slot(i);
		if (p->state == PROC_FREE)
			continue;
		char what[320];
		describe(p, p == sched_current() ? tf : 0, now, what, sizeof what);
		kprintf("watchdog: %4u %-20s %-20s %-9s %5u %6lu  %s\n", p->pid, p->name, p->binary,
		        state_name(p->state), cap_table_count(proc_caps(p)), frames_of(p), what);
	}
	kprintf("watchdog: where each process is in its program (innermost first):\n");
	for (unsigned i = 0; i < process_slot_count(); i++) {
		struct process *p = process_slot(i);
		if (p->state != PROC_FREE)
			print_user_stack(p);
	}
}

/* True once `seconds` of wall-clock time have passed (RTC), or as many
 * seconds of ktime_ns. */
static bool expired(uint64_t now)
{
	if (now >= deadline)
		return true;
	if (!rtc_ok || now - rtc_checked < WATCHDOG_RTC_EVERY)
		return false;
	rtc_checked = now;
	uint32_t sod;
	return rtc_read_seconds(&sod) && rtc_elapsed(rtc_start, sod) >= seconds;
}

void watchdog_check(uint64_t now, const struct trap_frame *tf)
{
	if (deadline == UINT64_MAX || !expired(now))
		return;
	deadline = UINT64_MAX;
	print_table(now, tf);
	kprintf("capOS: watchdog expired after %u s; exiting QEMU (status 41)\n", seconds);
	qemu_exit(QEMU_EXIT_WATCHDOG);
}
