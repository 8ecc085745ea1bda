/*
 * Register calls on an endpoint (endpoint_sm.h "Register calls",
 * docs/ipc.md): a label and four words go from the caller's registers to
 * the server's and back, like seL4's fastpath.  No record is taken: a
 * thread's state (struct ipc_rthread) is enough, since a thread blocked
 * in ipc_call has exactly one call and a server holds at most one reply.
 *
 * Register calls queue apart from ring calls (ep->rcalls): ipc_recv takes
 * them, a ring RECV does not.  A thread blocked in ipc_recv is told when
 * ring work arrives (CAPOS_IPC_RING_WORK), so one thread can serve both.
 * Disconnection, orphaning and process exit end register calls as they
 * end ring calls (DISCONNECTED).
 *
 * The kernel compiles this file into kernel/cap/endpoint.c after
 * endpoint_sm.c (IPC_STATIC_OPS); the host tests link it alone.
 */
#include "endpoint_sm.h"

#include "format.h"

#ifndef OPS
#define OPS (s->ops)
#endif
#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))
#endif

#define RT(p) (OPS->rthread(p))

/* The system calls' own steps: inlined into them in the kernel (a call
 * and its frame are a good part of a register round trip). */
#ifdef IPC_STATIC_OPS
#define IPC_REG_STEP __attribute__((always_inline)) inline
#else
#define IPC_REG_STEP
#endif

static struct ipc_rthread *rthread_of(struct epq_node *n)
{
	return container_of(n, struct ipc_rthread, node);
}

/* Server r takes caller c's call: it owes the reply now. */
static void hold(struct ipc *s, struct ipc_rthread *r, struct ipc_rthread *c)
{
	r->holds = true;
	r->peer = c->self;
	c->state = RT_CALL_HELD;
	c->ep = 0;
	c->peer = r->self;
	OPS->wait_begin(r->self, WAIT_SERVING);
}

/* Ends t's call or wait with status (an error, or RING_WORK), its
 * registers told, and wakes it. */
static void fail(struct ipc *s, struct ipc_rthread *t, enum wait_kind k, int status)
{
	t->state = RT_IDLE;
	t->ep = 0;
	t->peer = 0;
	if (k == WAIT_REPLY)
		s->reg_calls--;
	else
		s->reg_recvs--;
	OPS->wait_end(t->self, k);
	OPS->rput(t->self, status, 0, 0);
	OPS->rwake(t->self, false);
}

IPC_REG_STEP int ipc_reg_call(struct ipc *s, struct process *p, struct endpoint *ep, uint64_t badge,
                              uint16_t msg_flags, const struct ipc_rmsg *m)
{
	if (ep->disconnected)
		return CAPOS_ERR_DISCONNECTED;
	struct ipc_rthread *c = RT(p);
	c->self = p;
	s->reg_calls++;
	OPS->wait_begin(p, WAIT_REPLY);
	struct epq_node *n = epq_pop(&ep->rrecvs);
	if (n != 0) {
		/* The fast path: a thread waits in ipc_recv, so nothing is
		 * queued ahead (a queued call would have been received). */
		struct ipc_rthread *r = rthread_of(n);
		r->state = RT_IDLE;
		r->ep = 0;
		s->reg_recvs--;
		OPS->wait_end(r->self, WAIT_RECEIVE);
		hold(s, r, c);
		OPS->rput(r->self, msg_flags, badge, m);
		OPS->rwake(r->self, true);
		return IPC_LATER;
	}
	c->state = RT_CALL_QUEUED;
	c->ep = ep;
	c->badge = badge;
	c->msg_flags = msg_flags;
	c->msg = *m;
	epq_push(&ep->rcalls, &c->node);
	return IPC_LATER;
}

IPC_REG_STEP int ipc_reg_recv(struct ipc *s, struct process *p, struct endpoint *ep)
{
	struct ipc_rthread *r = RT(p);
	if (r->holds)
		return CAPOS_ERR_INVALID_ARGUMENT; /* reply first (ipc_reply_recv) */
	r->self = p;
	struct epq_node *n = epq_pop(&ep->rcalls);
	if (n != 0) {
		struct ipc_rthread *c = rthread_of(n);
		hold(s, r, c);
		OPS->rput(p, c->msg_flags, c->badge, &c->msg);
		return CAPOS_OK;
	}
	if (epq_head(&ep->queued) != 0 || epq_head(&ep->releases) != 0)
		return CAPOS_IPC_RING_WORK;
	if (ep->client_refs == 0 && !ep->boot_ref)
		return CAPOS_ERR_DISCONNECTED; /* no client facet: no call can ever come */
	r->state = RT_RECEIVING;
	r->ep = ep;
	epq_push(&ep->rrecvs, &r->node);
	s->reg_recvs++;
	OPS->wait_begin(p, WAIT_RECEIVE);
	return IPC_LATER;
}

IPC_REG_STEP int ipc_reg_reply(struct ipc *s, struct process *p, const struct ipc_rmsg *m)
{
	struct ipc_rthread *r = RT(p);
	if (!r->holds)
		return CAPOS_ERR_BAD_CALL_ID;
	struct process *caller = r->peer;
	r->holds = false;
	r->peer = 0;
	if (caller == 0)
		return CAPOS_ERR_DISCONNECTED; /* the caller went away meanwhile */
	struct ipc_rthread *c = RT(caller);
	c->state = RT_IDLE;
	c->peer = 0;
	s->reg_calls--;
	OPS->wait_end(p, WAIT_SERVING);
	OPS->wait_end(caller, WAIT_REPLY);
	OPS->rput(caller, CAPOS_OK, 0, m);
	OPS->rwake(caller, true);
	return CAPOS_OK;
}

void ipc_reg_exit(struct ipc *s, struct process *p)
{
	struct ipc_rthread *t = RT(p);
	struct endpoint *ep = t->ep;
	switch (t->state) {
	case RT_CALL_QUEUED:
		epq_remove(&ep->rcalls, &t->node);
		s->reg_calls--;
		OPS->wait_end(p, WAIT_REPLY);
		break;
	case RT_CALL_HELD: {
		/* Its server's reply will be told DISCONNECTED. */
		struct ipc_rthread *srv = RT(t->peer);
		srv->peer = 0;
		s->reg_calls--;
		OPS->wait_end(t->peer, WAIT_SERVING);
		OPS->wait_end(p, WAIT_REPLY);
		OPS->log("ipc: pid %u went away with a register call held by pid %u: its reply gets "
		         "DISCONNECTED\n",
		         OPS->pid(p), OPS->pid(t->peer));
		break;
	}
	case RT_RECEIVING:
		epq_remove(&ep->rrecvs, &t->node);
		s->reg_recvs--;
		OPS->wait_end(p, WAIT_RECEIVE);
		break;
	case RT_IDLE:
		break;
	}
	if (t->holds && t->peer != 0) {
		struct ipc_rthread *c = RT(t->peer);
		OPS->log("ipc: pid %u went away holding a register call of pid %u: caller gets "
		         "DISCONNECTED\n",
		         OPS->pid(p), OPS->pid(t->peer));
		OPS->wait_end(p, WAIT_SERVING);
		fail(s, c, WAIT_REPLY, CAPOS_ERR_DISCONNECTED);
	}
	*t = (struct ipc_rthread){0};
	if (ep != 0)
		ipc_endpoint_maybe_free(s, ep);
}

void ipc_reg_disconnect(struct ipc *s, struct endpoint *ep, unsigned *failed)
{
	for (struct epq_node *n; (n = epq_pop(&ep->rcalls)) != 0; (*failed)++)
		fail(s, rthread_of(n), WAIT_REPLY, CAPOS_ERR_DISCONNECTED);
	for (struct epq_node *n; (n = epq_pop(&ep->rrecvs)) != 0;)
		fail(s, rthread_of(n), WAIT_RECEIVE, CAPOS_ERR_DISCONNECTED);
}

void ipc_reg_orphaned(struct ipc *s, struct endpoint *ep)
{
	if (epq_head(&ep->rcalls) != 0 || epq_head(&ep->queued) != 0)
		return;
	for (struct epq_node *n; (n = epq_pop(&ep->rrecvs)) != 0;)
		fail(s, rthread_of(n), WAIT_RECEIVE, CAPOS_ERR_DISCONNECTED);
}

/* Ring calls or release messages wait and no ring RECV took them: the
 * oldest thread in ipc_recv is told, so it can RECV them. */
void ipc_reg_ring_work(struct ipc *s, struct endpoint *ep)
{
	struct epq_node *n = epq_pop(&ep->rrecvs);
	if (n != 0)
		fail(s, rthread_of(n), WAIT_RECEIVE, CAPOS_IPC_RING_WORK);
}

void ipc_reg_describe(const struct ipc *s, struct process *p, char *buf, size_t len)
{
	const struct ipc_rthread *t = RT(p);
	if (t->state == RT_CALL_QUEUED)
		format_append(buf, len, "; register call to endpoint %u '%s' (queued: nobody in ipc_recv)",
		              t->ep->id, t->ep->name);
	else if (t->state == RT_CALL_HELD)
		format_append(buf, len, "; register call received by pid %u, not answered",
		              OPS->pid(t->peer));
	else if (t->state == RT_RECEIVING)
		format_append(buf, len, "; ipc_recv on endpoint %u '%s'", t->ep->id, t->ep->name);
	if (t->holds && t->peer != 0)
		format_append(buf, len, "; owes a register reply to pid %u", OPS->pid(t->peer));
}
