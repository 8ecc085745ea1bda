/*
 * cap_enter's ring consumer: takes SQEs (validated copies, see
 * lib/ring_consumer.h), dispatches each and posts one CQE per SQE.
 *
 * Budget and overflow: one call consumes at most RING_DRAIN_BUDGET SQEs and
 * never more than there are free CQ slots, so a completion is never dropped
 * (SQEs beyond that stay queued for the next call) and one call's kernel
 * time is bounded: a process flooding its ring cannot hold the CPU, the
 * timer preempts it as soon as it is back in user mode.
 *
 * Params and results go through two static kernel buffers: the kernel is
 * not preemptible and there is one CPU, so one CALL uses them at a time.
 */
#include <capos/abi.h>

#include "api/dispatch.h"
#include "api/kmeasure.h"
#include "cap/registry.h"
#include "kcall.h"
#include "kstring.h"
#include "log.h"
#include "proc/sched.h"
#ifdef CAPOS_COVERAGE
#include "arch/x86_64/kcov.h"
#endif

#define RING_DRAIN_BUDGET CAPOS_SQ_ENTRIES

static uint8_t params_buf[RING_MAX_PARAMS_LEN] __attribute__((aligned(8)));
static uint8_t result_buf[RING_MAX_RESULT_LEN] __attribute__((aligned(8)));

static int do_release(struct process *p, const struct capos_sqe *sqe)
{
	struct cap_entry removed;
	int err = cap_table_remove(proc_caps(p), sqe->cap_id, &removed);
	if (err)
		return err;
	kcap_drop(&removed);
	return CAPOS_OK;
}

/* Drops the references of c's result caps. */
static void drop_result_caps(struct kcap_call *c)
{
	for (uint32_t i = 0; i < c->cap_count && i < KCAP_CALL_CAPS_MAX; i++)
		kcap_drop(&c->caps[i]);
	c->cap_count = 0;
}

/*
 * Posts a successful kernel call: the result message, then one
 * capos_cap_record per result cap at result_addr + align8(message), and
 * cqe->cap_count.  Nothing here can fail: the check before perform proved
 * the buffer writable and big enough for c->bound and the table roomy
 * enough, perform stayed within c->bound and touched neither (one CPU, no
 * preemption).  A method that broke its bound is a kernel bug.
 */
static int32_t post_result(struct process *p, const struct capos_sqe *sqe, struct kcap_call *c,
                           const struct kcap_type *t, struct capos_cqe *cqe)
{
	uint32_t n = c->cap_count;
	if (c->result_len > c->bound.bytes || n > c->bound.caps)
		panic("cap: %s.%s returned %u bytes and %u caps, over its bound of %u and %u",
		      kcap_info(t)->name, c->method->name, c->result_len, n, c->bound.bytes, c->bound.caps);
	if (n == 0 && (sqe->result_len == 0 || c->result_len == 0))
		return 0; /* no result asked for, or none (an endpoint RETURN's) */
	uint64_t rec_off = n ? capos_align8(c->result_len) : c->result_len;
	uint64_t total = rec_off + (uint64_t)n * sizeof(struct capos_cap_record);
	struct capos_cap_record *rec = (struct capos_cap_record *)(result_buf + rec_off);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id;
		if (cap_table_insert(proc_caps(p), &c->caps[i], &id) != CAPOS_OK)
			panic("cap: %s.%s: no slot for result cap %u after the check", kcap_info(t)->name,
			      c->method->name, i);
		rec[i] = (struct capos_cap_record){.cap_id = id, .interface_id = c->caps[i].interface_id};
	}
	/* clang-format off */
	c->cap_count = 0; /* the table holds their references now */
	/* clang-format on */
	memset(result_buf + c->result_len, 0, rec_off - c->result_len); /* padding */
	if (user_copy_out(p, sqe->result_addr, result_buf, total) != CAPOS_OK)
		panic("cap: %s.%s: result buffer %lx not writable after the check", kcap_info(t)->name,
		      c->method->name, sqe->result_addr);
	cqe->cap_count = n;
	return (int32_t)c->result_len;
}

/* An exception (no effect happened) into the caller's buffer, if it fits. */
static void post_exception(struct process *p, const struct capos_sqe *sqe,
                           const struct kcap_call *c, struct capos_cqe *cqe)
{
	cqe->flags |= CAPOS_CQE_F_EXCEPTION;
	if (c->result_len > sqe->result_len ||
	    user_copy_out(p, sqe->result_addr, result_buf, c->result_len) != CAPOS_OK)
		cqe->result = CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED;
	else
		cqe->result = CAPOS_ERR_APPLICATION_EXCEPTION;
}

/* The check between decode and perform: can the caller take any result
 * within c->bound?  Logs a refusal. */
static int check_room(struct process *p, const struct capos_sqe *sqe, const struct kcap_call *c,
                      const struct kcap_type *t)
{
	uint32_t free_slots = cap_table_free_slots(proc_caps(p));
	int err = kcall_check_room(sqe->result_len, c->bound, free_slots);
	/* The table grows now, so the result's inserts cannot fail later. */
	if (!err && c->bound.caps != 0)
		err = cap_table_ensure(&p->caps, c->bound.caps);
	if (err)
		kprintf("cap: pid %u %s.%s refused before it ran: %s (result buffer %u bytes, "
		        "needs %lu; %u free slots, needs %u)\n",
		        p->pid, kcap_info(t)->name, c->method->name, ring_error_name(err), sqe->result_len,
		        kcall_result_need(c->bound), free_slots, c->bound.caps);
	return err;
}

/* The transport of a call the kernel answers: a CALL without transfer
 * descriptors, its params copied in, its result buffer writable and its
 * method in the type's table.  Fills the rest of c. */
static int kernel_transport(struct process *p, const struct capos_sqe *sqe,
                            const struct kcap_type *t, struct kcap_call *c)
{
	if (sqe->opcode != CAPOS_OP_CALL)
		return CAPOS_ERR_NOT_PERMITTED; /* RECV/RETURN: only by_process types */
	if (sqe->xfer_cap_count != 0)
		return CAPOS_ERR_BAD_TRANSFER; /* kernel objects take no caps */
	/* Both buffers are checked before the call has any effect. */
	if (user_copy_in(p, params_buf, sqe->addr, sqe->len) != CAPOS_OK ||
	    user_check_writable(p, sqe->result_addr, sqe->result_len) != CAPOS_OK)
		return CAPOS_ERR_BAD_BUFFER;
	c->method = kcall_method_find(t->methods, t->method_count, sqe->method_id);
	if (c->method == 0)
		return CAPOS_ERR_UNKNOWN_METHOD;
	c->arg[0] = c->arg[1] = c->arg[2] = 0;
	c->data = 0;
	c->data_len = 0;
	c->params = params_buf;
	c->params_len = sqe->len;
	c->result = result_buf;
	c->result_cap = sizeof(result_buf);
	c->bound = c->method->max;
	return CAPOS_OK;
}

/* Decode, check, perform (registry.h); the CQ slot of a later completion
 * is reserved before perform runs (it may complete before it returns: an
 * endpoint RECV meeting a queued call).  Returns perform's status, or
 * the refusal of an earlier step. */
static int run_op(struct process *p, struct cap_entry *e, const struct kcap_type *t,
                  struct kcap_call *c)
{
	/* A by_process type's own methods (CAPOS_SQE_KERNEL) take the
	 * kernel's transport like any kernel object's. */
	if (!t->by_process || (c->sqe->flags & CAPOS_SQE_KERNEL)) {
		int err = kernel_transport(p, c->sqe, t, c);
		MEASURE_STAGE(DECODE);
		if (err == CAPOS_OK)
			err = t->decode(e->object, c);
		MEASURE_STAGE(PERFORM);
		if (err == CAPOS_OK)
			err = check_room(p, c->sqe, c, t);
		if (err)
			return err;
	} else {
		MEASURE_STAGE(DECODE);
		int err = t->decode(e->object, c);
		MEASURE_STAGE(PERFORM);
		if (err)
			return err;
	}
	p->cq_reserved++;
#ifdef CAPOS_COVERAGE
	kcov_perform(t, c); /* the coverage build only (arch/x86_64/kcov.h) */
#endif
	int err = t->perform(e->object, c);
	if (err != KCAP_CALL_DEFERRED)
		p->cq_reserved--;
	return err;
}

/* The one place a status becomes a completion posted now: the result
 * (bytes and caps), an exception, or an error.  False when the
 * completion comes later (api_complete; its CQ slot stays reserved). */
static bool post(struct process *p, int err, struct kcap_call *c, const struct kcap_type *t,
                 struct capos_cqe *cqe)
{
	if (err == KCAP_CALL_DEFERRED)
		return false;
	if (err == CAPOS_OK)
		cqe->result = post_result(p, c->sqe, c, t, cqe);
	else if (err == CAPOS_ERR_APPLICATION_EXCEPTION)
		post_exception(p, c->sqe, c, cqe);
	else
		cqe->result = err;
	drop_result_caps(c); /* only a failed perform leaves any */
	return true;
}

/* CALL, RECV or RETURN on a capability: every type the same way. */
static bool do_op(struct process *p, const struct capos_sqe *sqe, struct capos_cqe *cqe)
{
	struct cap_entry *e;
	MEASURE_STAGE(LOOKUP);
	int err = cap_table_lookup(proc_caps(p), sqe->cap_id, &e);
	if (err) {
		cqe->result = err;
		return true;
	}
	const struct kcap_type *t = kcap_type_of((enum kcap_kind)e->type);
	MEASURE_STAGE(PERFORM);
	if (t == 0 || t->perform == 0) {
		cqe->result = CAPOS_ERR_NOT_PERMITTED;
		return true;
	}
	/* Field by field: caps[] is large and only perform fills it; the
	 * fields of a kernel-answered call are kernel_transport's. */
	struct kcap_call c;
	c.caller = p;
	c.opcode = sqe->opcode;
	c.method_id = sqe->method_id;
	c.method = 0;
	c.result_len = 0;
	c.badge = e->badge;
	c.sqe = sqe;
	c.record = 0;
	c.bound = (struct kcall_bound){0, 0};
	c.cap_count = 0;
	return post(p, run_op(p, e, t, &c), &c, t, cqe);
}

/* Returns false when the completion will be posted later (api_complete). */
static bool dispatch(struct process *p, const struct capos_sqe *sqe, struct capos_cqe *cqe)
{
	int err = ring_validate_sqe(sqe);
	if (err) {
		cqe->result = err;
		return true;
	}
	MEASURE_STAGE(PERFORM);
	switch (sqe->opcode) {
	case CAPOS_OP_NOP:
		cqe->result = MEASURE_NOP(p, sqe);
		break;
	case CAPOS_OP_RELEASE:
		cqe->result = do_release(p, sqe);
		break;
	case CAPOS_OP_CALL:
	case CAPOS_OP_RECV:
	case CAPOS_OP_RETURN:
		return do_op(p, sqe, cqe);
	default:
		cqe->result = CAPOS_ERR_RESERVED_OPCODE; /* unreachable: validated */
		break;
	}
	return true;
}

/* Every CQE a process receives is written here: at once from ring_drain,
 * later from api_complete.  An error (not an exception) is counted. */
static void post_cqe(struct process *p, const struct capos_cqe *cqe)
{
	if (cqe->result < 0 && !(cqe->flags & CAPOS_CQE_F_EXCEPTION)) {
		p->ring_errors++;
		p->ring->header.sq_dropped++;
	}
	ring_post_cqe(p->ring, &p->ring_cursor, cqe);
}

void api_complete(struct process *p, const struct capos_cqe *cqe, bool handoff)
{
	MEASURE_ENTER(POST);
	if (p->cq_reserved > 0)
		p->cq_reserved--;
	if (p->state == PROC_FREE || p->state == PROC_ZOMBIE) {
		MEASURE_LEAVE();
		return;
	}
	/* The slot was reserved when the SQE was accepted; a process that
	 * moved its own cq_head backwards only overwrites its own CQEs. */
	post_cqe(p, cqe);
	if (p->state == PROC_BLOCKED) {
		int ready = ring_cq_ready(p->ring, &p->ring_cursor);
		if (ready < 0 || (uint32_t)ready >= p->wait_min)
			sched_wake(p);
	}
	if (handoff)
		sched_handoff(p);
	MEASURE_LEAVE();
}

void api_complete_call(struct process *p, uint64_t user_data, uint64_t result_addr,
                       uint32_t result_len, const void *msg, uint32_t len, int32_t error)
{
	struct capos_cqe cqe = {.user_data = user_data, .result = error};
	if (error >= 0) {
		if (result_len == 0)
			cqe.result = 0; /* the caller asked for no result */
		else if (len > result_len)
			cqe.result = CAPOS_ERR_RESULT_TOO_SMALL;
		else if (user_copy_out(p, result_addr, msg, len) != CAPOS_OK)
			cqe.result = CAPOS_ERR_BAD_BUFFER;
		else
			cqe.result = (int32_t)len;
	}
	api_complete(p, &cqe, false);
}

/* One SQE the full way: copied, validated, dispatched, posted. */
static void drain_one(struct process *p)
{
	struct capos_sqe sqe;
	MEASURE_STAGE(VALIDATE);
	ring_take_sqe(p->ring, &p->ring_cursor, &sqe);
	struct capos_cqe cqe = {.user_data = sqe.user_data};
	if (!dispatch(p, &sqe, &cqe))
		return; /* posted later, its CQ slot is reserved */
	MEASURE_STAGE(POST);
	post_cqe(p, &cqe);
}

/* SQEs done..n-1 of this call: runs of plain NOPs through the batch path
 * (one index publication per run), anything else one SQE at a time.  Out
 * of line: its frame (drain_one's struct kcap_call) is not the frame of
 * a batch of NOPs. */
static __attribute__((noinline)) void drain_rest(struct process *p, uint32_t done, uint32_t n)
{
	while (done < n) {
		drain_one(p);
		done++;
		MEASURE_STAGE(PERFORM);
		if (done < n && ring_peek_nop(p->ring, &p->ring_cursor))
			done += ring_take_nops(p->ring, &p->ring_cursor, n - done);
	}
}

int ring_drain(struct process *p, uint32_t pending, uint32_t ready)
{
	/* Completions promised to pending operations keep their slots.  The
	 * budget needs no clamp of its own: pending <= CAPOS_SQ_ENTRIES. */
	_Static_assert(RING_DRAIN_BUDGET >= CAPOS_SQ_ENTRIES, "pending is within the budget");
	uint32_t tail = p->ring_cursor.cq_tail;
	uint32_t taken = ready + p->cq_reserved;
	uint32_t space = taken < CAPOS_CQ_ENTRIES ? CAPOS_CQ_ENTRIES - taken : 0;
	uint32_t n = pending < space ? pending : space;
	/* The common batch, NOPs only, without drain_rest's frame; any other
	 * SQE leaves it after one read of its opcode word. */
	MEASURE_STAGE(PERFORM);
	uint32_t done = ring_take_nops(p->ring, &p->ring_cursor, n);
	if (done < n)
		drain_rest(p, done, n);
	p->sqes_done += n;
	return (int)(ready + (p->ring_cursor.cq_tail - tail));
}
