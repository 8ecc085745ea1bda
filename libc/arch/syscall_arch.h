/*
 * capOS replacement for musl's arch/x86_64/syscall_arch.h: found first on
 * musl's include path (libc/musl-lib.mk), so every __syscallN in musl
 * calls __capos_syscall (libc/syscall.c), which serves the Linux system
 * call number from the process's capabilities or returns -ENOSYS.  There
 * is no `syscall` instruction in a capOS program built on musl.
 */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

long __capos_syscall(long n, long a, long b, long c, long d, long e, long f);

static __inline long __syscall0(long n)
{
	return __capos_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a)
{
	return __capos_syscall(n, a, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a, long b)
{
	return __capos_syscall(n, a, b, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a, long b, long c)
{
	return __capos_syscall(n, a, b, c, 0, 0, 0);
}

static __inline long __syscall4(long n, long a, long b, long c, long d)
{
	return __capos_syscall(n, a, b, c, d, 0, 0);
}

static __inline long __syscall5(long n, long a, long b, long c, long d, long e)
{
	return __capos_syscall(n, a, b, c, d, e, 0);
}

static __inline long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	return __capos_syscall(n, a, b, c, d, e, f);
}

/* No vDSO: clock_gettime goes through __capos_syscall. */
#define IPC_64 0
