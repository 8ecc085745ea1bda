/*
 * ThreadHandle: joins a thread made by ThreadSpawner.spawn
 * (schema/thread.capnp).  Handles are allocated from the kernel heap, one
 * per spawned thread, and live while a capability refers to them, their
 * thread lives, or a join waits.  Releasing the last capability detaches
 * the thread: it runs on and its end is not reported to anyone.
 */
#ifndef CAPOS_CAP_THREAD_HANDLE_H
#define CAPOS_CAP_THREAD_HANDLE_H

#include "cap_table.h"

struct process;

/* A handle with one capability reference and no thread yet, as a
 * result-cap entry; CAPOS_ERR_NO_RESOURCES when the heap is exhausted.
 * Made before the thread, so a thread never exists without its handle. */
int thread_handle_create(struct cap_entry *out);
/* Binds the handle of e to thread t. */
void thread_handle_bind(const struct cap_entry *e, struct process *t);

/* Live handles (baseline checks). */
unsigned thread_handle_live(void);

#endif
