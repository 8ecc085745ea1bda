/*
 * Timer capability (schema/time.capnp):
 *   now @0 () -> (ns)          ktime_ns(): the calibrated TSC clock
 *   sleep @1 (ns) -> ()        completes later, through the ring
 *   resolution @2 () -> (ns)   timer_resolution_ns()
 *
 * The object is static (every Timer cap points at it); what a process has
 * pending lives in the 'timer sleeps' pool (kernel/mem/kpool.h), one
 * record per Timer.sleep not yet completed.  How many a process may have
 * is bounded by its rings: each pending sleep holds a reserved CQ slot
 * (CAPOS_CQ_ENTRIES a ring); how many all processes have, by memory.  A sleep is a deferred kernel call (KCAP_CALL_DEFERRED): the
 * dispatcher reserved its CQ slot, the expire hook posts it once its
 * deadline has passed (the scheduler arms the timer for the earliest
 * deadline through kcap_expire), and process_exit drops what a dying
 * process still had.  A sleep with no end (ns = 2^64-1) is counted as a
 * wait (WAIT_SLEEP), so a system where nothing else can happen is seen
 * as deadlocked and the sleeper killed, not left hanging.
 */
#include "cap/timer.h"

#include <capos/abi.h>

#include "api/dispatch.h"
#include "arch/x86_64/timer.h"
#include "capnp/capnp.h"
#include "cap/pending.h"
#include "cap/registry.h"
#include "format.h"
#include "log.h"
#include "mem/kpool.h"
#include "proc/process.h"
#include "capos.capnp.h"
#include "time.capnp.h"

struct sleep_rec {
	struct kcap_pending call;
	uint64_t deadline; /* ktime_ns; UINT64_MAX: never */
};

/* Sleeps pending, all processes together: a record is freed when its
 * sleep completes or its process exits. */
static struct obj_pool sleeps = KPOOL_INIT("timer sleeps", struct sleep_rec);
static uint64_t begun, completed, dropped;

static struct timer_object {
	int unused;
} the_timer;
static void *timer_boot_object(void) { return &the_timer; }

static const struct kcall_method timer_methods[] = {
	{time_Timer_now_METHOD, "now", {KCALL_FLAT(time_Timer_now_Results), 0}},
	{time_Timer_sleep_METHOD, "sleep", {KCALL_FLAT(time_Timer_sleep_Results), 0}},
	{time_Timer_resolution_METHOD, "resolution", {KCALL_FLAT(time_Timer_resolution_Results), 0}},
};

static unsigned pending_of(const struct process *p)
{
	unsigned n = 0;
	struct sleep_rec *r;
	for (uint32_t i = 0; (r = obj_pool_next(&sleeps, &i)); i++)
		n += kcap_pending_is(&r->call, p);
	return n;
}

static void rec_free(struct sleep_rec *r)
{
	if (r->deadline == UINT64_MAX)
		proc_wait_end(r->call.waiter, WAIT_SLEEP);
	kpool_free(&sleeps, r);
}

/* Posts a sleep's (empty) result and frees its record. */
static void finish_sleep(struct sleep_rec *r)
{
	uint64_t buf[4];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, buf, sizeof buf);
	time_Timer_sleep_Results_init_root(&b);
	int32_t err = capnp_builder_finish(&b, &len) == CAPNP_OK ? CAPOS_OK : CAPOS_ERR_NO_RESOURCES;
	struct kcap_pending call = r->call;
	rec_free(r);
	completed++;
	kcap_pending_complete(call.waiter, &call, buf, (uint32_t)len, err);
}

/* sleep's ns in arg[0]; now and resolution take no params. */
static int timer_decode(void *object, struct kcap_call *c)
{
	(void)object;
	if (c->method_id != time_Timer_sleep_METHOD)
		return CAPOS_OK;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	c->arg[0] = time_Timer_sleep_Params_get_ns(time_Timer_sleep_Params_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	return CAPOS_OK;
}

static int result_u64(struct kcap_call *c, uint64_t v)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	/* now and resolution have the same layout: one UInt64 at offset 0. */
	if (c->method_id == time_Timer_now_METHOD)
		time_Timer_now_Results_set_ns(time_Timer_now_Results_init_root(&b), v);
	else
		time_Timer_resolution_Results_set_ns(time_Timer_resolution_Results_init_root(&b), v);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_NO_RESOURCES;
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static int timer_sleep(struct kcap_call *c)
{
	uint64_t ns = c->arg[0];
	if (ns == 0)
		return kcap_empty_result(c);
	struct process *p = c->caller;
	struct sleep_rec *r = obj_pool_alloc(&sleeps);
	if (r == 0)
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "Timer.sleep: no memory for a sleep record");
	kcap_pending_take(&r->call, c);
	r->deadline = timer_arm_after(ns);
	if (r->deadline == UINT64_MAX)
		proc_wait_begin(p, WAIT_SLEEP);
	begun++;
	return KCAP_CALL_DEFERRED;
}

static int timer_perform(void *object, struct kcap_call *c)
{
	(void)object;
	switch (c->method_id) {
	case time_Timer_now_METHOD:
		return result_u64(c, ktime_ns());
	case time_Timer_resolution_METHOD:
		return result_u64(c, timer_resolution_ns());
	default:
		return timer_sleep(c);
	}
}

/* Completes the sleeps whose deadline has passed; the earliest pending. */
static uint64_t timer_expire(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct sleep_rec *r;
	for (uint32_t i = 0; (r = obj_pool_next(&sleeps, &i)); i++) {
		if (r->deadline <= now)
			finish_sleep(r);
		else if (r->deadline < next)
			next = r->deadline;
	}
	return next;
}

static void timer_process_exit(struct process *p)
{
	unsigned n = 0;
	struct sleep_rec *r;
	for (uint32_t i = 0; (r = obj_pool_next(&sleeps, &i)); i++) {
		if (kcap_pending_is(&r->call, p)) {
			rec_free(r);
			n++;
		}
	}
	if (n) {
		dropped += n;
		kprintf("timer: pid %u '%s' ended with %u sleeps pending: dropped\n", p->pid, p->name,
		        n);
	}
}

static void timer_describe_waits(const struct process *p, char *buf, size_t len)
{
	unsigned n = pending_of(p);
	if (n)
		format_append(buf, len, "; %u Timer.sleep", n);
}

unsigned timer_sleeps_pending(void) { return sleeps.live; }

unsigned timer_cap_log_counts(void)
{
	unsigned pending = sleeps.live;
	kprintf("timer: %lu sleeps: %lu completed, %lu dropped at exit, %u pending\n", begun,
	        completed, dropped, pending);
	return pending;
}

const struct kcap_type kcap_timer_type = {
	.kind = KCAP_TIMER,
	KCAP_METHODS(timer_methods),
	.decode = timer_decode,
	.perform = timer_perform,
	.drop = 0, /* static object */
	.transferable = true,
	.retain = 0,
	.process_exit = timer_process_exit,
	.expire = timer_expire,
	.describe_waits = timer_describe_waits,
	.boot_object = timer_boot_object,
};
