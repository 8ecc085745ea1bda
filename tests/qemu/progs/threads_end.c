/*
 * threads_end smoke: how a multi-threaded process ends, by instance name
 * (the CapSet's process name):
 *   threads_last   the first thread calls capos_thread_exit(0) while a
 *                  thread still runs; that thread ends last with status 3,
 *                  which becomes the process's exit code;
 *   threads_fault  a thread dereferences NULL while the first thread
 *                  waits in join: the fault kills the whole process;
 *   threads_spawn  hostile ThreadSpawner.spawn arguments are refused with
 *                  invalidArgument and nothing is left behind.
 *
 * Run by: smoke threads_end (tests/qemu/manifests/threads_end.cue).
 */
#include <capos/thread.h>

#include "demo.h"
#include "capos.capnp.h"
#include "thread.capnp.h"

static int64_t last_one(void *arg)
{
	(void)arg;
	capos_nanosleep(20000000); /* the first thread is gone by then */
	return 3;
}

static volatile uintptr_t bad_address = 0x8; /* not a constant: no -Warray-bounds */

static int64_t faulter(void *arg)
{
	(void)arg;
	return *(volatile int64_t *)bad_address;
}

static void run_last(const char *name)
{
	struct capos_thread t = {0};
	int r = capos_thread_spawn(&t, last_one, NULL, 0, NULL);
	DEMO_CHECK(name, r == 0, "first thread leaves, thread %u ends last\n", t.tid);
	capos_thread_detach(&t);
	capos_thread_exit(0);
}

static int run_fault(const char *name)
{
	struct capos_thread t = {0};
	int64_t status = 0;
	int r = capos_thread_spawn(&t, faulter, NULL, 0, NULL);
	DEMO_CHECK(name, r == 0, "thread %u will fault\n", t.tid);
	capos_thread_join(&t, &status, NULL);
	DEMO_CHECK(name, 0, "still running after the thread's fault\n");
	return 1;
}

/* One raw spawn with the given arguments; the CapException type or 0. */
static int32_t spawn_raw(uint64_t entry, uint64_t stack, uint64_t tls)
{
	static uint32_t cap = UINT32_MAX;
	if (cap == UINT32_MAX)
		cap = capos_cap_borrow(capos_capset_find(&capos_rt.capset, "threadSpawner",
		                                         thread_ThreadSpawner_ID))
		              .cap_id;
	uint64_t arena[8], result[64];
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof(arena));
	thread_ThreadSpawner_spawn_Params_builder p = thread_ThreadSpawner_spawn_Params_init_root(&b);
	thread_ThreadSpawner_spawn_Params_set_entry(p, entry);
	thread_ThreadSpawner_spawn_Params_set_stackSize(p, stack);
	thread_ThreadSpawner_spawn_Params_set_tlsSize(p, tls);
	size_t len = 0;
	capnp_builder_finish(&b, &len);
	struct capos_call c = {.cap_id = cap,
	                       .method_id = thread_ThreadSpawner_spawn_METHOD,
	                       .params = arena,
	                       .params_len = (uint32_t)len,
	                       .result = result,
	                       .result_cap = sizeof(result)};
	struct capos_reply reply = {0};
	struct capos_call_error err = {0};
	if (capos_call(&capos_rt_ring, &c, &reply, &err) == 0)
		return 0;
	return err.kind == CAPOS_ERROR_EXCEPTION ? err.exception_type : -100;
}

static int run_spawn(const char *name)
{
	const int32_t bad = capos_CapException_Type_invalidArgument;
	DEMO_CHECK(name, spawn_raw(0x10, 0, 0) == bad, "entry below the image refused\n");
	DEMO_CHECK(name, spawn_raw(0xffff800000001000ull, 0, 0) == bad,
	           "kernel-half entry refused\n");
	DEMO_CHECK(name, spawn_raw(0x401000, 64ull << 20, 0) == bad, "64 MiB stack refused\n");
	DEMO_CHECK(name, spawn_raw(0x401000, 0, 1ull << 30) == bad, "1 GiB TLS refused\n");
	return demo_finish(name);
}

int main(void)
{
	const char *name = demo_name("threads_end");
	if (strcmp(name, "threads_last") == 0)
		run_last(name);
	if (strcmp(name, "threads_fault") == 0)
		return run_fault(name);
	return run_spawn(name);
}
