/*
 * ProcessHandle capability (see process_handle.h).
 */
#include "cap/process_handle.h"

#include <capos/abi.h>

#include "api/dispatch.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "cap/pending.h"
#include "cap/registry.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "mem/kpool.h"
#include "proc/process.h"

struct process_handle {
	uint32_t refs;         /* capability table references              */
	struct process *child; /* NULL once the child is gone              */
	uint32_t pid;
	char name[PROC_NAME_MAX];
	uint64_t spawner_badge;
	bool exited;
	int64_t exit_code;
	bool killed;
	char kill_reason[PROC_REASON_MAX];
	struct kcap_pending wait; /* the one pending wait (waiter NULL: none) */
};

/* Live handles; one is freed when no cap, child or wait refers to it. */
static struct obj_pool handles = KPOOL_INIT("process handles", struct process_handle);

/* wait's result: the flat struct (root pointer, 2 data words, 1 pointer)
 * and the reason text, NUL included, padded to words. */
#define PROCESS_HANDLE_REASON_BYTES (8u * ((PROC_REASON_MAX + 7u) / 8u))
#define PROCESS_HANDLE_RESULT_BYTES \
	(KCALL_FLAT(capos_ProcessHandle_wait_Results) + PROCESS_HANDLE_REASON_BYTES)
#define PROCESS_HANDLE_RESULT_WORDS (PROCESS_HANDLE_RESULT_BYTES / 8u)
_Static_assert(PROCESS_HANDLE_RESULT_BYTES == CAPOS_WAIT_RESULT_BYTES,
               "abi.h's CAPOS_WAIT_RESULT_BYTES must match wait's result layout");

static void handle_maybe_free(struct process_handle *h)
{
	if (h->refs == 0 && h->child == 0 && h->wait.waiter == 0) {
		kprintf("proc: handle of pid %u '%s' freed\n", h->pid, h->name);
		kpool_free(&handles, h);
	}
}

int process_handle_create(struct process *child, uint64_t spawner_badge, struct cap_entry *out)
{
	struct process_handle *h = obj_pool_alloc(&handles);
	if (h == 0)
		return CAPOS_ERR_NO_RESOURCES;
	h->refs = 1;
	h->child = child;
	h->pid = child->pid;
	h->spawner_badge = spawner_badge;
	kstrlcpy(h->name, child->name, sizeof(h->name));
	*out = (struct cap_entry){
		.object = h,
		.interface_id = capos_ProcessHandle_ID,
		.type = KCAP_PROCESS_HANDLE,
	};
	return CAPOS_OK;
}

/* Writes wait's result message into buf; returns its length or 0. */
static size_t wait_result(const struct process_handle *h, void *buf, size_t cap)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, buf, cap);
	capos_ProcessHandle_wait_Results_builder r = capos_ProcessHandle_wait_Results_init_root(&b);
	capos_ProcessHandle_wait_Results_set_exitCode(r, h->exit_code);
	if (h->killed) {
		capos_ProcessHandle_wait_Results_set_killed(r, true);
		capos_ProcessHandle_wait_Results_set_killReason(r, h->kill_reason,
		                                                strlen(h->kill_reason));
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return 0;
	return len;
}

/* Posts the deferred wait's completion (result or error) to its waiter. */
static void finish_wait(struct process_handle *h, int32_t error)
{
	struct process *w = kcap_pending_end(&h->wait);
	if (w == 0)
		return;
	proc_wait_end(w, WAIT_CHILD);
	uint64_t buf[PROCESS_HANDLE_RESULT_WORDS];
	size_t len = error == CAPOS_OK ? wait_result(h, buf, sizeof(buf)) : 0;
	if (error == CAPOS_OK && len == 0)
		error = CAPOS_ERR_NO_RESOURCES; /* cannot happen: the buffer holds the longest */
	kcap_pending_complete(w, &h->wait, buf, (uint32_t)len, error);
}

/* process_destroy: p is going away.  Completes a pending wait on p's
 * handle with its exit code, and forgets p as a waiter. */
static void handle_process_exit(struct process *p)
{
	struct process_handle *h;
	for (uint32_t i = 0; (h = obj_pool_next(&handles, &i)); i++) {
		if (kcap_pending_is(&h->wait, p)) {
			h->wait.waiter = 0; /* the waiter itself is going */
			proc_wait_end(p, WAIT_CHILD);
		}
		if (h->child == p && h->pid == p->pid) {
			h->child = 0;
			h->exited = true;
			h->exit_code = p->killed ? -1 : p->exit_code;
			h->killed = p->killed;
			kstrlcpy(h->kill_reason, p->kill_reason, sizeof(h->kill_reason));
			if (h->wait.waiter)
				kprintf("proc: pid %u '%s' exit code %ld delivered to waiter pid %u\n",
				        h->pid, h->name, (long)h->exit_code, h->wait.waiter_pid);
			finish_wait(h, CAPOS_OK);
		}
		handle_maybe_free(h);
	}
}

unsigned process_handle_live(void) { return handles.live; }

unsigned process_handle_live_children(uint64_t spawner_badge)
{
	unsigned n = 0;
	const struct process_handle *h;
	for (uint32_t i = 0; (h = obj_pool_next(&handles, &i)); i++)
		n += h->child != 0 && h->spawner_badge == spawner_badge;
	return n;
}

/* The children p waits for (ProcessHandle.wait), for the watchdog. */
static void handle_describe_waits(const struct process *p, char *buf, size_t len)
{
	const struct process_handle *h;
	for (uint32_t i = 0; (h = obj_pool_next(&handles, &i)); i++) {
		if (kcap_pending_is(&h->wait, p))
			format_append(buf, len, "; ProcessHandle.wait for pid %u '%s'", h->pid, h->name);
	}
}

static const struct kcall_method handle_methods[] = {
	{capos_ProcessHandle_wait_METHOD, "wait", {PROCESS_HANDLE_RESULT_BYTES, 0}},
	{capos_ProcessHandle_kill_METHOD, "kill", {KCALL_FLAT(capos_ProcessHandle_kill_Results), 0}},
};

/* wait and kill take no params. */
static int handle_decode(void *object, struct kcap_call *c)
{
	(void)object;
	(void)c;
	return CAPOS_OK;
}

/* Answers at once if the child has exited, else later (finish_wait): the
 * result buffer was checked big enough now; if the waiter unmaps it
 * meanwhile, the completion says CAPOS_ERR_BAD_BUFFER (nothing is lost:
 * the exit code stays in the handle for the next wait). */
/* kill: the child is not running (the caller is; the kernel is not
 * preemptible), so it is destroyed here as the deadlock breaker does;
 * handle_process_exit records its end and answers a pending wait. */
static int handle_kill(struct process_handle *h, struct kcap_call *c)
{
	struct process *child = h->child;
	bool live = child != 0 && child->pid == h->pid && child->state != PROC_FREE;
	if (live) {
		char reason[PROC_REASON_MAX];
		format_snprintf(reason, sizeof reason, "killed by pid %u '%s' (ProcessHandle.kill)",
		                c->caller->pid, c->caller->name);
		process_mark_killed(child, reason);
		process_destroy(child);
	}
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	capos_ProcessHandle_kill_Results_builder r = capos_ProcessHandle_kill_Results_init_root(&b);
	capos_ProcessHandle_kill_Results_set_killed(r, live);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_NO_RESOURCES;
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static int handle_perform(void *object, struct kcap_call *c)
{
	struct process_handle *h = object;
	if (c->method_id == capos_ProcessHandle_kill_METHOD)
		return handle_kill(h, c);
	if (h->exited) {
		size_t len = wait_result(h, c->result, c->result_cap);
		if (len == 0)
			return CAPOS_ERR_NO_RESOURCES;
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	if (h->wait.waiter != 0)
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "ProcessHandle.wait: a wait is already pending");
	kcap_pending_take(&h->wait, c);
	proc_wait_begin(c->caller, WAIT_CHILD);
	return KCAP_CALL_DEFERRED;
}

static void handle_drop(void *object)
{
	struct process_handle *h = object;
	if (h->refs > 0)
		h->refs--;
	if (h->refs == 0 && h->wait.waiter != 0)
		finish_wait(h, CAPOS_ERR_DISCONNECTED); /* released while waiting */
	handle_maybe_free(h);
}

static void handle_retain(void *object) { ((struct process_handle *)object)->refs++; }

const struct kcap_type kcap_process_handle_type = {
	.kind = KCAP_PROCESS_HANDLE,
	KCAP_METHODS(handle_methods),
	.decode = handle_decode,
	.perform = handle_perform,
	.drop = handle_drop,
	.transferable = false, /* schema: not transferable */
	.retain = handle_retain,
	.process_exit = handle_process_exit,
	.describe_waits = handle_describe_waits,
	.boot_object = 0,
};
