/*
 * Threads for musl: the other half of libc/musl/clone.c.  __capos_clone
 * starts a thread with ThreadSpawner (the runtime's capos_thread_spawn_tls)
 * whose FS base is musl's thread block and whose stack is musl's (below
 * the start record), and lets the ThreadHandle go: musl joins through its
 * own futexes (the exit futex, CLONE_CHILD_CLEARTID, which the kernel
 * clears as the thread ends: thread_exit's clear word).  The thread starts
 * in clone_start with its own ring.  A detached thread unmaps its own
 * block as it ends (__capos_unmapself).
 */
#include <capos/frame_allocator.h>
#include <capos/rt.h>
#include <capos/thread.h>
#include "posix.h"

/* libc/musl/clone.c has the same layout. */
struct capos_clone {
	int (*fn)(void *);
	void *arg;
	int *ptid;
	int *ctid;
	union {
		struct capos_thread t;
		unsigned char room[64];
	} thread;
};
_Static_assert(sizeof(struct capos_thread) <= 64, "struct capos_clone's room for the thread");

extern struct capos_posix capos_posix;

/* musl's __unmapself (libc/musl/unmapself.c): a detached thread ends
 * and its block is unmapped as it goes (libc/posix_caps.c). */
_Noreturn void __capos_unmapself(void *base, size_t size);
_Noreturn void __capos_unmapself(void *base, size_t size)
{
	capos_posix_exit_unmap(&capos_posix, base, size);
}

long __capos_clone(struct capos_clone *c, uintptr_t stack_base, size_t stack_size, void *tls);

/* Everything is read from c before fn runs: c lives on musl's stack,
 * which the thread's joiner (or the thread itself, detached) unmaps. */
static int64_t clone_start(void *arg)
{
	struct capos_clone *c = arg;
	int (*fn)(void *) = c->fn;
	void *fn_arg = c->arg;
	if (c->ptid != NULL)
		*c->ptid = (int)capos_thread_self(); /* before the parent may have */
	capos_posix_clear_tid = c->ctid;
	long args[6] = {fn(fn_arg)};
	capos_posix_call(&capos_posix, LNX_exit, args);
	__builtin_unreachable();
}

long __capos_clone(struct capos_clone *c, uintptr_t stack_base, size_t stack_size, void *tls)
{
	/* Counted first: a thread that ends at once must not look like the
	 * last one. */
	capos_posix_thread_added(&capos_posix);
	int err = capos_thread_spawn_tls(&c->thread.t, clone_start, c, stack_base, stack_size,
	                                 (uint64_t)(uintptr_t)tls, NULL);
	if (err != 0) {
		__atomic_fetch_sub(&capos_posix.threads, 1, __ATOMIC_RELAXED);
		return err == CAPOS_ERR_BAD_CAP ? -LNX_ENOSYS : -LNX_EAGAIN;
	}
	int tid = (int)c->thread.t.tid;
	if (c->ptid != NULL)
		*c->ptid = tid;
	/* musl's pthread_create holds its thread-list lock until we return,
	 * and the thread's exit takes it: c is still mapped here. */
	struct capos_thread handle = c->thread.t;
	capos_thread_detach(&handle);
	return tid;
}

/* For tests (tests/musl/pthread_check.c, which declares it weak so the
 * same source builds on glibc): the frames charged to this process and
 * the system's free frames (FrameAllocator.query on the CapSet's
 * "frameAllocator"); -1 without one. */
int __capos_frames(unsigned long *held, unsigned long *free_frames);
int __capos_frames(unsigned long *held, unsigned long *free_frames)
{
	struct capos_frame_allocator fa;
	struct capos_frame_stats st;
	if (capos_rt.capset_status != CAPOS_CAPSET_OK ||
	    capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frameAllocator") != 0 ||
	    capos_frame_query(&fa, &st, NULL) != 0)
		return -1;
	*held = st.held_frames;
	*free_frames = st.free_frames;
	return 0;
}
