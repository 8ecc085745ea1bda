/*
 * Endpoint IPC, the kernel side (see endpoint.h and docs/ipc.md): the
 * capability type (decode and perform of CALL, RECV and RETURN) and the
 * process hooks, over the state machine in lib/endpoint_sm.c with the
 * kernel's processes, user memory, capability transfer and completions
 * as its ops.
 */
#include "cap/endpoint.h"

#include <stdarg.h>

#include "api/dispatch.h"
#include "arch/x86_64/timer.h"
#include "cap/registry.h"
#include "cap/transfer.h"
#include "capos.capnp.h"
#include "format.h"
#include "log.h"
#include "proc/process.h"

/* An SQE's timeout_ns: 0 is none. */
static uint64_t deadline_of(uint64_t timeout_ns)
{
	return timeout_ns == 0 ? IPC_NO_DEADLINE : timer_arm_after(timeout_ns);
}

/* ---- the state machine's ops ---------------------------------------------- */

static uint32_t k_pid(const struct process *p) { return p->pid; }
static const char *k_name(const struct process *p) { return p->name; }
static struct cap_table *k_caps(struct process *p) { return proc_caps(p); }

static void k_xfer_counted(bool committed)
{
	if (committed)
		kxfer_stats.committed++;
	else
		kxfer_stats.rolled_back++;
}

static void k_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

static void k_panic(const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	panic("%s", msg);
}

static const struct ipc_ops kernel_ipc_ops = {
	.pid = k_pid,
	.name = k_name,
	.caps = k_caps,
	.copy_in = user_copy_in,
	.copy_out = user_copy_out,
	.check_writable = user_check_writable,
	.xfer_prepare = kxfer_prepare_sqe,
	.xfer = &kcap_xfer_ops,
	.xfer_counted = k_xfer_counted,
	.complete = api_complete,
	.wait_begin = proc_wait_begin,
	.wait_end = proc_wait_end,
	.log = k_log,
	.panic = k_panic,
};

/* The state machine itself, with direct calls to these ops (see
 * IPC_STATIC_OPS in lib/endpoint_sm.c; the host tests link it alone). */
#define IPC_STATIC_OPS kernel_ipc_ops
/* NOLINTNEXTLINE(bugprone-suspicious-include) */
#include "endpoint_sm.c"

/* What ipc_init sets, done statically: the IPC path never checks it. */
static struct ipc ipc = {.ops = &kernel_ipc_ops, .next_endpoint_id = 1};
#define the_ipc() (&ipc)

/* ---- objects and capabilities --------------------------------------------- */

struct endpoint *endpoint_create(const char *name) { return ipc_endpoint_create(the_ipc(), name); }

void endpoint_boot_release(struct endpoint *ep) { ipc_boot_release(the_ipc(), ep); }

static void owner_retain(void *object) { ipc_retain(object, true); }
static void client_retain(void *object) { ipc_retain(object, false); }
static void owner_drop(void *object) { ipc_drop(the_ipc(), object, true); }
static void client_drop(void *object) { ipc_drop(the_ipc(), object, false); }

/* ---- decode and perform ---------------------------------------------------- */

_Static_assert(IPC_LATER == KCAP_CALL_DEFERRED, "the state machine's 'later' is the registry's");

/* CALL on either facet; RECV and RETURN only on the owner side.  The
 * record the operation will use goes to perform in c->record. */
static int call_decode(struct endpoint *ep, struct kcap_call *c)
{
	struct ipc_call *rec = 0;
	int err = ipc_call_check(the_ipc(), c->caller, ep, c->sqe, &rec);
	c->record = rec;
	return err;
}

static int endpoint_decode(void *object, struct kcap_call *c)
{
	struct ipc_recv *recv = 0;
	struct ipc_call *call = 0;
	int err;
	switch (c->opcode) {
	case CAPOS_OP_CALL:
		return call_decode(object, c);
	case CAPOS_OP_RECV:
		err = ipc_recv_check(the_ipc(), c->caller, object, c->sqe, &recv);
		c->record = recv;
		return err;
	case CAPOS_OP_RETURN:
		err = ipc_return_check(the_ipc(), object, c->sqe, &call);
		c->record = call;
		return err;
	default:
		return CAPOS_ERR_NOT_PERMITTED;
	}
}

static int client_decode(void *object, struct kcap_call *c)
{
	if (c->opcode != CAPOS_OP_CALL)
		return CAPOS_ERR_NOT_PERMITTED; /* a client facet only calls */
	return call_decode(object, c);
}

static int endpoint_perform(void *object, struct kcap_call *c)
{
	switch (c->opcode) {
	case CAPOS_OP_CALL:
		return ipc_call_perform(the_ipc(), c->caller, object, c->record, c->badge, c->sqe,
		                        deadline_of(c->sqe->timeout_ns));
	case CAPOS_OP_RECV:
		return ipc_recv_perform(the_ipc(), c->caller, object, c->record, c->sqe,
		                        deadline_of(c->sqe->timeout_ns));
	default:
		return ipc_return_perform(the_ipc(), c->caller, c->record, c->sqe);
	}
}

/* ---- process hooks ----------------------------------------------------------- */

static void endpoint_process_exit(struct process *p) { ipc_process_exit(the_ipc(), p); }
static uint64_t endpoint_expire(uint64_t now) { return ipc_expire(the_ipc(), now); }

static void endpoint_describe_waits(const struct process *p, char *buf, size_t len)
{
	ipc_describe_waits(the_ipc(), p, buf, len);
}

unsigned endpoint_log_counts(const char *when)
{
	unsigned eps, nc, nr;
	ipc_counts(the_ipc(), &eps, &nc, &nr);
	kprintf("ipc: %s: %u endpoints, %u calls, %u receives live; transfers %lu committed, %lu "
	        "rolled back, %lu refused\n",
	        when, eps, nc, nr, kxfer_stats.committed, kxfer_stats.rolled_back,
	        kxfer_stats.refused);
	return eps + nc + nr;
}

unsigned endpoint_live_count(void)
{
	unsigned eps, nc, nr;
	ipc_counts(the_ipc(), &eps, &nc, &nr);
	return eps;
}

/* The owner side may CALL, RECV and RETURN; the client facet only CALL. */
const struct kcap_type kcap_endpoint_type = {
	.kind = KCAP_ENDPOINT,
	.by_process = true,
	.decode = endpoint_decode,
	.perform = endpoint_perform,
	/* Once for both facets: the records are the endpoint's, not a facet's. */
	.process_exit = endpoint_process_exit,
	.expire = endpoint_expire,
	.describe_waits = endpoint_describe_waits,
	.drop = owner_drop,
	.boot_object = 0,
	.transferable = true,
	.retain = owner_retain,
};

const struct kcap_type kcap_endpoint_client_type = {
	.kind = KCAP_ENDPOINT_CLIENT,
	.by_process = true,
	.decode = client_decode,
	.perform = endpoint_perform,
	.drop = client_drop,
	.boot_object = 0,
	.transferable = true,
	.retain = client_retain,
};
