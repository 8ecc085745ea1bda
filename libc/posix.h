/*
 * The POSIX personality of a capOS process: Linux x86_64 system call
 * numbers, as musl issues them, served from the process's capabilities
 * (docs/posix.md has the table).  The logic is here and host-tested
 * (tests/host/test_posix.c); what touches capabilities is behind
 * struct capos_posix_ops (libc/posix_caps.c binds it to the runtime).
 */
#ifndef CAPOS_LIBC_POSIX_H
#define CAPOS_LIBC_POSIX_H

#include <stddef.h>
#include <stdint.h>

/* Linux x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
enum {
	LNX_read = 0,
	LNX_write = 1,
	LNX_open = 2,
	LNX_close = 3,
	LNX_stat = 4,
	LNX_fstat = 5,
	LNX_lseek = 8,
	LNX_mmap = 9,
	LNX_mprotect = 10,
	LNX_munmap = 11,
	LNX_brk = 12,
	LNX_rt_sigaction = 13,
	LNX_rt_sigprocmask = 14,
	LNX_ioctl = 16,
	LNX_readv = 19,
	LNX_writev = 20,
	LNX_sched_yield = 24,
	LNX_mremap = 25,
	LNX_madvise = 28,
	LNX_nanosleep = 35,
	LNX_getpid = 39,
	LNX_exit = 60,
	LNX_fcntl = 72,
	LNX_getuid = 102,
	LNX_getgid = 104,
	LNX_geteuid = 107,
	LNX_getegid = 108,
	LNX_gettid = 186,
	LNX_tkill = 200,
	LNX_futex = 202,
	LNX_set_tid_address = 218,
	LNX_clock_gettime = 228,
	LNX_clock_getres = 229,
	LNX_clock_nanosleep = 230,
	LNX_exit_group = 231,
	LNX_tgkill = 234,
	LNX_openat = 257,
	LNX_newfstatat = 262,
	LNX_getrandom = 318,
	LNX_statx = 332,
	LNX_NR_MAX = 512, /* counters cover 0..LNX_NR_MAX-1; larger ones share the last */
};

/* Linux errno values (what musl turns into errno). */
enum {
	LNX_EPERM = 1,
	LNX_ENOENT = 2,
	LNX_EIO = 5,
	LNX_EBADF = 9,
	LNX_EAGAIN = 11,
	LNX_ENOMEM = 12,
	LNX_EFAULT = 14,
	LNX_ENODEV = 19,
	LNX_EINVAL = 22,
	LNX_EMFILE = 24,
	LNX_ENOTTY = 25,
	LNX_ESPIPE = 29,
	LNX_EROFS = 30,
	LNX_ENOSYS = 38,
	LNX_ETIMEDOUT = 110,
};

/* A read-only file carried in the program image (e.g. a Lua script). */
struct capos_posix_file {
	const char *path;
	const unsigned char *data;
	size_t size;
};

/* What the personality needs from the process's capabilities.  Each
 * returns 0 or a negative CAPOS_ERR_* (mapped to an errno here). */
struct capos_posix_ops {
	int (*console_write)(void *ctx, int fd, const void *buf, size_t len);
	int (*vm_map)(void *ctx, uint64_t size, uint32_t prot, uint64_t *addr);
	int (*vm_unmap)(void *ctx, uint64_t addr, uint64_t size);
	int (*vm_protect)(void *ctx, uint64_t addr, uint64_t size, uint32_t prot);
	int (*clock_ns)(void *ctx, uint64_t *ns);
	int (*sleep_ns)(void *ctx, uint64_t ns);
	int (*entropy)(void *ctx, void *buf, size_t len);
	void (*exit)(void *ctx, int code); /* must not return */
	/* Threads (NULL: none).  park_wait: 1 woken, 0 not (the word differed
	 * or the time ran out); park_wake: how many it woke. */
	int (*park_wait)(void *ctx, const volatile uint32_t *addr, uint32_t expected,
	                 uint64_t timeout_ns);
	int (*park_wake)(void *ctx, const volatile uint32_t *addr, uint32_t n);
	uint32_t (*tid)(void *ctx);
	/* Ends the calling thread only; the kernel zeroes *clear_word (if not
	 * NULL) and wakes one waiter on it once the thread is gone. */
	void (*thread_exit)(void *ctx, int code, int *clear_word);
	void *ctx;
	/* A detached thread's end (NULL: thread_exit, and [base, base + size)
	 * stays mapped): unmaps its own stack and thread block, then ends as
	 * thread_exit, touching neither after the unmap. */
	void (*thread_exit_unmap)(void *ctx, int code, int *clear_word, void *base, size_t size);
};

#define CAPOS_POSIX_MAX_FDS 16
#define CAPOS_POSIX_LINE    4096 /* console output is sent a whole line at a time (the
                                      * kernel's Console takes at most 4096 bytes a call) */

struct capos_posix_fd {
	const struct capos_posix_file *file; /* NULL: free (fds 0-2: the console) */
	size_t pos;
};

struct capos_posix {
	const struct capos_posix_ops *ops;
	const struct capos_posix_file *files; /* table ending with a NULL path */
	uint64_t pid;
	struct capos_posix_fd fds[CAPOS_POSIX_MAX_FDS];
	/* stdout's and stderr's unfinished line: sent at its newline, when
	 * full, before a read of stdin and at exit, so the serial log never
	 * has another line cut into one of the program's. */
	char line[2][CAPOS_POSIX_LINE];
	size_t line_len[2];
	uint32_t enosys[LNX_NR_MAX]; /* unsupported calls, by number */
	uint64_t enosys_total;
	uint32_t threads; /* alive: the last one's exit ends the process */
};

/* The calling thread's exit futex (set_tid_address, CLONE_CHILD_CLEARTID):
 * zeroed and woken when the thread ends. */
extern _Thread_local int *capos_posix_clear_tid;

void capos_posix_init(struct capos_posix *px, const struct capos_posix_ops *ops,
                      const struct capos_posix_file *files, uint64_t pid);
long capos_posix_call(struct capos_posix *px, long n, const long a[6]);
/* A thread was started (libc/threads.c): one more to end. */
void capos_posix_thread_added(struct capos_posix *px);
/* musl's __unmapself: the calling detached thread ends and its block
 * [base, base + size) (stack, TLS, struct pthread) is unmapped; the last
 * thread's end is the process's (nothing to unmap then). */
_Noreturn void capos_posix_exit_unmap(struct capos_posix *px, void *base, size_t size);
/* Sends stdout's and stderr's unfinished lines. */
void capos_posix_flush(struct capos_posix *px);
/* The name of a system call number this layer knows, else NULL. */
const char *capos_posix_name(long n);
/* Writes "posix: N unsupported system calls: name(nr) xK ..." into buf
 * (at most len bytes, NUL-terminated); returns the length, 0 if none. */
size_t capos_posix_report(const struct capos_posix *px, char *buf, size_t len);

#endif /* CAPOS_LIBC_POSIX_H */
