/*
 * Threads and their synchronisation (schema/thread.capnp,
 * docs/runtime.md "Threads"): capos_thread_spawn / join / exit over the
 * ThreadSpawner and ThreadHandle capabilities, and a mutex, a condition
 * variable and once-initialisation over ParkSpace (futex-like parking).
 *
 * The process needs caps named "threadSpawner" and "parkSpace" (or any
 * of those interfaces).  Each thread has its own ring (include/capos/abi.h):
 * clients opened on the default ring work from every thread.
 */
#ifndef CAPOS_RT_THREAD_H
#define CAPOS_RT_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include <capos/call.h>

typedef int64_t (*capos_thread_fn)(void *arg);

struct capos_thread {
	uint32_t tid;
	uint32_t handle_cap; /* the ThreadHandle's cap id */
	bool joined;
	capos_thread_fn fn; /* read by the new thread at its start */
	void *arg;
};

/* Starts fn(arg) in a new thread of this process, with a stack of
 * stack_size bytes (0: 64 KiB).  t must stay valid until the join.
 * 0 or a negative CAPOS_ERR_* (err, if not NULL, says more). */
int capos_thread_spawn(struct capos_thread *t, capos_thread_fn fn, void *arg, uint64_t stack_size,
                       struct capos_call_error *err);
/* The same, with the new thread's FS base at tls_base instead of a TLS
 * block the kernel makes, and running on the caller's memory
 * [stack_base, stack_base + stack_size) instead of a kernel stack: for a
 * C library that lays out its own thread blocks (musl's pthread_create,
 * libc/threads.c).  tls_base must point at a word holding its own address
 * (the x86_64 TLS ABI); 0 = the kernel's.  stack_base 0 = a kernel stack
 * of stack_size; else both 16-byte aligned, the size from 1 KiB to 1 GiB,
 * every page mapped writable (schema/thread.capnp), or
 * CAPOS_ERR_APPLICATION_EXCEPTION (invalidArgument). */
int capos_thread_spawn_tls(struct capos_thread *t, capos_thread_fn fn, void *arg,
                           uint64_t stack_base, uint64_t stack_size, uint64_t tls_base,
                           struct capos_call_error *err);
/* Waits for t's end; *status is what fn returned or capos_thread_exit
 * passed.  Releases the handle.  0 or a negative CAPOS_ERR_*. */
int capos_thread_join(struct capos_thread *t, int64_t *status, struct capos_call_error *err);
/* Releases the handle without waiting: the thread runs on alone. */
void capos_thread_detach(struct capos_thread *t);
/* Ends the calling thread (the process, if it is the last). */
_Noreturn void capos_thread_exit(int64_t status);
/* The same; as the thread ends the kernel zeroes *clear_word and wakes
 * one thread parked on it (include/capos/abi.h), after which the thread
 * touches none of its memory: its joiner may free its stack and TLS. */
_Noreturn void capos_thread_exit_clear(int64_t status, volatile uint32_t *clear_word);
/* The same, after one cap_enter(1, forever) that runs what the thread
 * queued on its ring, with nothing touched in between but registers:
 * the queued calls may unmap the thread's own stack and TLS (a detached
 * musl thread's end, libc/posix_caps.c). */
_Noreturn void capos_thread_exit_entered(int64_t status, volatile uint32_t *clear_word);
/* The calling thread's id (the process id in the first thread). */
uint32_t capos_thread_self(void);

/* ParkSpace: parks while *addr == expected (timeout_ns; UINT64_MAX =
 * none).  1 woken, 0 not (value differed or timed out), or a negative
 * CAPOS_ERR_* (a bad address: CAPOS_ERR_APPLICATION_EXCEPTION). */
int capos_park_wait(const volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns,
                    struct capos_call_error *err);
/* Wakes up to n threads parked on addr; returns how many, or < 0. */
int capos_park_wake(const volatile uint32_t *addr, uint32_t n, struct capos_call_error *err);

/* A mutex: 0 unlocked, 1 locked, 2 locked with waiters.  A short bounded
 * spin, then it parks. */
typedef struct {
	volatile uint32_t state;
} capos_mutex;
#define CAPOS_MUTEX_INIT \
	{                \
		0        \
	}
void capos_mutex_lock(capos_mutex *m);
bool capos_mutex_trylock(capos_mutex *m);
void capos_mutex_unlock(capos_mutex *m);

/* A condition variable: a sequence number waiters park on. */
typedef struct {
	volatile uint32_t seq;
} capos_cond;
#define CAPOS_COND_INIT \
	{               \
		0       \
	}
/* Returns 0, or CAPOS_ERR_TIMED_OUT after timeout_ns (UINT64_MAX: none);
 * the mutex is held again either way. */
int capos_cond_wait(capos_cond *c, capos_mutex *m, uint64_t timeout_ns);
void capos_cond_signal(capos_cond *c);
void capos_cond_broadcast(capos_cond *c);

/* Runs fn once across every thread; later callers wait until it is done. */
typedef struct {
	volatile uint32_t state; /* 0 not run, 1 running, 2 done */
} capos_once;
#define CAPOS_ONCE_INIT \
	{               \
		0       \
	}
void capos_once_run(capos_once *o, void (*fn)(void));

#endif
