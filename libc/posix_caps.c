/*
 * The POSIX personality bound to the process's capabilities: the console
 * (capos_rt.console), VirtualMemory ("virtual_memory"), the Timer and the
 * EntropySource of the CapSet (runtime/timer.c), ParkSpace and
 * ThreadSpawner ("parkSpace", "threadSpawner": futex and threads,
 * libc/threads.c), and exit.  Each cap is
 * looked up on first use; a missing one makes its calls fail with ENOSYS.
 */
#include <capos/rt.h>
#include <capos/thread.h>
#include <capos/virtual_memory.h>
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "posix.h"

static int console_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	(void)fd; /* stdout and stderr share the console */
	if (!capos_rt.has_console)
		return CAPOS_ERR_BAD_CAP;
	return capos_console_write(&capos_rt.console, buf, len, NULL);
}

static int open_vm(struct capos_vm *vm)
{
	if (capos_rt.capset_status != CAPOS_CAPSET_OK)
		return CAPOS_ERR_BAD_CAP;
	return capos_vm_open(vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory");
}

static int vm_map(void *ctx, uint64_t size, uint32_t prot, uint64_t *addr)
{
	(void)ctx;
	struct capos_vm vm;
	int err = open_vm(&vm);
	return err != 0 ? err : capos_vm_map(&vm, 0, size, prot, addr, NULL);
}

static int vm_unmap(void *ctx, uint64_t addr, uint64_t size)
{
	(void)ctx;
	struct capos_vm vm;
	int err = open_vm(&vm);
	return err != 0 ? err : capos_vm_unmap(&vm, addr, size, NULL);
}

static int vm_protect(void *ctx, uint64_t addr, uint64_t size, uint32_t prot)
{
	(void)ctx;
	struct capos_vm vm;
	int err = open_vm(&vm);
	return err != 0 ? err : capos_vm_protect(&vm, addr, size, prot, NULL);
}

static int clock_ns(void *ctx, uint64_t *ns)
{
	(void)ctx;
	if (capos_default_timer() == NULL)
		return CAPOS_ERR_BAD_CAP;
	int64_t t = capos_clock_ns();
	if (t < 0)
		return (int)t;
	*ns = (uint64_t)t;
	return 0;
}

static int sleep_ns(void *ctx, uint64_t ns)
{
	(void)ctx;
	return capos_default_timer() == NULL ? CAPOS_ERR_BAD_CAP : capos_nanosleep(ns);
}

static int entropy(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	return capos_default_entropy() == NULL ? CAPOS_ERR_BAD_CAP : capos_getentropy(buf, len);
}

struct capos_posix capos_posix;

/* Prints the unsupported calls (if any), flushes queued releases, ends
 * the process. */
static void posix_exit(void *ctx, int code)
{
	(void)ctx;
	char line[512];
	if (capos_posix_report(&capos_posix, line, sizeof(line)) > 0)
		capos_puts(line);
	capos_flush_releases();
	capos_exit(code);
}

static int park_wait(void *ctx, const volatile uint32_t *addr, uint32_t expected, uint64_t ns)
{
	(void)ctx;
	return capos_park_wait(addr, expected, ns, NULL);
}

static int park_wake(void *ctx, const volatile uint32_t *addr, uint32_t n)
{
	(void)ctx;
	return capos_park_wake(addr, n, NULL);
}

static uint32_t tid(void *ctx)
{
	(void)ctx;
	return capos_thread_self();
}

static void thread_exit(void *ctx, int code, int *clear_word)
{
	(void)ctx;
	capos_thread_exit_clear(code, (volatile uint32_t *)clear_word);
}

/* Written by the kernel for every detached thread's last call, read by
 * nobody: the thread's own memory is gone by then. */
static uint64_t unmap_result[512 / 8];

/* A detached thread's end: VirtualMemory.unmap of its own block goes on
 * its ring (the params on this frame, which the kernel reads before it
 * unmaps), then capos_thread_exit_entered runs it and ends the thread
 * without touching the block again.  If the call cannot be queued the
 * block stays mapped (logged). */
static void thread_exit_unmap(void *ctx, int code, int *clear_word, void *base, size_t size)
{
	(void)ctx;
	struct capos_vm vm;
	uint64_t arena[8];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_VirtualMemory_unmap_Params_builder p = capos_VirtualMemory_unmap_Params_init_root(&b);
	capos_VirtualMemory_unmap_Params_set_addr(p, (uint64_t)(uintptr_t)base);
	capos_VirtualMemory_unmap_Params_set_size(p, size);
	struct capos_sqe sqe = {
		.opcode = CAPOS_OP_CALL,
		.method_id = capos_VirtualMemory_unmap_METHOD,
		.addr = (uint64_t)(uintptr_t)arena,
		.result_addr = (uint64_t)(uintptr_t)unmap_result,
		.result_len = sizeof(unmap_result),
	};
	/* Posted completions first: the kernel takes an SQE only while the
	 * CQ has room. */
	if (open_vm(&vm) != 0 || capnp_builder_finish(&b, &len) != CAPNP_OK ||
	    capos_ring_reap(&capos_rt_ring) < 0) {
		capos_puts("posix: a detached thread's stack stays mapped: no VirtualMemory call");
		capos_thread_exit_clear(code, (volatile uint32_t *)clear_word);
	}
	sqe.cap_id = vm.cap.cap_id;
	sqe.len = (uint32_t)len;
	sqe.user_data = capos_ring_next_user_data(&capos_rt_ring);
	if (capos_ring_submit(&capos_rt_ring, &sqe) != 0) {
		capos_puts("posix: a detached thread's stack stays mapped: its ring is full");
		capos_thread_exit_clear(code, (volatile uint32_t *)clear_word);
	}
	capos_thread_exit_entered(code, (volatile uint32_t *)clear_word);
}

static const struct capos_posix_ops caps_ops = {
	.console_write = console_write,
	.vm_map = vm_map,
	.vm_unmap = vm_unmap,
	.vm_protect = vm_protect,
	.clock_ns = clock_ns,
	.sleep_ns = sleep_ns,
	.entropy = entropy,
	.exit = posix_exit,
	.park_wait = park_wait,
	.park_wake = park_wake,
	.tid = tid,
	.thread_exit = thread_exit,
	.thread_exit_unmap = thread_exit_unmap,
};

void capos_posix_init_caps(const struct capos_posix_file *files);
void capos_posix_init_caps(const struct capos_posix_file *files)
{
	capos_posix_init(&capos_posix, &caps_ops, files, capos_rt.pid);
}

/* Every musl system call arrives here (libc/arch/syscall_arch.h). */
long __capos_syscall(long n, long a, long b, long c, long d, long e, long f);
long __capos_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	const long args[6] = {a, b, c, d, e, f};
	return capos_posix_call(&capos_posix, n, args);
}
