/*
 * capOS replacement for musl's src/thread/clone.c (which returns ENOSYS)
 * and src/thread/x86_64/clone.s (which issues `syscall`): the __clone
 * that musl's pthread_create calls, for the flags it passes.
 *
 * The thread is started by ThreadSpawner through the POSIX personality
 * (__capos_clone, libc/threads.c) with the FS base at musl's own thread
 * block (the `tls` argument: struct pthread, after the TLS copy that
 * __copy_tls made), so pthread_self, errno and every _Thread_local
 * variable are musl's as on Linux.  The thread runs on musl's stack (the
 * block pthread_create mapped, or the application's own memory after
 * pthread_attr_setstack), below the start record: the kernel clears the
 * exit futex (CLONE_CHILD_CLEARTID) only once the thread is gone, so its
 * joiner never unmaps a stack still in use (docs/posix.md, "Threads").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include "pthread_impl.h"

/* The start record, below musl's start arguments on musl's stack (which
 * lives until the thread is joined or unmaps itself).  libc/threads.c has
 * the same layout; `thread` is its struct capos_thread. */
struct capos_clone {
	int (*fn)(void *);
	void *arg;
	int *ptid;
	int *ctid;
	unsigned char thread[64];
};

long __capos_clone(struct capos_clone *c, uintptr_t stack_base, size_t stack_size, void *tls);

#define CAPOS_CLONE_NEEDS (CLONE_VM | CLONE_THREAD | CLONE_SETTLS)

int __clone(int (*func)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int *ptid = va_arg(ap, int *);
	void *tls = va_arg(ap, void *);
	int *ctid = va_arg(ap, int *);
	va_end(ap);
	/* Only a thread in this address space with its own thread block. */
	if ((flags & CAPOS_CLONE_NEEDS) != CAPOS_CLONE_NEEDS || tls == 0)
		return -ENOSYS;
	struct pthread *td = tls;
	uintptr_t top = ((uintptr_t)stack - sizeof(struct capos_clone)) & -(uintptr_t)16;
	struct capos_clone *c = (struct capos_clone *)top;
	c->fn = func;
	c->arg = arg;
	c->ptid = (flags & CLONE_PARENT_SETTID) ? ptid : 0;
	c->ctid = (flags & CLONE_CHILD_CLEARTID) ? ctid : 0;
	/* The stack runs from musl's limit (td->stack - td->stack_size, the
	 * application's address after pthread_attr_setstack: aligned up) to
	 * the start record. */
	uintptr_t base = ((uintptr_t)td->stack - td->stack_size + 15) & -(uintptr_t)16;
	if (top <= base)
		return -EINVAL;
	return __capos_clone(c, base, top - base, tls);
}
