/*
 * lib/endpoint_sm.c over fake processes (the C the SPIN model
 * verify/spin/endpoint.pml mirrors, at larger and messier scales): a
 * server and two clients on one endpoint do random CALLs (with and
 * without deadlines, result buffers too small or unwritable), RECVs
 * (buffers too small for the header or for the call), RETURNs (to calls
 * received, answered, abandoned, or made up), CALLs and RETURNs carrying
 * copies and moves of capabilities (valid, stale, repeated; into a table
 * that may be full), while time passes and any of them exits.
 *
 * Properties: every completion goes to a live process and each CALL or
 * RECV gets at most one; once the server has exited, every call of a live
 * client has been answered or failed; no capability is duplicated or lost
 * (every object's references are the table slots holding it plus the
 * copies in prepared transfers of queued calls, and a slot is reserved
 * exactly while a queued call moves it); no process ends a wait it did
 * not begin; ops->panic never runs; when everybody has exited, no
 * endpoint, call or receive is left, nobody waits and every object's
 * references are back to 0.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "endpoint_sm.h"
#include "../host/cap_table_pool.h"
#include "../host/host_pool_pages.h"
#include "prop.h"

#define MEM      512u
#define MAX_OPS  60u
#define MAX_UIDS 256u
#define NPROCS   3 /* 0: the server, 1 and 2: clients */
#define SLOTS    4u
#define NOBJ     6u

struct process {
	uint32_t pid;
	bool alive;
	uint8_t mem[MEM] __attribute__((aligned(8)));
	uint64_t writable;
	struct cap_slot *slots;
	struct cap_table caps;
	struct wait_counts waits;
	struct ipc_rthread rt; /* register calls: not exercised here (test_endpoint_sm.c) */
};

static struct ipc s;
static struct process procs[NPROCS];
static uint8_t completions[MAX_UIDS]; /* per user_data */
static struct process *owner_of[MAX_UIDS];
static bool is_call[MAX_UIDS];
static uint32_t received[32]; /* call ids the server got */
static uint32_t nreceived;
static char bad[256]; /* the first broken rule a callback saw */
static int64_t refs[NOBJ];
static uint8_t objects[NOBJ];

static void broke(const char *fmt, ...)
{
	if (bad[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(bad, sizeof bad, fmt, ap);
	va_end(ap);
}

static uint32_t f_pid(const struct process *p) { return p->pid; }
static const char *f_name(const struct process *p) { return p->pid ? "client" : "server"; }
static struct cap_table *f_caps(struct process *p) { return &p->caps; }
#include "../host/fake_process_memory.h"

static uint32_t obj_of(const struct cap_entry *e)
{
	return (uint32_t)((uint8_t *)e->object - objects);
}
static bool f_transferable(const struct cap_entry *e)
{
	(void)e;
	return true;
}
static void f_retain(const struct cap_entry *e) { refs[obj_of(e)]++; }
static void f_drop(const struct cap_entry *e) { refs[obj_of(e)]--; }
static const struct xfer_ops obj_xfer = {f_transferable, f_retain, f_drop};

/* As the kernel's: the descriptors follow the params in the sender's memory. */
static int f_xfer_prepare(struct process *p, const struct capos_sqe *sqe, struct xfer_plan *plan)
{
	struct capos_xfer_desc desc[CAPOS_XFER_MAX];
	if (sqe->xfer_cap_count > CAPOS_XFER_MAX)
		return CAPOS_ERR_BAD_TRANSFER;
	if (f_copy_in(p, desc, sqe->addr + capos_align8(sqe->len),
	              sqe->xfer_cap_count * sizeof(desc[0])) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	return xfer_prepare(&p->caps, desc, sqe->xfer_cap_count, &obj_xfer, plan);
}
static void f_xfer_counted(bool committed) { (void)committed; }

static void record(struct process *p, uint64_t uid, const struct capos_cqe *cqe)
{
	if (!p->alive)
		broke("a completion (user_data %llu) went to exited pid %u", (unsigned long long)uid,
		      p->pid);
	if (uid >= MAX_UIDS || owner_of[uid] != p)
		broke("pid %u got a completion for user_data %llu it never submitted", p->pid,
		      (unsigned long long)uid);
	else if (++completions[uid] > 1)
		broke("user_data %llu completed %u times", (unsigned long long)uid, completions[uid]);
	if (p == &procs[0] && cqe->result >= 0 && uid < MAX_UIDS && !is_call[uid] &&
	    nreceived < 32)
		received[nreceived++] = cqe->call_id;
}

static void f_complete(struct process *p, const struct capos_cqe *cqe, bool handoff)
{
	(void)handoff;
	record(p, cqe->user_data, cqe);
}
static void f_wait_begin(struct process *p, enum wait_kind k) { wait_begin(&p->waits, k); }
static void f_wait_end(struct process *p, enum wait_kind k)
{
	if (!wait_end(&p->waits, k))
		broke("pid %u ends a wait of kind %u it did not begin", p->pid, (unsigned)k);
}
static void f_log(const char *fmt, ...) { (void)fmt; }
static void f_panic(const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	broke("ops->panic: %s", msg);
}
static struct ipc_rthread *f_rthread(struct process *p) { return &p->rt; }
static void f_rput(struct process *p, int64_t status, uint64_t badge, const struct ipc_rmsg *m)
{
	(void)p, (void)status, (void)badge, (void)m;
	broke("a register call was answered, but none was made");
}
static void f_rwake(struct process *p, bool handoff)
{
	(void)p, (void)handoff;
	broke("a register call woke a thread, but none was made");
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
	.xfer = &obj_xfer,
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

/* The kernel dispatcher's order: check (no effect), then perform; true
 * and the result in cqe when it is posted now (not IPC_LATER). */
static bool posted_now_as(int err, struct capos_cqe *cqe)
{
	if (err == IPC_LATER)
		return false;
	cqe->result = err;
	return true;
}

static bool do_call(struct process *p, struct endpoint *ep, const struct capos_sqe *sqe,
                    uint64_t deadline, struct capos_cqe *cqe)
{
	int err = ipc_call_check(&s, p, ep, sqe);
	if (err == CAPOS_OK)
		err = ipc_call_perform(&s, p, ep, 0, 0, sqe, deadline);
	return posted_now_as(err, cqe);
}

static bool do_recv(struct process *p, struct endpoint *ep, const struct capos_sqe *sqe,
                    uint64_t deadline, struct capos_cqe *cqe)
{
	int err = ipc_recv_check(&s, p, ep, sqe);
	if (err == CAPOS_OK)
		err = ipc_recv_perform(&s, p, ep, sqe, deadline);
	return posted_now_as(err, cqe);
}

static void do_return(struct process *p, struct endpoint *ep, const struct capos_sqe *sqe,
                      struct capos_cqe *cqe)
{
	struct ipc_call *rec;
	int err = ipc_return_check(&s, ep, sqe, &rec);
	cqe->result = err ? err : ipc_return_perform(&s, p, rec, sqe);
}

/* As the kernel: pending IPC ended, then every capability released. */
static void exit_process(struct endpoint *ep, struct process *p)
{
	ipc_process_exit(&s, p);
	p->alive = false;
	uint32_t cursor = 0, id;
	struct cap_entry *e, out;
	while (cap_table_next(&p->caps, &cursor, &id, &e)) {
		if (cap_table_remove(&p->caps, id, &out) != CAPOS_OK) {
			broke("pid %u exits with slot %#x still reserved", p->pid, id);
			continue;
		}
		f_drop(&out);
	}
	ipc_drop(&s, ep, p == &procs[0]); /* its endpoint capability: owner or facet */
}

/* Up to two transfer descriptors after len params bytes at 0 in p's memory. */
static uint16_t add_transfers(struct prop *p, struct process *x, uint32_t len)
{
	uint16_t n = (uint16_t)(prop_one_in(p, 2) ? prop_draw(p, 1, 2) : 0);
	struct capos_xfer_desc d[2];
	for (uint16_t i = 0; i < n; i++) {
		uint32_t cursor = (uint32_t)prop_draw(p, 0, SLOTS - 1), id = 0;
		struct cap_entry *e;
		if (prop_one_in(p, 5) || !cap_table_next(&x->caps, &cursor, &id, &e))
			id = (uint32_t)prop_draw(p, 0, 0xfff); /* stale or made up */
		d[i] = (struct capos_xfer_desc){.cap_id = id, .mode = (uint32_t)prop_draw(p, 0, 1)};
	}
	memcpy(x->mem + capos_align8(len), d, n * sizeof d[0]);
	return n;
}

/* The transfers of the operation just noted. */
static void note_transfers(struct prop *p, const struct process *x, const struct capos_sqe *sqe)
{
	for (uint16_t i = 0; i < sqe->xfer_cap_count; i++) {
		struct capos_xfer_desc d;
		memcpy(&d, x->mem + capos_align8(sqe->len) + i * sizeof d, sizeof d);
		prop_note(p, "      carrying %s %#x", d.mode ? "move" : "copy", d.cap_id);
	}
}

/* Object references = slots holding it + copies in prepared call plans;
 * reserved slots = the moves of prepared call plans. */
static int check_caps(struct prop *p)
{
	int64_t want[NOBJ] = {0};
	uint32_t moving[NPROCS][SLOTS] = {{0}};
	for (uint32_t i = 0; i < NPROCS; i++)
		for (uint32_t k = 0; k < SLOTS; k++)
			if (procs[i].slots[k].used)
				want[obj_of(&procs[i].slots[k].entry)]++;
	const struct ipc_call *call;
	for (uint32_t c = 0; (call = obj_pool_next(&s.calls, &c)); c++) {
		if (!call->xfer.prepared)
			continue;
		for (uint32_t k = 0; k < call->xfer.count; k++) {
			const struct xfer_item *it = &call->xfer.item[k];
			if (it->mode == CAPOS_XFER_COPY)
				want[obj_of(&it->entry)]++;
			else if (call->caller)
				moving[call->caller - procs][cap_id_index(it->src_id)]++;
		}
	}
	for (uint32_t o = 0; o < NOBJ; o++)
		PROP_CHECK(p, refs[o] == want[o], "object %u has %lld references; slots and prepared copies hold %lld",
		           o, (long long)refs[o], (long long)want[o]);
	for (uint32_t i = 0; i < NPROCS; i++)
		for (uint32_t k = 0; k < SLOTS; k++) {
			bool reserved = procs[i].slots[k].used && procs[i].slots[k].reserved;
			PROP_CHECK(p, moving[i][k] == (reserved ? 1u : 0u),
			           "pid %u slot %u: reserved %d, moved by %u queued calls", procs[i].pid, k,
			           reserved, moving[i][k]);
		}
	return 0;
}

static int run(struct prop *p)
{
	memset(procs, 0, sizeof procs);
	memset(completions, 0, sizeof completions);
	memset(owner_of, 0, sizeof owner_of);
	memset(is_call, 0, sizeof is_call);
	nreceived = 0;
	bad[0] = '\0';
	memset(refs, 0, sizeof refs);
	static bool freed_at_exit;
	if (!freed_at_exit)
		freed_at_exit = atexit(host_pages_free_all) == 0;
	host_pages_free_all(); /* the last case's endpoint pages */
	ipc_init(&s, &ops);
	ct_pool_reset();
	for (uint32_t i = 0; i < NPROCS; i++) {
		procs[i].pid = i + 1;
		procs[i].alive = true;
		procs[i].writable = MEM;
		procs[i].slots = ct_table(&procs[i].caps, SLOTS);
		for (uint32_t k = 0; k < 2; k++) { /* two objects each */
			uint32_t o = i * 2 + k, id;
			struct cap_entry e = {.object = &objects[o], .interface_id = o, .type = 3};
			(void)cap_table_insert(&procs[i].caps, &e, &id);
			refs[o]++;
		}
	}
	struct process *server = &procs[0];
	struct endpoint *ep = ipc_endpoint_create(&s, "ep");
	PROP_CHECK(p, ep != NULL, "no endpoint");
	ipc_retain(ep, true);
	ipc_retain(ep, false);
	ipc_retain(ep, false);
	ipc_boot_release(&s, ep);
	uint64_t now = 0, uid = 0;
	uint64_t nops = prop_draw(p, 1, MAX_OPS);
	for (uint64_t op = 0; op < nops && uid + 2 < MAX_UIDS; op++) {
		struct capos_cqe cqe = {0};
		switch (prop_draw(p, 0, 5)) {
		case 0:
		case 1: { /* a client CALLs */
			struct process *c = &procs[prop_draw(p, 1, 2)];
			if (!c->alive)
				break;
			uint32_t rl = (uint32_t)prop_draw(p, 0, 3) * 16;
			/* clang-format off */
			struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL, .len = (uint32_t)prop_draw(p, 0, 16),
			                        .result_addr = prop_one_in(p, 8) ? MEM : 256,
			                        .result_len = rl, .user_data = ++uid};
			/* clang-format on */
			uint64_t deadline = prop_bool(p) ? IPC_NO_DEADLINE : now + prop_draw(p, 1, 4);
			sqe.xfer_cap_count = add_transfers(p, c, sqe.len);
			owner_of[uid] = c;
			is_call[uid] = true;
			cqe.user_data = uid;
			bool posted_now = do_call(c, ep, &sqe, deadline, &cqe);
			prop_note(p, "pid %u CALL uid %llu (result %u at %llx, deadline %s) -> %s %d",
			          c->pid, (unsigned long long)uid, rl, (unsigned long long)sqe.result_addr,
			          deadline == IPC_NO_DEADLINE ? "none" : "set",
			          posted_now ? "now" : "later", posted_now ? cqe.result : 0);
			note_transfers(p, c, &sqe);
			if (posted_now)
				record(c, uid, &cqe);
			break;
		}
		case 2: { /* the server RECVs */
			if (!server->alive)
				break;
			/* clang-format off */
			uint32_t rl = (uint32_t)prop_draw(p, 0, 2) == 0 ? 8u
			              : (uint32_t)prop_draw(p, 32, 96);
			struct capos_sqe sqe = {.opcode = CAPOS_OP_RECV, .result_addr = 0, .result_len = rl,
			                        .user_data = ++uid};
			/* clang-format on */
			owner_of[uid] = server;
			cqe.user_data = uid;
			bool posted_now = do_recv(server, ep, &sqe, prop_bool(p) ? IPC_NO_DEADLINE : now + 2,
			                          &cqe);
			prop_note(p, "server RECV uid %llu (%u bytes) -> %s %d", (unsigned long long)uid, rl,
			          posted_now ? "now" : "later", posted_now ? cqe.result : 0);
			if (posted_now)
				record(server, uid, &cqe);
			break;
		}
		case 3: { /* the server RETURNs */
			if (!server->alive)
				break;
			/* clang-format off */
			uint32_t id = nreceived && !prop_one_in(p, 6) ? received[prop_draw(p, 0, nreceived - 1)]
			                                             : (uint32_t)prop_draw(p, 0, 0xffff);
			struct capos_sqe sqe = {.opcode = CAPOS_OP_RETURN, .len = (uint32_t)prop_draw(p, 0, 40),
			                        .call_id = id};
			/* clang-format on */
			sqe.xfer_cap_count = add_transfers(p, server, sqe.len);
			do_return(server, ep, &sqe, &cqe);
			prop_note(p, "server RETURN call %#x (%u bytes) -> %d", id, sqe.len, cqe.result);
			note_transfers(p, server, &sqe);
			/* clang-format off */
			PROP_CHECK(p, cqe.result >= 0 || cqe.result == CAPOS_ERR_BAD_CALL_ID ||
			                  cqe.result == CAPOS_ERR_TIMED_OUT ||
			                  cqe.result == CAPOS_ERR_DISCONNECTED ||
			                  cqe.result == CAPOS_ERR_RESULT_TOO_SMALL ||
			                  cqe.result == CAPOS_ERR_BAD_BUFFER ||
			                  cqe.result == CAPOS_ERR_BAD_TRANSFER ||
			                  cqe.result == CAPOS_ERR_NO_RESOURCES,
			           "RETURN got %d", cqe.result);
			/* clang-format on */
			break;
		}
		case 4: /* time passes */
			now += prop_draw(p, 0, 3);
			ipc_expire(&s, now);
			prop_note(p, "time %llu", (unsigned long long)now);
			break;
		default: { /* someone exits */
			struct process *x = &procs[prop_draw(p, 0, NPROCS - 1)];
			if (!x->alive)
				break;
			prop_note(p, "pid %u exits", x->pid);
			exit_process(ep, x);
			break;
		}
		}
		PROP_CHECK(p, !bad[0], "%s", bad);
		if (check_caps(p))
			return 1;
	}
	/* The server goes: every live client's call is answered or failed. */
	if (server->alive) {
		prop_note(p, "server exits (teardown)");
		exit_process(ep, server);
	}
	PROP_CHECK(p, !bad[0], "%s", bad);
	for (uint64_t u = 1; u <= uid; u++)
		PROP_CHECK(p, !is_call[u] || !owner_of[u]->alive || completions[u] == 1,
		           "call uid %llu of live pid %u: %u completions after the server exited",
		           (unsigned long long)u, owner_of[u]->pid, completions[u]);
	for (uint32_t i = 1; i < NPROCS; i++)
		if (procs[i].alive)
			exit_process(ep, &procs[i]);
	PROP_CHECK(p, !bad[0], "%s", bad);
	unsigned eps, calls, recvs;
	ipc_counts(&s, &eps, &calls, &recvs);
	PROP_CHECK(p, eps + calls + recvs == 0, "left: %u endpoints, %u calls, %u receives", eps, calls,
	           recvs);
	for (uint32_t i = 0; i < NPROCS; i++)
		for (uint32_t k = 0; k < WAIT_KINDS; k++)
			PROP_CHECK(p, procs[i].waits.n[k] == 0, "pid %u still waits (kind %u)", procs[i].pid, k);
	for (uint32_t o = 0; o < NOBJ; o++)
		PROP_CHECK(p, refs[o] == 0, "object %u has %lld references after everybody exited", o,
		           (long long)refs[o]);
	return 0;
}

const struct prop_def prop_endpoint = {"endpoint",
                                       "lib/endpoint_sm.c: calls answered once, caps conserved",
                                       run};
