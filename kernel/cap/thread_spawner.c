/*
 * ThreadSpawner capability (schema/thread.capnp): spawn starts a thread
 * in the caller's own process (kernel/proc/thread.c) and returns its
 * ThreadHandle.  A static, stateless object: the thread always joins the
 * process of the caller, so a copy passed to another process spawns there.
 */
#include <capos/abi.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "cap/registry.h"
#include "cap/thread_handle.h"
#include "log.h"
#include "proc/process.h"
#include "thread.capnp.h"

static struct thread_spawner {
	uint64_t spawned, refused;
} the_spawner;

static void *spawner_boot_object(void) { return &the_spawner; }

static const struct kcall_method spawner_methods[] = {
	{thread_ThreadSpawner_spawn_METHOD, "spawn", {KCALL_FLAT(thread_ThreadSpawner_spawn_Results), 1}},
};

/* A stack of the caller's own lies in the user half, aligned, of a
 * size the kernel accepts (thread_create checks it is mapped). */
static bool user_stack_ok(uint64_t base, uint64_t size)
{
	if (base == 0)
		return size <= CAPOS_THREAD_STACK_MAX;
	return base >= CAPOS_USER_MIN && base < CAPOS_USER_END &&
	       size >= CAPOS_THREAD_USER_STACK_MIN && size <= CAPOS_THREAD_USER_STACK_MAX &&
	       size <= CAPOS_USER_END - base && (base | size) % CAPOS_THREAD_USER_STACK_ALIGN == 0;
}

/* arg: entry, arg, stackSize, stackBase; data_len: tlsSize (checked by
 * thread_create); data: tlsBase, a user address or 0, never dereferenced
 * (it becomes the new thread's FS base). */
static int spawner_decode(void *object, struct kcap_call *c)
{
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	thread_ThreadSpawner_spawn_Params_reader r = thread_ThreadSpawner_spawn_Params_read_root(&m);
	c->arg[0] = thread_ThreadSpawner_spawn_Params_get_entry(r);
	c->arg[1] = thread_ThreadSpawner_spawn_Params_get_arg(r);
	c->arg[2] = thread_ThreadSpawner_spawn_Params_get_stackSize(r);
	c->arg[3] = thread_ThreadSpawner_spawn_Params_get_stackBase(r);
	uint64_t tls = thread_ThreadSpawner_spawn_Params_get_tlsSize(r);
	uint64_t tls_base = thread_ThreadSpawner_spawn_Params_get_tlsBase(r);
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (tls > CAPOS_THREAD_TLS_MAX || !user_stack_ok(c->arg[3], c->arg[2]) ||
	    c->arg[0] < CAPOS_USER_MIN || c->arg[0] >= CAPOS_USER_IMAGE_END ||
	    (tls_base != 0 && (tls_base < CAPOS_USER_MIN || tls_base >= CAPOS_USER_END)))
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "ThreadSpawner.spawn: entry outside the image, stack or TLS "
		                      "size out of range, a bad stack base or a non-user TLS base");
	const struct process *leader = c->caller->leader;
	if (leader->threads >= leader->quota.threads) {
		((struct thread_spawner *)object)->refused++;
		kprintf("proc: pid %u '%s' thread refused: the process's quota of %u threads\n",
		        c->caller->pid, c->caller->name, leader->quota.threads);
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "ThreadSpawner.spawn: the process's thread quota is reached");
	}
	c->data_len = (uint32_t)tls;
	c->data = (const void *)(uintptr_t)tls_base;
	return CAPOS_OK;
}

static int spawner_perform(void *object, struct kcap_call *c)
{
	struct thread_spawner *s = object;
	struct cap_entry handle;
	if (thread_handle_create(&handle) != CAPOS_OK) {
		s->refused++;
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "ThreadSpawner.spawn: no memory for a handle");
	}
	int err;
	struct thread_spawn_args a = {
		.entry = c->arg[0],
		.arg = c->arg[1],
		.stack_size = c->arg[2],
		.stack_base = c->arg[3],
		.tls_size = c->data_len,
		.tls_base = (uint64_t)(uintptr_t)c->data,
	};
	struct process *t = thread_create(c->caller, &a, &err);
	if (t == 0) {
		kcap_drop(&handle);
		s->refused++;
		return kcap_exception(c,
		                      err == CAPOS_ERR_INVALID_ARGUMENT
		                              ? capos_CapException_Type_invalidArgument
		                              : capos_CapException_Type_overloaded,
		                      err == CAPOS_ERR_INVALID_ARGUMENT
		                              ? "ThreadSpawner.spawn: the stack is not mapped "
		                                "user-writable memory, or no room for the TLS"
		                              : "ThreadSpawner.spawn: refused (see the kernel log)");
	}
	thread_handle_bind(&handle, t);
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	thread_ThreadSpawner_spawn_Results_builder r =
		thread_ThreadSpawner_spawn_Results_init_root(&b);
	thread_ThreadSpawner_spawn_Results_set_tid(r, t->pid);
	thread_ThreadSpawner_spawn_Results_set_handleIndex(r, 0);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_NO_RESOURCES; /* cannot happen: the bound holds it */
	c->result_len = (uint32_t)len;
	c->caps[c->cap_count++] = handle;
	s->spawned++;
	return CAPOS_OK;
}

const struct kcap_type kcap_thread_spawner_type = {
	.kind = KCAP_THREAD_SPAWNER,
	KCAP_METHODS(spawner_methods),
	.decode = spawner_decode,
	.perform = spawner_perform,
	.drop = 0, /* static object */
	.transferable = true,
	.retain = 0,
	.boot_object = spawner_boot_object,
};
