/*
 * Notification capability (see notification.h).
 */
#include "cap/notification.h"

#include <capos/abi.h>

#include "api/dispatch.h"
#include "arch/x86_64/timer.h"
#include "capnp/capnp.h"
#include "cap/pending.h"
#include "cap/registry.h"
#include "capos.capnp.h"
#include "device.capnp.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "mem/kpool.h"
#include "proc/process.h"

#define FACET_MAGIC 0x4e4f5446u /* "NOTF" */

/* What a cap points at: the notification and which facet. */
struct facet {
	uint32_t magic;
	bool sender;
	struct notification *n;
};

struct notification {
	bool used; /* false once freed: the pool zeroes a freed object */
	uint32_t id;
	uint32_t refs;     /* caps of both facets + kernel bindings */
	uint32_t bindings; /* Interrupt.bind references (device waits) */
	uint64_t word;     /* pending bits */
	uint64_t signals;
	char who[PROC_NAME_MAX];
	struct facet full, send;
	/* The one pending wait (wait.waiter NULL: none). */
	struct kcap_pending wait;
	enum wait_kind wait_kind;
	uint64_t mask;
	uint64_t deadline; /* ktime_ns; UINT64_MAX: none */
};

static struct obj_pool notes = KPOOL_INIT("notifications", struct notification);
static uint32_t next_id = 1;

unsigned notification_live(void) { return notes.live; }

static struct cap_entry entry_of(struct facet *f)
{
	/* clang-format off */
	return (struct cap_entry){.object = f, .interface_id = device_Notification_ID,
	                          .type = KCAP_NOTIFICATION};
	/* clang-format on */
}

struct notification *notification_create(const char *who, struct cap_entry *out)
{
	struct notification *n = obj_pool_alloc(&notes);
	if (n == 0) {
		kprintf("notify: no memory for a notification for '%s' (%u live)\n", who,
		        notification_live());
		return 0;
	}
	n->used = true;
	n->id = next_id++;
	n->refs = 1;
	n->full = (struct facet){FACET_MAGIC, false, n};
	n->send = (struct facet){FACET_MAGIC, true, n};
	kstrlcpy(n->who, who, sizeof(n->who));
	*out = entry_of(&n->full);
	kprintf("notify: notification %u created for '%s' (%u live)\n", n->id, n->who,
	        notification_live());
	return n;
}

struct notification *notification_of(const struct cap_entry *e)
{
	if (e->type != KCAP_NOTIFICATION)
		return 0;
	const struct facet *f = e->object;
	return f->n;
}

static void put(struct notification *n)
{
	if (n->refs == 0)
		panic("notification %u: reference dropped below 0", n->id);
	if (--n->refs != 0)
		return;
	kprintf("notify: notification %u of '%s' freed (%lu signals)\n", n->id, n->who, n->signals);
	kpool_free(&notes, n);
}

/* wait's and poll's result message into buf; its length or 0. */
static size_t bits_result(uint16_t method, uint64_t bits, bool timed_out, void *buf, size_t cap)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, buf, cap);
	if (method == device_Notification_wait_METHOD) {
		device_Notification_wait_Results_builder r = device_Notification_wait_Results_init_root(&b);
		device_Notification_wait_Results_set_bits(r, bits);
		device_Notification_wait_Results_set_timedOut(r, timed_out);
	} else {
		device_Notification_poll_Results_set_bits(device_Notification_poll_Results_init_root(&b),
		                                          bits);
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return 0;
	return len;
}

/* Takes the pending bits within mask (0: all). */
static uint64_t take(struct notification *n, uint64_t mask)
{
	uint64_t got = n->word & (mask ? mask : ~UINT64_C(0));
	n->word &= ~got;
	return got;
}

/* Completes the pending wait with bits (0: timed out) or error, and
 * forgets it. */
static void finish_wait(struct notification *n, uint64_t bits, int32_t error)
{
	if (n->wait.waiter == 0)
		return;
	struct process *w = kcap_pending_end(&n->wait);
	if (w == 0) { /* cannot happen: process_exit forgot it */
		put(n);
		return;
	}
	proc_wait_end(w, n->wait_kind);
	uint64_t buf[8];
	size_t len = bits_result(device_Notification_wait_METHOD, bits, bits == 0, buf, sizeof buf);
	if (error == CAPOS_OK && len == 0)
		error = CAPOS_ERR_NO_RESOURCES; /* cannot happen: buf holds the result */
	kcap_pending_complete(w, &n->wait, buf, error ? 0 : (uint32_t)len, error);
	put(n); /* the wait's reference */
}

void notification_signal(struct notification *n, uint64_t bits)
{
	n->word |= bits;
	n->signals++;
	if (n->wait.waiter == 0)
		return;
	uint64_t got = take(n, n->mask);
	if (got)
		finish_wait(n, got, CAPOS_OK);
}

/* The kind a wait on n counts as: a device wait when an interrupt is bound. */
static enum wait_kind kind_of(const struct notification *n)
{
	return n->bindings ? WAIT_DEVICE : WAIT_SIGNAL;
}

/* A pending wait changes kind when a binding comes or goes. */
static void rekind(struct notification *n)
{
	if (n->wait.waiter == 0 || n->wait_kind == kind_of(n))
		return;
	proc_wait_end(n->wait.waiter, n->wait_kind);
	n->wait_kind = kind_of(n);
	proc_wait_begin(n->wait.waiter, n->wait_kind);
}

void notification_bind(struct notification *n)
{
	n->refs++;
	n->bindings++;
	rekind(n);
}

void notification_unbind(struct notification *n)
{
	n->bindings--;
	rekind(n);
	put(n);
}

/* process_destroy: forgets p's waits. */
static void notify_process_exit(struct process *p)
{
	struct notification *n;
	for (uint32_t i = 0; (n = obj_pool_next(&notes, &i)); i++) {
		if (!kcap_pending_is(&n->wait, p))
			continue;
		kprintf("notify: pid %u '%s' ended while waiting on notification %u: wait dropped\n",
		        p->pid, p->name, n->id);
		proc_wait_end(p, n->wait_kind);
		n->wait.waiter = 0;
		put(n);
	}
}

static uint64_t notify_expire(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct notification *n;
	for (uint32_t i = 0; (n = obj_pool_next(&notes, &i)); i++) {
		if (n->wait.waiter == 0 || n->deadline == UINT64_MAX)
			continue;
		if (now >= n->deadline)
			finish_wait(n, 0, CAPOS_OK); /* n may be freed: the walk goes by index */
		else if (n->deadline < next)
			next = n->deadline;
	}
	return next;
}

static void notify_describe_waits(const struct process *p, char *buf, size_t len)
{
	const struct notification *n;
	for (uint32_t i = 0; (n = obj_pool_next(&notes, &i)); i++) {
		if (kcap_pending_is(&n->wait, p))
			format_append(buf, len, "; Notification.wait on %u mask %lx%s", n->id, n->mask,
			              n->bindings ? " (interrupt bound)" : "");
	}
}

static const struct kcall_method notify_methods[] = {
	/* clang-format off */
	{device_Notification_signal_METHOD, "signal",
	 {KCALL_FLAT(device_Notification_signal_Results), 0}},
	{device_Notification_wait_METHOD, "wait", {KCALL_FLAT(device_Notification_wait_Results), 0}},
	{device_Notification_poll_METHOD, "poll", {KCALL_FLAT(device_Notification_poll_Results), 0}},
	{device_Notification_sender_METHOD, "sender",
	 {KCALL_FLAT(device_Notification_sender_Results), 1}},
};
/* clang-format on */

/* arg[0]: signal bits, wait/poll mask; arg[1]: wait timeoutNs. */
static int notify_decode(void *object, struct kcap_call *c)
{
	const struct facet *f = object;
	if (f->sender && c->method_id != device_Notification_signal_METHOD)
		return CAPOS_ERR_NOT_PERMITTED; /* a sender facet only signals */
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	switch (c->method_id) {
	case device_Notification_signal_METHOD:
		c->arg[0] = device_Notification_signal_Params_get_bits(
			device_Notification_signal_Params_read_root(&m));
		break;
	case device_Notification_wait_METHOD: {
		device_Notification_wait_Params_reader r = device_Notification_wait_Params_read_root(&m);
		c->arg[0] = device_Notification_wait_Params_get_mask(r);
		c->arg[1] = device_Notification_wait_Params_get_timeoutNs(r);
		break;
	}
	case device_Notification_poll_METHOD:
		c->arg[0] = device_Notification_poll_Params_get_mask(
			device_Notification_poll_Params_read_root(&m));
		break;
	default:
		break;
	}
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == device_Notification_signal_METHOD && c->arg[0] == 0)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "Notification.signal: bits must not be 0");
	return CAPOS_OK;
}

static int wait_perform(struct notification *n, struct kcap_call *c)
{
	uint64_t got = take(n, c->arg[0]);
	if (got) {
		size_t len = bits_result(c->method_id, got, false, c->result, c->result_cap);
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	if (n->wait.waiter != 0) /* process_exit forgets a dead waiter's */
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "Notification.wait: a wait is already pending");
	kcap_pending_take(&n->wait, c);
	n->mask = c->arg[0];
	n->deadline = UINT64_MAX;
	if (c->arg[1] != 0) {
		n->deadline = timer_arm_after(c->arg[1]);
	}
	n->wait_kind = kind_of(n);
	n->refs++; /* a wait keeps the notification (its caps may go meanwhile) */
	proc_wait_begin(c->caller, n->wait_kind);
	return KCAP_CALL_DEFERRED;
}

static int notify_perform(void *object, struct kcap_call *c)
{
	struct facet *f = object;
	struct notification *n = f->n;
	switch (c->method_id) {
	case device_Notification_signal_METHOD:
		notification_signal(n, c->arg[0]);
		return kcap_empty_result(c);
	case device_Notification_wait_METHOD:
		return wait_perform(n, c);
	case device_Notification_poll_METHOD: {
		size_t len = bits_result(c->method_id, take(n, c->arg[0]), false, c->result,
		                         c->result_cap);
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	default: { /* sender */
		struct capnp_builder b;
		size_t len = 0;
		capnp_builder_init(&b, c->result, c->result_cap);
		device_Notification_sender_Results_set_senderIndex(
			device_Notification_sender_Results_init_root(&b), 0);
		if (capnp_builder_finish(&b, &len) != CAPNP_OK)
			panic("Notification: result does not fit the kernel scratch");
		n->refs++;
		c->caps[0] = entry_of(&n->send);
		c->cap_count = 1;
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	}
}

static void notify_drop(void *object)
{
	struct facet *f = object;
	if (f->magic != FACET_MAGIC)
		panic("notification: drop of a bad facet %p", object);
	struct notification *n = f->n;
	put(n);
	/* The last cap went and no interrupt is bound: nothing can signal, so
	 * a pending wait (which holds the one reference left) ends now. */
	if (n->used && n->wait.waiter != 0 && n->refs == 1 && n->bindings == 0)
		finish_wait(n, 0, CAPOS_ERR_DISCONNECTED);
}

static void notify_retain(void *object) { ((struct facet *)object)->n->refs++; }

const struct kcap_type kcap_notification_type = {
	.kind = KCAP_NOTIFICATION,
	KCAP_METHODS(notify_methods),
	.decode = notify_decode,
	.perform = notify_perform,
	.drop = notify_drop,
	.transferable = true,
	.retain = notify_retain,
	.process_exit = notify_process_exit,
	.expire = notify_expire,
	.describe_waits = notify_describe_waits,
	.boot_object = 0, /* created per service by the boot code (manifest_boot.c) */
};
