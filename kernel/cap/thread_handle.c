/*
 * ThreadHandle capability (see thread_handle.h).  join is a deferred call
 * (its CQ slot reserved) completed by the thread's end, which the
 * process_exit hook sees for every thread that ends (thread_release).
 */
#include "cap/thread_handle.h"

#include <capos/abi.h>

#include "api/dispatch.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "cap/pending.h"
#include "cap/registry.h"
#include "format.h"
#include "log.h"
#include "mem/heap.h"
#include "proc/process.h"
#include "thread.capnp.h"

struct thread_handle {
	struct thread_handle *next;
	uint32_t refs;          /* capability table references  */
	struct process *thread; /* NULL once the thread ended   */
	uint32_t tid;
	bool ended, killed;
	int64_t status;
	struct kcap_pending join; /* the pending join (waiter NULL: none) */
};

static struct thread_handle *handles;
static unsigned live;

static void handle_maybe_free(struct thread_handle *h)
{
	if (h->refs || h->thread || h->join.waiter)
		return;
	for (struct thread_handle **pp = &handles; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	live--;
	kfree(h);
}

int thread_handle_create(struct cap_entry *out)
{
	struct thread_handle *h = kzalloc(sizeof(*h));
	if (h == 0)
		return CAPOS_ERR_NO_RESOURCES;
	h->refs = 1;
	h->next = handles;
	handles = h;
	live++;
	*out = (struct cap_entry){
		.object = h,
		.interface_id = thread_ThreadHandle_ID,
		.type = KCAP_THREAD_HANDLE,
	};
	return CAPOS_OK;
}

void thread_handle_bind(const struct cap_entry *e, struct process *t)
{
	struct thread_handle *h = e->object;
	h->thread = t;
	h->tid = t->pid;
}

unsigned thread_handle_live(void) { return live; }

static size_t join_result(const struct thread_handle *h, void *buf, size_t cap)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, buf, cap);
	thread_ThreadHandle_join_Results_builder r = thread_ThreadHandle_join_Results_init_root(&b);
	thread_ThreadHandle_join_Results_set_status(r, h->status);
	thread_ThreadHandle_join_Results_set_killed(r, h->killed);
	return capnp_builder_finish(&b, &len) == CAPNP_OK ? len : 0;
}

static void finish_join(struct thread_handle *h, int32_t error)
{
	struct process *w = kcap_pending_end(&h->join);
	if (w == 0)
		return;
	proc_wait_end(w, WAIT_CHILD);
	uint64_t buf[4];
	size_t len = error == CAPOS_OK ? join_result(h, buf, sizeof(buf)) : 0;
	kcap_pending_complete(w, &h->join, buf, (uint32_t)len, error);
}

/* A thread is ending: record its status and answer its join; forget it
 * as a waiter. */
static void handle_process_exit(struct process *p)
{
	struct thread_handle *next;
	for (struct thread_handle *h = handles; h; h = next) {
		next = h->next;
		if (kcap_pending_is(&h->join, p)) {
			h->join.waiter = 0;
			proc_wait_end(p, WAIT_CHILD);
		}
		if (h->thread && h->thread == p && h->tid == p->pid) {
			h->thread = 0;
			h->ended = true;
			h->killed = p->killed;
			h->status = p->killed ? -1 : p->exit_code;
			finish_join(h, CAPOS_OK);
		}
		handle_maybe_free(h);
	}
}

static void handle_describe_waits(const struct process *p, char *buf, size_t len)
{
	for (struct thread_handle *h = handles; h; h = h->next)
		if (kcap_pending_is(&h->join, p))
			format_append(buf, len, "; ThreadHandle.join of thread %u", h->tid);
}

static const struct kcall_method handle_methods[] = {
	{thread_ThreadHandle_join_METHOD, "join", {KCALL_FLAT(thread_ThreadHandle_join_Results), 0}},
};

static int handle_decode(void *object, struct kcap_call *c)
{
	(void)object;
	(void)c;
	return CAPOS_OK;
}

static int handle_perform(void *object, struct kcap_call *c)
{
	struct thread_handle *h = object;
	if (h->ended) {
		size_t len = join_result(h, c->result, c->result_cap);
		if (len == 0)
			return CAPOS_ERR_NO_RESOURCES;
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	if (h->join.waiter != 0)
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "ThreadHandle.join: a join is already pending");
	if (h->thread == c->caller)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "ThreadHandle.join: a thread cannot join itself");
	kcap_pending_take(&h->join, c);
	proc_wait_begin(c->caller, WAIT_CHILD);
	return KCAP_CALL_DEFERRED;
}

static void handle_drop(void *object)
{
	struct thread_handle *h = object;
	if (h->refs > 0)
		h->refs--;
	if (h->refs == 0 && h->join.waiter != 0)
		finish_join(h, CAPOS_ERR_DISCONNECTED); /* released while joining */
	if (h->refs == 0 && h->thread)
		kprintf("proc: thread %u detached\n", h->tid);
	handle_maybe_free(h);
}

static void handle_retain(void *object) { ((struct thread_handle *)object)->refs++; }

const struct kcap_type kcap_thread_handle_type = {
	.kind = KCAP_THREAD_HANDLE,
	KCAP_METHODS(handle_methods),
	.decode = handle_decode,
	.perform = handle_perform,
	.drop = handle_drop,
	.transferable = false, /* a join belongs to the process that spawned */
	.retain = handle_retain,
	.process_exit = handle_process_exit,
	.describe_waits = handle_describe_waits,
	.boot_object = 0,
};
