/*
 * capOS replacement for musl's src/thread/__unmapself.c (and the x86_64
 * assembly): a detached thread's end.  Its stack, struct pthread and TLS
 * are in the block it unmaps, so after the unmap it may touch no memory:
 * libc/posix_caps.c queues VirtualMemory.unmap on the thread's ring (which
 * is the kernel's page, not in the block) and the runtime's
 * capos_thread_exit_entered enters the kernel once to run it and once to
 * end the thread, from registers alone.  The exit futex stays musl's
 * thread-list lock, released by the kernel once the thread is gone.
 */
#include <stddef.h>
#include "pthread_impl.h"

_Noreturn void __capos_unmapself(void *base, size_t size);

void __unmapself(void *base, size_t size) { __capos_unmapself(base, size); }
