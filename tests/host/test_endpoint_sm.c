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
};

static struct ipc s;
static struct process procs[4];
static unsigned committed, rolled_back;

static uint32_t f_pid(const struct process *p) { return p->pid; }
static const char *f_name(const struct process *p) { return p->name; }
static struct cap_table *f_caps(struct process *p) { return &p->caps; }

static int f_copy_in(struct process *p, void *dst, uint64_t addr, uint64_t len)
{
	if (addr > MEM || len > MEM - addr)
		return CAPOS_ERR_BAD_BUFFER;
	memcpy(dst, p->mem + addr, len);
	return CAPOS_OK;
}

static int f_check_writable(struct process *p, uint64_t addr, uint64_t len)
{
	return addr <= p->writable && len <= p->writable - addr ? CAPOS_OK : CAPOS_ERR_BAD_BUFFER;
}

static int f_copy_out(struct process *p, uint64_t addr, const void *src, uint64_t len)
{
	if (f_check_writable(p, addr, len) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	memcpy(p->mem + addr, src, len);
	return CAPOS_OK;
}

/* Endpoint capabilities: type 1 owner, 2 client facet (as the kernel's
 * retain/drop do, a copy holds a reference). */
static bool f_transferable(const struct cap_entry *e)
{
	(void)e;
	return true;
}
static void f_retain(const struct cap_entry *e)
{
	if (e->type == 1 || e->type == 2)
		ipc_retain(e->object, e->type == 1);
}
static void f_drop(const struct cap_entry *e)
{
	if (e->type == 1 || e->type == 2)
		ipc_drop(&s, e->object, e->type == 1);
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
	.xfer_prepare = f_xfer_prepare,
	.xfer = &f_xfer,
	.xfer_counted = f_xfer_counted,
	.complete = f_complete,
	.wait_begin = f_wait_begin,
	.wait_end = f_wait_end,
	.log = f_log,
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
	struct ipc_call *rec;
	int err = ipc_call_check(&s, p, ep, sqe, &rec);
	if (err == CAPOS_OK)
		err = ipc_call_perform(&s, p, ep, rec, badge, sqe, deadline);
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
	struct ipc_recv *rec;
	int err = ipc_recv_check(&s, server, ep, &sqe, &rec);
	if (err == CAPOS_OK)
		err = ipc_recv_perform(&s, server, ep, rec, &sqe, deadline);
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

TestSuite(ipc, .init = setup);

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

Test(ipc, endpoint_pool_bounded)
{
	struct endpoint *eps[ENDPOINT_MAX];
	for (unsigned i = 0; i < ENDPOINT_MAX; i++)
		cr_assert_not_null(eps[i] = ipc_endpoint_create(&s, "e"));
	cr_assert_null(ipc_endpoint_create(&s, "one too many"));
	for (unsigned i = 0; i < ENDPOINT_MAX; i++)
		ipc_boot_release(&s, eps[i]);
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
