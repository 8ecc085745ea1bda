/*
 * Endpoint IPC (see endpoint.h and docs/ipc.md).
 *
 * Everything is static: ENDPOINT_MAX endpoints, IPC_CALL_POOL call records
 * and IPC_RECV_POOL receive records shared by all endpoints, each endpoint
 * limited to ENDPOINT_CALLS_MAX calls and ENDPOINT_RECVS_MAX receives, so
 * one client cannot exhaust the pool for everybody.
 *
 * A call's params are not copied when it is queued: they are read from the
 * caller's memory when the call is delivered (the caller is blocked or at
 * least still alive: its queued calls are dropped when it exits).  Transfer
 * descriptors are validated and the moved slots reserved at CALL time, so
 * the sender cannot use or release a capability that is on its way.
 *
 * call_id = generation << 8 | pool index; generations never repeat within
 * 2^24 uses of a record, so a RETURN to an answered call is refused.
 *
 * Re-entrant drops: a queued call may carry the last reference to an
 * endpoint (even its own).  Ending the call drops it, which disconnects
 * that endpoint, which fails its calls.  So a record is always freed
 * before anything it carried is dropped (call_fail, endpoint_process_exit),
 * and a disconnection or orphaning found while another is running is only
 * marked and run afterwards by endpoint_settle's loop, so the kernel stack
 * depth does not grow with a user-built chain of endpoints.
 */
#include "cap/endpoint.h"

#include "arch/x86_64/timer.h"
#include "cap/registry.h"
#include "cap/transfer.h"
#include "capos.capnp.h"
#include "endpoint_queue.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "proc/proc_internal.h"
#include "proc/sched.h"

#define NS_PER_TICK (1000000000ull / TIMER_HZ)
_Static_assert(IPC_CALL_POOL <= (1u << EPQ_CALL_INDEX_BITS), "call index fits the id");
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

struct endpoint {
	bool used;
	uint32_t id;
	char name[CAPOS_CAP_NAME_MAX];
	uint32_t owner_refs;  /* KCAP_ENDPOINT slots                       */
	uint32_t client_refs; /* KCAP_ENDPOINT_CLIENT slots                */
	bool boot_ref;        /* held by the boot code while it grants     */
	bool disconnected;    /* no owner left: every call fails           */
	bool disconnect_due;  /* last owner dropped: endpoint_settle runs it */
	bool orphan_due;      /* last client dropped: endpoint_settle runs it */
	uint32_t calls;       /* queued + in flight                        */
	uint32_t recvs;
	struct epq queued;    /* calls waiting for a receive, oldest first */
	struct epq receives;  /* posted receives, oldest first             */
};

enum call_state { CALL_FREE = 0, CALL_QUEUED, CALL_INFLIGHT };

struct ipc_call {
	enum call_state state;
	uint32_t gen;
	struct endpoint *ep;
	struct process *caller; /* NULL: abandoned (caller exited or timed out) */
	int abandoned;          /* what a RETURN to an abandoned call gets      */
	struct process *server; /* in flight: who received it                   */
	uint64_t user_data;
	uint64_t params_addr;
	uint64_t result_addr;
	uint64_t badge;
	uint64_t deadline; /* tick; UINT64_MAX = none */
	uint32_t params_len;
	uint32_t result_len;
	uint16_t method_id;
	struct epq_node node; /* in ep->queued while QUEUED */
	struct xfer_plan xfer;
};

struct ipc_recv {
	bool used;
	struct endpoint *ep;
	struct process *server;
	uint64_t user_data;
	uint64_t result_addr;
	uint64_t deadline;
	uint32_t result_len;
	struct epq_node node; /* in ep->receives */
};

static struct endpoint endpoints[ENDPOINT_MAX];
static struct ipc_call calls[IPC_CALL_POOL];
static struct ipc_recv recvs[IPC_RECV_POOL];
static uint32_t next_endpoint_id = 1;

/* Delivery scratch: header + params + padding + cap records.  The kernel
 * is not preemptible and has one CPU: one delivery uses it at a time. */
static uint8_t ipc_buf[sizeof(struct capos_endpoint_message) + RING_MAX_PARAMS_LEN + 8 +
                       CAPOS_XFER_MAX * sizeof(struct capos_cap_record)]
	__attribute__((aligned(8)));

static uint64_t deadline_of(uint64_t timeout_ns)
{
	if (timeout_ns == 0)
		return UINT64_MAX;
	uint64_t ticks = timeout_ns / NS_PER_TICK + (timeout_ns % NS_PER_TICK ? 1 : 0);
	uint64_t now = timer_ticks();
	return ticks > UINT64_MAX - now - 1 ? UINT64_MAX : now + ticks;
}

/* ---- object lifetime ---------------------------------------------------- */

static void endpoint_maybe_free(struct endpoint *ep)
{
	if (!ep->used || ep->owner_refs || ep->client_refs || ep->boot_ref || ep->calls ||
	    ep->recvs || ep->disconnect_due || ep->orphan_due)
		return;
	kprintf("ipc: endpoint %u '%s' freed\n", ep->id, ep->name);
	memset(ep, 0, sizeof(*ep));
}

struct endpoint *endpoint_create(const char *name)
{
	for (unsigned i = 0; i < ENDPOINT_MAX; i++) {
		struct endpoint *ep = &endpoints[i];
		if (ep->used)
			continue;
		memset(ep, 0, sizeof(*ep));
		ep->used = true;
		ep->id = next_endpoint_id++;
		ep->boot_ref = true;
		kstrlcpy(ep->name, name, sizeof(ep->name));
		kprintf("ipc: endpoint %u '%s' created\n", ep->id, ep->name);
		return ep;
	}
	kprintf("ipc: endpoint '%s' refused: %u endpoints in use\n", name, ENDPOINT_MAX);
	return 0;
}

const char *endpoint_name(const struct endpoint *ep) { return ep->name; }

bool endpoint_is_cap(uint32_t type)
{
	return type == KCAP_ENDPOINT || type == KCAP_ENDPOINT_CLIENT;
}

int endpoint_grant(struct process *p, struct endpoint *ep, bool owner, uint32_t *cap_id)
{
	struct cap_entry e = {
		.object = ep,
		.interface_id = capos_Endpoint_ID,
		.type = owner ? KCAP_ENDPOINT : KCAP_ENDPOINT_CLIENT,
	};
	int err = cap_table_insert(&p->caps, &e, cap_id);
	if (err)
		return err;
	if (owner)
		ep->owner_refs++;
	else
		ep->client_refs++;
	return CAPOS_OK;
}

/* ---- records -------------------------------------------------------------- */

static void complete(struct process *p, uint64_t user_data, int32_t result, uint32_t flags)
{
	struct capos_cqe cqe = {.user_data = user_data, .result = result, .flags = flags};
	proc_complete(p, &cqe);
}

static void call_dequeue(struct ipc_call *c)
{
	if (c->state == CALL_QUEUED)
		(void)epq_remove(&c->ep->queued, &c->node);
}

static void call_free(struct ipc_call *c)
{
	struct endpoint *ep = c->ep;
	call_dequeue(c);
	/* Field by field: the record is large (the transfer plan) and this is
	 * on every round trip. */
	c->state = CALL_FREE;
	c->ep = 0;
	c->caller = 0;
	c->server = 0;
	c->abandoned = 0;
	c->xfer.count = 0;
	c->xfer.prepared = false;
	if (ep == 0)
		panic("ipc: freeing call record %u with no endpoint", (unsigned)(c - calls));
	ep->calls--;
	endpoint_maybe_free(ep);
}

/* Frees a queued call's record, then rolls back what it carried (moves
 * unreserved, copies dropped): a drop may re-enter this endpoint. */
static void call_free_then_abort(struct ipc_call *c)
{
	struct process *caller = c->caller;
	struct xfer_plan carried = c->xfer;
	c->xfer.prepared = false;
	call_free(c);
	xfer_abort(&caller->caps, &carried, &kcap_xfer_ops);
}

/* Fails a call to its caller (moves roll back, copies are dropped). */
static void call_fail(struct ipc_call *c, int err)
{
	if (c->caller)
		complete(c->caller, c->user_data, err, 0);
	if (c->state == CALL_QUEUED)
		call_free_then_abort(c);
	else
		call_free(c);
}

static void recv_free(struct ipc_recv *r)
{
	struct endpoint *ep = r->ep;
	if (ep == 0)
		panic("ipc: freeing receive record %u with no endpoint", (unsigned)(r - recvs));
	(void)epq_remove(&ep->receives, &r->node);
	r->used = false;
	r->ep = 0;
	r->server = 0;
	ep->recvs--;
	endpoint_maybe_free(ep);
}

static void recv_fail(struct ipc_recv *r, int err)
{
	complete(r->server, r->user_data, err, 0);
	recv_free(r);
}

static struct ipc_call *oldest_queued(struct endpoint *ep)
{
	struct epq_node *n = epq_head(&ep->queued);
	return n ? container_of(n, struct ipc_call, node) : 0;
}

static struct ipc_recv *oldest_recv(struct endpoint *ep)
{
	struct epq_node *n = epq_head(&ep->receives);
	return n ? container_of(n, struct ipc_recv, node) : 0;
}

/* ---- delivery ------------------------------------------------------------- */

/* Hands queued call c to posted receive r.  Either the call is delivered
 * (both consumed), or one of them failed and was completed with an error. */
static void deliver(struct ipc_call *c, struct ipc_recv *r)
{
	struct process *caller = c->caller, *server = r->server;
	if (caller == 0 || server == 0)
		panic("ipc: queued call or posted receive without its process");
	uint32_t n = c->xfer.count;
	uint64_t hdr = sizeof(struct capos_endpoint_message);
	uint64_t caps_at = hdr + capos_align8(c->params_len);
	uint64_t need = caps_at + (uint64_t)n * sizeof(struct capos_cap_record);
	if (need > r->result_len) {
		kprintf("ipc: endpoint '%s': call of %u bytes + %u caps does not fit the receive "
		        "buffer (%u bytes)\n",
		        c->ep->name, c->params_len, n, r->result_len);
		call_fail(c, CAPOS_ERR_RESULT_TOO_SMALL);
		return;
	}
	if (user_copy_in(caller, ipc_buf + hdr, c->params_addr, c->params_len) != CAPOS_OK) {
		call_fail(c, CAPOS_ERR_BAD_BUFFER);
		return;
	}
	/* With capabilities the buffer is checked before they move; without,
	 * the copy itself is the check (one page walk instead of two). */
	if (n != 0 && user_check_writable(server, r->result_addr, need) != CAPOS_OK) {
		recv_fail(r, CAPOS_ERR_BAD_BUFFER); /* the server unmapped its buffer */
		return;
	}
	struct capos_cap_record *rec = (struct capos_cap_record *)(ipc_buf + caps_at);
	int err = n ? xfer_commit(&caller->caps, &server->caps, &c->xfer, rec) : CAPOS_OK;
	if (err) {
		kprintf("ipc: endpoint '%s': transfer of %u caps to pid %u failed (%s), rolled back\n",
		        c->ep->name, n, server->pid, ring_error_name(err));
		kxfer_stats.rolled_back++;
		call_fail(c, err);
		return;
	}
	if (n)
		kxfer_stats.committed++;
	struct capos_endpoint_message *m = (struct capos_endpoint_message *)ipc_buf;
	*m = (struct capos_endpoint_message){
		.call_id = epq_call_id((uint32_t)(c - calls), c->gen),
		.method_id = c->method_id,
		.badge = c->badge,
		.params_len = c->params_len,
		.cap_count = n,
	};
	memset(ipc_buf + hdr + c->params_len, 0, caps_at - hdr - c->params_len);
	if (user_copy_out(server, r->result_addr, ipc_buf, need) != CAPOS_OK) {
		/* Only without capabilities (checked above otherwise): nothing
		 * moved, the call stays queued. */
		recv_fail(r, CAPOS_ERR_BAD_BUFFER);
		return;
	}

	struct capos_cqe cqe = {
		.user_data = r->user_data,
		.result = (int32_t)need,
		.cap_count = n,
		.call_id = m->call_id,
	};
	call_dequeue(c);
	c->state = CALL_INFLIGHT;
	c->server = server;
	recv_free(r);
	proc_complete(server, &cqe);
	sched_handoff(server);
}

static void endpoint_orphaned(struct endpoint *ep);

/* Pairs queued calls with posted receives, oldest first.  Receives still
 * posted when no client facet is left can never complete: they end. */
static void match(struct endpoint *ep)
{
	for (;;) {
		struct ipc_call *c = oldest_queued(ep);
		struct ipc_recv *r = c ? oldest_recv(ep) : 0;
		if (r == 0)
			break;
		deliver(c, r);
	}
	if (ep->client_refs == 0 && !ep->boot_ref && !ep->disconnected && oldest_recv(ep))
		endpoint_orphaned(ep);
}

/* ---- ring operations ------------------------------------------------------ */

bool endpoint_call(struct process *p, struct cap_entry *e, const struct capos_sqe *sqe,
                   struct capos_cqe *cqe)
{
	struct endpoint *ep = e->object;
	if (ep->disconnected) {
		cqe->result = CAPOS_ERR_DISCONNECTED;
		return true;
	}
	if (user_check_writable(p, sqe->result_addr, sqe->result_len) != CAPOS_OK) {
		cqe->result = CAPOS_ERR_BAD_BUFFER;
		return true;
	}
	struct ipc_call *c = 0;
	if (ep->calls < ENDPOINT_CALLS_MAX)
		for (unsigned i = 0; i < IPC_CALL_POOL && c == 0; i++)
			if (calls[i].state == CALL_FREE)
				c = &calls[i];
	if (c == 0) {
		kprintf("ipc: pid %u: call on endpoint '%s' refused: queue full (%u calls)\n",
		        p->pid, ep->name, ep->calls);
		cqe->result = CAPOS_ERR_NO_RESOURCES;
		return true;
	}
	int err = kxfer_prepare_sqe(p, sqe, &c->xfer);
	if (err) {
		cqe->result = err;
		return true;
	}
	c->gen = epq_next_gen(c->gen);
	c->state = CALL_QUEUED;
	c->ep = ep;
	c->caller = p;
	c->abandoned = 0;
	c->server = 0;
	c->user_data = sqe->user_data;
	c->params_addr = sqe->addr;
	c->params_len = sqe->len;
	c->result_addr = sqe->result_addr;
	c->result_len = sqe->result_len;
	c->method_id = sqe->method_id;
	c->badge = e->badge;
	c->deadline = deadline_of(sqe->timeout_ns);
	epq_push(&ep->queued, &c->node);
	ep->calls++;
	p->cq_reserved++;
	match(ep);
	return false;
}

bool endpoint_recv(struct process *p, struct cap_entry *e, const struct capos_sqe *sqe,
                   struct capos_cqe *cqe)
{
	struct endpoint *ep = e->object;
	if (e->type != KCAP_ENDPOINT) {
		cqe->result = CAPOS_ERR_NOT_PERMITTED; /* a client facet can only CALL */
		return true;
	}
	if (sqe->result_len < sizeof(struct capos_endpoint_message)) {
		cqe->result = CAPOS_ERR_RESULT_TOO_SMALL;
		return true;
	}
	/* The header must be writable now; the rest is checked for each call's
	 * size at delivery (the whole buffer is often pages long). */
	if (user_check_writable(p, sqe->result_addr, sizeof(struct capos_endpoint_message)) !=
	    CAPOS_OK) {
		cqe->result = CAPOS_ERR_BAD_BUFFER;
		return true;
	}
	if (ep->client_refs == 0 && !ep->boot_ref && oldest_queued(ep) == 0) {
		/* Nobody holds a client facet: no call can ever come. */
		cqe->result = CAPOS_ERR_DISCONNECTED;
		return true;
	}
	struct ipc_recv *r = 0;
	if (ep->recvs < ENDPOINT_RECVS_MAX)
		for (unsigned i = 0; i < IPC_RECV_POOL && r == 0; i++)
			if (!recvs[i].used)
				r = &recvs[i];
	if (r == 0) {
		cqe->result = CAPOS_ERR_NO_RESOURCES;
		return true;
	}
	*r = (struct ipc_recv){
		.used = true,
		.ep = ep,
		.server = p,
		.user_data = sqe->user_data,
		.result_addr = sqe->result_addr,
		.result_len = sqe->result_len,
		.deadline = deadline_of(sqe->timeout_ns),
	};
	epq_push(&ep->receives, &r->node);
	ep->recvs++;
	p->cq_reserved++;
	match(ep);
	return false;
}

static struct ipc_call *call_of(struct endpoint *ep, uint32_t call_id)
{
	uint32_t index = epq_call_index(call_id);
	if (index >= IPC_CALL_POOL)
		return 0;
	struct ipc_call *c = &calls[index];
	if (c->state != CALL_INFLIGHT || c->ep != ep || c->gen != epq_call_gen(call_id))
		return 0;
	return c;
}

/* The reply message is in ipc_buf (len bytes); plan holds the server's
 * prepared transfers.  Returns the RETURN's own result.  A reply is
 * delivered whole or not at all: when the caller's buffer cannot take it
 * (too small, not writable) no byte counts and no capability moves, and
 * both sides are told (the caller's CQE and the RETURN's carry the same
 * error; the call is over). */
static int reply(struct process *server, struct ipc_call *c, uint32_t len, bool exception,
                 struct xfer_plan *plan)
{
	struct process *caller = c->caller;
	uint32_t n = plan->count;
	struct capos_cqe cqe = {.user_data = c->user_data};
	if (exception) {
		cqe.flags = CAPOS_CQE_F_EXCEPTION;
		if (len > c->result_len ||
		    user_copy_out(caller, c->result_addr, ipc_buf, len) != CAPOS_OK)
			cqe.result = CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED;
		else
			cqe.result = CAPOS_ERR_APPLICATION_EXCEPTION;
	} else {
		uint64_t caps_at = capos_align8(len);
		uint64_t need = n ? caps_at + (uint64_t)n * sizeof(struct capos_cap_record) : len;
		if (c->result_len == 0 && n == 0) {
			cqe.result = 0; /* the caller asked for no result */
		} else if (need > c->result_len) {
			cqe.result = CAPOS_ERR_RESULT_TOO_SMALL;
		} else if (n == 0) {
			/* No capabilities: the copy itself checks the buffer. */
			cqe.result = user_copy_out(caller, c->result_addr, ipc_buf, len) == CAPOS_OK
			                 ? (int32_t)len
			                 : CAPOS_ERR_BAD_BUFFER;
		} else if (user_check_writable(caller, c->result_addr, need) != CAPOS_OK) {
			cqe.result = CAPOS_ERR_BAD_BUFFER;
		} else {
			struct capos_cap_record *rec = (struct capos_cap_record *)(ipc_buf + caps_at);
			int err = xfer_commit(&server->caps, &caller->caps, plan, rec);
			if (err) {
				kprintf("ipc: endpoint '%s': reply transfer of %u caps to pid %u failed "
				        "(%s), rolled back\n",
				        c->ep->name, n, caller->pid, ring_error_name(err));
				kxfer_stats.rolled_back++;
				xfer_abort(&server->caps, plan, &kcap_xfer_ops);
				return err; /* still in flight: the server may answer again */
			}
			kxfer_stats.committed++;
			memset(ipc_buf + len, 0, caps_at - len);
			(void)user_copy_out(caller, c->result_addr, ipc_buf, need);
			cqe.result = (int32_t)len;
			cqe.cap_count = n;
		}
	}
	xfer_abort(&server->caps, plan, &kcap_xfer_ops); /* no-op once committed */
	call_free(c);
	proc_complete(caller, &cqe);
	sched_handoff(caller);
	bool refused = cqe.result == CAPOS_ERR_RESULT_TOO_SMALL || cqe.result == CAPOS_ERR_BAD_BUFFER;
	if (!exception && refused)
		return cqe.result; /* not delivered: the server's caps stayed */
	return CAPOS_OK;
}

void endpoint_return(struct process *p, struct cap_entry *e, const struct capos_sqe *sqe,
                     struct capos_cqe *cqe)
{
	struct endpoint *ep = e->object;
	if (e->type != KCAP_ENDPOINT) {
		cqe->result = CAPOS_ERR_NOT_PERMITTED;
		return;
	}
	struct ipc_call *c = call_of(ep, sqe->call_id);
	if (c == 0) {
		cqe->result = CAPOS_ERR_BAD_CALL_ID;
		return;
	}
	if (c->caller == 0) {
		cqe->result = c->abandoned;
		call_free(c);
		return;
	}
	bool exception = (sqe->flags & CAPOS_SQE_EXCEPTION) != 0;
	if (user_copy_in(p, ipc_buf, sqe->addr, sqe->len) != CAPOS_OK) {
		cqe->result = CAPOS_ERR_BAD_BUFFER;
		return;
	}
	struct xfer_plan plan;
	int err = kxfer_prepare_sqe(p, sqe, &plan);
	if (err == CAPOS_OK && exception && plan.count) {
		xfer_abort(&p->caps, &plan, &kcap_xfer_ops);
		err = CAPOS_ERR_BAD_TRANSFER; /* an exception carries no capabilities */
	}
	if (err) {
		cqe->result = err;
		return;
	}
	cqe->result = reply(p, c, sqe->len, exception, &plan);
}

/* ---- teardown, disconnection, timeouts ----------------------------------- */

/* The last owner is gone: nobody can answer any more. */
static void endpoint_disconnect(struct endpoint *ep)
{
	ep->disconnected = true;
	unsigned failed = 0;
	ep->calls++; /* keep ep alive while its records go */
	for (unsigned i = 0; i < IPC_CALL_POOL; i++)
		if (calls[i].state != CALL_FREE && calls[i].ep == ep) {
			call_fail(&calls[i], CAPOS_ERR_DISCONNECTED);
			failed++;
		}
	for (unsigned i = 0; i < IPC_RECV_POOL; i++)
		if (recvs[i].used && recvs[i].ep == ep)
			recv_fail(&recvs[i], CAPOS_ERR_DISCONNECTED);
	kprintf("ipc: endpoint %u '%s' disconnected (no owner left): %u calls failed\n", ep->id,
	        ep->name, failed);
	ep->calls--;
	endpoint_maybe_free(ep);
}

/* No client facet is left: receives waiting for a call can never finish. */
static void endpoint_orphaned(struct endpoint *ep)
{
	if (oldest_queued(ep) != 0)
		return;
	ep->recvs++; /* keep ep alive while its records go */
	for (unsigned i = 0; i < IPC_RECV_POOL; i++)
		if (recvs[i].used && recvs[i].ep == ep)
			recv_fail(&recvs[i], CAPOS_ERR_DISCONNECTED);
	ep->recvs--;
	endpoint_maybe_free(ep);
}

/* Runs every due disconnection and orphaning, including those that the
 * running ones cause, one after another.  Nested calls only mark. */
static void endpoint_settle(void)
{
	static bool settling;
	if (settling)
		return;
	settling = true;
	for (bool again = true; again;) {
		again = false;
		for (unsigned i = 0; i < ENDPOINT_MAX; i++) {
			struct endpoint *ep = &endpoints[i];
			if (ep->disconnect_due) {
				ep->disconnect_due = false;
				ep->orphan_due = false;
				endpoint_disconnect(ep);
				again = true;
			} else if (ep->orphan_due) {
				ep->orphan_due = false;
				if (!ep->disconnected)
					endpoint_orphaned(ep);
				endpoint_maybe_free(ep);
				again = true;
			}
		}
	}
	settling = false;
}

void endpoint_boot_release(struct endpoint *ep)
{
	ep->boot_ref = false;
	if (ep->owner_refs == 0)
		ep->disconnect_due = true;
	else if (ep->client_refs == 0)
		ep->orphan_due = true;
	endpoint_settle();
	endpoint_maybe_free(ep);
}

static void owner_retain(void *object) { ((struct endpoint *)object)->owner_refs++; }
static void client_retain(void *object) { ((struct endpoint *)object)->client_refs++; }

static void owner_drop(void *object)
{
	struct endpoint *ep = object;
	if (--ep->owner_refs == 0 && !ep->boot_ref)
		ep->disconnect_due = true;
	endpoint_settle();
	endpoint_maybe_free(ep);
}

static void client_drop(void *object)
{
	struct endpoint *ep = object;
	if (--ep->client_refs == 0 && !ep->boot_ref && !ep->disconnected)
		ep->orphan_due = true;
	endpoint_settle();
	endpoint_maybe_free(ep);
}

void endpoint_process_exit(struct process *p)
{
	for (unsigned i = 0; i < IPC_CALL_POOL; i++) {
		struct ipc_call *c = &calls[i];
		if (c->state == CALL_QUEUED && c->caller == p) {
			call_free_then_abort(c);
			continue;
		}
		if (c->state == CALL_INFLIGHT && c->caller == p) {
			c->caller = 0;
			c->abandoned = CAPOS_ERR_DISCONNECTED;
		}
		if (c->state == CALL_INFLIGHT && c->server == p) {
			/* Nobody will answer it now. */
			if (c->caller)
				kprintf("ipc: pid %u exited serving a call of pid %u on '%s': caller gets "
				        "DISCONNECTED\n",
				        p->pid, c->caller->pid, c->ep->name);
			call_fail(c, CAPOS_ERR_DISCONNECTED);
		}
	}
	for (unsigned i = 0; i < IPC_RECV_POOL; i++)
		if (recvs[i].used && recvs[i].server == p)
			recv_free(&recvs[i]);
}

bool endpoint_only_receiving(struct process *p)
{
	for (unsigned i = 0; i < IPC_CALL_POOL; i++)
		if (calls[i].state != CALL_FREE && calls[i].caller == p)
			return false;
	for (unsigned i = 0; i < IPC_RECV_POOL; i++)
		if (recvs[i].used && recvs[i].server == p)
			return true;
	return false;
}

void endpoint_describe_waits(const struct process *p, char *buf, size_t len)
{
	for (unsigned i = 0; i < IPC_CALL_POOL; i++) {
		const struct ipc_call *c = &calls[i];
		if (c->state == CALL_FREE || c->caller != p)
			continue;
		if (c->state == CALL_QUEUED)
			format_append(buf, len, "; call to endpoint %u '%s' (queued: nobody receives)",
			              c->ep->id, c->ep->name);
		else
			format_append(buf, len, "; call to endpoint %u '%s' (received by pid %u '%s', "
			              "not answered)", c->ep->id, c->ep->name,
			              c->server ? c->server->pid : 0, c->server ? c->server->name : "?");
	}
	for (unsigned i = 0; i < IPC_CALL_POOL; i++) {
		const struct ipc_call *c = &calls[i];
		if (c->state == CALL_INFLIGHT && c->server == p && c->caller != 0)
			format_append(buf, len, "; owes an answer on endpoint %u '%s' to pid %u '%s'",
			              c->ep->id, c->ep->name, c->caller->pid, c->caller->name);
	}
	for (unsigned i = 0; i < IPC_RECV_POOL; i++) {
		const struct ipc_recv *r = &recvs[i];
		if (r->used && r->server == p)
			format_append(buf, len, "; recv on endpoint %u '%s'", r->ep->id, r->ep->name);
	}
}

bool endpoint_serving(struct process *p)
{
	for (unsigned i = 0; i < IPC_CALL_POOL; i++)
		if (calls[i].state == CALL_INFLIGHT && calls[i].server == p && calls[i].caller != 0)
			return true;
	return false;
}

bool endpoint_expire(uint64_t now)
{
	bool pending = false;
	for (unsigned i = 0; i < IPC_CALL_POOL; i++) {
		struct ipc_call *c = &calls[i];
		if (c->state == CALL_FREE || c->caller == 0 || c->deadline == UINT64_MAX)
			continue;
		if (now < c->deadline) {
			pending = true;
		} else if (c->state == CALL_QUEUED) {
			call_fail(c, CAPOS_ERR_TIMED_OUT);
		} else {
			/* In flight: the caller stops waiting; the server's RETURN
			 * will be told. */
			complete(c->caller, c->user_data, CAPOS_ERR_TIMED_OUT, 0);
			c->caller = 0;
			c->abandoned = CAPOS_ERR_TIMED_OUT;
		}
	}
	for (unsigned i = 0; i < IPC_RECV_POOL; i++) {
		struct ipc_recv *r = &recvs[i];
		if (!r->used || r->deadline == UINT64_MAX)
			continue;
		if (now < r->deadline)
			pending = true;
		else
			recv_fail(r, CAPOS_ERR_TIMED_OUT);
	}
	return pending;
}

unsigned endpoint_log_counts(const char *when)
{
	unsigned eps = 0, nc = 0, nr = 0;
	for (unsigned i = 0; i < ENDPOINT_MAX; i++)
		eps += endpoints[i].used;
	for (unsigned i = 0; i < IPC_CALL_POOL; i++)
		nc += calls[i].state != CALL_FREE;
	for (unsigned i = 0; i < IPC_RECV_POOL; i++)
		nr += recvs[i].used;
	kprintf("ipc: %s: %u endpoints, %u calls, %u receives live; transfers %lu committed, %lu "
	        "rolled back, %lu refused\n",
	        when, eps, nc, nr, kxfer_stats.committed, kxfer_stats.rolled_back,
	        kxfer_stats.refused);
	return eps + nc + nr;
}

const struct kcap_type kcap_endpoint_type = {
	.kind = KCAP_ENDPOINT,
	.name = "endpoint",
	.interface_id = capos_Endpoint_ID,
	.perform = 0, /* ring opcodes, see ring_dispatch.c */
	.drop = owner_drop,
	.boot_object = 0,
	.transferable = true,
	.retain = owner_retain,
};

const struct kcap_type kcap_endpoint_client_type = {
	.kind = KCAP_ENDPOINT_CLIENT,
	.name = "endpointClient",
	.interface_id = capos_Endpoint_ID,
	.perform = 0,
	.drop = client_drop,
	.boot_object = 0,
	.transferable = true,
	.retain = client_retain,
};
