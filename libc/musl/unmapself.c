/*
 * capOS replacement for musl's src/thread/__unmapself.c (and the x86_64
 * assembly): a detached thread's end.  Its struct pthread and TLS are in
 * the block it would unmap, and its FS base points there, so it cannot
 * unmap the block and still make a call.  The block is handed to
 * libc/threads.c instead, which unmaps it once the kernel has ended the
 * thread (thread_exit's clear word).
 */
#include <stddef.h>
#include "pthread_impl.h"
#include "syscall.h"

void __capos_unmap_later(void *base, size_t size);

void __unmapself(void *base, size_t size)
{
	__capos_unmap_later(base, size);
	for (;;)
		__syscall(SYS_exit, 0);
}
