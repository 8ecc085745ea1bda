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
#include "api/kmeasure.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "cap/registry.h"
#include "cap/transfer.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "mem/kpool.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "proc/process.h"
#include "proc/sched.h"

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

/* A walk through one process's pages, a page at a time: kva points at
 * addr through the kernel's direct map, room bytes to the page's end. */
struct user_cursor {
	struct process *p;
	uint64_t addr;
	unsigned need; /* VMM flags every page must have */
	uint8_t *kva;
	uint64_t room;
};

static bool cursor_walk(struct user_cursor *u)
{
	uint64_t page = u->addr & ~(PAGE_SIZE - 1);
	uint64_t pa;
	unsigned flags;
	if (user_page(u->p, page, &pa, &flags) != 0 || (flags & u->need) != u->need)
		return false;
	u->kva = (uint8_t *)phys_to_virt(pa) + (u->addr - page);
	u->room = PAGE_SIZE - (u->addr - page);
	return true;
}

static void cursor_advance(struct user_cursor *u, uint64_t n)
{
	u->addr += n;
	u->kva += n;
	u->room -= n;
}

/* One segment into the destination: per chunk (up to the next page end
 * of either side) the source page is found first, then the destination's. */
static int copy_seg(struct user_cursor *d, const struct ipc_seg *g)
{
	struct user_cursor from = {0};
	const uint8_t *k = g->kbuf;
	if (g->src) {
		if (ring_check_user_range(g->addr, g->len, UINT64_MAX) != CAPOS_OK)
			return IPC_SOURCE_BAD;
		from = (struct user_cursor){.p = g->src, .addr = g->addr, .need = VMM_USER};
	}
	for (uint64_t left = g->len; left > 0;) {
		uint64_t n = left;
		if (g->src) {
			if (from.room == 0 && !cursor_walk(&from))
				return IPC_SOURCE_BAD;
			n = n < from.room ? n : from.room;
		}
		if (d->room == 0 && !cursor_walk(d))
			return CAPOS_ERR_BAD_BUFFER;
		n = n < d->room ? n : d->room;
		memmove(d->kva, g->src ? from.kva : k, n);
		if (g->src)
			cursor_advance(&from, n);
		else
			k += n;
		cursor_advance(d, n);
		left -= n;
	}
	return CAPOS_OK;
}

/* The kernel address of p's [addr, addr + len) when it lies in one user
 * page with the flags `need`, else NULL. */
static uint8_t *one_page(struct process *p, uint64_t addr, uint64_t len, unsigned need)
{
	uint64_t page = addr & ~(PAGE_SIZE - 1);
	uint64_t pa;
	unsigned flags;
	if (addr >= CAPOS_USER_END || addr - page + len > PAGE_SIZE ||
	    user_page(p, page, &pa, &flags) != 0 || (flags & need) != need)
		return 0;
	return (uint8_t *)phys_to_virt(pa) + (addr - page);
}

/* The common case: the message and each user source within one page, a
 * translation (mostly cached) and a copy each.  False: take the walk. */
static bool copy_one_page(struct process *dst, uint64_t addr, uint64_t total,
                          const struct ipc_seg *segs, unsigned nsegs)
{
	uint8_t *d = one_page(dst, addr, total, VMM_USER | VMM_WRITE);
	if (d == 0)
		return false;
	for (unsigned i = 0; i < nsegs; i++) {
		const struct ipc_seg *g = &segs[i];
		const uint8_t *from = g->kbuf;
		if (g->src && (from = one_page(g->src, g->addr, g->len, VMM_USER)) == 0)
			return false;
		memmove(d, from, g->len);
		d += g->len;
	}
	return true;
}

/* The fast path's copy (lib/endpoint_sm.h, ipc_ops.copy_msg): through
 * the direct map of both sides' frames, whoever's address space is
 * loaded, with no bounce buffer. */
static int k_copy_msg(struct process *dst, uint64_t addr, const struct ipc_seg *segs,
                      unsigned nsegs)
{
	MEASURE_ENTER(COPY);
	uint64_t total = 0;
	for (unsigned i = 0; i < nsegs; i++)
		total += segs[i].len;
	if (copy_one_page(dst, addr, total, segs, nsegs)) {
		MEASURE_LEAVE();
		return CAPOS_OK;
	}
	int err = ring_check_user_range(addr, total, UINT64_MAX);
	struct user_cursor d = {.p = dst, .addr = addr, .need = VMM_USER | VMM_WRITE};
	for (unsigned i = 0; i < nsegs && err == CAPOS_OK; i++)
		err = copy_seg(&d, &segs[i]);
	MEASURE_LEAVE();
	return err;
}

/* A result or receive buffer within one page (the common case) checked
 * by one translation, mostly cached; else the general walk. */
static int k_check_writable(struct process *p, uint64_t addr, uint64_t len)
{
	MEASURE_ENTER(COPY);
	bool fits = one_page(p, addr, len, VMM_USER | VMM_WRITE) != 0;
	MEASURE_LEAVE();
	return fits ? CAPOS_OK : user_check_writable(p, addr, len);
}

/* ---- register calls: a thread's registers ------------------------------------ */

static struct ipc_rthread *k_rthread(struct process *p) { return &p->rt; }

/* A thread in a system call has its frame at the top of its kernel
 * stack (syscall_entry.S); the syscall return restores rax, rdi, rsi,
 * rdx, r8, r9 and r10 from it. */
static struct trap_frame *frame_of(struct process *p)
{
	return (struct trap_frame *)(p->kstack_top - sizeof(struct trap_frame));
}

static void k_rput(struct process *p, int64_t status, uint64_t badge, const struct ipc_rmsg *m)
{
	struct trap_frame *tf = frame_of(p);
	tf->rax = (uint64_t)status;
	if (m == 0)
		return;
	tf->rdi = badge;
	tf->rsi = m->label;
	tf->rdx = m->w[0];
	tf->r10 = m->w[1];
	tf->r8 = m->w[2];
	tf->r9 = m->w[3];
}

static void k_rwake(struct process *p, bool handoff)
{
	sched_wake(p);
	if (handoff)
		sched_handoff(p);
}

static const struct ipc_ops kernel_ipc_ops = {
	.pid = k_pid,
	.name = k_name,
	.caps = k_caps,
	.copy_in = user_copy_in,
	.copy_out = user_copy_out,
	.check_writable = k_check_writable,
	.copy_msg = k_copy_msg,
	.xfer_prepare = kxfer_prepare_sqe,
	.xfer = &kcap_xfer_ops,
	.xfer_counted = k_xfer_counted,
	.complete = api_complete,
	.rthread = k_rthread,
	.rput = k_rput,
	.rwake = k_rwake,
	.wait_begin = proc_wait_begin,
	.wait_end = proc_wait_end,
	.log = k_log,
	.pool = &kpool_ops,
	.panic = k_panic,
};

/* The state machine itself, with direct calls to these ops (see
 * IPC_STATIC_OPS in lib/endpoint_sm.c; the host tests link it alone). */
#define IPC_STATIC_OPS kernel_ipc_ops
/* NOLINTNEXTLINE(bugprone-suspicious-include) */
#include "endpoint_sm.c"
/* NOLINTNEXTLINE(bugprone-suspicious-include) */
#include "endpoint_reg.c"

/* What ipc_init sets, done statically: the IPC path never checks it. */
static struct ipc ipc = {
	.ops = &kernel_ipc_ops,
	.endpoints = KPOOL_INIT("endpoints", struct endpoint),
	.calls = IPC_CALLS_POOL_INIT(&kpool_ops),
	.recvs = KPOOL_INIT("ipc receives", struct ipc_recv),
	.facets = KPOOL_INIT("ipc facets", struct ipc_facet),
	.next_endpoint_id = 1,
};
#define the_ipc() (&ipc)

/* ---- objects and capabilities --------------------------------------------- */

struct endpoint *endpoint_create(const char *name) { return ipc_endpoint_create(the_ipc(), name); }

void endpoint_boot_release(struct endpoint *ep) { ipc_boot_release(the_ipc(), ep); }

static void owner_retain(void *object) { ipc_retain(object, true); }
static void client_retain(void *object) { ipc_retain(object, false); }
static void owner_drop(void *object) { ipc_drop(the_ipc(), object, true); }
static void client_drop(void *object) { ipc_drop(the_ipc(), object, false); }
static void facet_retain(void *object) { ipc_facet_retain(object); }
static void facet_drop(void *object) { ipc_facet_drop(the_ipc(), object); }

/* The kernel's own Endpoint methods (CAPOS_SQE_KERNEL).  Every facet type
 * lists them so a client facet's attempt reaches decode and is refused
 * there (NOT_PERMITTED), not as an unknown method. */
static const struct kcall_method endpoint_methods[] = {
	{capos_Endpoint_mintClient_METHOD, "mintClient", {KCALL_FLAT(capos_Endpoint_mintClient_Results), 1}},
};

static bool to_kernel(const struct kcap_call *c) { return (c->sqe->flags & CAPOS_SQE_KERNEL) != 0; }

/* ---- decode and perform ---------------------------------------------------- */

_Static_assert(IPC_LATER == KCAP_CALL_DEFERRED, "the state machine's 'later' is the registry's");

/* CALL on either facet; RECV and RETURN only on the owner side.  A
 * RETURN's call record goes to perform in c->record; a CALL's or RECV's
 * record is taken by perform (decode has no effect). */
static int call_decode(struct endpoint *ep, struct kcap_call *c)
{
	return ipc_call_check(the_ipc(), c->caller, ep, c->sqe);
}

/* Endpoint.mintClient: arg[0] badge, arg[1] interface id, arg[2] notify. */
static int mint_decode(struct endpoint *ep, struct kcap_call *c)
{
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	capos_Endpoint_mintClient_Params_reader in = capos_Endpoint_mintClient_Params_read_root(&m);
	c->arg[0] = capos_Endpoint_mintClient_Params_get_badge(in);
	c->arg[1] = capos_Endpoint_mintClient_Params_get_interfaceId(in);
	c->arg[2] = capos_Endpoint_mintClient_Params_get_notifyOnRelease(in);
	if (c->arg[1] == 0)
		c->arg[1] = capos_Endpoint_ID;
	int err = ipc_mint_check(the_ipc(), ep, c->arg[0]);
	if (err == CAPOS_ERR_INVALID_ARGUMENT)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "mintClient: badge 0 is no badge");
	if (err)
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "mintClient: too many facets live or awaiting release");
	return CAPOS_OK;
}

static int mint_perform(struct endpoint *ep, struct kcap_call *c)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	capos_Endpoint_mintClient_Results_builder r = capos_Endpoint_mintClient_Results_init_root(&b);
	capos_Endpoint_mintClient_Results_set_facet(r, 0);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_NO_RESOURCES; /* cannot happen: the bound is this message */
	/* The results are only scratch so far: the mint is the first effect. */
	struct ipc_facet *f = ipc_mint_perform(the_ipc(), ep, c->arg[0], c->arg[2] != 0);
	if (f == 0)
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "mintClient: no memory for a facet record");
	c->caps[c->cap_count++] = (struct cap_entry){
		.object = f,
		.interface_id = c->arg[1],
		.type = KCAP_ENDPOINT_FACET,
		.badge = c->arg[0],
	};
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static int endpoint_decode(void *object, struct kcap_call *c)
{
	struct ipc_call *call = 0;
	int err;
	if (to_kernel(c))
		return mint_decode(object, c); /* only mintClient is in the table */
	switch (c->opcode) {
	case CAPOS_OP_CALL:
		return call_decode(object, c);
	case CAPOS_OP_RECV:
		return ipc_recv_check(the_ipc(), c->caller, object, c->sqe);
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
	if (c->opcode != CAPOS_OP_CALL || to_kernel(c))
		return CAPOS_ERR_NOT_PERMITTED; /* a client facet only calls the server */
	return call_decode(object, c);
}

static int facet_decode(void *object, struct kcap_call *c)
{
	const struct ipc_facet *f = object;
	if (c->opcode != CAPOS_OP_CALL || to_kernel(c))
		return CAPOS_ERR_NOT_PERMITTED; /* a minted facet only calls the server */
	return call_decode(f->ep, c);
}

static int endpoint_perform(void *object, struct kcap_call *c)
{
	if (to_kernel(c))
		return mint_perform(object, c);
	switch (c->opcode) {
	case CAPOS_OP_CALL:
		return ipc_call_perform(the_ipc(), c->caller, object, c->badge, 0, c->sqe,
		                        deadline_of(c->sqe->timeout_ns));
	case CAPOS_OP_RECV:
		return ipc_recv_perform(the_ipc(), c->caller, object, c->sqe,
		                        deadline_of(c->sqe->timeout_ns));
	default:
		return ipc_return_perform(the_ipc(), c->caller, c->record, c->sqe);
	}
}

/* Its badge is the record's (the table entry carries the same one). */
static int facet_perform(void *object, struct kcap_call *c)
{
	struct ipc_facet *f = object;
	return ipc_call_perform(the_ipc(), c->caller, f->ep, f->badge, CAPOS_MSG_F_MINTED, c->sqe,
	                        deadline_of(c->sqe->timeout_ns));
}

/* ---- register calls: the system calls ---------------------------------------- */

static struct {
	uint64_t calls, refused;
} reg_stats;

/* The endpoint cap id `id` of p names, with the badge and CAPOS_MSG_F_*
 * flags a call through it carries; owner: the owner side only. */
static inline __attribute__((always_inline)) int reg_lookup(struct process *p, uint64_t id, bool owner, struct endpoint **ep,
                                                            uint64_t *badge, uint16_t *flags)
{
	struct cap_entry *e;
	if (id > UINT32_MAX || cap_table_lookup(proc_caps(p), (uint32_t)id, &e) != CAPOS_OK)
		return CAPOS_ERR_BAD_CAP;
	*badge = e->badge;
	*flags = 0;
	if (e->type == KCAP_ENDPOINT) {
		*ep = e->object;
		return CAPOS_OK;
	}
	if (owner)
		return CAPOS_ERR_NOT_PERMITTED;
	if (e->type == KCAP_ENDPOINT_CLIENT) {
		*ep = e->object;
		return CAPOS_OK;
	}
	if (e->type == KCAP_ENDPOINT_FACET) {
		const struct ipc_facet *f = e->object;
		*ep = f->ep;
		*badge = f->badge;
		*flags = CAPOS_MSG_F_MINTED;
		return CAPOS_OK;
	}
	return CAPOS_ERR_NOT_PERMITTED;
}

/* The status goes back to the thread in rax; errors are counted. */
static void reg_status(struct trap_frame *tf, int status)
{
	if (status < 0)
		reg_stats.refused++;
	tf->rax = (uint64_t)(int64_t)status;
}

/* Until a peer has written p's registers (its state is idle again): a
 * ring completion that wakes p meanwhile (api_complete) is not its
 * answer, so p blocks again. */
static void reg_block(struct process *p)
{
	MEASURE_STAGE(SWITCH);
	p->wait_deadline = UINT64_MAX;
	do {
		p->state = PROC_BLOCKED;
		sched_block();
	} while (p->rt.state != RT_IDLE);
	MEASURE_STAGE(EXIT);
}

static struct ipc_rmsg reg_msg(const struct trap_frame *tf)
{
	return (struct ipc_rmsg){tf->rsi, {tf->rdx, tf->r10, tf->r8, tf->r9}};
}

void endpoint_sys_call(struct process *p, struct trap_frame *tf)
{
	struct endpoint *ep;
	uint64_t badge;
	uint16_t flags;
	MEASURE_STAGE(LOOKUP);
	int err = reg_lookup(p, tf->rdi, false, &ep, &badge, &flags);
	if (err == CAPOS_OK) {
		MEASURE_STAGE(PERFORM);
		struct ipc_rmsg m = reg_msg(tf);
		err = ipc_reg_call(the_ipc(), p, ep, badge, flags, &m);
		if (err == IPC_LATER) {
			reg_stats.calls++;
			reg_block(p);
			return;
		}
	}
	reg_status(tf, err);
}

/* ipc_recv on the owner side ep: a call now, a wait, or a status. */
static inline __attribute__((always_inline)) void reg_recv(struct process *p, struct trap_frame *tf, struct endpoint *ep)
{
	int r = ipc_reg_recv(the_ipc(), p, ep);
	if (r == IPC_LATER)
		reg_block(p);
	else if (r != CAPOS_OK) /* OK: the call is in its registers already */
		reg_status(tf, r);
}

void endpoint_sys_recv(struct process *p, struct trap_frame *tf)
{
	struct endpoint *ep;
	uint64_t badge;
	uint16_t flags;
	MEASURE_STAGE(LOOKUP);
	int err = reg_lookup(p, tf->rdi, true, &ep, &badge, &flags);
	if (err != CAPOS_OK) {
		reg_status(tf, err);
		return;
	}
	MEASURE_STAGE(PERFORM);
	reg_recv(p, tf, ep);
}

void endpoint_sys_reply_recv(struct process *p, struct trap_frame *tf)
{
	struct endpoint *ep;
	uint64_t badge;
	uint16_t flags;
	MEASURE_STAGE(LOOKUP);
	int err = reg_lookup(p, tf->rdi, true, &ep, &badge, &flags);
	if (err == CAPOS_OK) {
		MEASURE_STAGE(PERFORM);
		struct ipc_rmsg m = reg_msg(tf);
		err = ipc_reg_reply(the_ipc(), p, &m);
	}
	if (err != CAPOS_OK) {
		reg_status(tf, err);
		return;
	}
	reg_recv(p, tf, ep);
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
	unsigned nf = ipc_facet_count(the_ipc());
	kprintf("ipc: %s: %u endpoints, %u calls, %u receives live; transfers %lu committed, %lu "
	        "rolled back, %lu refused\n",
	        when, eps, nc, nr, kxfer_stats.committed, kxfer_stats.rolled_back,
	        kxfer_stats.refused);
	kprintf("ipc: %s: %u minted facets live\n", when, nf);
	kprintf("ipc: %s: %lu register calls, %lu register syscalls refused\n", when,
	        reg_stats.calls, reg_stats.refused);
	return eps + nc + nr + nf;
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
	KCAP_METHODS(endpoint_methods),
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
	KCAP_METHODS(endpoint_methods),
	.by_process = true,
	.decode = client_decode,
	.perform = endpoint_perform,
	.drop = client_drop,
	.boot_object = 0,
	.transferable = true,
	.retain = client_retain,
};

/* A facet minted by the owner (Endpoint.mintClient): CALL only, with its
 * badge and CAPOS_MSG_F_MINTED; the object is its record, whose last
 * reference may tell the owner (lib/endpoint_sm.h, struct ipc_facet). */
const struct kcap_type kcap_endpoint_facet_type = {
	.kind = KCAP_ENDPOINT_FACET,
	KCAP_METHODS(endpoint_methods),
	.by_process = true,
	.decode = facet_decode,
	.perform = facet_perform,
	.drop = facet_drop,
	.boot_object = 0,
	.transferable = true,
	.retain = facet_retain,
};
