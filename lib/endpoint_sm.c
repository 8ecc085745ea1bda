/*
 * The endpoint state machine (see endpoint_sm.h and docs/ipc.md).
 *
 * A call's params are not copied when it is queued: they are read from the
 * caller's memory when the call is delivered (the caller is blocked or at
 * least still alive: its queued calls are dropped when it exits).  Transfer
 * descriptors are validated and the moved slots reserved at CALL time, so
 * the sender cannot use or release a capability that is on its way.
 *
 * call_id = generation << 16 | pool index; one generation counter for all
 * calls, so a RETURN to an answered call is refused unless 2^16 - 1 calls
 * later the same record holds a call in flight on the same endpoint.
 *
 * Records come from pools (lib/obj_pool.h) and are taken in perform, not
 * in check: the dispatcher may still refuse the operation between the two
 * (docs/invocation.md), and check has no effect.  A freed record is zeroed
 * (CALL_FREE, FACET_FREE, !used) and stays readable until the owner trims.
 *
 * Re-entrant drops: a queued call may carry the last reference to an
 * endpoint (even its own).  Ending the call drops it, which disconnects
 * that endpoint, which fails its calls.  So a record is always freed
 * before anything it carried is dropped (call_fail, ipc_process_exit),
 * and a disconnection or orphaning found while another is running is only
 * marked and run afterwards by settle's loop, so the stack depth does not
 * grow with a user-built chain of endpoints.
 *
 * What each process waits on is told to the core through ops->wait_begin
 * and wait_end: WAIT_REPLY while it has a call here (queued or in
 * flight), WAIT_SERVING while it holds a call whose caller still waits,
 * WAIT_RECEIVE per posted receive.
 */
#include "endpoint_sm.h"

#include "format.h"
#include "kstring.h"

_Static_assert(IPC_CALL_PAGES_MAX *OBJ_POOL_PER_PAGE(sizeof(struct ipc_call)) <=
                       (1u << EPQ_CALL_INDEX_BITS),
               "every call index fits the id");
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

/* The kernel compiles this file into kernel/cap/endpoint.c with
 * IPC_STATIC_OPS naming its (static const) ops, so every op on the IPC
 * path is a direct call the compiler may inline; the host tests go through
 * s->ops. */
#ifdef IPC_STATIC_OPS
#define OPS ((void)s, &IPC_STATIC_OPS)
#else
#define OPS (s->ops)
#endif

void ipc_init(struct ipc *s, const struct ipc_ops *ops)
{
	obj_pool_init(&s->endpoints, "endpoints", sizeof(struct endpoint), ops->pool, 0);
	obj_pool_init(&s->calls, "ipc calls", sizeof(struct ipc_call), ops->pool, 0);
	obj_pool_set_limit(&s->calls, IPC_CALL_PAGES_MAX);
	obj_pool_init(&s->recvs, "ipc receives", sizeof(struct ipc_recv), ops->pool, 0);
	obj_pool_init(&s->facets, "ipc facets", sizeof(struct ipc_facet), ops->pool, 0);
	s->call_gen = 0;
	s->ops = ops;
	s->next_endpoint_id = 1;
	s->reg_calls = 0;
	s->reg_recvs = 0;
	s->next_seq = 0;
	s->settling = false;
	s->release_due = false;
	s->matching = 0;
}

/* ---- object lifetime ---------------------------------------------------- */

static inline void endpoint_maybe_free(struct ipc *s, struct endpoint *ep)
{
	if (!ep->used || ep->owner_refs || ep->client_refs || ep->boot_ref || ep->calls ||
	    ep->recvs || ep->facets || ep->disconnect_due || ep->orphan_due || ep->rcalls.count ||
	    ep->rrecvs.count)
		return;
	OPS->log("ipc: endpoint %u '%s' freed\n", ep->id, ep->name);
	if (!obj_pool_free(&s->endpoints, ep))
		OPS->panic("ipc: endpoint %p is not in the pool", (void *)ep);
}

void ipc_endpoint_maybe_free(struct ipc *s, struct endpoint *ep) { endpoint_maybe_free(s, ep); }

struct endpoint *ipc_endpoint_create(struct ipc *s, const char *name)
{
	struct endpoint *ep = obj_pool_alloc(&s->endpoints);
	if (ep == 0) {
		OPS->log("ipc: endpoint '%s' refused: no memory (%u endpoints live)\n", name,
		         s->endpoints.live);
		return 0;
	}
	ep->used = true;
	ep->id = s->next_endpoint_id++;
	ep->boot_ref = true;
	kstrlcpy(ep->name, name, sizeof(ep->name));
	OPS->log("ipc: endpoint %u '%s' created\n", ep->id, ep->name);
	return ep;
}

/* ---- records -------------------------------------------------------------- */

static void complete(struct ipc *s, struct process *p, uint64_t user_data, int32_t result)
{
	struct capos_cqe cqe = {.user_data = user_data, .result = result};
	OPS->complete(p, &cqe, false);
}

static void call_dequeue(struct ipc_call *c)
{
	if (c->state == CALL_QUEUED)
		(void)epq_remove(&c->ep->queued, &c->node);
}

/* The caller stops waiting for c (answered, failed, timed out, or gone);
 * a server holding c no longer keeps anyone waiting. */
static void call_drop_caller(struct ipc *s, struct ipc_call *c)
{
	if (c->caller == 0)
		return;
	OPS->wait_end(c->caller, WAIT_REPLY);
	if (c->state == CALL_INFLIGHT && c->server)
		OPS->wait_end(c->server, WAIT_SERVING);
	c->caller = 0;
}

static void call_free(struct ipc *s, struct ipc_call *c)
{
	struct endpoint *ep = c->ep;
	call_drop_caller(s, c);
	call_dequeue(c);
	if (ep == 0 || !obj_pool_free(&s->calls, c)) {
		OPS->panic("ipc: freeing call record %p: no endpoint or not in the pool", (void *)c);
		return;
	}
	ep->calls--;
	endpoint_maybe_free(s, ep);
}

/* Frees a queued call's record, then rolls back what it carried (moves
 * unreserved, copies dropped): a drop may re-enter this endpoint. */
static void call_free_then_abort(struct ipc *s, struct ipc_call *c)
{
	struct process *caller = c->caller;
	struct xfer_plan carried = c->xfer;
	c->xfer.prepared = false;
	call_free(s, c);
	xfer_abort(OPS->caps(caller), &carried, OPS->xfer);
}

/* Fails a call to its caller (moves roll back, copies are dropped). */
static void call_fail(struct ipc *s, struct ipc_call *c, int err)
{
	if (c->caller)
		complete(s, c->caller, c->user_data, err);
	if (c->state == CALL_QUEUED)
		call_free_then_abort(s, c);
	else
		call_free(s, c);
}

static void recv_free(struct ipc *s, struct ipc_recv *r)
{
	struct endpoint *ep = r->ep;
	struct process *server = r->server;
	if (ep == 0) {
		OPS->panic("ipc: freeing receive record %p with no endpoint", (void *)r);
		return;
	}
	(void)epq_remove(&ep->receives, &r->node);
	if (!obj_pool_free(&s->recvs, r)) {
		OPS->panic("ipc: receive record %p is not in the pool", (void *)r);
		return;
	}
	OPS->wait_end(server, WAIT_RECEIVE);
	ep->recvs--;
	endpoint_maybe_free(s, ep);
}

static void recv_fail(struct ipc *s, struct ipc_recv *r, int err)
{
	complete(s, r->server, r->user_data, err);
	recv_free(s, r);
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

/* The header a delivery of c writes at the start of the receive buffer. */
static struct capos_endpoint_message message_of(const struct ipc *s, const struct ipc_call *c)
{
	return (struct capos_endpoint_message){
		.call_id = epq_call_id(obj_pool_index(&s->calls, c), c->gen),
		.method_id = c->method_id,
		.flags = c->msg_flags,
		.badge = c->badge,
		.params_len = c->params_len,
		.cap_count = c->xfer.count,
	};
}

/* The call is in flight to the server that received it; its RECV is over. */
static void delivered(struct ipc *s, struct ipc_call *c, struct ipc_recv *r, uint64_t need,
                      uint32_t call_id)
{
	struct process *server = r->server;
	struct capos_cqe cqe = {
		.user_data = r->user_data,
		.result = (int32_t)need,
		.cap_count = c->xfer.count,
		.call_id = call_id,
	};
	call_dequeue(c);
	c->state = CALL_INFLIGHT;
	c->server = server;
	OPS->wait_begin(server, WAIT_SERVING);
	recv_free(s, r);
	OPS->complete(server, &cqe, true);
}

/* The fast path of a delivery without capabilities: header, params and
 * padding go straight from the caller's memory into the receive buffer,
 * one pass, no bounce buffer.  The outcomes are the slow path's: a
 * receive buffer found unwritable fails the receive and the call stays
 * queued; params found unreadable fail the call. */
static void deliver_direct(struct ipc *s, struct ipc_call *c, struct ipc_recv *r, uint64_t need)
{
	static const uint8_t zeros[8];
	struct capos_endpoint_message m = message_of(s, c);
	struct ipc_seg seg[3] = {
		{.kbuf = &m, .len = sizeof m},
		{.src = c->caller, .addr = c->params_addr, .len = c->params_len},
		{.kbuf = zeros, .len = need - sizeof m - c->params_len},
	};
	int err = OPS->copy_msg(r->server, r->result_addr, seg, 3);
	if (err == IPC_SOURCE_BAD)
		call_fail(s, c, CAPOS_ERR_BAD_BUFFER);
	else if (err)
		recv_fail(s, r, CAPOS_ERR_BAD_BUFFER); /* the server unmapped its buffer */
	else
		delivered(s, c, r, need, m.call_id);
}

/* Hands queued call c to posted receive r.  Either the call is delivered
 * (both consumed), or one of them failed and was completed with an error. */
static void deliver(struct ipc *s, struct ipc_call *c, struct ipc_recv *r)
{
	struct process *caller = c->caller, *server = r->server;
	if (caller == 0 || server == 0) {
		OPS->panic("ipc: queued call or posted receive without its process");
		return;
	}
	uint32_t n = c->xfer.count;
	uint64_t hdr = sizeof(struct capos_endpoint_message);
	uint64_t caps_at = hdr + capos_align8(c->params_len);
	uint64_t need = caps_at + (uint64_t)n * sizeof(struct capos_cap_record);
	if (need > r->result_len) {
		OPS->log("ipc: endpoint '%s': call of %u bytes + %u caps does not fit the receive "
		         "buffer (%u bytes)\n",
		         c->ep->name, c->params_len, n, r->result_len);
		call_fail(s, c, CAPOS_ERR_RESULT_TOO_SMALL);
		return;
	}
	if (n == 0) {
		deliver_direct(s, c, r, need);
		return;
	}
	/* Capabilities move: the params are read first and the buffer checked
	 * before the caps commit, so a failure after it cannot happen. */
	if (OPS->copy_in(caller, s->buf + hdr, c->params_addr, c->params_len) != CAPOS_OK) {
		call_fail(s, c, CAPOS_ERR_BAD_BUFFER);
		return;
	}
	if (OPS->check_writable(server, r->result_addr, need) != CAPOS_OK) {
		recv_fail(s, r, CAPOS_ERR_BAD_BUFFER); /* the server unmapped its buffer */
		return;
	}
	struct capos_cap_record *rec = (struct capos_cap_record *)(s->buf + caps_at);
	int err = xfer_commit(OPS->caps(caller), OPS->caps(server), &c->xfer, rec);
	if (err) {
		OPS->log("ipc: endpoint '%s': transfer of %u caps to pid %u failed (%s), rolled "
		         "back\n",
		         c->ep->name, n, OPS->pid(server), ring_error_name(err));
		OPS->xfer_counted(false);
		call_fail(s, c, err);
		return;
	}
	OPS->xfer_counted(true);
	struct capos_endpoint_message *m = (struct capos_endpoint_message *)s->buf;
	*m = message_of(s, c);
	memset(s->buf + hdr + c->params_len, 0, caps_at - hdr - c->params_len);
	/* Checked writable above: the copy cannot fail. */
	(void)OPS->copy_out(server, r->result_addr, s->buf, need);
	delivered(s, c, r, need, m->call_id);
}

/* ---- minted facets: release messages ------------------------------------ */

static struct ipc_facet *oldest_release(struct endpoint *ep)
{
	struct epq_node *n = epq_head(&ep->releases);
	return n ? container_of(n, struct ipc_facet, node) : 0;
}

/* The record goes, and with it the client reference it held.  No drop
 * runs here (the caller settles): the count alone, as ipc_drop would. */
static void facet_free(struct ipc *s, struct ipc_facet *f)
{
	struct endpoint *ep = f->ep;
	if (f->state == FACET_RELEASED)
		(void)epq_remove(&ep->releases, &f->node);
	if (!obj_pool_free(&s->facets, f)) {
		OPS->panic("ipc: facet record %p is not in the pool", (void *)f);
		return;
	}
	ep->facets--;
	ep->client_refs--;
	if (ep->client_refs == 0 && !ep->boot_ref && !ep->disconnected)
		ep->orphan_due = true;
}

/* Hands release message f to posted receive r: a header with
 * CAPOS_MSG_F_RELEASED and the badge, nothing after it.  Either both are
 * consumed, or the receive failed (its buffer is gone) and f waits on. */
static void deliver_release(struct ipc *s, struct ipc_facet *f, struct ipc_recv *r)
{
	struct endpoint *ep = f->ep;
	struct capos_endpoint_message m = {.flags = CAPOS_MSG_F_RELEASED, .badge = f->badge};
	if (OPS->copy_out(r->server, r->result_addr, &m, sizeof(m)) != CAPOS_OK) {
		recv_fail(s, r, CAPOS_ERR_BAD_BUFFER);
		return;
	}
	struct capos_cqe cqe = {.user_data = r->user_data, .result = (int32_t)sizeof(m)};
	struct process *server = r->server;
	OPS->log("ipc: endpoint %u '%s': release of facet badge %lu told to pid %u\n", ep->id,
	         ep->name, (unsigned long)f->badge, OPS->pid(server));
	facet_free(s, f);
	recv_free(s, r);
	OPS->complete(server, &cqe, false);
}

static void endpoint_orphaned(struct ipc *s, struct endpoint *ep);
static void settle(struct ipc *s);

/* Pairs queued calls and release messages with posted receives, in the
 * order they happened: a call made before its facet's release is received
 * before the release, a call made after a release after it.  Receives still posted when no client facet is left can never
 * complete: they end.  A release that a drop inside a delivery makes is
 * only marked (release_due) and matched by settle once the outermost
 * match is done, so nesting does not grow with user-built chains. */
static void match(struct ipc *s, struct endpoint *ep)
{
	s->matching++;
	ep->release_due = false;
	for (;;) {
		struct ipc_recv *r = oldest_recv(ep);
		if (r == 0)
			break;
		struct ipc_call *c = oldest_queued(ep);
		struct ipc_facet *f = oldest_release(ep);
		if (c && (f == 0 || c->seq < f->seq))
			deliver(s, c, r);
		else if (f)
			deliver_release(s, f, r);
		else
			break;
	}
	/* Ring work nobody RECVs: a thread in ipc_recv is told. */
	if (epq_head(&ep->rrecvs) && (oldest_queued(ep) || oldest_release(ep)))
		ipc_reg_ring_work(s, ep);
	if (ep->client_refs == 0 && !ep->boot_ref && !ep->disconnected &&
	    (oldest_recv(ep) || epq_head(&ep->rrecvs)))
		endpoint_orphaned(s, ep);
	if (--s->matching == 0 && (s->release_due || ep->orphan_due))
		settle(s);
}

/* ---- ring operations ------------------------------------------------------ */

int ipc_call_check(struct ipc *s, struct process *p, const struct endpoint *ep,
                   const struct capos_sqe *sqe)
{
	if (ep->disconnected)
		return CAPOS_ERR_DISCONNECTED;
	if (OPS->check_writable(p, sqe->result_addr, sqe->result_len) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	if (ep->calls >= ENDPOINT_CALLS_MAX) {
		OPS->log("ipc: pid %u: call on endpoint '%s' refused: queue full (%u calls)\n",
		         OPS->pid(p), ep->name, ep->calls);
		return CAPOS_ERR_NO_RESOURCES;
	}
	return CAPOS_OK;
}

int ipc_call_perform(struct ipc *s, struct process *p, struct endpoint *ep, uint64_t badge,
                     uint16_t msg_flags, const struct capos_sqe *sqe, uint64_t deadline)
{
	struct ipc_call *c = obj_pool_alloc(&s->calls);
	if (c == 0) {
		OPS->log("ipc: pid %u: call on endpoint '%s' refused: no memory for a call record "
		         "(%u live)\n",
		         OPS->pid(p), ep->name, s->calls.live);
		return CAPOS_ERR_NO_RESOURCES;
	}
	/* Validating the descriptors reserves the moved slots in one step
	 * (lib/transfer.h); a refusal here has had no effect. */
	int err = OPS->xfer_prepare(p, sqe, &c->xfer);
	if (err) {
		(void)obj_pool_free(&s->calls, c);
		return err;
	}
	s->call_gen = epq_next_gen(s->call_gen);
	c->gen = s->call_gen;
	c->state = CALL_QUEUED;
	c->ep = ep;
	c->caller = p;
	OPS->wait_begin(p, WAIT_REPLY);
	c->abandoned = 0;
	c->server = 0;
	c->user_data = sqe->user_data;
	c->params_addr = sqe->addr;
	c->params_len = sqe->len;
	c->result_addr = sqe->result_addr;
	c->result_len = sqe->result_len;
	c->method_id = sqe->method_id;
	c->badge = badge;
	c->msg_flags = msg_flags;
	c->seq = s->next_seq++;
	c->deadline = deadline;
	epq_push(&ep->queued, &c->node);
	ep->calls++;
	match(s, ep);
	return IPC_LATER;
}

int ipc_recv_check(struct ipc *s, struct process *p, const struct endpoint *ep,
                   const struct capos_sqe *sqe)
{
	if (sqe->result_len < sizeof(struct capos_endpoint_message))
		return CAPOS_ERR_RESULT_TOO_SMALL;
	/* The header must be writable now; the rest is checked for each call's
	 * size at delivery (the whole buffer is often pages long). */
	if (OPS->check_writable(p, sqe->result_addr, sizeof(struct capos_endpoint_message)) !=
	    CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	if (ep->client_refs == 0 && !ep->boot_ref && epq_head(&ep->queued) == 0)
		return CAPOS_ERR_DISCONNECTED; /* no client facet: no call can ever come */
	(void)s;
	return ep->recvs < ENDPOINT_RECVS_MAX ? CAPOS_OK : CAPOS_ERR_NO_RESOURCES;
}

int ipc_recv_perform(struct ipc *s, struct process *p, struct endpoint *ep,
                     const struct capos_sqe *sqe, uint64_t deadline)
{
	struct ipc_recv *r = obj_pool_alloc(&s->recvs);
	if (r == 0) {
		OPS->log("ipc: pid %u: receive on endpoint '%s' refused: no memory for a receive "
		         "record (%u live)\n",
		         OPS->pid(p), ep->name, s->recvs.live);
		return CAPOS_ERR_NO_RESOURCES;
	}
	*r = (struct ipc_recv){
		.used = true,
		.ep = ep,
		.server = p,
		.user_data = sqe->user_data,
		.result_addr = sqe->result_addr,
		.result_len = sqe->result_len,
		.deadline = deadline,
	};
	epq_push(&ep->receives, &r->node);
	OPS->wait_begin(p, WAIT_RECEIVE);
	ep->recvs++;
	match(s, ep);
	return IPC_LATER;
}

static struct ipc_call *call_of(struct ipc *s, const struct endpoint *ep, uint32_t call_id)
{
	struct ipc_call *c = obj_pool_at(&s->calls, epq_call_index(call_id));
	if (c == 0 || c->state != CALL_INFLIGHT || c->ep != ep || c->gen != epq_call_gen(call_id))
		return 0;
	return c;
}

/* The reply message is in s->buf (len bytes); plan holds the server's
 * prepared transfers.  Returns the RETURN's own result.  A reply is
 * delivered whole or not at all: when the caller's buffer cannot take it
 * (too small, not writable) no byte counts and no capability moves, and
 * both sides are told (the caller's CQE and the RETURN's carry the same
 * error; the call is over). */
static int reply(struct ipc *s, struct process *server, struct ipc_call *c, uint32_t len,
                 bool exception, struct xfer_plan *plan)
{
	struct process *caller = c->caller;
	uint32_t n = plan->count;
	struct capos_cqe cqe = {.user_data = c->user_data};
	if (exception) {
		cqe.flags = CAPOS_CQE_F_EXCEPTION;
		if (len > c->result_len ||
		    OPS->copy_out(caller, c->result_addr, s->buf, len) != CAPOS_OK)
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
			cqe.result = OPS->copy_out(caller, c->result_addr, s->buf, len) == CAPOS_OK
			                     ? (int32_t)len
			                     : CAPOS_ERR_BAD_BUFFER;
		} else if (OPS->check_writable(caller, c->result_addr, need) != CAPOS_OK) {
			cqe.result = CAPOS_ERR_BAD_BUFFER;
		} else {
			struct capos_cap_record *rec = (struct capos_cap_record *)(s->buf + caps_at);
			int err = xfer_commit(OPS->caps(server), OPS->caps(caller), plan, rec);
			if (err) {
				OPS->log("ipc: endpoint '%s': reply transfer of %u caps to pid %u "
				         "failed (%s), rolled back\n",
				         c->ep->name, n, OPS->pid(caller), ring_error_name(err));
				OPS->xfer_counted(false);
				xfer_abort(OPS->caps(server), plan, OPS->xfer);
				return err; /* still in flight: the server may answer again */
			}
			OPS->xfer_counted(true);
			memset(s->buf + len, 0, caps_at - len);
			(void)OPS->copy_out(caller, c->result_addr, s->buf, need);
			cqe.result = (int32_t)len;
			cqe.cap_count = n;
		}
	}
	xfer_abort(OPS->caps(server), plan, OPS->xfer); /* no-op once committed */
	call_free(s, c);
	OPS->complete(caller, &cqe, true);
	bool refused = cqe.result == CAPOS_ERR_RESULT_TOO_SMALL || cqe.result == CAPOS_ERR_BAD_BUFFER;
	if (!exception && refused)
		return cqe.result; /* not delivered: the server's caps stayed */
	return CAPOS_OK;
}

int ipc_return_check(struct ipc *s, const struct endpoint *ep, const struct capos_sqe *sqe,
                     struct ipc_call **rec)
{
	*rec = call_of(s, ep, sqe->call_id);
	return *rec ? CAPOS_OK : CAPOS_ERR_BAD_CALL_ID;
}

/* The fast path of a reply without capabilities into a buffer it fits:
 * straight from the server's memory into the caller's, one pass, no
 * bounce buffer.  The outcomes are reply()'s: the server's message found
 * unreadable is the RETURN's BAD_BUFFER with the call still in flight
 * (the caller, not yet told, may find its result buffer partly written);
 * the caller's buffer found unwritable ends the call on both sides. */
static int reply_direct(struct ipc *s, struct process *server, struct ipc_call *c,
                        const struct capos_sqe *sqe)
{
	struct process *caller = c->caller;
	struct ipc_seg seg = {.src = server, .addr = sqe->addr, .len = sqe->len};
	int err = OPS->copy_msg(caller, c->result_addr, &seg, 1);
	if (err == IPC_SOURCE_BAD)
		return CAPOS_ERR_BAD_BUFFER;
	struct capos_cqe cqe = {
		.user_data = c->user_data,
		.result = err ? CAPOS_ERR_BAD_BUFFER : (int32_t)sqe->len,
	};
	call_free(s, c);
	OPS->complete(caller, &cqe, true);
	return err ? CAPOS_ERR_BAD_BUFFER : CAPOS_OK;
}

int ipc_return_perform(struct ipc *s, struct process *p, struct ipc_call *c,
                       const struct capos_sqe *sqe)
{
	if (c->caller == 0) {
		int abandoned = c->abandoned;
		call_free(s, c);
		return abandoned;
	}
	bool exception = (sqe->flags & CAPOS_SQE_EXCEPTION) != 0;
	if (!exception && sqe->xfer_cap_count == 0 && c->result_len != 0 &&
	    sqe->len <= c->result_len)
		return reply_direct(s, p, c, sqe);
	/* Into the scratch buffer: a refusal below still has had no effect. */
	if (OPS->copy_in(p, s->buf, sqe->addr, sqe->len) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	struct xfer_plan plan;
	int err = OPS->xfer_prepare(p, sqe, &plan);
	if (err == CAPOS_OK && exception && plan.count) {
		xfer_abort(OPS->caps(p), &plan, OPS->xfer);
		err = CAPOS_ERR_BAD_TRANSFER; /* an exception carries no capabilities */
	}
	if (err)
		return err;
	return reply(s, p, c, sqe->len, exception, &plan);
}

/* ---- teardown, disconnection, timeouts ----------------------------------- */

/* The last owner is gone: nobody can answer any more. */
static void endpoint_disconnect(struct ipc *s, struct endpoint *ep)
{
	ep->disconnected = true;
	unsigned failed = 0;
	ep->calls++; /* keep ep alive while its records go */
	struct ipc_call *c;
	for (uint32_t i = 0; (c = obj_pool_next(&s->calls, &i)); i++)
		if (c->ep == ep) {
			call_fail(s, c, CAPOS_ERR_DISCONNECTED);
			failed++;
		}
	struct ipc_recv *r;
	for (uint32_t i = 0; (r = obj_pool_next(&s->recvs, &i)); i++)
		if (r->ep == ep)
			recv_fail(s, r, CAPOS_ERR_DISCONNECTED);
	ipc_reg_disconnect(s, ep, &failed);
	/* Nobody will receive these: the release messages go. */
	unsigned untold = 0;
	for (struct ipc_facet *f; (f = oldest_release(ep)) != 0; untold++)
		facet_free(s, f);
	OPS->log("ipc: endpoint %u '%s' disconnected (no owner left): %u calls failed\n", ep->id,
	         ep->name, failed);
	if (untold)
		OPS->log("ipc: endpoint %u '%s': %u release messages dropped with it\n", ep->id,
		         ep->name, untold);
	ep->calls--;
	endpoint_maybe_free(s, ep);
}

/* No client facet is left: receives waiting for a call can never finish. */
static void endpoint_orphaned(struct ipc *s, struct endpoint *ep)
{
	ipc_reg_orphaned(s, ep);
	if (oldest_queued(ep) != 0)
		return;
	ep->recvs++; /* keep ep alive while its records go */
	struct ipc_recv *r;
	for (uint32_t i = 0; (r = obj_pool_next(&s->recvs, &i)); i++)
		if (r->ep == ep)
			recv_fail(s, r, CAPOS_ERR_DISCONNECTED);
	ep->recvs--;
	endpoint_maybe_free(s, ep);
}

/* Runs every due disconnection and orphaning, including those that the
 * running ones cause, one after another.  Nested calls only mark. */
static void settle(struct ipc *s)
{
	if (s->settling)
		return;
	s->settling = true;
	for (bool again = true; again;) {
		again = false;
		s->release_due = false;
		struct endpoint *ep;
		for (uint32_t i = 0; (ep = obj_pool_next(&s->endpoints, &i)); i++) {
			if (ep->release_due && !ep->disconnect_due) {
				match(s, ep); /* clears release_due */
				again = true;
			}
			if (ep->disconnect_due) {
				ep->disconnect_due = false;
				ep->orphan_due = false;
				endpoint_disconnect(s, ep);
				again = true;
			} else if (ep->orphan_due) {
				ep->orphan_due = false;
				if (!ep->disconnected)
					endpoint_orphaned(s, ep);
				endpoint_maybe_free(s, ep);
				again = true;
			}
		}
	}
	s->settling = false;
}

void ipc_boot_release(struct ipc *s, struct endpoint *ep)
{
	ep->boot_ref = false;
	if (ep->owner_refs == 0)
		ep->disconnect_due = true;
	else if (ep->client_refs == 0)
		ep->orphan_due = true;
	settle(s);
	endpoint_maybe_free(s, ep);
}

void ipc_retain(struct endpoint *ep, bool owner)
{
	if (owner)
		ep->owner_refs++;
	else
		ep->client_refs++;
}

void ipc_drop(struct ipc *s, struct endpoint *ep, bool owner)
{
	if (owner) {
		if (--ep->owner_refs == 0 && !ep->boot_ref)
			ep->disconnect_due = true;
	} else {
		if (--ep->client_refs == 0 && !ep->boot_ref && !ep->disconnected)
			ep->orphan_due = true;
	}
	settle(s);
	endpoint_maybe_free(s, ep);
}

/* ---- minted facets: lifetime ----------------------------------------------- */

int ipc_mint_check(struct ipc *s, const struct endpoint *ep, uint64_t badge)
{
	if (badge == 0)
		return CAPOS_ERR_INVALID_ARGUMENT; /* 0 is "no badge" */
	if (ep->facets >= ENDPOINT_FACETS_MAX) {
		OPS->log("ipc: endpoint %u '%s': mint refused: %u facets live or awaiting release\n",
		         ep->id, ep->name, ep->facets);
		return CAPOS_ERR_NO_RESOURCES;
	}
	return CAPOS_OK;
}

struct ipc_facet *ipc_mint_perform(struct ipc *s, struct endpoint *ep, uint64_t badge,
                                   bool notify)
{
	struct ipc_facet *f = obj_pool_alloc(&s->facets);
	if (f == 0) {
		OPS->log("ipc: endpoint %u '%s': mint refused: no memory for a facet record (%u "
		         "live)\n",
		         ep->id, ep->name, s->facets.live);
		return 0;
	}
	*f = (struct ipc_facet){
		.state = FACET_LIVE,
		.notify = notify,
		.ep = ep,
		.badge = badge,
		.refs = 1,
	};
	ep->facets++;
	ep->client_refs++;
	OPS->log("ipc: endpoint %u '%s': facet badge %lu minted%s\n", ep->id, ep->name,
	         (unsigned long)badge, notify ? " (release is told)" : "");
	return f;
}

void ipc_facet_retain(struct ipc_facet *f) { f->refs++; }

void ipc_facet_drop(struct ipc *s, struct ipc_facet *f)
{
	if (f->state != FACET_LIVE || f->refs == 0) {
		OPS->panic("ipc: drop of facet record %p with no reference", (void *)f);
		return;
	}
	if (--f->refs != 0)
		return;
	struct endpoint *ep = f->ep;
	if (f->notify && !ep->disconnected) {
		/* Its client reference stays until the owner has been told:
		 * the endpoint is not orphaned while a release is untold. */
		f->state = FACET_RELEASED;
		f->seq = s->next_seq++;
		epq_push(&ep->releases, &f->node);
		ep->release_due = true;
		s->release_due = true;
		if (s->matching == 0)
			settle(s);
		return;
	}
	facet_free(s, f);
	settle(s);
	endpoint_maybe_free(s, ep);
}

unsigned ipc_facet_count(const struct ipc *s)
{
	return s->facets.live;
}

void ipc_process_exit(struct ipc *s, struct process *p)
{
	struct ipc_call *c;
	for (uint32_t i = 0; (c = obj_pool_next(&s->calls, &i)); i++) {
		if (c->state == CALL_QUEUED && c->caller == p) {
			call_free_then_abort(s, c);
			continue;
		}
		if (c->state == CALL_INFLIGHT && c->caller == p) {
			call_drop_caller(s, c);
			c->abandoned = CAPOS_ERR_DISCONNECTED;
		}
		if (c->state == CALL_INFLIGHT && c->server == p) {
			/* Nobody will answer it now. */
			if (c->caller)
				OPS->log("ipc: pid %u exited serving a call of pid %u on '%s': caller "
				         "gets DISCONNECTED\n",
				         OPS->pid(p), OPS->pid(c->caller), c->ep->name);
			call_fail(s, c, CAPOS_ERR_DISCONNECTED);
		}
	}
	struct ipc_recv *r;
	for (uint32_t i = 0; (r = obj_pool_next(&s->recvs, &i)); i++)
		if (r->server == p)
			recv_free(s, r);
	ipc_reg_exit(s, p);
}

void ipc_describe_waits(const struct ipc *s, const struct process *p, char *buf, size_t len)
{
	const struct ipc_call *c;
	for (uint32_t i = 0; (c = obj_pool_next(&s->calls, &i)); i++) {
		if (c->caller != p)
			continue;
		if (c->state == CALL_QUEUED)
			format_append(buf, len, "; call to endpoint %u '%s' (queued: nobody receives)",
			              c->ep->id, c->ep->name);
		else
			format_append(buf, len, "; call to endpoint %u '%s' (received by pid %u '%s', "
			                        "not answered)",
			              c->ep->id, c->ep->name,
			              c->server ? OPS->pid(c->server) : 0,
			              c->server ? OPS->name(c->server) : "?");
	}
	for (uint32_t i = 0; (c = obj_pool_next(&s->calls, &i)); i++) {
		if (c->state == CALL_INFLIGHT && c->server == p && c->caller != 0)
			format_append(buf, len, "; owes an answer on endpoint %u '%s' to pid %u '%s'",
			              c->ep->id, c->ep->name, OPS->pid(c->caller), OPS->name(c->caller));
	}
	const struct ipc_recv *r;
	for (uint32_t i = 0; (r = obj_pool_next(&s->recvs, &i)); i++) {
		if (r->server == p)
			format_append(buf, len, "; recv on endpoint %u '%s'", r->ep->id, r->ep->name);
	}
	ipc_reg_describe(s, (struct process *)p, buf, len);
}

uint64_t ipc_expire(struct ipc *s, uint64_t now)
{
	uint64_t next = IPC_NO_DEADLINE;
	struct ipc_call *c;
	for (uint32_t i = 0; (c = obj_pool_next(&s->calls, &i)); i++) {
		if (c->caller == 0 || c->deadline == IPC_NO_DEADLINE)
			continue;
		if (now < c->deadline) {
			next = c->deadline < next ? c->deadline : next;
		} else if (c->state == CALL_QUEUED) {
			call_fail(s, c, CAPOS_ERR_TIMED_OUT);
		} else {
			/* In flight: the caller stops waiting; the server's RETURN
			 * will be told. */
			complete(s, c->caller, c->user_data, CAPOS_ERR_TIMED_OUT);
			call_drop_caller(s, c);
			c->abandoned = CAPOS_ERR_TIMED_OUT;
		}
	}
	struct ipc_recv *r;
	for (uint32_t i = 0; (r = obj_pool_next(&s->recvs, &i)); i++) {
		if (r->deadline == IPC_NO_DEADLINE)
			continue;
		if (now < r->deadline)
			next = r->deadline < next ? r->deadline : next;
		else
			recv_fail(s, r, CAPOS_ERR_TIMED_OUT);
	}
	return next;
}

void ipc_counts(const struct ipc *s, unsigned *endpoints, unsigned *calls, unsigned *recvs)
{
	*endpoints = s->endpoints.live;
	*calls = s->calls.live + s->reg_calls;
	*recvs = s->recvs.live + s->reg_recvs;
}
