/*
 * The endpoint state machine (lib/endpoint_sm.c) over fake processes: each
 * has a 4 KiB memory (address = offset; `writable` bytes from 0 may be
 * written), a real capability table, its completions and wait counts.
 * Every test ends with nothing live (ipc_counts) and no wait left.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "endpoint_sm.h"
#include "cap_table_pool.h"
#include "host_pool_pages.h"

#define MEM   4096u
#define SLOTS 8u
#define CQES  32u

struct process {
	uint32_t pid;
	char name[16];
	uint8_t mem[MEM] __attribute__((aligned(8)));
	uint64_t writable; /* bytes from 0 that may be written */
	struct cap_table caps;
	struct cap_slot *slots;
	struct capos_cqe cqe[CQES];
	bool handoff[CQES];
	unsigned ncqe;
	struct wait_counts waits;
	/* Register calls: its state and what the last rput wrote. */
	struct ipc_rthread rt;
	int64_t rax;
	uint64_t badge;
	struct ipc_rmsg msg;
	unsigned wakes, handoffs;
};

static struct ipc s;
static struct process procs[4];
static unsigned committed, rolled_back;

static uint32_t f_pid(const struct process *p) { return p->pid; }
static const char *f_name(const struct process *p) { return p->name; }
static struct cap_table *f_caps(struct process *p) { return &p->caps; }

#include "fake_process_memory.h"

/* Endpoint capabilities: type 1 owner, 2 client facet, 3 minted facet (as
 * the kernel's retain/drop do, a copy holds a reference). */
static bool f_transferable(const struct cap_entry *e)
{
	(void)e;
	return true;
}
static void f_retain(const struct cap_entry *e)
{
	if (e->type == 1 || e->type == 2)
		ipc_retain(e->object, e->type == 1);
	else if (e->type == 3)
		ipc_facet_retain(e->object);
}
static void f_drop(const struct cap_entry *e)
{
	if (e->type == 1 || e->type == 2)
		ipc_drop(&s, e->object, e->type == 1);
	else if (e->type == 3)
		ipc_facet_drop(&s, e->object);
}
static const struct xfer_ops f_xfer = {f_transferable, f_retain, f_drop};

static int f_xfer_prepare(struct process *p, const struct capos_sqe *sqe, struct xfer_plan *plan)
{
	struct capos_xfer_desc desc[CAPOS_XFER_MAX];
	if (sqe->xfer_cap_count == 0) /* as the kernel: no descriptors to read */
		return xfer_prepare(&p->caps, 0, 0, &f_xfer, plan);
	if (sqe->xfer_cap_count > CAPOS_XFER_MAX)
		return CAPOS_ERR_BAD_TRANSFER;
	if (f_copy_in(p, desc, sqe->addr + capos_align8(sqe->len),
	              sqe->xfer_cap_count * sizeof(desc[0])) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	return xfer_prepare(&p->caps, desc, sqe->xfer_cap_count, &f_xfer, plan);
}

static void f_xfer_counted(bool c) { c ? committed++ : rolled_back++; }

static void f_complete(struct process *p, const struct capos_cqe *cqe, bool handoff)
{
	cr_assert_lt(p->ncqe, CQES);
	p->handoff[p->ncqe] = handoff;
	p->cqe[p->ncqe++] = *cqe;
}

static struct ipc_rthread *f_rthread(struct process *p) { return &p->rt; }

static void f_rput(struct process *p, int64_t status, uint64_t badge, const struct ipc_rmsg *m)
{
	p->rax = status;
	if (m) {
		p->badge = badge;
		p->msg = *m;
	}
}

static void f_rwake(struct process *p, bool handoff)
{
	p->wakes++;
	p->handoffs += handoff;
}

static void f_wait_begin(struct process *p, enum wait_kind k) { wait_begin(&p->waits, k); }
static void f_wait_end(struct process *p, enum wait_kind k)
{
	cr_assert(wait_end(&p->waits, k), "pid %u ends a wait of kind %d it did not begin", p->pid,
	          k);
}

static void f_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void f_panic(const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cr_assert_fail("panic: %s", msg);
}

static const struct ipc_ops ops = {
	.pid = f_pid,
	.name = f_name,
	.caps = f_caps,
	.copy_in = f_copy_in,
	.copy_out = f_copy_out,
	.check_writable = f_check_writable,
	.copy_msg = f_copy_msg,
	.xfer_prepare = f_xfer_prepare,
	.xfer = &f_xfer,
	.xfer_counted = f_xfer_counted,
	.complete = f_complete,
	.rthread = f_rthread,
	.rput = f_rput,
	.rwake = f_rwake,
	.wait_begin = f_wait_begin,
	.wait_end = f_wait_end,
	.log = f_log,
	.pool = &host_pool_ops,
	.panic = f_panic,
};

/* The usual cast: pid 1 server (owner), pid 2 and 3 clients. */
static struct process *server = &procs[1], *client = &procs[2], *client2 = &procs[3];

static void setup(void)
{
	memset(procs, 0, sizeof(procs));
	ct_pool_reset();
	for (unsigned i = 0; i < 4; i++) {
		procs[i].pid = i;
		snprintf(procs[i].name, sizeof procs[i].name, "p%u", i);
		procs[i].writable = MEM;
		procs[i].slots = ct_table(&procs[i].caps, SLOTS);
	}
	committed = rolled_back = 0;
	ipc_init(&s, &ops);
}

/* An endpoint with the server holding the owner side and each client a
 * facet, boot reference released (as spawn leaves it). */
static struct endpoint *make_ep(uint32_t *owner_id, uint32_t *client_id, uint32_t *client2_id)
{
	struct endpoint *ep = ipc_endpoint_create(&s, "ep");
	cr_assert_not_null(ep);
	struct cap_entry o = {.object = ep, .type = 1}, c = {.object = ep, .type = 2};
	cr_assert_eq(cap_table_insert(&server->caps, &o, owner_id), CAPOS_OK);
	ipc_retain(ep, true);
	cr_assert_eq(cap_table_insert(&client->caps, &c, client_id), CAPOS_OK);
	ipc_retain(ep, false);
	if (client2_id) {
		cr_assert_eq(cap_table_insert(&client2->caps, &c, client2_id), CAPOS_OK);
		ipc_retain(ep, false);
	}
	ipc_boot_release(&s, ep);
	return ep;
}

/* Releases a capability as the kernel does (remove, then drop). */
static void release(struct process *p, uint32_t id)
{
	struct cap_entry e;
	cr_assert_eq(cap_table_remove(&p->caps, id, &e), CAPOS_OK);
	f_drop(&e);
}

static void release_all(struct process *p)
{
	uint32_t cursor = 0, id;
	struct cap_entry *e;
	while (cap_table_next(&p->caps, &cursor, &id, &e))
		release(p, id);
}

static void assert_nothing_live(void)
{
	for (unsigned i = 1; i < 4; i++)
		release_all(&procs[i]);
	unsigned eps, calls, recvs;
	ipc_counts(&s, &eps, &calls, &recvs);
	cr_assert_eq(eps + calls + recvs, 0u, "live: %u endpoints, %u calls, %u receives", eps,
	             calls, recvs);
	cr_assert_eq(ipc_facet_count(&s), 0u, "minted facet records left");
	for (unsigned i = 0; i < 4; i++)
		for (unsigned k = 0; k < WAIT_KINDS; k++)
			cr_assert_eq(procs[i].waits.n[k], 0u, "pid %u still waits (kind %u)", i, k);
}

/* What the kernel's dispatcher does with a check and a perform: the
 * result is posted now (true, in cqe) unless the operation completes
 * later (IPC_LATER). */
static bool posted_now(int err, struct capos_cqe *cqe)
{
	if (err == IPC_LATER)
		return false;
	cqe->result = err;
	return true;
}

static bool do_call(struct process *p, struct endpoint *ep, uint64_t badge,
                    const struct capos_sqe *sqe, uint64_t deadline, struct capos_cqe *cqe)
{
	int err = ipc_call_check(&s, p, ep, sqe);
	if (err == CAPOS_OK)
		err = ipc_call_perform(&s, p, ep, badge, 0, sqe, deadline);
	return posted_now(err, cqe);
}

/* A CALL of len params bytes at 0 (content "abc..."), result at 2048. */
static bool call(struct process *p, struct endpoint *ep, uint32_t len, uint32_t result_len,
                 uint64_t deadline, struct capos_cqe *cqe)
{
	for (uint32_t i = 0; i < len; i++)
		p->mem[i] = (uint8_t)('a' + i % 26);
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL, .addr = 0, .len = len,
	                        .result_addr = 2048, .result_len = result_len, .user_data = 7};
	/* clang-format on */
	*cqe = (struct capos_cqe){.user_data = 7};
	return do_call(p, ep, 0x42, &sqe, deadline, cqe);
}

/* A RECV into 1024 (result_len bytes). */
static bool recv(struct endpoint *ep, uint32_t result_len, uint64_t deadline,
                 struct capos_cqe *cqe)
{
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_RECV, .result_addr = 1024,
	                        .result_len = result_len, .user_data = 9};
	/* clang-format on */
	*cqe = (struct capos_cqe){.user_data = 9};
	int err = ipc_recv_check(&s, server, ep, &sqe);
	if (err == CAPOS_OK)
		err = ipc_recv_perform(&s, server, ep, &sqe, deadline);
	return posted_now(err, cqe);
}

/* A RETURN of len bytes ("xyz...") from the server's 512. */
static int ret(struct endpoint *ep, uint32_t call_id, uint32_t len, bool exception)
{
	for (uint32_t i = 0; i < len; i++)
		server->mem[512 + i] = (uint8_t)('x' + i % 3);
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_RETURN, .addr = 512, .len = len,
	                        .call_id = call_id, .flags = exception ? CAPOS_SQE_EXCEPTION : 0};
	/* clang-format on */
	struct ipc_call *rec;
	int err = ipc_return_check(&s, ep, &sqe, &rec);
	return err ? err : ipc_return_perform(&s, server, rec, &sqe);
}

static const struct capos_endpoint_message *received(void)
{
	return (const struct capos_endpoint_message *)(server->mem + 1024);
}

/* The endpoint pool's pages go with each test (its forked process). */
static void teardown(void) { host_pages_free_all(); }

TestSuite(ipc, .init = setup, .fini = teardown);

Test(ipc, call_queued_then_recv_delivers_then_return_answers)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert_not(call(client, ep, 10, 64, IPC_NO_DEADLINE, &cqe), "a call completes later");
	cr_assert_eq(client->waits.n[WAIT_REPLY], 1u);
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe), "delivered through complete");
	cr_assert_eq(server->ncqe, 1u);
	cr_assert(server->handoff[0], "the server runs next");
	cr_assert_eq(server->cqe[0].result, (int32_t)(sizeof(struct capos_endpoint_message) + 16));
	cr_assert_eq(received()->badge, 0x42u);
	cr_assert_eq(received()->params_len, 10u);
	cr_assert_eq(memcmp(server->mem + 1024 + sizeof(struct capos_endpoint_message), "abcdefghij",
	                    10),
	             0);
	cr_assert_eq(server->waits.n[WAIT_SERVING], 1u);
	cr_assert_eq(server->waits.n[WAIT_RECEIVE], 0u);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 5, false), CAPOS_OK);
	cr_assert_eq(client->ncqe, 1u);
	cr_assert_eq(client->cqe[0].result, 5);
	cr_assert(client->handoff[0], "the caller runs next");
	cr_assert_eq(memcmp(client->mem + 2048, "xyzxy", 5), 0);
	cr_assert_eq(server->waits.n[WAIT_SERVING], 0u);
	cr_assert_eq(client->waits.n[WAIT_REPLY], 0u);
	assert_nothing_live();
}

Test(ipc, recv_posted_then_call_delivers)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(server->waits.n[WAIT_RECEIVE], 1u);
	cr_assert_eq(server->ncqe, 0u);
	cr_assert_not(call(client, ep, 3, 64, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(server->ncqe, 1u);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	cr_assert_eq(client->cqe[0].result, 0);
	assert_nothing_live();
}

Test(ipc, stale_call_id_refused)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	uint32_t id = server->cqe[0].call_id;
	cr_assert_eq(ret(ep, id, 1, false), CAPOS_OK);
	cr_assert_eq(ret(ep, id, 1, false), CAPOS_ERR_BAD_CALL_ID, "answered already");
	cr_assert_eq(ret(ep, id ^ 0x100, 1, false), CAPOS_ERR_BAD_CALL_ID, "wrong generation");
	cr_assert_eq(ret(ep, 0xff, 1, false), CAPOS_ERR_BAD_CALL_ID, "never used");
	cr_assert_eq(client->ncqe, 1u, "the caller got one answer");
	assert_nothing_live();
}

Test(ipc, exception_reply)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 8, true), CAPOS_OK);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_APPLICATION_EXCEPTION);
	cr_assert(client->cqe[0].flags & CAPOS_CQE_F_EXCEPTION);
	assert_nothing_live();
}

Test(ipc, reply_too_big_for_caller_fails_both_sides)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	call(client, ep, 1, 4, IPC_NO_DEADLINE, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 8, false), CAPOS_ERR_RESULT_TOO_SMALL);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_RESULT_TOO_SMALL);
	assert_nothing_live();
}

Test(ipc, reply_to_unwritable_caller_buffer)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	client->writable = 0; /* the caller unmapped its buffer meanwhile */
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 8, false), CAPOS_ERR_BAD_BUFFER);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_BAD_BUFFER);
	assert_nothing_live();
}

Test(ipc, call_too_big_for_receive_fails_alone)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 40, IPC_NO_DEADLINE, &cqe));
	call(client, ep, 100, 64, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(client->ncqe, 1u);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_RESULT_TOO_SMALL);
	cr_assert_eq(server->ncqe, 0u, "the receive stays posted");
	cr_assert_eq(server->waits.n[WAIT_RECEIVE], 1u);
	call(client, ep, 8, 64, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(server->ncqe, 1u, "a call that fits is delivered to it");
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	assert_nothing_live();
}

Test(ipc, receive_buffer_unwritable_at_delivery_keeps_call_queued)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	server->writable = 1024 + 32; /* only the header stays writable */
	call(client, ep, 100, 64, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(server->ncqe, 1u);
	cr_assert_eq(server->cqe[0].result, CAPOS_ERR_BAD_BUFFER);
	cr_assert_eq(client->ncqe, 0u, "the call stays queued");
	server->writable = MEM;
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(server->ncqe, 2u);
	cr_assert_gt(server->cqe[1].result, 0);
	cr_assert_eq(ret(ep, server->cqe[1].call_id, 0, false), CAPOS_OK);
	assert_nothing_live();
}

Test(ipc, recv_refusals)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert(recv(ep, 16, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(cqe.result, CAPOS_ERR_RESULT_TOO_SMALL);
	server->writable = 0;
	cr_assert(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(cqe.result, CAPOS_ERR_BAD_BUFFER);
	server->writable = MEM;
	for (unsigned i = 0; i < ENDPOINT_RECVS_MAX; i++)
		cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(cqe.result, CAPOS_ERR_NO_RESOURCES, "receives per endpoint are bounded");
	assert_nothing_live();
	cr_assert_eq(server->ncqe, ENDPOINT_RECVS_MAX, "each posted receive completed once");
	cr_assert_eq(server->cqe[0].result, CAPOS_ERR_DISCONNECTED);
}

Test(ipc, call_result_buffer_unwritable_refused)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	client->writable = 0;
	cr_assert(call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(cqe.result, CAPOS_ERR_BAD_BUFFER);
	assert_nothing_live();
}

Test(ipc, queue_full)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	for (unsigned i = 0; i < ENDPOINT_CALLS_MAX; i++)
		cr_assert_not(call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe));
	cr_assert(call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(cqe.result, CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(client->waits.n[WAIT_REPLY], ENDPOINT_CALLS_MAX);
	assert_nothing_live(); /* the server's release disconnects: all fail */
	cr_assert_eq(client->ncqe, ENDPOINT_CALLS_MAX);
	for (unsigned i = 0; i < client->ncqe; i++)
		cr_assert_eq(client->cqe[i].result, CAPOS_ERR_DISCONNECTED);
}

Test(ipc, queued_call_times_out)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	call(client, ep, 1, 64, 100, &cqe);
	cr_assert_eq(ipc_expire(&s, 99), 100u, "the pending deadline is the next one");
	cr_assert_eq(client->ncqe, 0u);
	cr_assert_eq(ipc_expire(&s, 100), IPC_NO_DEADLINE);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_TIMED_OUT);
	cr_assert_eq(client->waits.n[WAIT_REPLY], 0u);
	assert_nothing_live();
}

Test(ipc, call_in_flight_times_out_and_return_is_told)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	call(client, ep, 1, 64, 100, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	ipc_expire(&s, 200);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_TIMED_OUT);
	cr_assert_eq(server->waits.n[WAIT_SERVING], 0u, "nobody waits for the server now");
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 1, false), CAPOS_ERR_TIMED_OUT);
	cr_assert_eq(client->ncqe, 1u, "no second completion");
	assert_nothing_live();
}

Test(ipc, receive_times_out)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	recv(ep, 256, 50, &cqe);
	ipc_expire(&s, 50);
	cr_assert_eq(server->cqe[0].result, CAPOS_ERR_TIMED_OUT);
	cr_assert_eq(server->waits.n[WAIT_RECEIVE], 0u);
	assert_nothing_live();
}

Test(ipc, server_dies_mid_call)
{
	uint32_t o, c, c2;
	struct endpoint *ep = make_ep(&o, &c, &c2);
	struct capos_cqe cqe;
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	call(client2, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe); /* client's call in flight, client2's queued */
	ipc_process_exit(&s, server);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_DISCONNECTED, "the call it was serving");
	cr_assert_eq(client2->ncqe, 0u, "queued: the endpoint still has its owner cap");
	release_all(server); /* last owner gone: disconnected */
	cr_assert_eq(client2->cqe[0].result, CAPOS_ERR_DISCONNECTED);
	struct capos_cqe late;
	cr_assert(call(client, ep, 1, 64, IPC_NO_DEADLINE, &late));
	cr_assert_eq(late.result, CAPOS_ERR_DISCONNECTED);
	assert_nothing_live();
}

Test(ipc, caller_dies_queued_and_in_flight)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe); /* first in flight, second queued */
	ipc_process_exit(&s, client);
	unsigned eps, calls, recvs;
	ipc_counts(&s, &eps, &calls, &recvs);
	cr_assert_eq(calls, 1u, "the queued call is gone, the one in flight waits for RETURN");
	cr_assert_eq(server->waits.n[WAIT_SERVING], 0u);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 1, false), CAPOS_ERR_DISCONNECTED);
	cr_assert_eq(client->ncqe, 0u, "a dead caller gets nothing");
	assert_nothing_live();
}

Test(ipc, last_client_facet_released_ends_receives)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	release(client, c);
	cr_assert_eq(server->ncqe, 1u);
	cr_assert_eq(server->cqe[0].result, CAPOS_ERR_DISCONNECTED);
	cr_assert(recv(ep, 256, IPC_NO_DEADLINE, &cqe), "no call can ever come");
	cr_assert_eq(cqe.result, CAPOS_ERR_DISCONNECTED);
	assert_nothing_live();
}

Test(ipc, queued_call_survives_its_callers_facet_release)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	release(client, c);
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe), "a queued call is still served");
	cr_assert_eq(server->ncqe, 1u);
	cr_assert_gt(server->cqe[0].result, 0);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	assert_nothing_live();
}

Test(ipc, boot_release_without_owner_disconnects)
{
	struct endpoint *ep = ipc_endpoint_create(&s, "lonely");
	cr_assert_not_null(ep);
	ipc_boot_release(&s, ep);
	assert_nothing_live();
}

/* Endpoints grow past a page of them while memory lasts; without memory
 * a create is refused (NULL) with nothing changed, and works again once
 * memory is back. */
Test(ipc, endpoint_pool_grows_until_memory_is_out)
{
	enum { N = 1000 };
	static struct endpoint *eps[N];
	for (unsigned i = 0; i < N; i++) {
		cr_assert_not_null(eps[i] = ipc_endpoint_create(&s, "e"));
		cr_assert_eq(eps[i]->id, i + 1);
	}
	cr_assert_gt(s.endpoints.pages, 1);
	host_pages_budget = 0;
	uint32_t per = s.endpoints.per_page;
	unsigned more = 0;
	while (ipc_endpoint_create(&s, "fills the last page") != 0)
		more++;
	cr_assert_eq((N + more) % per, 0, "the last page filled, then refused");
	cr_assert_eq(s.endpoints.refused, 1);
	host_pages_budget = -1;
	struct endpoint *again = ipc_endpoint_create(&s, "memory back");
	cr_assert_not_null(again);
	ipc_boot_release(&s, again);
	for (unsigned i = 0; i < N; i++)
		ipc_boot_release(&s, eps[i]);
	unsigned eps_live, calls, recvs;
	ipc_counts(&s, &eps_live, &calls, &recvs);
	cr_assert_eq(eps_live, more, "the ones that filled the page");
	struct endpoint *ep;
	for (uint32_t i = 0; (ep = obj_pool_next(&s.endpoints, &i)); i++)
		ipc_boot_release(&s, ep);
	assert_nothing_live();
	obj_pool_trim(&s.endpoints, 0);
	cr_assert_eq(obj_pool_frames(&s.endpoints), 0, "every page given back");
	cr_assert_eq(host_pages_out, 0);
}

/* Endpoints held by their boot reference alone: no table slot each. */
static void make_bare_eps(struct endpoint **eps, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		cr_assert_not_null(eps[i] = ipc_endpoint_create(&s, "bare"));
}

static void release_bare_eps(struct endpoint **eps, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ipc_boot_release(&s, eps[i]);
}

/* Call records are not a fixed array: far more than a page of them (and
 * than the old 128) are live at once across endpoints, a call id names a
 * record past index 255, and with memory out a call is refused with
 * NO_RESOURCES before any effect, and works again once memory is back. */
Test(ipc, call_records_grow_with_memory)
{
	enum { NEP = 20,
	       SPARE = 4 };
	struct endpoint *eps[NEP + SPARE];
	make_bare_eps(eps, NEP + SPARE);
	struct capos_cqe cqe;
	for (unsigned e = 0; e < NEP; e++)
		for (unsigned k = 0; k < ENDPOINT_CALLS_MAX; k++)
			cr_assert_not(call(client, eps[e], 4, 64, IPC_NO_DEADLINE, &cqe), "ep %u call %u",
			              e, k);
	unsigned neps, calls, recvs;
	ipc_counts(&s, &neps, &calls, &recvs);
	cr_assert_eq(calls, NEP * ENDPOINT_CALLS_MAX);
	cr_assert_gt(calls, 128u);
	cr_assert_gt(s.calls.pages, 1u);
	/* The last endpoint's oldest call sits past the old 8-bit index. */
	cr_assert_not(recv(eps[NEP - 1], 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(server->ncqe, 1u);
	uint32_t id = server->cqe[0].call_id;
	cr_assert_gt(epq_call_index(id), 255u, "index %u", epq_call_index(id));
	cr_assert_eq(ret(eps[NEP - 1], id, 4, false), CAPOS_OK);
	cr_assert_eq(client->ncqe, 1u);
	cr_assert_eq(client->cqe[0].result, 4);
	cr_assert_eq(ret(eps[NEP - 1], id, 4, false), CAPOS_ERR_BAD_CALL_ID, "answered");
	/* Memory out: the pool fills its last page, then refuses cleanly. */
	host_pages_budget = 0;
	int err = CAPOS_OK;
	for (unsigned e = NEP; e < NEP + SPARE && err == CAPOS_OK; e++)
		for (unsigned k = 0; k < ENDPOINT_CALLS_MAX && err == CAPOS_OK; k++) {
			unsigned waits = client->waits.n[WAIT_REPLY];
			if (call(client, eps[e], 4, 64, IPC_NO_DEADLINE, &cqe)) {
				err = cqe.result;
				cr_assert_eq(client->waits.n[WAIT_REPLY], waits, "a refusal has no effect");
			}
		}
	cr_assert_eq(err, CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(s.calls.refused, 1u);
	ipc_counts(&s, &neps, &calls, &recvs);
	cr_assert_eq(calls, s.calls.live);
	cr_assert_eq(calls % s.calls.per_page, 0u, "the last page full");
	host_pages_budget = -1;
	cr_assert_not(call(client, eps[NEP + SPARE - 1], 4, 64, IPC_NO_DEADLINE, &cqe),
	              "memory back");
	ipc_process_exit(&s, client); /* its queued calls go, untold */
	release_bare_eps(eps, NEP + SPARE);
	assert_nothing_live();
	obj_pool_trim(&s.calls, 0);
	cr_assert_eq(obj_pool_frames(&s.calls), 0u, "every page given back");
}

/* Receive records likewise: more than the old 64 posted at once. */
Test(ipc, receive_records_grow_with_memory)
{
	enum { NEP = 6 };
	struct endpoint *eps[NEP];
	make_bare_eps(eps, NEP);
	struct capos_cqe cqe;
	for (unsigned e = 0; e < NEP; e++)
		for (unsigned k = 0; k < ENDPOINT_RECVS_MAX; k++)
			cr_assert_not(recv(eps[e], 256, IPC_NO_DEADLINE, &cqe), "ep %u recv %u", e, k);
	unsigned neps, calls, recvs;
	ipc_counts(&s, &neps, &calls, &recvs);
	cr_assert_eq(recvs, NEP * ENDPOINT_RECVS_MAX);
	cr_assert_gt(recvs, 64u);
	/* Memory out: refused before any effect once the last page is full. */
	struct endpoint *extra[8];
	make_bare_eps(extra, 8); /* while memory lasts: endpoints need pages too */
	host_pages_budget = 0;
	int err = CAPOS_OK;
	for (unsigned e = 0; e < 8 && err == CAPOS_OK; e++)
		for (unsigned k = 0; k < ENDPOINT_RECVS_MAX && err == CAPOS_OK; k++) {
			unsigned waits = server->waits.n[WAIT_RECEIVE];
			if (recv(extra[e], 256, IPC_NO_DEADLINE, &cqe)) {
				err = cqe.result;
				cr_assert_eq(server->waits.n[WAIT_RECEIVE], waits);
			}
		}
	cr_assert_eq(err, CAPOS_ERR_NO_RESOURCES);
	cr_assert_eq(s.recvs.refused, 1u);
	host_pages_budget = -1;
	cr_assert_not(recv(extra[7], 256, IPC_NO_DEADLINE, &cqe), "memory back");
	ipc_process_exit(&s, server); /* its receives go, untold */
	release_bare_eps(eps, NEP);
	release_bare_eps(extra, 8);
	assert_nothing_live();
}

/* Minted facet records likewise: more than the old 256 at once; with
 * memory out perform returns NULL and nothing changed. */
Test(ipc, facet_records_grow_with_memory)
{
	enum { NEP = 5 };
	struct endpoint *eps[NEP];
	make_bare_eps(eps, NEP);
	static struct ipc_facet *made[NEP * ENDPOINT_FACETS_MAX];
	unsigned n = 0;
	for (unsigned e = 0; e < NEP; e++)
		for (unsigned k = 0; k < ENDPOINT_FACETS_MAX; k++, n++) {
			cr_assert_eq(ipc_mint_check(&s, eps[e], 1 + n), CAPOS_OK);
			cr_assert_not_null(made[n] = ipc_mint_perform(&s, eps[e], 1 + n, false));
		}
	cr_assert_eq(ipc_facet_count(&s), NEP * ENDPOINT_FACETS_MAX);
	cr_assert_gt(ipc_facet_count(&s), 256u);
	for (unsigned i = 0; i < n; i++)
		ipc_facet_drop(&s, made[i]);
	cr_assert_eq(ipc_facet_count(&s), 0u);
	/* Memory out with no page left: the pool is trimmed bare first. */
	obj_pool_trim(&s.facets, 0);
	host_pages_budget = 0;
	uint32_t refs = eps[0]->client_refs;
	cr_assert_eq(ipc_mint_check(&s, eps[0], 7), CAPOS_OK);
	cr_assert_null(ipc_mint_perform(&s, eps[0], 7, true));
	cr_assert_eq(eps[0]->facets, 0u);
	cr_assert_eq(eps[0]->client_refs, refs, "a refusal has no effect");
	cr_assert_eq(s.facets.refused, 1u);
	host_pages_budget = -1;
	struct ipc_facet *f = ipc_mint_perform(&s, eps[0], 7, false);
	cr_assert_not_null(f, "memory back");
	ipc_facet_drop(&s, f);
	release_bare_eps(eps, NEP);
	assert_nothing_live();
}

/* A call carries (MOVE) a capability; delivery moves it into the server's
 * table and the record says where. */
Test(ipc, call_moves_a_capability)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct endpoint *other = ipc_endpoint_create(&s, "other");
	struct cap_entry oc = {.object = other, .type = 2};
	uint32_t carried;
	cap_table_insert(&client->caps, &oc, &carried);
	ipc_retain(other, false);
	struct capos_xfer_desc d = {.cap_id = carried, .mode = CAPOS_XFER_MOVE};
	memcpy(client->mem + 8, &d, sizeof d);
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL, .addr = 0, .len = 8, .xfer_cap_count = 1,
	                        .result_addr = 2048, .result_len = 64};
	/* clang-format on */
	struct capos_cqe cqe;
	cr_assert_not(do_call(client, ep, 0, &sqe, IPC_NO_DEADLINE, &cqe));
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(server->cqe[0].cap_count, 1u);
	cr_assert_eq(committed, 1u);
	cr_assert_eq(cap_table_count(&client->caps), 1u, "moved out of the caller's table");
	cr_assert_eq(cap_table_count(&server->caps), 2u);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	ipc_boot_release(&s, other);
	assert_nothing_live();
}

/* The re-entrant drop (docs/security.md): a queued call carries a COPY of
 * the only other owner reference of its own endpoint; the server releases
 * its owner cap; the disconnection fails the call, whose rollback drops the
 * carried copy, the endpoint's last owner reference: one settle loop, no
 * recursion, nothing left behind. */
Test(ipc, call_carrying_its_own_endpoint_reentrant_drop)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct cap_entry own = {.object = ep, .type = 1};
	uint32_t own_id;
	cap_table_insert(&client->caps, &own, &own_id);
	ipc_retain(ep, true);
	struct capos_xfer_desc d = {.cap_id = own_id, .mode = CAPOS_XFER_COPY};
	memcpy(client->mem + 8, &d, sizeof d);
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL, .len = 8, .xfer_cap_count = 1,
	                        .result_addr = 2048, .result_len = 64};
	/* clang-format on */
	struct capos_cqe cqe;
	cr_assert_not(do_call(client, ep, 0, &sqe, IPC_NO_DEADLINE, &cqe));
	release(client, own_id); /* the copy in the queued call holds an owner reference */
	release(server, o);
	cr_assert_eq(client->ncqe, 0u, "an owner reference is still on its way");
	ipc_process_exit(&s, client); /* rollback drops the last owner: disconnect */
	assert_nothing_live();
}

/* What the watchdog's table says each process waits on: a queued call, a
 * call received and not answered (both sides), a posted receive. */
Test(ipc, describe_waits_names_each_wait)
{
	uint32_t o, c, c2;
	struct endpoint *ep = make_ep(&o, &c, &c2);
	struct capos_cqe cqe;
	char buf[256] = "";
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	ipc_describe_waits(&s, server, buf, sizeof buf);
	cr_assert_str_eq(buf, "; recv on endpoint 1 'ep'");
	cr_assert_not(call(client, ep, 3, 64, IPC_NO_DEADLINE, &cqe));  /* delivered */
	cr_assert_not(call(client2, ep, 3, 64, IPC_NO_DEADLINE, &cqe)); /* queued */
	buf[0] = 0;
	ipc_describe_waits(&s, client, buf, sizeof buf);
	cr_assert_str_eq(buf, "; call to endpoint 1 'ep' (received by pid 1 'p1', not answered)");
	buf[0] = 0;
	ipc_describe_waits(&s, client2, buf, sizeof buf);
	cr_assert_str_eq(buf, "; call to endpoint 1 'ep' (queued: nobody receives)");
	buf[0] = 0;
	ipc_describe_waits(&s, server, buf, sizeof buf);
	cr_assert_str_eq(buf, "; owes an answer on endpoint 1 'ep' to pid 2 'p2'");
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	ipc_process_exit(&s, client2);
	assert_nothing_live();
}

/* A RETURN of len bytes from the server's 512 carrying one capability
 * (descriptor right after the bytes). */
static int ret_with_cap(struct endpoint *ep, uint32_t call_id, uint32_t len, bool exception,
                        uint32_t cap_id, uint32_t mode)
{
	struct capos_xfer_desc d = {.cap_id = cap_id, .mode = mode};
	memcpy(server->mem + 512 + capos_align8(len), &d, sizeof d);
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_RETURN, .addr = 512, .len = len,
	                        .xfer_cap_count = 1, .call_id = call_id,
	                        .flags = exception ? CAPOS_SQE_EXCEPTION : 0};
	/* clang-format on */
	struct ipc_call *rec;
	int err = ipc_return_check(&s, ep, &sqe, &rec);
	return err ? err : ipc_return_perform(&s, server, rec, &sqe);
}

/* A second endpoint whose client facet the server holds, to carry. */
static uint32_t server_holds_other(void)
{
	struct endpoint *other = ipc_endpoint_create(&s, "other");
	struct cap_entry oc = {.object = other, .type = 2};
	uint32_t id;
	cr_assert_eq(cap_table_insert(&server->caps, &oc, &id), CAPOS_OK);
	ipc_retain(other, false);
	ipc_boot_release(&s, other); /* no owner: disconnected, still a valid cap */
	return id;
}

/* Reply transfer: the moved capability leaves the server's table and
 * lands in the caller's, its record after the reply bytes. */
Test(ipc, reply_moves_a_capability_to_the_caller)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t carried = server_holds_other();
	struct capos_cqe cqe;
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(ret_with_cap(ep, server->cqe[0].call_id, 5, false, carried, CAPOS_XFER_MOVE),
	             CAPOS_OK);
	cr_assert_eq(client->cqe[0].result, 5);
	cr_assert_eq(client->cqe[0].cap_count, 1u);
	cr_assert_eq(committed, 1u);
	cr_assert_eq(cap_table_count(&server->caps), 1u, "moved out of the server's table");
	cr_assert_eq(cap_table_count(&client->caps), 2u);
	const struct capos_cap_record *rec =
		(const struct capos_cap_record *)(client->mem + 2048 + capos_align8(5));
	struct cap_entry *e;
	cr_assert_eq(cap_table_lookup(&client->caps, rec->cap_id, &e), CAPOS_OK);
	assert_nothing_live();
}

/* An exception carries no capabilities: refused, the call stays in
 * flight and a plain answer still reaches the caller. */
Test(ipc, exception_reply_with_capabilities_refused)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t carried = server_holds_other();
	struct capos_cqe cqe;
	call(client, ep, 1, 64, IPC_NO_DEADLINE, &cqe);
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	uint32_t id = server->cqe[0].call_id;
	cr_assert_eq(ret_with_cap(ep, id, 8, true, carried, CAPOS_XFER_COPY), CAPOS_ERR_BAD_TRANSFER);
	cr_assert_eq(client->ncqe, 0u, "the caller still waits");
	cr_assert_eq(cap_table_count(&server->caps), 2u, "nothing moved");
	cr_assert_eq(ret(ep, id, 2, false), CAPOS_OK);
	cr_assert_eq(client->cqe[0].result, 2);
	assert_nothing_live();
}

/* Transfer descriptors naming an empty slot: the CALL is refused by its
 * perform before any effect (no record, no wait). */
Test(ipc, call_with_bad_transfer_refused_with_no_effect)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_xfer_desc d = {.cap_id = 0x7777, .mode = CAPOS_XFER_COPY};
	memcpy(client->mem + 8, &d, sizeof d);
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL, .len = 8, .xfer_cap_count = 1,
	                        .result_addr = 2048, .result_len = 64};
	/* clang-format on */
	struct capos_cqe cqe;
	cr_assert(do_call(client, ep, 0, &sqe, IPC_NO_DEADLINE, &cqe), "refused now");
	cr_assert_lt(cqe.result, 0);
	unsigned eps, calls, recvs;
	ipc_counts(&s, &eps, &calls, &recvs);
	cr_assert_eq(calls, 0u);
	cr_assert_eq(client->waits.n[WAIT_REPLY], 0u);
	assert_nothing_live();
}

/* The caller's params are read at delivery: unreadable then, the call
 * fails alone and the receive stays posted for the next call. */
Test(ipc, params_unreadable_at_delivery_fail_the_call_alone)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL, .addr = MEM - 4, .len = 64,
	                        .result_addr = 2048, .result_len = 64, .user_data = 5};
	/* clang-format on */
	struct capos_cqe cqe;
	cr_assert_not(do_call(client, ep, 0, &sqe, IPC_NO_DEADLINE, &cqe));
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(client->ncqe, 1u);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_BAD_BUFFER);
	cr_assert_eq(server->ncqe, 0u, "the receive is still posted");
	cr_assert_eq(server->waits.n[WAIT_RECEIVE], 1u);
	cr_assert_not(call(client, ep, 3, 64, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(server->ncqe, 1u, "the next call is delivered to it");
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	assert_nothing_live();
}

/* ---- minted facets (Endpoint.mintClient) and release messages ---------- */

/* Mints a facet of ep with badge into p's table (as the kernel's
 * mintClient does: check, perform, one table entry of kind 3). */
static uint32_t mint(struct endpoint *ep, uint64_t badge, bool notify, struct process *p)
{
	cr_assert_eq(ipc_mint_check(&s, ep, badge), CAPOS_OK);
	struct ipc_facet *f = ipc_mint_perform(&s, ep, badge, notify);
	cr_assert_not_null(f);
	struct cap_entry e = {.object = f, .type = 3, .badge = badge};
	uint32_t id;
	cr_assert_eq(cap_table_insert(&p->caps, &e, &id), CAPOS_OK);
	return id;
}

/* A copy of p's cap id into q's table (a committed copy transfer). */
static uint32_t copy_cap(struct process *p, uint32_t id, struct process *q)
{
	struct cap_entry *e;
	cr_assert_eq(cap_table_lookup(&p->caps, id, &e), CAPOS_OK);
	uint32_t nid;
	cr_assert_eq(cap_table_insert(&q->caps, e, &nid), CAPOS_OK);
	f_retain(e);
	return nid;
}

/* A CALL through p's minted facet id (what the kernel's facet type does:
 * the record's endpoint, its badge, the MINTED flag). */
static bool facet_call(struct process *p, uint32_t id, const struct capos_sqe *sqe,
                       uint64_t deadline, struct capos_cqe *cqe)
{
	struct cap_entry *e;
	cr_assert_eq(cap_table_lookup(&p->caps, id, &e), CAPOS_OK);
	struct ipc_facet *f = e->object;
	*cqe = (struct capos_cqe){.user_data = sqe->user_data};
	int err = ipc_call_check(&s, p, f->ep, sqe);
	if (err == CAPOS_OK)
		err = ipc_call_perform(&s, p, f->ep, f->badge, CAPOS_MSG_F_MINTED, sqe, deadline);
	return posted_now(err, cqe);
}

static const struct capos_sqe plain_call = {
	.opcode = CAPOS_OP_CALL, .len = 4, .result_addr = 2048, .result_len = 64, .user_data = 7};

/* The server's last completion is a release message for badge. */
static void assert_release(unsigned n, uint64_t badge)
{
	cr_assert_eq(server->ncqe, n, "server completions: %u, expected %u", server->ncqe, n);
	const struct capos_cqe *q = &server->cqe[n - 1];
	cr_assert_eq(q->result, (int32_t)sizeof(struct capos_endpoint_message));
	cr_assert_eq(q->call_id, 0u);
	cr_assert_eq(received()->flags, CAPOS_MSG_F_RELEASED);
	cr_assert_eq(received()->badge, badge);
	cr_assert_eq(received()->params_len, 0u);
	cr_assert_eq(received()->cap_count, 0u);
}

Test(ipc, minted_facet_calls_carry_badge_and_flag)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f7 = mint(ep, 7, false, client);
	uint32_t f8 = mint(ep, 8, false, client2);
	struct capos_cqe cqe;
	cr_assert_not(facet_call(client, f7, &plain_call, IPC_NO_DEADLINE, &cqe));
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(received()->badge, 7u);
	cr_assert_eq(received()->flags, CAPOS_MSG_F_MINTED);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	cr_assert_not(facet_call(client2, f8, &plain_call, IPC_NO_DEADLINE, &cqe));
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(received()->badge, 8u);
	cr_assert_eq(ret(ep, server->cqe[1].call_id, 0, false), CAPOS_OK);
	/* A facet spawn-badged by a supervisor carries no MINTED flag. */
	cr_assert_not(call(client, ep, 4, 64, IPC_NO_DEADLINE, &cqe));
	recv(ep, 256, IPC_NO_DEADLINE, &cqe);
	cr_assert_eq(received()->badge, 0x42u);
	cr_assert_eq(received()->flags, 0u);
	cr_assert_eq(ret(ep, server->cqe[2].call_id, 0, false), CAPOS_OK);
	/* Without notify, releasing tells nobody. */
	release(client, f7);
	cr_assert_eq(ep->facets, 1u);
	cr_assert_eq(ep->releases.count, 0u);
	assert_nothing_live();
}

Test(ipc, mint_refusals_and_quota)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	cr_assert_eq(ipc_mint_check(&s, ep, 0), CAPOS_ERR_INVALID_ARGUMENT, "badge 0");
	/* A cap table of 8 slots: facets straight from perform, held by
	 * nobody's table, each with its one reference. */
	struct ipc_facet *made[ENDPOINT_FACETS_MAX];
	for (unsigned i = 0; i < ENDPOINT_FACETS_MAX; i++) {
		cr_assert_eq(ipc_mint_check(&s, ep, 100 + i), CAPOS_OK, "facet %u", i);
		cr_assert_not_null(made[i] = ipc_mint_perform(&s, ep, 100 + i, true));
	}
	cr_assert_eq(ipc_mint_check(&s, ep, 1), CAPOS_ERR_NO_RESOURCES, "over the quota");
	/* A released facet keeps its place until the owner has been told:
	 * a flood of mint and release cannot outrun the server. */
	ipc_facet_drop(&s, made[0]);
	cr_assert_eq(ep->releases.count, 1u);
	cr_assert_eq(ipc_mint_check(&s, ep, 1), CAPOS_ERR_NO_RESOURCES, "release untold");
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	assert_release(1, 100);
	cr_assert_eq(ipc_mint_check(&s, ep, 1), CAPOS_OK, "told: its place is free");
	for (unsigned i = 1; i < ENDPOINT_FACETS_MAX; i++)
		ipc_facet_drop(&s, made[i]);
	cr_assert_eq(ep->releases.count, ENDPOINT_FACETS_MAX - 1u);
	/* The owner goes without reading them: they are dropped, nothing
	 * leaks. */
	assert_nothing_live();
}

Test(ipc, release_told_once_when_the_server_is_busy)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f5 = mint(ep, 5, true, client2);
	release(client2, f5); /* no receive posted: the message waits */
	cr_assert_eq(ep->releases.count, 1u);
	cr_assert_eq(server->ncqe, 0u);
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	assert_release(1, 5);
	cr_assert_eq(ep->facets, 0u);
	/* Exactly once: the next receive waits for a call. */
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(server->ncqe, 1u);
	assert_nothing_live();
}

Test(ipc, copies_delay_the_release_until_all_are_gone)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f9 = mint(ep, 9, true, client);
	uint32_t f9b = copy_cap(client, f9, client2);
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	/* The copy calls with the same badge: copies keep it. */
	cr_assert_not(facet_call(client2, f9b, &plain_call, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(received()->badge, 9u);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	release(client, f9);
	cr_assert_eq(server->ncqe, 1u, "a copy is left: nothing told");
	ipc_process_exit(&s, client2);
	release_all(client2); /* its exit: the last copy goes */
	assert_release(2, 9);
	assert_nothing_live();
}

Test(ipc, a_copy_in_a_queued_transfer_counts)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f3 = mint(ep, 3, true, client);
	/* The client calls carrying a copy of its facet, then releases its
	 * own slot: the copy in flight still names the facet. */
	struct capos_xfer_desc d = {.cap_id = f3, .mode = CAPOS_XFER_COPY};
	memcpy(client->mem + 8, &d, sizeof d);
	struct capos_sqe sqe = plain_call;
	sqe.len = 8;
	sqe.xfer_cap_count = 1;
	struct capos_cqe cqe;
	cr_assert_not(do_call(client, ep, 0, &sqe, 5, &cqe));
	release(client, f3);
	cr_assert_eq(ep->releases.count, 0u, "the queued copy holds it");
	ipc_expire(&s, 10); /* the call times out: its copy is dropped */
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_TIMED_OUT);
	cr_assert_eq(ep->releases.count, 1u);
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	assert_release(1, 3);
	assert_nothing_live();
}

Test(ipc, a_call_made_before_the_release_is_received_first)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f4 = mint(ep, 4, true, client);
	struct capos_cqe cqe;
	cr_assert_not(facet_call(client, f4, &plain_call, IPC_NO_DEADLINE, &cqe));
	release(client, f4); /* the queued call outlives the facet */
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(received()->flags, CAPOS_MSG_F_MINTED);
	cr_assert_eq(received()->badge, 4u);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 0, false), CAPOS_OK);
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	assert_release(2, 4);
	assert_nothing_live();
}

Test(ipc, a_release_before_a_call_is_received_first)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f4 = mint(ep, 4, true, client);
	struct capos_cqe cqe;
	release(client, f4);
	cr_assert_not(call(client, ep, 4, 64, IPC_NO_DEADLINE, &cqe));
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	assert_release(1, 4);
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(received()->badge, 0x42u, "then the call");
	cr_assert_eq(ret(ep, server->cqe[1].call_id, 0, false), CAPOS_OK);
	assert_nothing_live();
}

/* The facet is the endpoint's only client: its release message keeps the
 * endpoint from being orphaned until it is received, then the next RECV
 * ends with DISCONNECTED as for any endpoint without clients. */
Test(ipc, last_client_is_a_facet_release_then_disconnected)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f6 = mint(ep, 6, true, server);
	release(client, c);
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	release(server, f6);
	assert_release(1, 6);
	cr_assert(recv(ep, 256, IPC_NO_DEADLINE, &cqe), "no client left");
	cr_assert_eq(cqe.result, CAPOS_ERR_DISCONNECTED);
	assert_nothing_live();
}

Test(ipc, server_gone_facets_fail_and_leak_nothing)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f1 = mint(ep, 1, true, client);
	uint32_t f2 = mint(ep, 2, true, client2);
	release(client2, f2); /* untold: nobody receives */
	struct capos_cqe cqe;
	cr_assert_not(facet_call(client, f1, &plain_call, IPC_NO_DEADLINE, &cqe));
	ipc_process_exit(&s, server);
	release_all(server);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_DISCONNECTED);
	cr_assert_eq(ep->facets, 1u, "the untold release went with the owner");
	cr_assert(facet_call(client, f1, &plain_call, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(cqe.result, CAPOS_ERR_DISCONNECTED);
	release(client, f1); /* no owner to tell: just freed */
	cr_assert_eq(ipc_facet_count(&s), 0u);
	assert_nothing_live();
}

/* Re-entrant release: a queued call carries the last copy of a notifying
 * facet of its own endpoint and fails at delivery (too big for the
 * receive); its rollback drops the facet while the endpoint is matching.
 * The release is only marked, then delivered to the same receive once the
 * failed call is gone. */
Test(ipc, release_from_a_failed_delivery_is_told_after_it)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	uint32_t f8 = mint(ep, 8, true, client);
	struct capos_xfer_desc d = {.cap_id = f8, .mode = CAPOS_XFER_COPY};
	memcpy(client->mem + 200, &d, sizeof d);
	struct capos_sqe sqe = plain_call;
	sqe.len = 200;
	sqe.xfer_cap_count = 1;
	struct capos_cqe cqe;
	cr_assert_not(do_call(client, ep, 0, &sqe, IPC_NO_DEADLINE, &cqe));
	release(client, f8); /* the queued copy is the last reference */
	cr_assert_eq(ep->releases.count, 0u);
	cr_assert_not(recv(ep, 64, IPC_NO_DEADLINE, &cqe), "the call does not fit: it fails");
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_RESULT_TOO_SMALL);
	assert_release(1, 8);
	cr_assert_eq(s.matching, 0u);
	assert_nothing_live();
}

/* ---- the fast path (copy_msg: no capabilities, user to user) ---------- */

Test(ipc, fast_delivery_pads_the_params_with_zeros)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	memset(server->mem + 1024, 0xff, 64);
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_not(call(client, ep, 10, 64, IPC_NO_DEADLINE, &cqe), "delivered at once");
	uint32_t hdr = sizeof(struct capos_endpoint_message);
	cr_assert_eq(server->cqe[0].result, (int32_t)(hdr + 16));
	cr_assert_eq(memcmp(server->mem + 1024 + hdr, "abcdefghij", 10), 0);
	for (uint32_t i = 10; i < 16; i++)
		cr_assert_eq(server->mem[1024 + hdr + i], 0, "padding byte %u", i);
	cr_assert_eq(server->mem[1024 + hdr + 16], 0xff, "nothing written past the message");
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 3, false), CAPOS_OK);
	cr_assert_eq(client->cqe[0].result, 3);
	assert_nothing_live();
}

Test(ipc, fast_delivery_of_unreadable_params_fails_the_call_alone)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL, .addr = MEM - 4, .len = 10,
	                        .result_addr = 2048, .result_len = 64, .user_data = 5};
	/* clang-format on */
	cr_assert_not(do_call(client, ep, 0, &sqe, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(client->ncqe, 1u);
	cr_assert_eq(client->cqe[0].result, CAPOS_ERR_BAD_BUFFER);
	cr_assert_eq(server->ncqe, 0u, "the receive stays posted");
	cr_assert_eq(server->waits.n[WAIT_RECEIVE], 1u);
	cr_assert_not(call(client, ep, 4, 64, IPC_NO_DEADLINE, &cqe), "the next call is delivered");
	cr_assert_eq(server->ncqe, 1u);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 2, false), CAPOS_OK);
	cr_assert_eq(client->cqe[1].result, 2);
	assert_nothing_live();
}

Test(ipc, fast_reply_from_an_unreadable_message_keeps_the_call_in_flight)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert_not(call(client, ep, 4, 64, IPC_NO_DEADLINE, &cqe));
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	uint32_t id = server->cqe[0].call_id;
	/* clang-format off */
	struct capos_sqe sqe = {.opcode = CAPOS_OP_RETURN, .addr = MEM - 4, .len = 8,
	                        .call_id = id};
	/* clang-format on */
	struct ipc_call *rec;
	cr_assert_eq(ipc_return_check(&s, ep, &sqe, &rec), CAPOS_OK);
	cr_assert_eq(ipc_return_perform(&s, server, rec, &sqe), CAPOS_ERR_BAD_BUFFER);
	cr_assert_eq(client->ncqe, 0u, "the caller still waits");
	cr_assert_eq(ret(ep, id, 6, false), CAPOS_OK, "the server answers again");
	cr_assert_eq(client->cqe[0].result, 6);
	cr_assert_eq(memcmp(client->mem + 2048, "xyzxyz", 6), 0);
	assert_nothing_live();
}

Test(ipc, fast_paths_within_one_process)
{
	/* The owner calls its own endpoint: both copies stay in one memory. */
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_not(call(server, ep, 7, 64, IPC_NO_DEADLINE, &cqe));
	uint32_t hdr = sizeof(struct capos_endpoint_message);
	cr_assert_eq(memcmp(server->mem + 1024 + hdr, "abcdefg", 7), 0);
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 4, false), CAPOS_OK);
	cr_assert_eq(server->cqe[1].result, 4);
	cr_assert_eq(memcmp(server->mem + 2048, "xyzx", 4), 0);
	assert_nothing_live();
}

/* ---- register calls (lib/endpoint_reg.c) ---------------------------------- */

static const struct ipc_rmsg rmsg = {0x10, {1, 2, 3, 4}};
static const struct ipc_rmsg rreply = {0x20, {5, 6, 7, 8}};

static void assert_msg(const struct ipc_rmsg *got, const struct ipc_rmsg *want)
{
	cr_assert_eq(got->label, want->label);
	for (unsigned i = 0; i < CAPOS_IPC_WORDS; i++)
		cr_assert_eq(got->w[i], want->w[i], "word %u", i);
}

Test(ipc, reg_recv_waits_then_call_goes_straight_to_it)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), IPC_LATER);
	cr_assert_eq(server->waits.n[WAIT_RECEIVE], 1u);
	cr_assert_eq(ipc_reg_call(&s, client, ep, 0x42, CAPOS_MSG_F_MINTED, &rmsg), IPC_LATER);
	cr_assert_eq(server->rax, CAPOS_MSG_F_MINTED);
	cr_assert_eq(server->badge, 0x42u);
	assert_msg(&server->msg, &rmsg);
	cr_assert_eq(server->handoffs, 1u, "the server runs next");
	cr_assert_eq(server->waits.n[WAIT_SERVING], 1u);
	cr_assert_eq(client->waits.n[WAIT_REPLY], 1u);
	cr_assert_eq(ipc_reg_reply(&s, server, &rreply), CAPOS_OK);
	cr_assert_eq(client->rax, 0);
	assert_msg(&client->msg, &rreply);
	cr_assert_eq(client->handoffs, 1u, "the caller runs next");
	cr_assert_eq(ipc_reg_reply(&s, server, &rreply), CAPOS_ERR_BAD_CALL_ID, "answered once");
	assert_nothing_live();
}

Test(ipc, reg_call_queued_fifo_then_received)
{
	uint32_t o, c, c2;
	struct endpoint *ep = make_ep(&o, &c, &c2);
	struct ipc_rmsg second = rmsg;
	second.label = 0x11;
	cr_assert_eq(ipc_reg_call(&s, client, ep, 1, 0, &rmsg), IPC_LATER);
	cr_assert_eq(ipc_reg_call(&s, client2, ep, 2, 0, &second), IPC_LATER);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_OK);
	cr_assert_eq(server->badge, 1u, "oldest first");
	assert_msg(&server->msg, &rmsg);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_ERR_INVALID_ARGUMENT, "reply first");
	cr_assert_eq(ipc_reg_reply(&s, server, &rreply), CAPOS_OK);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_OK);
	cr_assert_eq(server->badge, 2u);
	cr_assert_eq(server->msg.label, 0x11u);
	cr_assert_eq(ipc_reg_reply(&s, server, &rreply), CAPOS_OK);
	cr_assert_eq(client2->rax, 0);
	assert_nothing_live();
}

Test(ipc, reg_caller_gone_while_held_reply_told)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	cr_assert_eq(ipc_reg_call(&s, client, ep, 0, 0, &rmsg), IPC_LATER);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_OK);
	ipc_process_exit(&s, client);
	release_all(client);
	cr_assert_eq(server->waits.n[WAIT_SERVING], 0u);
	cr_assert_eq(ipc_reg_reply(&s, server, &rreply), CAPOS_ERR_DISCONNECTED);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_ERR_DISCONNECTED, "no client left");
	assert_nothing_live();
}

Test(ipc, reg_server_gone_holding_and_queued_fail)
{
	uint32_t o, c, c2;
	struct endpoint *ep = make_ep(&o, &c, &c2);
	cr_assert_eq(ipc_reg_call(&s, client, ep, 0, 0, &rmsg), IPC_LATER);
	cr_assert_eq(ipc_reg_call(&s, client2, ep, 0, 0, &rmsg), IPC_LATER);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_OK);
	ipc_process_exit(&s, server);
	cr_assert_eq(client->rax, CAPOS_ERR_DISCONNECTED, "the held call fails");
	cr_assert_eq(client->wakes, 1u);
	release_all(server); /* the last owner: the queued call fails too */
	cr_assert_eq(client2->rax, CAPOS_ERR_DISCONNECTED);
	cr_assert_eq(ipc_reg_call(&s, client, ep, 0, 0, &rmsg), CAPOS_ERR_DISCONNECTED);
	assert_nothing_live();
}

Test(ipc, reg_queued_caller_exits)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	cr_assert_eq(ipc_reg_call(&s, client, ep, 0, 0, &rmsg), IPC_LATER);
	ipc_process_exit(&s, client);
	cr_assert_eq(client->waits.n[WAIT_REPLY], 0u);
	release_all(client);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_ERR_DISCONNECTED);
	cr_assert_eq(ipc_reg_reply(&s, server, &rreply), CAPOS_ERR_BAD_CALL_ID);
	assert_nothing_live();
}

Test(ipc, reg_receiver_told_of_ring_work)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	struct capos_cqe cqe;
	cr_assert_eq(ipc_reg_recv(&s, server, ep), IPC_LATER);
	cr_assert_not(call(client, ep, 8, 64, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(server->rax, CAPOS_IPC_RING_WORK, "woken: a ring call waits");
	cr_assert_eq(server->waits.n[WAIT_RECEIVE], 0u);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_IPC_RING_WORK, "still waiting");
	cr_assert_not(recv(ep, 256, IPC_NO_DEADLINE, &cqe));
	cr_assert_eq(ret(ep, server->cqe[0].call_id, 4, false), CAPOS_OK);
	cr_assert_eq(client->cqe[0].result, 4);
	assert_nothing_live();
}

Test(ipc, reg_receiver_orphaned_when_the_last_client_goes)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), IPC_LATER);
	release(client, c);
	cr_assert_eq(server->rax, CAPOS_ERR_DISCONNECTED);
	cr_assert_eq(server->wakes, 1u);
	assert_nothing_live();
}

Test(ipc, reg_receiver_in_a_dying_process_and_a_queued_call_outlive_a_facet)
{
	uint32_t o, c;
	struct endpoint *ep = make_ep(&o, &c, 0);
	cr_assert_eq(ipc_reg_call(&s, client, ep, 0, 0, &rmsg), IPC_LATER);
	release(client, c); /* another thread released it: the call stays queued */
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_OK);
	cr_assert_eq(ipc_reg_reply(&s, server, &rreply), CAPOS_OK);
	cr_assert_eq(client->rax, 0);
	cr_assert_eq(ipc_reg_recv(&s, server, ep), CAPOS_ERR_DISCONNECTED);
	assert_nothing_live();
}
