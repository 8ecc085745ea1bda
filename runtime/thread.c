/*
 * Threads, parking and the locks built on it (capos/thread.h).
 */
#include <capos/rt.h>
#include <capos/thread.h>
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "thread.capnp.h"

#define MSG_WORDS    10u
#define RESULT_BYTES 512u /* room for a CapException */
#define SPIN_TRIES   64u  /* bounded spin before parking */

static _Thread_local uint32_t self_tid;

/* The process's ThreadSpawner and ParkSpace (by name, else by interface). */
static uint32_t find_cap(const char *name, uint64_t iface)
{
	const struct capos_capset *cs = &capos_rt.capset;
	const struct capos_capset_entry *e = capos_capset_find(cs, name, iface);
	if (e == NULL)
		e = capos_capset_find_interface(cs, iface);
	return e != NULL ? capos_cap_borrow(e).cap_id : UINT32_MAX;
}

static int call(uint32_t cap, uint16_t method, struct capnp_builder *b, uint64_t *result,
                struct capos_reply *reply, struct capnp_reader *m, struct capos_call_error *err)
{
	if (cap == UINT32_MAX)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	struct capos_call c = {
		.cap_id = cap,
		.method_id = method,
		.params = b->arena,
		.params_len = (uint32_t)len,
		.result = result,
		.result_cap = RESULT_BYTES,
	};
	int ret = capos_call(&capos_rt_ring, &c, reply, err);
	if (ret != 0)
		return ret;
	if (capnp_reader_init(m, result, reply->result_len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	return 0;
}

static int64_t enter_own(uint32_t min_complete, uint64_t timeout_ns, void *ctx)
{
	(void)ctx;
	return capos_cap_enter(min_complete, timeout_ns);
}

/* A new thread starts here (rdi = its ring page, rsi = arg, rdx = tid),
 * with its own ring kept on its own stack. */
static _Noreturn void thread_start(void *ring_page, struct capos_thread *t, uint64_t tid)
{
	struct capos_ring ring;
	if (capos_ring_init(&ring, ring_page, enter_own, NULL) != 0)
		capos_thread_exit(CAPOS_RT_EXIT_BAD_RING);
	capos_thread_ring = &ring;
	self_tid = (uint32_t)tid;
	capos_thread_exit(t->fn(t->arg));
}

int capos_thread_spawn(struct capos_thread *t, capos_thread_fn fn, void *arg, uint64_t stack_size,
                       struct capos_call_error *err)
{
	return capos_thread_spawn_tls(t, fn, arg, 0, stack_size, 0, err);
}

int capos_thread_spawn_tls(struct capos_thread *t, capos_thread_fn fn, void *arg,
                           uint64_t stack_base, uint64_t stack_size, uint64_t tls_base,
                           struct capos_call_error *err)
{
	static uint32_t spawner = UINT32_MAX - 1;
	if (spawner == UINT32_MAX - 1)
		spawner = find_cap("threadSpawner", thread_ThreadSpawner_ID);
	*t = (struct capos_thread){.fn = fn, .arg = arg};
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	struct capos_reply reply = {0};
	capnp_builder_init(&b, arena, sizeof(arena));
	thread_ThreadSpawner_spawn_Params_builder p = thread_ThreadSpawner_spawn_Params_init_root(&b);
	thread_ThreadSpawner_spawn_Params_set_entry(p, (uint64_t)(uintptr_t)thread_start);
	thread_ThreadSpawner_spawn_Params_set_arg(p, (uint64_t)(uintptr_t)t);
	thread_ThreadSpawner_spawn_Params_set_stackSize(p, stack_size);
	thread_ThreadSpawner_spawn_Params_set_tlsSize(p, 0);
	thread_ThreadSpawner_spawn_Params_set_tlsBase(p, tls_base);
	thread_ThreadSpawner_spawn_Params_set_stackBase(p, stack_base);
	int ret = call(spawner, thread_ThreadSpawner_spawn_METHOD, &b, result, &reply, &m, err);
	if (ret != 0)
		return ret;
	thread_ThreadSpawner_spawn_Results_reader r = thread_ThreadSpawner_spawn_Results_read_root(&m);
	uint32_t idx = thread_ThreadSpawner_spawn_Results_get_handleIndex(r);
	if (capnp_reader_error(&m) != CAPNP_OK || idx >= reply.cap_count)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	t->tid = thread_ThreadSpawner_spawn_Results_get_tid(r);
	t->handle_cap = reply.caps[idx].cap_id;
	return 0;
}

int capos_thread_join(struct capos_thread *t, int64_t *status, struct capos_call_error *err)
{
	if (t->joined)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	struct capos_reply reply = {0};
	capnp_builder_init(&b, arena, sizeof(arena));
	thread_ThreadHandle_join_Params_init_root(&b);
	int ret = call(t->handle_cap, thread_ThreadHandle_join_METHOD, &b, result, &reply, &m, err);
	if (ret != 0)
		return ret;
	thread_ThreadHandle_join_Results_reader r = thread_ThreadHandle_join_Results_read_root(&m);
	*status = thread_ThreadHandle_join_Results_get_status(r);
	if (capnp_reader_error(&m) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	capos_thread_detach(t);
	return 0;
}

void capos_thread_detach(struct capos_thread *t)
{
	if (t->joined)
		return;
	t->joined = true;
	/* Released at once on this thread's ring (the runtime's release
	 * queue belongs to the first thread). */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_RELEASE, .cap_id = t->handle_cap};
	sqe.user_data = capos_ring_next_user_data(&capos_rt_ring);
	struct capos_cqe cqe;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
}

_Noreturn void capos_thread_exit(int64_t status) { capos_thread_exit_clear(status, NULL); }

_Noreturn void capos_thread_exit_clear(int64_t status, volatile uint32_t *clear_word)
{
	/* clang-format off */
	__asm__ volatile("syscall"
	                 :
	                 : "a"((uint64_t)CAPOS_SYS_THREAD_EXIT), "D"(status), "S"(clear_word)
	                 : "rcx", "r11", "memory");
	/* clang-format on */
	for (;;)
		__asm__ volatile("pause");
}

_Noreturn void capos_thread_exit_entered(int64_t status, volatile uint32_t *clear_word)
{
	/* Both syscalls in one asm statement: between them the stack may be
	 * gone, and only these registers are used (the kernel keeps rbx and
	 * r12 across a syscall). */
	register volatile uint32_t *word __asm__("r12") = clear_word;
	/* clang-format off */
	__asm__ volatile("syscall\n\t"
	                 "mov %[exit], %%eax\n\t"
	                 "mov %%rbx, %%rdi\n\t"
	                 "mov %%r12, %%rsi\n\t"
	                 "syscall\n\t"
	                 "1: pause\n\t"
	                 "jmp 1b"
	                 :
	                 : "a"((uint64_t)CAPOS_SYS_CAP_ENTER), "D"((uint64_t)1),
	                   "S"((uint64_t)CAPOS_WAIT_FOREVER), "b"(status), "r"(word),
	                   [exit] "i"(CAPOS_SYS_THREAD_EXIT)
	                 : "rcx", "r11", "memory");
	/* clang-format on */
	__builtin_unreachable();
}

uint32_t capos_thread_self(void) { return self_tid ? self_tid : (uint32_t)capos_rt.pid; }

/* ---- ParkSpace ------------------------------------------------------ */

static uint32_t park_cap(void)
{
	static uint32_t cap = UINT32_MAX - 1;
	if (cap == UINT32_MAX - 1)
		cap = find_cap("parkSpace", thread_ParkSpace_ID);
	return cap;
}

int capos_park_wait(const volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns,
                    struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	struct capos_reply reply = {0};
	capnp_builder_init(&b, arena, sizeof(arena));
	thread_ParkSpace_wait_Params_builder p = thread_ParkSpace_wait_Params_init_root(&b);
	thread_ParkSpace_wait_Params_set_addr(p, (uint64_t)(uintptr_t)addr);
	thread_ParkSpace_wait_Params_set_expected(p, expected);
	thread_ParkSpace_wait_Params_set_timeoutNs(p, timeout_ns);
	int ret = call(park_cap(), thread_ParkSpace_wait_METHOD, &b, result, &reply, &m, err);
	if (ret != 0)
		return ret;
	bool woken = thread_ParkSpace_wait_Results_get_woken(thread_ParkSpace_wait_Results_read_root(&m));
	return woken ? 1 : 0;
}

int capos_park_wake(const volatile uint32_t *addr, uint32_t n, struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	struct capos_reply reply = {0};
	capnp_builder_init(&b, arena, sizeof(arena));
	thread_ParkSpace_wake_Params_builder p = thread_ParkSpace_wake_Params_init_root(&b);
	thread_ParkSpace_wake_Params_set_addr(p, (uint64_t)(uintptr_t)addr);
	thread_ParkSpace_wake_Params_set_count(p, n);
	int ret = call(park_cap(), thread_ParkSpace_wake_METHOD, &b, result, &reply, &m, err);
	if (ret != 0)
		return ret;
	return (int)thread_ParkSpace_wake_Results_get_woken(thread_ParkSpace_wake_Results_read_root(&m));
}

/* ---- mutex, condition variable, once -------------------------------- */

static uint32_t cas(volatile uint32_t *p, uint32_t expected, uint32_t desired)
{
	__atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	return expected; /* the value found */
}

bool capos_mutex_trylock(capos_mutex *m) { return cas(&m->state, 0, 1) == 0; }

void capos_mutex_lock(capos_mutex *m)
{
	for (unsigned i = 0; i < SPIN_TRIES; i++) {
		uint32_t v = cas(&m->state, 0, 1);
		if (v == 0)
			return;
		if (v == 2)
			break; /* others already wait: join them */
		__builtin_ia32_pause();
	}
	/* Mark it contended; whoever unlocks then wakes one waiter. */
	while (__atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE) != 0)
		capos_park_wait(&m->state, 2, UINT64_MAX, NULL);
}

void capos_mutex_unlock(capos_mutex *m)
{
	if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2)
		capos_park_wake(&m->state, 1, NULL);
}

int capos_cond_wait(capos_cond *c, capos_mutex *m, uint64_t timeout_ns)
{
	uint32_t seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
	capos_mutex_unlock(m);
	int r = capos_park_wait(&c->seq, seq, timeout_ns, NULL);
	capos_mutex_lock(m);
	/* 0 from a timeout while the sequence stayed: timed out. */
	if (r == 0 && timeout_ns != UINT64_MAX && __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) == seq)
		return CAPOS_ERR_TIMED_OUT;
	return 0;
}

void capos_cond_signal(capos_cond *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	capos_park_wake(&c->seq, 1, NULL);
}

void capos_cond_broadcast(capos_cond *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	capos_park_wake(&c->seq, UINT32_MAX, NULL);
}

void capos_once_run(capos_once *o, void (*fn)(void))
{
	if (__atomic_load_n(&o->state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (cas(&o->state, 0, 1) == 0) {
		fn();
		__atomic_store_n(&o->state, 2, __ATOMIC_RELEASE);
		capos_park_wake(&o->state, UINT32_MAX, NULL);
		return;
	}
	while (__atomic_load_n(&o->state, __ATOMIC_ACQUIRE) == 1)
		capos_park_wait(&o->state, 1, UINT64_MAX, NULL);
}
