/*
 * Linux system calls served from capabilities: the logic of the POSIX
 * personality (see posix.h).  Only what an ordinary single-threaded C
 * program needs is served; everything else returns -ENOSYS and is counted
 * (capos_posix_report), never a crash.  Pointers come from the process
 * itself (one address space, the caller's own memory): a bad one faults
 * the caller, as it would on Linux, and cannot touch anything else.
 */
#include "posix.h"

#define PAGE_SIZE      4096u
#define AT_FDCWD       (-100)
#define O_ACCMODE      3
#define MAP_FIXED      0x10
#define MAP_ANONYMOUS  0x20
#define PROT_ALL       7
#define SEEK_SET       0
#define SEEK_CUR       1
#define SEEK_END       2
#define F_DUPFD        0
#define FUTEX_WAIT     0
#define FUTEX_WAKE     1
#define FUTEX_REQUEUE  3
#define FUTEX_CMP_REQ  4
#define FUTEX_CMD_MASK 0x7f
#define TIMER_ABSTIME  1
#define NSEC_PER_SEC   1000000000ull

struct lnx_iovec {
	void *base;
	size_t len;
};

struct lnx_timespec {
	int64_t sec;
	int64_t nsec;
};

static int streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* capOS error codes (include/capos/abi.h) as the closest errno. */
static long errno_of(int capos_err)
{
	switch (capos_err) {
	case -7: /* CAPOS_ERR_NO_RESOURCES */
		return -LNX_ENOMEM;
	case -3: /* CAPOS_ERR_BAD_CAP: the capability is not in the CapSet */
		return -LNX_ENOSYS;
	case -4: /* CAPOS_ERR_BAD_BUFFER */
		return -LNX_EFAULT;
	case -8: /* CAPOS_ERR_NOT_PERMITTED */
		return -LNX_EPERM;
	default:
		return capos_err == -9 || capos_err == -17 ? -LNX_EINVAL : -LNX_EIO;
	}
}

static long unsupported(struct capos_posix *px, long n)
{
	uint32_t i = n >= 0 && n < LNX_NR_MAX ? (uint32_t)n : LNX_NR_MAX - 1;
	__atomic_fetch_add(&px->enosys[i], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&px->enosys_total, 1, __ATOMIC_RELAXED);
	return -LNX_ENOSYS;
}

void capos_posix_init(struct capos_posix *px, const struct capos_posix_ops *ops,
                      const struct capos_posix_file *files, uint64_t pid)
{
	__builtin_memset(px, 0, sizeof(*px));
	px->ops = ops;
	px->files = files;
	px->pid = pid;
	px->threads = 1;
}

_Thread_local int *capos_posix_clear_tid;

void capos_posix_thread_added(struct capos_posix *px)
{
	__atomic_fetch_add(&px->threads, 1, __ATOMIC_RELAXED);
}

static int is_console(long fd)
{
	return fd >= 0 && fd <= 2;
}

static struct capos_posix_fd *file_fd(struct capos_posix *px, long fd)
{
	if (fd < 3 || fd >= CAPOS_POSIX_MAX_FDS || px->fds[fd].file == NULL)
		return NULL;
	return &px->fds[fd];
}

/* ---- files: fds 0-2 are the console, 3.. the program's read-only files ---- */

static long sys_open(struct capos_posix *px, const char *path, long flags)
{
	if (path == NULL)
		return -LNX_EFAULT;
	const struct capos_posix_file *f = px->files;
	while (f != NULL && f->path != NULL && !streq(f->path, path))
		f++;
	if (f == NULL || f->path == NULL)
		return -LNX_ENOENT;
	if ((flags & O_ACCMODE) != 0)
		return -LNX_EROFS;
	for (int fd = 3; fd < CAPOS_POSIX_MAX_FDS; fd++) {
		if (px->fds[fd].file == NULL) {
			px->fds[fd].file = f;
			px->fds[fd].pos = 0;
			return fd;
		}
	}
	return -LNX_EMFILE;
}

static long sys_close(struct capos_posix *px, long fd)
{
	if (is_console(fd))
		return 0;
	struct capos_posix_fd *d = file_fd(px, fd);
	if (d == NULL)
		return -LNX_EBADF;
	d->file = NULL;
	return 0;
}

static long file_read(struct capos_posix_fd *d, void *buf, size_t len)
{
	size_t left = d->file->size - d->pos;
	size_t n = len < left ? len : left;
	__builtin_memcpy(buf, d->file->data + d->pos, n);
	d->pos += n;
	return (long)n;
}

static long sys_readv(struct capos_posix *px, long fd, const struct lnx_iovec *iov, long cnt)
{
	if (cnt < 0 || cnt > 1024)
		return -LNX_EINVAL;
	if (fd == 0) {
		capos_posix_flush(px); /* a prompt is seen before the read */
		return 0;              /* no input device yet: end of file */
	}
	struct capos_posix_fd *d = file_fd(px, fd);
	if (d == NULL)
		return -LNX_EBADF;
	long total = 0;
	for (long i = 0; i < cnt; i++)
		total += file_read(d, iov[i].base, iov[i].len);
	return total;
}

static int send_line(struct capos_posix *px, int i, size_t n)
{
	int err = n > 0 ? px->ops->console_write(px->ops->ctx, i + 1, px->line[i], n) : 0;
	size_t rest = px->line_len[i] - n;
	__builtin_memmove(px->line[i], px->line[i] + n, rest);
	px->line_len[i] = rest;
	return err;
}

static size_t last_newline_end(const char *p, size_t n)
{
	while (n > 0 && p[n - 1] != '\n')
		n--;
	return n;
}

static long console_write(struct capos_posix *px, long fd, const unsigned char *buf, size_t len)
{
	int i = (int)fd - 1;
	size_t done = 0;
	while (done < len) {
		size_t room = CAPOS_POSIX_LINE - px->line_len[i];
		size_t n = len - done < room ? len - done : room;
		__builtin_memcpy(px->line[i] + px->line_len[i], buf + done, n);
		px->line_len[i] += n;
		/* Whole lines; a line longer than the buffer goes in pieces. */
		size_t send = last_newline_end(px->line[i], px->line_len[i]);
		if (send == 0 && px->line_len[i] == CAPOS_POSIX_LINE)
			send = CAPOS_POSIX_LINE;
		int err = send_line(px, i, send);
		if (err != 0) {
			px->line_len[i] = 0;
			return done > 0 ? (long)done : errno_of(err);
		}
		done += n;
	}
	return (long)done;
}

void capos_posix_flush(struct capos_posix *px)
{
	for (int i = 0; i < 2; i++)
		(void)send_line(px, i, px->line_len[i]);
}

static long sys_writev(struct capos_posix *px, long fd, const struct lnx_iovec *iov, long cnt)
{
	if (cnt < 0 || cnt > 1024)
		return -LNX_EINVAL;
	if (fd != 1 && fd != 2)
		return -LNX_EBADF; /* stdin and the files are read-only */
	long total = 0;
	for (long i = 0; i < cnt; i++) {
		long r = console_write(px, fd, iov[i].base, iov[i].len);
		if (r < 0)
			return total > 0 ? total : r;
		total += r;
	}
	return total;
}

static long sys_lseek(struct capos_posix *px, long fd, long off, long whence)
{
	if (is_console(fd))
		return -LNX_ESPIPE;
	struct capos_posix_fd *d = file_fd(px, fd);
	if (d == NULL)
		return -LNX_EBADF;
	long base = whence == SEEK_SET   ? 0
	            : whence == SEEK_CUR ? (long)d->pos
	            : whence == SEEK_END ? (long)d->file->size
	                                 : -1;
	if (base < 0 || off < -base)
		return -LNX_EINVAL;
	d->pos = (size_t)(base + off) < d->file->size ? (size_t)(base + off) : d->file->size;
	return base + off;
}

static long sys_fcntl(struct capos_posix *px, long fd, long cmd)
{
	if (!is_console(fd) && file_fd(px, fd) == NULL)
		return -LNX_EBADF;
	/* Descriptor flags (FD_CLOEXEC) and status flags: nothing to keep,
	 * there is no exec; F_DUPFD and locks are not served. */
	return cmd == F_DUPFD || cmd > 4 ? unsupported(px, LNX_fcntl) : 0;
}

/* ---- memory: anonymous mappings through VirtualMemory ---- */

/* The kernel has no inaccessible mappings: PROT_NONE (a reservation, a
 * guard page) becomes read-only, so writes still fault. */
static uint32_t vm_prot(long prot)
{
	return prot == 0 ? 1u : (uint32_t)prot;
}

static long sys_mmap(struct capos_posix *px, long len, long prot, long flags, long fd)
{
	if (!(flags & MAP_ANONYMOUS) || fd != -1)
		return -LNX_ENODEV; /* no file mappings */
	if ((flags & MAP_FIXED) || len <= 0 || (prot & ~PROT_ALL) != 0)
		return -LNX_EINVAL;
	uint64_t size = ((uint64_t)len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t addr = 0;
	int err = px->ops->vm_map(px->ops->ctx, size, vm_prot(prot), &addr);
	return err != 0 ? (err == -3 ? -LNX_ENOMEM : errno_of(err)) : (long)addr;
}

static int page_range_ok(long addr, long len)
{
	return addr > 0 && len > 0 && ((uint64_t)addr & (PAGE_SIZE - 1)) == 0;
}

static uint64_t pages(long len)
{
	return ((uint64_t)len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

static long sys_munmap(struct capos_posix *px, long addr, long len)
{
	if (!page_range_ok(addr, len))
		return -LNX_EINVAL;
	int err = px->ops->vm_unmap(px->ops->ctx, (uint64_t)addr, pages(len));
	return err != 0 ? -LNX_EINVAL : 0;
}

static long sys_mprotect(struct capos_posix *px, long addr, long len, long prot)
{
	if (!page_range_ok(addr, len) || (prot & ~PROT_ALL) != 0)
		return -LNX_EINVAL;
	int err = px->ops->vm_protect(px->ops->ctx, (uint64_t)addr, pages(len), vm_prot(prot));
	return err != 0 ? (err == -3 ? -LNX_ENOMEM : -LNX_EINVAL) : 0;
}

/* ---- time and entropy: the Timer and the EntropySource ---- */

static long sys_clock_gettime(struct capos_posix *px, long clk, struct lnx_timespec *ts)
{
	/* Every clock is the Timer's monotonic clock: there is no wall clock
	 * capability yet (REALTIME counts from boot) and no CPU-time
	 * accounting (the CPU-time clocks count from boot too). */
	if (clk < 0 || clk > 11)
		return -LNX_EINVAL;
	uint64_t ns = 0;
	int err = px->ops->clock_ns(px->ops->ctx, &ns);
	if (err != 0)
		return errno_of(err);
	ts->sec = (int64_t)(ns / NSEC_PER_SEC);
	ts->nsec = (int64_t)(ns % NSEC_PER_SEC);
	return 0;
}

static long sys_clock_getres(long clk, struct lnx_timespec *ts)
{
	if (clk < 0 || clk > 11)
		return -LNX_EINVAL;
	if (ts != NULL) {
		ts->sec = 0;
		ts->nsec = 1;
	}
	return 0;
}

static long sleep_until(struct capos_posix *px, const struct lnx_timespec *req, int absolute)
{
	if (req->sec < 0 || req->nsec < 0 || (uint64_t)req->nsec >= NSEC_PER_SEC)
		return -LNX_EINVAL;
	uint64_t ns = (uint64_t)req->sec * NSEC_PER_SEC + (uint64_t)req->nsec;
	if (absolute) {
		uint64_t now = 0;
		int err = px->ops->clock_ns(px->ops->ctx, &now);
		if (err != 0)
			return errno_of(err);
		ns = ns > now ? ns - now : 0;
	}
	int err = ns > 0 ? px->ops->sleep_ns(px->ops->ctx, ns) : 0;
	return err != 0 ? errno_of(err) : 0;
}

static long sys_getrandom(struct capos_posix *px, void *buf, long len)
{
	if (len < 0)
		return -LNX_EINVAL;
	int err = len > 0 ? px->ops->entropy(px->ops->ctx, buf, (size_t)len) : 0;
	return err != 0 ? errno_of(err) : len;
}

static long sys_rt_sigprocmask(long oldset, long size)
{
	/* There are no signals to block: every mask is empty. */
	if (oldset != 0)
		__builtin_memset((void *)oldset, 0, (size_t)(size > 0 && size <= 128 ? size : 8));
	return 0;
}

static int park_wake(struct capos_posix *px, const int *addr, long n)
{
	if (px->ops->park_wake == NULL)
		return 0; /* no threads: nobody waits */
	uint32_t count = n < 0 || n > 0x7fffffff ? 0x7fffffff : (uint32_t)n;
	int r = px->ops->park_wake(px->ops->ctx, (const volatile uint32_t *)addr, count);
	return r == -3 ? 0 : r; /* CAPOS_ERR_BAD_CAP: no ParkSpace, no waiters */
}

static long futex_wait(struct capos_posix *px, const int *addr, long val,
                       const struct lnx_timespec *rel)
{
	if (*(volatile const int *)addr != (int)val)
		return -LNX_EAGAIN;
	if (px->ops->park_wait == NULL)
		return unsupported(px, LNX_futex);
	uint64_t ns = UINT64_MAX;
	if (rel != NULL) {
		if (rel->sec < 0 || rel->nsec < 0 || rel->nsec >= (int64_t)NSEC_PER_SEC)
			return -LNX_EINVAL;
		ns = (uint64_t)rel->sec * NSEC_PER_SEC + (uint64_t)rel->nsec;
	}
	int r = px->ops->park_wait(px->ops->ctx, (const volatile uint32_t *)addr, (uint32_t)val, ns);
	if (r < 0)
		return r == -3 ? unsupported(px, LNX_futex) : errno_of(r);
	if (r == 1)
		return 0;
	if (*(volatile const int *)addr != (int)val)
		return -LNX_EAGAIN;
	return rel != NULL ? -LNX_ETIMEDOUT : 0; /* else a spurious return: callers loop */
}

/* futex over ParkSpace: WAIT and WAKE; REQUEUE wakes instead of moving
 * the waiters (they re-check their word, as after any wake). */
static long sys_futex(struct capos_posix *px, const long a[6])
{
	const int *addr = (const int *)a[0];
	long cmd = a[1] & FUTEX_CMD_MASK;
	if (addr == NULL || ((uintptr_t)addr & 3) != 0)
		return -LNX_EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(px, addr, a[2], (const struct lnx_timespec *)a[3]);
	case FUTEX_WAKE:
		return park_wake(px, addr, a[2]);
	case FUTEX_CMP_REQ:
		if (*(volatile const int *)addr != (int)a[5])
			return -LNX_EAGAIN;
		return park_wake(px, addr, a[2] + a[3]);
	case FUTEX_REQUEUE:
		return park_wake(px, addr, a[2] + a[3]);
	default:
		return unsupported(px, LNX_futex);
	}
}

/* One thread ends: the kernel clears and wakes its exit futex once the
 * thread is gone (musl's joiner waits on it, then frees the thread's
 * stack and TLS); the last thread's end is the process's. */
static _Noreturn void thread_exit(struct capos_posix *px, int code)
{
	if (__atomic_sub_fetch(&px->threads, 1, __ATOMIC_ACQ_REL) == 0 ||
	    px->ops->thread_exit == NULL) {
		capos_posix_flush(px);
		px->ops->exit(px->ops->ctx, code);
		__builtin_unreachable();
	}
	px->ops->thread_exit(px->ops->ctx, code, capos_posix_clear_tid);
	__builtin_unreachable();
}

_Noreturn void capos_posix_exit_unmap(struct capos_posix *px, void *base, size_t size)
{
	if (px->ops->thread_exit_unmap == NULL)
		thread_exit(px, 0); /* the block stays mapped */
	if (__atomic_sub_fetch(&px->threads, 1, __ATOMIC_ACQ_REL) == 0) {
		capos_posix_flush(px);
		px->ops->exit(px->ops->ctx, 0);
		__builtin_unreachable();
	}
	px->ops->thread_exit_unmap(px->ops->ctx, 0, capos_posix_clear_tid, base, size);
	__builtin_unreachable();
}

static long thread_id(struct capos_posix *px)
{
	return px->ops->tid != NULL ? (long)px->ops->tid(px->ops->ctx) : (long)px->pid;
}

/* A signal sent to ourselves: there are no handlers, so the default
 * action, ending the process, with the shell's 128 + signal status. */
static _Noreturn void raise_signal(struct capos_posix *px, long sig)
{
	capos_posix_flush(px);
	px->ops->exit(px->ops->ctx, 128 + (int)(sig & 0x7f));
	__builtin_unreachable();
}

static long call_files(struct capos_posix *px, long n, const long a[6])
{
	switch (n) {
	case LNX_read:
		return sys_readv(px, a[0], &(struct lnx_iovec){(void *)a[1], (size_t)a[2]}, 1);
	case LNX_readv:
		return sys_readv(px, a[0], (const struct lnx_iovec *)a[1], a[2]);
	case LNX_write:
		return sys_writev(px, a[0], &(struct lnx_iovec){(void *)a[1], (size_t)a[2]}, 1);
	case LNX_writev:
		return sys_writev(px, a[0], (const struct lnx_iovec *)a[1], a[2]);
	case LNX_open:
		return sys_open(px, (const char *)a[0], a[1]);
	case LNX_openat:
		return a[0] == AT_FDCWD || ((const char *)a[1] != 0 && *(const char *)a[1] == '/')
		               ? sys_open(px, (const char *)a[1], a[2])
		               : -LNX_EBADF;
	case LNX_close:
		return sys_close(px, a[0]);
	case LNX_lseek:
		return sys_lseek(px, a[0], a[1], a[2]);
	case LNX_fcntl:
		return sys_fcntl(px, a[0], a[1]);
	case LNX_ioctl:
		/* No terminal yet: the console is not a tty (stdout is fully
		 * buffered, as when the host's output goes to a pipe). */
		return is_console(a[0]) || file_fd(px, a[0]) != NULL ? -LNX_ENOTTY : -LNX_EBADF;
	default:
		return 1; /* not a file call */
	}
}

long capos_posix_call(struct capos_posix *px, long n, const long a[6])
{
	long r = call_files(px, n, a);
	if (r != 1)
		return r;
	switch (n) {
	case LNX_mmap:
		return sys_mmap(px, a[1], a[2], a[3], a[4]);
	case LNX_munmap:
		return sys_munmap(px, a[0], a[1]);
	case LNX_mprotect:
		return sys_mprotect(px, a[0], a[1], a[2]);
	case LNX_clock_gettime:
		return a[1] == 0 ? -LNX_EFAULT
		                 : sys_clock_gettime(px, a[0], (struct lnx_timespec *)a[1]);
	case LNX_clock_getres:
		return sys_clock_getres(a[0], (struct lnx_timespec *)a[1]);
	case LNX_nanosleep:
		return a[0] == 0 ? -LNX_EFAULT
		                 : sleep_until(px, (const struct lnx_timespec *)a[0], 0);
	case LNX_clock_nanosleep:
		return a[2] == 0 ? -LNX_EFAULT
		                 : sleep_until(px, (const struct lnx_timespec *)a[2],
		                               (a[1] & TIMER_ABSTIME) != 0);
	case LNX_getrandom:
		return sys_getrandom(px, (void *)a[0], a[1]);
	case LNX_exit:
		thread_exit(px, (int)a[0]);
	case LNX_exit_group:
		capos_posix_flush(px);
		px->ops->exit(px->ops->ctx, (int)a[0]);
		__builtin_unreachable();
	case LNX_set_tid_address:
		capos_posix_clear_tid = (int *)a[0];
		return thread_id(px);
	case LNX_gettid:
		return thread_id(px);
	case LNX_getpid:
		return (long)px->pid;
	case LNX_getuid:
	case LNX_geteuid:
	case LNX_getgid:
	case LNX_getegid:
	case LNX_sched_yield:
		return 0;
	case LNX_rt_sigprocmask:
		return sys_rt_sigprocmask(a[2], a[3]);
	case LNX_tkill:
		if (a[0] == thread_id(px))
			raise_signal(px, a[1]);
		return -LNX_EPERM;
	case LNX_tgkill:
		if (a[1] == thread_id(px))
			raise_signal(px, a[2]);
		return -LNX_EPERM;
	case LNX_futex:
		return sys_futex(px, a);
	default:
		return unsupported(px, n); /* brk included: there is no program break */
	}
}

const char *capos_posix_name(long n)
{
	static const struct {
		long n;
		const char *name;
	} names[] = {
		{LNX_read, "read"},
		{LNX_write, "write"},
		{LNX_open, "open"},
		{LNX_close, "close"},
		{LNX_stat, "stat"},
		{LNX_fstat, "fstat"},
		{LNX_lseek, "lseek"},
		{LNX_mmap, "mmap"},
		{LNX_mprotect, "mprotect"},
		{LNX_munmap, "munmap"},
		{LNX_brk, "brk"},
		{LNX_rt_sigaction, "rt_sigaction"},
		{LNX_rt_sigprocmask, "rt_sigprocmask"},
		{LNX_ioctl, "ioctl"},
		{LNX_readv, "readv"},
		{LNX_writev, "writev"},
		{LNX_sched_yield, "sched_yield"},
		{LNX_mremap, "mremap"},
		{LNX_madvise, "madvise"},
		{LNX_nanosleep, "nanosleep"},
		{LNX_getpid, "getpid"},
		{56, "clone"},
		{57, "fork"},
		{59, "execve"},
		{LNX_exit, "exit"},
		{61, "wait4"},
		{63, "uname"},
		{LNX_fcntl, "fcntl"},
		{82, "rename"},
		{87, "unlink"},
		{158, "arch_prctl"},
		{LNX_gettid, "gettid"},
		{LNX_tkill, "tkill"},
		{LNX_futex, "futex"},
		{LNX_set_tid_address, "set_tid_address"},
		{LNX_clock_gettime, "clock_gettime"},
		{LNX_clock_getres, "clock_getres"},
		{LNX_clock_nanosleep, "clock_nanosleep"},
		{LNX_exit_group, "exit_group"},
		{LNX_tgkill, "tgkill"},
		{LNX_openat, "openat"},
		{LNX_newfstatat, "newfstatat"},
		{LNX_getrandom, "getrandom"},
		{LNX_statx, "statx"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].n == n)
			return names[i].name;
	return NULL;
}

static size_t append(char *buf, size_t len, size_t at, const char *s)
{
	while (*s != '\0' && at + 1 < len)
		buf[at++] = *s++;
	if (len > 0)
		buf[at < len ? at : len - 1] = '\0';
	return at;
}

static size_t append_num(char *buf, size_t len, size_t at, uint64_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp) - 1;
	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return append(buf, len, at, &tmp[i]);
}

size_t capos_posix_report(const struct capos_posix *px, char *buf, size_t len)
{
	if (len > 0)
		buf[0] = '\0';
	if (px->enosys_total == 0)
		return 0;
	size_t at = append(buf, len, 0, "posix: ");
	at = append_num(buf, len, at, px->enosys_total);
	at = append(buf, len, at, " unsupported system calls (ENOSYS):");
	for (long n = 0; n < LNX_NR_MAX; n++) {
		if (px->enosys[n] == 0)
			continue;
		const char *name = capos_posix_name(n);
		at = append(buf, len, at, " ");
		at = append(buf, len, at, name != NULL ? name : "nr");
		at = append(buf, len, at, "(");
		at = append_num(buf, len, at, (uint64_t)n);
		at = append(buf, len, at, ") x");
		at = append_num(buf, len, at, px->enosys[n]);
	}
	return at;
}
