/*
 * ParkSpace capability (schema/thread.capnp): futex-like parking on a
 * 32-bit user word, keyed by (process, address), over lib/park_queue.
 *
 * wait reads the word through the caller's page tables and parks in the
 * same kernel entry: the kernel is not preemptible and has one CPU, so no
 * wake can run between the check and the sleep.  A park is a deferred
 * call (its CQ slot reserved) completed by a wake, its deadline (the
 * expire hook) or its thread's end (the process_exit hook, which drops
 * it).  A park with no deadline counts as WAIT_SIGNAL (only another thread
 * can end it), so threads all parked forever are a deadlock the
 * scheduler breaks.  Records come from the kernel heap, at most
 * PARK_PER_THREAD per thread.
 */
#include <capos/abi.h>

#include "api/dispatch.h"
#include "arch/x86_64/timer.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "cap/registry.h"
#include "format.h"
#include "log.h"
#include "mem/heap.h"
#include "cap/park_space.h"
#include "cap/pending.h"
#include "park_queue.h"
#include "proc/process.h"
#include "thread.capnp.h"

#define PARK_PER_THREAD 8u

/* One parked ParkSpace.wait: the queue's record (first, so park_finish
 * gets back the whole) and the call it answers. */
struct park_wait {
	struct park_waiter q;
	struct kcap_pending call;
};

static void park_finish(void *ctx, struct park_waiter *w, enum park_end why);
static const struct park_ops park_ops = {.finish = park_finish};
static struct park_queue queue = {.ops = &park_ops};
static uint64_t refused;

static struct park_space_object {
	int unused;
} the_park_space;
static void *park_boot_object(void) { return &the_park_space; }

static const struct kcall_method park_methods[] = {
	{thread_ParkSpace_wait_METHOD, "wait", {KCALL_FLAT(thread_ParkSpace_wait_Results), 0}},
	{thread_ParkSpace_wake_METHOD, "wake", {KCALL_FLAT(thread_ParkSpace_wake_Results), 0}},
};

static void park_finish(void *ctx, struct park_waiter *w, enum park_end why)
{
	(void)ctx;
	struct park_wait *pw = (struct park_wait *)w;
	struct process *p = pw->call.waiter;
	if (w->deadline == PARK_NO_DEADLINE)
		proc_wait_end(p, WAIT_SIGNAL);
	if (why != PARK_DROPPED) {
		uint64_t buf[4]; /* segment table, root pointer, one data word */
		struct capnp_builder b;
		size_t len = 0;
		capnp_builder_init(&b, buf, sizeof buf);
		thread_ParkSpace_wait_Results_set_woken(thread_ParkSpace_wait_Results_init_root(&b),
		                                        why == PARK_WOKEN);
		int32_t err = capnp_builder_finish(&b, &len) == CAPNP_OK ? CAPOS_OK
		                                                         : CAPOS_ERR_NO_RESOURCES;
		kcap_pending_complete(p, &pw->call, buf, (uint32_t)len, err);
	}
	kfree(pw);
}

/* arg: addr, expected / count, timeoutNs. */
static int park_decode(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == thread_ParkSpace_wait_METHOD) {
		thread_ParkSpace_wait_Params_reader r = thread_ParkSpace_wait_Params_read_root(&m);
		c->arg[0] = thread_ParkSpace_wait_Params_get_addr(r);
		c->arg[1] = thread_ParkSpace_wait_Params_get_expected(r);
		c->arg[2] = thread_ParkSpace_wait_Params_get_timeoutNs(r);
	} else {
		thread_ParkSpace_wake_Params_reader r = thread_ParkSpace_wake_Params_read_root(&m);
		c->arg[0] = thread_ParkSpace_wake_Params_get_addr(r);
		c->arg[1] = thread_ParkSpace_wake_Params_get_count(r);
	}
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if ((c->arg[0] & 3) != 0 || c->arg[0] >= CAPOS_USER_END)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "ParkSpace: address not 4-byte aligned or outside the user half");
	return CAPOS_OK;
}

static int bool_result(struct kcap_call *c, bool woken)
{
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	thread_ParkSpace_wait_Results_set_woken(thread_ParkSpace_wait_Results_init_root(&b), woken);
	return kcap_result_end(c, &b);
}

static int park_wait(struct kcap_call *c)
{
	struct process *p = c->caller;
	uint32_t word;
	if (user_copy_in(p, &word, c->arg[0], sizeof word) != CAPOS_OK) {
		refused++;
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "ParkSpace.wait: address not readable");
	}
	if (word != (uint32_t)c->arg[1] || c->arg[2] == 0)
		return bool_result(c, false);
	if (park_count_owner(&queue, p) >= PARK_PER_THREAD) {
		refused++;
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "ParkSpace.wait: 8 waits already pending for this thread");
	}
	struct park_wait *pw = kzalloc(sizeof(*pw));
	if (pw == 0) {
		refused++;
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "ParkSpace.wait: out of kernel memory");
	}
	struct park_waiter *w = &pw->q;
	w->space = p->leader;
	w->addr = c->arg[0];
	w->owner = p;
	w->deadline = c->arg[2] == UINT64_MAX ? PARK_NO_DEADLINE : timer_arm_after(c->arg[2]);
	kcap_pending_take(&pw->call, c);
	if (w->deadline == PARK_NO_DEADLINE)
		proc_wait_begin(p, WAIT_SIGNAL);
	park_enqueue(&queue, w);
	return KCAP_CALL_DEFERRED;
}

static int park_wake_call(struct kcap_call *c)
{
	uint32_t n = park_wake(&queue, c->caller->leader, c->arg[0], (uint32_t)c->arg[1]);
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	thread_ParkSpace_wake_Results_set_woken(thread_ParkSpace_wake_Results_init_root(&b), n);
	return kcap_result_end(c, &b);
}

static int park_perform(void *object, struct kcap_call *c)
{
	(void)object;
	if (c->method_id == thread_ParkSpace_wait_METHOD)
		return park_wait(c);
	return park_wake_call(c);
}

static uint64_t park_expire_hook(uint64_t now) { return park_expire(&queue, now); }

static void park_process_exit(struct process *p)
{
	uint32_t n = park_drop_owner(&queue, p);
	if (n)
		kprintf("park: pid %u '%s' ended with %u waits parked: dropped\n", p->pid, p->name, n);
}

static void park_describe_waits(const struct process *p, char *buf, size_t len)
{
	uint32_t n = park_count_owner(&queue, p);
	if (n)
		format_append(buf, len, "; %u ParkSpace.wait", n);
}

/* thread_exit's clear word (include/capos/abi.h): zeroed, then one thread
 * parked on it is woken, as Linux does for CLONE_CHILD_CLEARTID.  A word
 * that is misaligned, outside the user half or not writable is skipped
 * and counted: the thread still ends. */
void park_space_exit_word(struct process *p, uint64_t addr)
{
	static const uint32_t zero;
	if (addr == 0)
		return;
	if ((addr & 3) != 0 || addr >= CAPOS_USER_END ||
	    user_copy_out(p, addr, &zero, sizeof zero) != CAPOS_OK) {
		refused++;
		kprintf("park: pid %u '%s' thread_exit clear word %lx not writable: skipped\n",
		        p->pid, p->name, addr);
		return;
	}
	park_wake(&queue, p->leader, addr, 1);
}

unsigned park_space_log_counts(void)
{
	unsigned pending = park_count(&queue);
	kprintf("park: %lu parked: %lu woken, %lu timed out, %lu dropped, %lu refused, %u pending\n",
	        queue.parked, queue.woken, queue.timed_out, queue.dropped, refused, pending);
	return pending;
}

const struct kcap_type kcap_park_space_type = {
	.kind = KCAP_PARK_SPACE,
	KCAP_METHODS(park_methods),
	.decode = park_decode,
	.perform = park_perform,
	.drop = 0, /* static object */
	.transferable = true,
	.retain = 0,
	.process_exit = park_process_exit,
	.expire = park_expire_hook,
	.describe_waits = park_describe_waits,
	.boot_object = park_boot_object,
};
