/*
 * The POSIX personality's logic (libc/posix.c) over fake capabilities:
 * what each Linux call does, which errno a refusal gives, that console
 * output leaves in whole lines, and that every unsupported call is counted.
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <string.h>

#include "posix.h"

static char out[3][16384];
static size_t out_len[3];
static int writes;
static int map_err, clock_err, entropy_err;
static uint64_t now_ns, slept_ns, next_addr = 0x200000000000ull;
static uint32_t last_prot;
static uint64_t last_size;
static jmp_buf exited;
static int exit_code;

static int fake_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	cr_assert(len <= 4096, "one console call carries at most 4096 bytes");
	memcpy(out[fd] + out_len[fd], buf, len);
	out_len[fd] += len;
	writes++;
	return 0;
}

static int fake_map(void *ctx, uint64_t size, uint32_t prot, uint64_t *addr)
{
	(void)ctx;
	last_size = size;
	last_prot = prot;
	if (map_err != 0)
		return map_err;
	*addr = next_addr;
	next_addr += size;
	return 0;
}

static int fake_unmap(void *ctx, uint64_t addr, uint64_t size)
{
	(void)ctx;
	(void)addr;
	last_size = size;
	return 0;
}

static int fake_protect(void *ctx, uint64_t addr, uint64_t size, uint32_t prot)
{
	(void)ctx;
	(void)addr;
	last_size = size;
	last_prot = prot;
	return 0;
}

static int fake_clock(void *ctx, uint64_t *ns)
{
	(void)ctx;
	*ns = now_ns;
	return clock_err;
}

static int fake_sleep(void *ctx, uint64_t ns)
{
	(void)ctx;
	slept_ns += ns;
	return 0;
}

static int fake_entropy(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0xab, len);
	return entropy_err;
}

static void fake_exit(void *ctx, int code)
{
	(void)ctx;
	exit_code = code;
	longjmp(exited, 1);
}

/* The process's ops; the thread tests' table adds the thread ones. */
#define FAKE_PROCESS_OPS                                                            \
	.console_write = fake_write, .vm_map = fake_map, .vm_unmap = fake_unmap,    \
	.vm_protect = fake_protect, .clock_ns = fake_clock, .sleep_ns = fake_sleep, \
	.entropy = fake_entropy, .exit = fake_exit

static const struct capos_posix_ops ops = {FAKE_PROCESS_OPS}; /* no ParkSpace, no ThreadSpawner */

static const struct capos_posix_file files[] = {
	{"script.lua", (const unsigned char *)"print('hi')\n", 12},
	{"/etc/motd", (const unsigned char *)"", 0},
	{NULL, NULL, 0},
};

static struct capos_posix px;

static void setup(void)
{
	memset(out_len, 0, sizeof(out_len));
	writes = map_err = clock_err = entropy_err = 0;
	now_ns = slept_ns = 0;
	capos_posix_init(&px, &ops, files, 7);
}

static long call(long n, long a, long b, long c, long d, long e, long f)
{
	const long args[6] = {a, b, c, d, e, f};
	return capos_posix_call(&px, n, args);
}

TestSuite(posix, .init = setup);

Test(posix, unsupported_calls_are_enosys_and_counted)
{
	cr_assert_eq(call(LNX_brk, 0, 0, 0, 0, 0, 0), -LNX_ENOSYS);
	cr_assert_eq(call(LNX_brk, 4096, 0, 0, 0, 0, 0), -LNX_ENOSYS);
	cr_assert_eq(call(56 /* clone */, 0, 0, 0, 0, 0, 0), -LNX_ENOSYS);
	cr_assert_eq(call(100000, 0, 0, 0, 0, 0, 0), -LNX_ENOSYS);
	cr_assert_eq(call(-5, 0, 0, 0, 0, 0, 0), -LNX_ENOSYS);
	cr_assert_eq(px.enosys_total, 5u);
	char line[256];
	size_t n = capos_posix_report(&px, line, sizeof(line));
	cr_assert_str_eq(line, "posix: 5 unsupported system calls (ENOSYS): brk(12) x2 clone(56) x1 "
	                       "nr(511) x2");
	cr_assert_eq(n, strlen(line));
	/* A short buffer is cut, never overrun. */
	char small[10];
	capos_posix_report(&px, small, sizeof(small));
	cr_assert_str_eq(small, "posix: 5 ");
}

Test(posix, no_report_when_everything_was_served)
{
	char line[16] = "x";
	cr_assert_eq(call(LNX_getpid, 0, 0, 0, 0, 0, 0), 7);
	cr_assert_eq(capos_posix_report(&px, line, sizeof(line)), 0u);
	cr_assert_str_eq(line, "");
}

Test(posix, console_output_leaves_in_whole_lines)
{
	cr_assert_eq(call(LNX_write, 1, (long)"ab", 2, 0, 0, 0), 2);
	cr_assert_eq(writes, 0, "a partial line waits");
	cr_assert_eq(call(LNX_write, 1, (long)"c\nd", 3, 0, 0, 0), 3);
	cr_assert_eq(out_len[1], 4u);
	cr_assert(memcmp(out[1], "abc\n", 4) == 0);
	cr_assert_eq(call(LNX_write, 2, (long)"err\n", 4, 0, 0, 0), 4);
	cr_assert(memcmp(out[2], "err\n", 4) == 0);
	/* Reading stdin sends the prompt first. */
	char c;
	cr_assert_eq(call(LNX_read, 0, (long)&c, 1, 0, 0, 0), 0);
	cr_assert_eq(out_len[1], 5u);
	cr_assert_eq(out[1][4], 'd');
}

Test(posix, long_lines_go_in_pieces_and_exit_flushes)
{
	static char big[10000];
	memset(big, 'x', sizeof(big));
	struct {
		void *base;
		size_t len;
	} iov[2] = {{big, sizeof(big)}, {"tail", 4}};
	cr_assert_eq(call(LNX_writev, 1, (long)iov, 2, 0, 0, 0), 10004);
	cr_assert_eq(out_len[1], 8192u, "two full buffers sent");
	if (setjmp(exited) == 0)
		call(LNX_exit_group, 3, 0, 0, 0, 0, 0);
	cr_assert_eq(exit_code, 3);
	cr_assert_eq(out_len[1], 10004u, "the rest is sent at exit");
}

Test(posix, bad_descriptors)
{
	cr_assert_eq(call(LNX_write, 0, (long)"x", 1, 0, 0, 0), -LNX_EBADF);
	cr_assert_eq(call(LNX_write, 9, (long)"x", 1, 0, 0, 0), -LNX_EBADF);
	cr_assert_eq(call(LNX_read, 9, (long)"x", 1, 0, 0, 0), -LNX_EBADF);
	cr_assert_eq(call(LNX_read, -1, (long)"x", 1, 0, 0, 0), -LNX_EBADF);
	cr_assert_eq(call(LNX_close, 99, 0, 0, 0, 0, 0), -LNX_EBADF);
	cr_assert_eq(call(LNX_lseek, 1, 0, 0, 0, 0, 0), -LNX_ESPIPE);
	cr_assert_eq(call(LNX_ioctl, 1, 0x5413, 0, 0, 0, 0), -LNX_ENOTTY);
	cr_assert_eq(call(LNX_ioctl, 12, 0x5413, 0, 0, 0, 0), -LNX_EBADF);
	cr_assert_eq(call(LNX_writev, 1, 0, -1, 0, 0, 0), -LNX_EINVAL);
}

Test(posix, files_read_seek_close)
{
	cr_assert_eq(call(LNX_open, (long)"missing", 0, 0, 0, 0, 0), -LNX_ENOENT);
	cr_assert_eq(call(LNX_open, (long)"script.lua", 1 /* O_WRONLY */, 0, 0, 0, 0), -LNX_EROFS);
	cr_assert_eq(call(LNX_open, 0, 0, 0, 0, 0, 0), -LNX_EFAULT);
	long fd = call(LNX_openat, -100, (long)"script.lua", 0, 0, 0, 0);
	cr_assert_eq(fd, 3);
	char buf[8];
	cr_assert_eq(call(LNX_read, fd, (long)buf, 5, 0, 0, 0), 5);
	cr_assert(memcmp(buf, "print", 5) == 0);
	cr_assert_eq(call(LNX_read, fd, (long)buf, 8, 0, 0, 0), 7);
	cr_assert_eq(call(LNX_read, fd, (long)buf, 8, 0, 0, 0), 0, "end of file");
	cr_assert_eq(call(LNX_lseek, fd, -3, 2 /* SEEK_END */, 0, 0, 0), 9);
	cr_assert_eq(call(LNX_read, fd, (long)buf, 8, 0, 0, 0), 3);
	cr_assert_eq(call(LNX_lseek, fd, -1, 0, 0, 0, 0), -LNX_EINVAL);
	cr_assert_eq(call(LNX_lseek, fd, 0, 9, 0, 0, 0), -LNX_EINVAL);
	cr_assert_eq(call(LNX_fcntl, fd, 2 /* F_SETFD */, 1, 0, 0, 0), 0);
	cr_assert_eq(call(LNX_close, fd, 0, 0, 0, 0, 0), 0);
	cr_assert_eq(call(LNX_read, fd, (long)buf, 1, 0, 0, 0), -LNX_EBADF);
	for (int i = 3; i < CAPOS_POSIX_MAX_FDS; i++)
		cr_assert_eq(call(LNX_open, (long)"/etc/motd", 0, 0, 0, 0, 0), i);
	cr_assert_eq(call(LNX_open, (long)"/etc/motd", 0, 0, 0, 0, 0), -LNX_EMFILE);
}

Test(posix, mmap_is_anonymous_virtual_memory)
{
	cr_assert_eq(call(LNX_mmap, 0, 5000, 3, 0x22, -1, 0), 0x200000000000);
	cr_assert_eq(last_size, 8192u, "rounded up to pages");
	cr_assert_eq(last_prot, 3u);
	cr_assert_eq(call(LNX_mmap, 0, 4096, 0, 0x22, -1, 0), 0x200000002000);
	cr_assert_eq(last_prot, 1u, "PROT_NONE is read-only");
	cr_assert_eq(call(LNX_mmap, 0, 4096, 1, 0x02, 5, 0), -LNX_ENODEV, "no file mappings");
	cr_assert_eq(call(LNX_mmap, 0x1000, 4096, 3, 0x32, -1, 0), -LNX_EINVAL, "no MAP_FIXED");
	cr_assert_eq(call(LNX_mmap, 0, 0, 3, 0x22, -1, 0), -LNX_EINVAL);
	cr_assert_eq(call(LNX_mmap, 0, 4096, 8, 0x22, -1, 0), -LNX_EINVAL);
	map_err = -7; /* CAPOS_ERR_NO_RESOURCES */
	cr_assert_eq(call(LNX_mmap, 0, 4096, 3, 0x22, -1, 0), -LNX_ENOMEM);
	map_err = -3; /* no VirtualMemory in the CapSet */
	cr_assert_eq(call(LNX_mmap, 0, 4096, 3, 0x22, -1, 0), -LNX_ENOMEM);
	cr_assert_eq(call(LNX_munmap, 0x200000000001, 4096, 0, 0, 0, 0), -LNX_EINVAL);
	cr_assert_eq(call(LNX_munmap, 0x200000000000, 100, 0, 0, 0, 0), 0);
	cr_assert_eq(last_size, 4096u);
	cr_assert_eq(call(LNX_mprotect, 0x200000000000, 4096, 0, 0, 0, 0), 0);
	cr_assert_eq(last_prot, 1u);
	cr_assert_eq(call(LNX_mprotect, 0x200000000000, 4096, 16, 0, 0, 0), -LNX_EINVAL);
}

Test(posix, clocks_and_sleep_use_the_timer)
{
	struct {
		int64_t sec, nsec;
	} ts = {0, 0};
	now_ns = 3500000001ull;
	cr_assert_eq(call(LNX_clock_gettime, 1, (long)&ts, 0, 0, 0, 0), 0);
	cr_assert_eq(ts.sec, 3);
	cr_assert_eq(ts.nsec, 500000001);
	cr_assert_eq(call(LNX_clock_gettime, 0, 0, 0, 0, 0, 0), -LNX_EFAULT);
	cr_assert_eq(call(LNX_clock_gettime, 99, (long)&ts, 0, 0, 0, 0), -LNX_EINVAL);
	clock_err = -3;
	cr_assert_eq(call(LNX_clock_gettime, 0, (long)&ts, 0, 0, 0, 0), -LNX_ENOSYS, "no Timer");
	clock_err = 0;
	ts.sec = 1;
	ts.nsec = 5;
	cr_assert_eq(call(LNX_nanosleep, (long)&ts, 0, 0, 0, 0, 0), 0);
	cr_assert_eq(slept_ns, 1000000005u);
	ts.nsec = 1000000000;
	cr_assert_eq(call(LNX_nanosleep, (long)&ts, 0, 0, 0, 0, 0), -LNX_EINVAL);
	ts.sec = 2;
	ts.nsec = 0;
	slept_ns = 0;
	cr_assert_eq(call(LNX_clock_nanosleep, 1, 1 /* TIMER_ABSTIME */, (long)&ts, 0, 0, 0), 0);
	cr_assert_eq(slept_ns, 0u, "a deadline in the past does not sleep");
	now_ns = 1000;
	cr_assert_eq(call(LNX_clock_nanosleep, 1, 1, (long)&ts, 0, 0, 0), 0);
	cr_assert_eq(slept_ns, 2000000000u - 1000u);
}

Test(posix, getrandom_and_identity)
{
	unsigned char buf[300];
	cr_assert_eq(call(LNX_getrandom, (long)buf, sizeof(buf), 0, 0, 0, 0), 300);
	cr_assert_eq(buf[299], 0xab);
	entropy_err = -3;
	cr_assert_eq(call(LNX_getrandom, (long)buf, 4, 0, 0, 0, 0), -LNX_ENOSYS);
	cr_assert_eq(call(LNX_getrandom, (long)buf, -1, 0, 0, 0, 0), -LNX_EINVAL);
	cr_assert_eq(call(LNX_set_tid_address, 0, 0, 0, 0, 0, 0), 7);
	cr_assert_eq(call(LNX_getuid, 0, 0, 0, 0, 0, 0), 0);
	uint64_t mask = ~0ull;
	cr_assert_eq(call(LNX_rt_sigprocmask, 0, 0, (long)&mask, 8, 0, 0), 0);
	cr_assert_eq(mask, 0u, "no signal is ever blocked");
}

Test(posix, futex_with_one_thread)
{
	int word = 1;
	cr_assert_eq(call(LNX_futex, (long)&word, 1 /* WAKE */, 1, 0, 0, 0), 0);
	cr_assert_eq(call(LNX_futex, (long)&word, 0 /* WAIT */, 2, 0, 0, 0), -LNX_EAGAIN);
	cr_assert_eq(call(LNX_futex, (long)&word, 0x80 /* WAIT|PRIVATE */, 1, 0, 0, 0), -LNX_ENOSYS,
	             "a wait that would block needs ParkSpace");
	cr_assert_eq(px.enosys[LNX_futex], 1u);
}

Test(posix, a_signal_to_oneself_ends_the_process)
{
	cr_assert_eq(call(LNX_tkill, 8, 6, 0, 0, 0, 0), -LNX_EPERM, "not us");
	call(LNX_write, 2, (long)"abort", 5, 0, 0, 0);
	if (setjmp(exited) == 0)
		call(LNX_tkill, 7, 6 /* SIGABRT */, 0, 0, 0, 0);
	cr_assert_eq(exit_code, 134);
	cr_assert_eq(out_len[2], 5u, "pending output sent first");
}

/* ---- threads: futex over ParkSpace, a thread's exit ---- */

static int park_result, wake_result, parks, thread_exits;
static uint32_t park_expected, wake_count;
static uint64_t park_ns;
static const volatile uint32_t *park_addr;
static int *exit_clear;

static int fake_park_wait(void *ctx, const volatile uint32_t *addr, uint32_t expected, uint64_t ns)
{
	(void)ctx;
	park_addr = addr;
	park_expected = expected;
	park_ns = ns;
	parks++;
	return park_result;
}

static int fake_park_wake(void *ctx, const volatile uint32_t *addr, uint32_t n)
{
	(void)ctx;
	park_addr = addr;
	wake_count = n;
	return wake_result;
}

static uint32_t fake_tid(void *ctx)
{
	(void)ctx;
	return 42;
}

static void fake_thread_exit(void *ctx, int code, int *clear_word)
{
	(void)ctx;
	exit_code = code;
	exit_clear = clear_word;
	thread_exits++;
	longjmp(exited, 1);
}

static void *unmap_base;
static size_t unmap_size;

static void fake_thread_exit_unmap(void *ctx, int code, int *clear_word, void *base, size_t size)
{
	unmap_base = base;
	unmap_size = size;
	fake_thread_exit(ctx, code, clear_word);
}

static const struct capos_posix_ops thread_ops = {
	FAKE_PROCESS_OPS,
	.park_wait = fake_park_wait,
	.park_wake = fake_park_wake,
	.tid = fake_tid,
	.thread_exit = fake_thread_exit,
	.thread_exit_unmap = fake_thread_exit_unmap,
};

static struct capos_posix tpx;

static long tcall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	const long a[6] = {a0, a1, a2, a3, a4, a5};
	return capos_posix_call(&tpx, n, a);
}

static void thread_setup(void)
{
	capos_posix_init(&tpx, &thread_ops, files, 7);
	park_result = wake_result = parks = thread_exits = 0;
	exit_clear = NULL;
	capos_posix_clear_tid = NULL;
	unmap_base = NULL;
	unmap_size = 0;
}

Test(posix_threads, futex_wait_parks_while_the_word_holds, .init = thread_setup)
{
	int word = 5;
	park_result = 1;
	cr_assert_eq(tcall(LNX_futex, (long)&word, 0x80 /* WAIT|PRIVATE */, 5, 0, 0, 0), 0);
	cr_assert_eq(park_addr, (const volatile uint32_t *)&word);
	cr_assert_eq(park_expected, 5u);
	cr_assert_eq(park_ns, UINT64_MAX, "no timeout: parks for ever");
	cr_assert_eq(tcall(LNX_futex, (long)&word, 0, 6, 0, 0, 0), -LNX_EAGAIN);
	cr_assert_eq(parks, 1, "a changed word never parks");
}

Test(posix_threads, futex_wait_with_a_timeout, .init = thread_setup)
{
	int word = 5;
	struct {
		int64_t sec, nsec;
	} rel = {1, 500}, bad = {0, 1000000000};
	park_result = 0; /* not woken, the word still 5: timed out */
	cr_assert_eq(tcall(LNX_futex, (long)&word, 0, 5, (long)&rel, 0, 0), -LNX_ETIMEDOUT);
	cr_assert_eq(park_ns, 1000000500u);
	cr_assert_eq(tcall(LNX_futex, (long)&word, 0, 5, (long)&bad, 0, 0), -LNX_EINVAL);
	cr_assert_eq(tcall(LNX_futex, (long)&word, 0, 5, 0, 0, 0), 0,
	             "not woken without a timeout: a spurious return, the caller loops");
	park_result = -4; /* CAPOS_ERR_BAD_BUFFER */
	cr_assert_eq(tcall(LNX_futex, (long)&word, 0, 5, 0, 0, 0), -LNX_EFAULT);
	cr_assert_eq(tcall(LNX_futex, (long)&word + 1, 0, 5, 0, 0, 0), -LNX_EINVAL, "misaligned");
	cr_assert_eq(tcall(LNX_futex, 0, 0, 5, 0, 0, 0), -LNX_EINVAL);
}

Test(posix_threads, futex_wake_and_requeue, .init = thread_setup)
{
	int word = 0;
	wake_result = 2;
	cr_assert_eq(tcall(LNX_futex, (long)&word, 1 /* WAKE */, 3, 0, 0, 0), 2);
	cr_assert_eq(wake_count, 3u);
	cr_assert_eq(tcall(LNX_futex, (long)&word, 1, -1, 0, 0, 0), 2);
	cr_assert_eq(wake_count, 0x7fffffffu, "a negative count wakes everyone");
	cr_assert_eq(tcall(LNX_futex, (long)&word, 3 /* REQUEUE */, 0, 1, 0, 0), 2);
	cr_assert_eq(wake_count, 1u, "requeued waiters are woken instead");
	cr_assert_eq(tcall(LNX_futex, (long)&word, 4 /* CMP_REQUEUE */, 1, 1, 0, 9), -LNX_EAGAIN);
	cr_assert_eq(tcall(LNX_futex, (long)&word, 9 /* WAKE_OP */, 1, 0, 0, 0), -LNX_ENOSYS);
	cr_assert_eq(tpx.enosys[LNX_futex], 1u);
}

Test(posix_threads, a_thread_exit_passes_its_clear_word, .init = thread_setup)
{
	int lock = 1;
	cr_assert_eq(tcall(LNX_set_tid_address, (long)&lock, 0, 0, 0, 0, 0), 42);
	cr_assert_eq(tcall(LNX_gettid, 0, 0, 0, 0, 0, 0), 42);
	cr_assert_eq(tcall(LNX_getpid, 0, 0, 0, 0, 0, 0), 7);
	capos_posix_thread_added(&tpx);
	if (setjmp(exited) == 0)
		tcall(LNX_exit, 4, 0, 0, 0, 0, 0);
	cr_assert_eq(thread_exits, 1, "one of two threads: the thread ends, not the process");
	cr_assert_eq(exit_clear, &lock, "the kernel clears the word once the thread is gone");
	cr_assert_eq(lock, 1, "not cleared while the thread still runs");
	cr_assert_eq(exit_code, 4);
	if (setjmp(exited) == 0)
		tcall(LNX_exit, 5, 0, 0, 0, 0, 0);
	cr_assert_eq(thread_exits, 1, "the last thread's exit is the process's");
	cr_assert_eq(exit_code, 5);
}

Test(posix_threads, a_detached_thread_unmaps_its_block_as_it_ends, .init = thread_setup)
{
	static char block[64];
	int lock = 1;
	tcall(LNX_set_tid_address, (long)&lock, 0, 0, 0, 0, 0);
	capos_posix_thread_added(&tpx);
	if (setjmp(exited) == 0)
		capos_posix_exit_unmap(&tpx, block, sizeof(block));
	cr_assert_eq(thread_exits, 1, "one of two threads: the thread ends, not the process");
	cr_assert_eq(unmap_base, (void *)block);
	cr_assert_eq(unmap_size, sizeof(block));
	cr_assert_eq(exit_clear, &lock, "the exit futex is still the one registered");
	cr_assert_eq(exit_code, 0);
	unmap_base = NULL;
	if (setjmp(exited) == 0)
		capos_posix_exit_unmap(&tpx, block, sizeof(block));
	cr_assert_eq(thread_exits, 1, "the last thread's end is the process's");
	cr_assert_null(unmap_base, "nothing to unmap when the process ends");
}

Test(posix_threads, without_an_unmap_op_the_block_stays_mapped, .init = thread_setup)
{
	struct capos_posix_ops ops = thread_ops;
	ops.thread_exit_unmap = NULL;
	static char block[64];
	capos_posix_init(&tpx, &ops, files, 7);
	capos_posix_thread_added(&tpx);
	if (setjmp(exited) == 0)
		capos_posix_exit_unmap(&tpx, block, sizeof(block));
	cr_assert_eq(thread_exits, 1, "a plain thread_exit");
	cr_assert_null(unmap_base);
}
