/*
 * The record of a deferred kernel call (see pending.h).
 */
#include "cap/pending.h"

#include <capos/abi.h>

#include "api/dispatch.h"
#include "cap/registry.h"
#include "proc/process.h"

void kcap_pending_take(struct kcap_pending *p, const struct kcap_call *c)
{
	*p = (struct kcap_pending){
		.waiter = c->caller,
		.waiter_pid = c->caller->pid,
		.user_data = c->sqe->user_data,
		.result_addr = c->sqe->result_addr,
		.result_len = c->sqe->result_len,
	};
}

struct process *kcap_pending_end(struct kcap_pending *p)
{
	struct process *w = p->waiter;
	p->waiter = 0;
	return w != 0 && w->pid == p->waiter_pid ? w : 0;
}

void kcap_pending_complete(struct process *proc, const struct kcap_pending *p, const void *msg,
                           uint32_t len, int32_t error)
{
	api_complete_call(proc, p->user_data, p->result_addr, p->result_len, msg, len, error);
}
