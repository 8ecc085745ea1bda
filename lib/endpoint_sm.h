/*
 * The endpoint state machine (docs/ipc.md): endpoints, their queued and
 * in-flight calls and posted receives, matching, delivery and reply
 * decisions, timeouts, disconnection, orphaning and process exit.  The
 * kernel (kernel/cap/endpoint.c) runs it over real processes; the host
 * tests (tests/host/test_endpoint_sm.c) over fake ones.  Everything that
 * touches a process goes through struct ipc_ops: its memory, its
 * capability table, its completions, its wait counts, its name.
 *
 * Endpoints and their call, receive and minted-facet records live in
 * pools that grow with memory (lib/obj_pool.h, pages from ops->pool), so
 * how many can exist system-wide is set by memory.  Each endpoint is still
 * limited to ENDPOINT_CALLS_MAX calls, ENDPOINT_RECVS_MAX receives and
 * ENDPOINT_FACETS_MAX facets (backpressure), so one client cannot take
 * the memory for everybody through one endpoint.
 *
 * Freestanding; struct process is opaque here.
 */
#ifndef CAPOS_LIB_ENDPOINT_SM_H
#define CAPOS_LIB_ENDPOINT_SM_H

#include <capos/abi.h>
#include <capos/limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap_table.h"
#include "endpoint_queue.h"
#include "obj_pool.h"
#include "ring_consumer.h"
#include "transfer.h"
#include "wait.h"

#define ENDPOINT_CALLS_MAX  16 /* queued + in-flight calls per endpoint       */
#define ENDPOINT_RECVS_MAX  16 /* posted receives per endpoint               */
#define ENDPOINT_FACETS_MAX 64 /* minted facets live or awaiting their release message, per endpoint */
#define IPC_NO_DEADLINE     UINT64_MAX

struct process;
struct ipc_rthread;
struct ipc_rmsg;

/* One piece of a message copied straight into another process
 * (ipc_ops.copy_msg): len bytes from kernel memory kbuf when src is NULL,
 * else from process src's memory at addr. */
struct ipc_seg {
	struct process *src;
	const void *kbuf;
	uint64_t addr;
	uint64_t len;
};

/* copy_msg's answer when a source was not readable (the destination's is
 * CAPOS_ERR_BAD_BUFFER); not a CAPOS_ERR_* code, never posted. */
#define IPC_SOURCE_BAD 2

struct ipc_ops {
	uint32_t (*pid)(const struct process *p);
	const char *(*name)(const struct process *p);
	struct cap_table *(*caps)(struct process *p);
	/* The process's memory: CAPOS_OK or CAPOS_ERR_BAD_BUFFER. */
	int (*copy_in)(struct process *p, void *dst, uint64_t addr, uint64_t len);
	int (*copy_out)(struct process *p, uint64_t addr, const void *src, uint64_t len);
	int (*check_writable)(struct process *p, uint64_t addr, uint64_t len);
	/* The fast path's copy: the segments in order into dst's memory at
	 * addr, user to user with no bounce buffer.  CAPOS_OK, or
	 * CAPOS_ERR_BAD_BUFFER (dst not writable), or IPC_SOURCE_BAD (a
	 * source not readable); on an error dst may be partly written. */
	int (*copy_msg)(struct process *dst, uint64_t addr, const struct ipc_seg *segs,
	                unsigned nsegs);
	/* Reads and prepares sqe's transfer descriptors against p's table. */
	int (*xfer_prepare)(struct process *p, const struct capos_sqe *sqe,
	                    struct xfer_plan *plan);
	const struct xfer_ops *xfer;
	/* A transfer was committed (true) or rolled back (false): counters. */
	void (*xfer_counted)(bool committed);
	/* Posts a completion accepted earlier (its CQ slot is reserved);
	 * handoff: p should run next (the other side of a delivery). */
	void (*complete)(struct process *p, const struct capos_cqe *cqe, bool handoff);
	/* Register calls (lib/endpoint_reg.c): p's register state; writes
	 * what a register operation of p returns into its registers (status,
	 * and when m is not NULL the badge, label and words); p, blocked in
	 * one, may run again (handoff: it should run next). */
	struct ipc_rthread *(*rthread)(struct process *p);
	void (*rput)(struct process *p, int64_t status, uint64_t badge, const struct ipc_rmsg *m);
	void (*rwake)(struct process *p, bool handoff);
	void (*wait_begin)(struct process *p, enum wait_kind k);
	void (*wait_end)(struct process *p, enum wait_kind k);
	void (*log)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* Where the endpoint pool's pages come from (ipc_init; the kernel
	 * initialises its pool statically). */
	const struct obj_pool_ops *pool;
	/* A broken invariant: a kernel bug (does not return in the kernel). */
	void (*panic)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
};

struct endpoint {
	bool used; /* false once freed: the pool zeroes a freed object */
	uint32_t id;
	char name[CAPOS_CAP_NAME_MAX];
	uint32_t owner_refs;  /* owner capabilities                        */
	uint32_t client_refs; /* client facet capabilities                 */
	bool boot_ref;        /* held by the boot code while it grants     */
	bool disconnected;    /* no owner left: every call fails           */
	bool disconnect_due;  /* last owner dropped: settle runs it        */
	bool orphan_due;      /* last client dropped: settle runs it       */
	bool release_due;     /* a release message may be deliverable: settle matches */
	uint32_t calls;       /* queued + in flight                        */
	uint32_t recvs;
	uint32_t facets;     /* minted facet records (live or released)   */
	struct epq queued;   /* calls waiting for a receive, oldest first */
	struct epq receives; /* posted receives, oldest first             */
	struct epq releases; /* release messages not yet received, oldest first */
	struct epq rcalls;   /* register calls waiting for ipc_recv, oldest first */
	struct epq rrecvs;   /* threads blocked in ipc_recv, oldest first */
};

/*
 * A client facet minted at run time (Endpoint.mintClient): the object of
 * KCAP_ENDPOINT_FACET capabilities.  refs counts the capabilities naming
 * it, in tables and as copies in prepared transfers; while the record
 * exists it holds one client reference to its endpoint.  When refs falls
 * to 0 a notifying facet becomes a release message (RELEASED, in
 * ep->releases) until a RECV takes it; any other is freed at once.
 */
enum ipc_facet_state { FACET_FREE = 0,
	               FACET_LIVE,
	               FACET_RELEASED };

struct ipc_facet {
	enum ipc_facet_state state;
	bool notify;
	struct endpoint *ep;
	uint64_t badge;
	uint32_t refs;
	uint64_t seq;         /* when it was released (s->next_seq) */
	struct epq_node node; /* in ep->releases while RELEASED */
};

enum ipc_call_state { CALL_FREE = 0,
	              CALL_QUEUED,
	              CALL_INFLIGHT };

struct ipc_call {
	enum ipc_call_state state;
	uint32_t gen;
	struct endpoint *ep;
	struct process *caller; /* NULL: abandoned (caller exited or timed out) */
	int abandoned;          /* what a RETURN to an abandoned call gets      */
	struct process *server; /* in flight: who received it                   */
	uint64_t user_data;
	uint64_t params_addr;
	uint64_t result_addr;
	uint64_t badge;
	uint64_t deadline; /* IPC_NO_DEADLINE = none */
	uint32_t params_len;
	uint32_t result_len;
	uint16_t method_id;
	uint16_t msg_flags;   /* CAPOS_MSG_F_MINTED for a minted facet's call */
	uint64_t seq;         /* when it was queued (s->next_seq) */
	struct epq_node node; /* in ep->queued while QUEUED */
	struct xfer_plan xfer;
};

/* The call pool's index space: a call id carries the record's pool index
 * in EPQ_CALL_INDEX_BITS, so the pool may hold at most this many pages. */
#define IPC_CALL_PAGES_MAX \
	((1u << EPQ_CALL_INDEX_BITS) / OBJ_POOL_PER_PAGE(sizeof(struct ipc_call)))
/* What ipc_init sets up for the call pool, as a static initializer. */
#define IPC_CALLS_POOL_INIT(pool_ops)                                   \
	{                                                               \
		.name = "ipc calls", .ops = (pool_ops),                 \
		.size = OBJ_POOL_ROUND(sizeof(struct ipc_call)),        \
		.per_page = OBJ_POOL_PER_PAGE(sizeof(struct ipc_call)), \
		.limit = IPC_CALL_PAGES_MAX,                            \
	}

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

struct ipc {
	const struct ipc_ops *ops;
	struct obj_pool endpoints; /* struct endpoint */
	struct obj_pool calls;     /* struct ipc_call, at most IPC_CALL_PAGES_MAX pages */
	struct obj_pool recvs;     /* struct ipc_recv */
	struct obj_pool facets;    /* struct ipc_facet */
	uint32_t call_gen;         /* the last call's generation (call ids) */
	uint32_t next_endpoint_id;
	uint32_t reg_calls; /* register calls queued or held by a server */
	uint32_t reg_recvs; /* threads blocked in ipc_recv */
	uint64_t next_seq;  /* orders queued calls and release messages */
	bool settling;
	bool release_due;  /* some endpoint's release_due is set      */
	uint32_t matching; /* match() frames running (re-entry guard) */
	/* Delivery scratch: header + params + padding + cap records.  One
	 * operation uses it at a time (the kernel has one CPU and is not
	 * preemptible). */
	uint8_t buf[sizeof(struct capos_endpoint_message) + RING_MAX_PARAMS_LEN + 8 +
	            CAPOS_XFER_MAX * sizeof(struct capos_cap_record)] __attribute__((aligned(8)));
};

void ipc_init(struct ipc *s, const struct ipc_ops *ops);

/* An endpoint held by its creator (boot_ref) until it calls
 * ipc_boot_release; NULL (logged) when the pool cannot grow. */
struct endpoint *ipc_endpoint_create(struct ipc *s, const char *name);
void ipc_boot_release(struct ipc *s, struct endpoint *ep);
/* A capability to ep was copied / dropped (owner side or client facet). */
void ipc_retain(struct endpoint *ep, bool owner);
void ipc_drop(struct ipc *s, struct endpoint *ep, bool owner);

/*
 * Ring operations of p on ep, each in two steps (docs/invocation.md):
 * ipc_*_check validates the operation with no effect and returns CAPOS_OK
 * (for a RETURN with the in-flight call it answers in *rec), or the error
 * to post; ipc_*_perform, run after a passed check, has the effects.
 * perform returns IPC_LATER when the operation was accepted and its
 * completion is posted through ops->complete (possibly before perform
 * returns: a RECV meeting a queued call), else the result to post now: a
 * RETURN's 0 or error, or an error a CALL or RECV met before its first
 * effect: CAPOS_ERR_NO_RESOURCES when its record's pool cannot grow (out
 * of memory), or bad transfer descriptors (whose check reserves the moved
 * slots in the same step).  deadline: when a CALL or RECV times out
 * (IPC_NO_DEADLINE: never), in the unit of ipc_expire's now.  badge: of
 * the capability the CALL came through.
 */
#define IPC_LATER 1
int ipc_call_check(struct ipc *s, struct process *p, const struct endpoint *ep,
                   const struct capos_sqe *sqe);
int ipc_call_perform(struct ipc *s, struct process *p, struct endpoint *ep, uint64_t badge,
                     uint16_t msg_flags, const struct capos_sqe *sqe, uint64_t deadline);
int ipc_recv_check(struct ipc *s, struct process *p, const struct endpoint *ep,
                   const struct capos_sqe *sqe);
int ipc_recv_perform(struct ipc *s, struct process *p, struct endpoint *ep,
                     const struct capos_sqe *sqe, uint64_t deadline);
int ipc_return_check(struct ipc *s, const struct endpoint *ep, const struct capos_sqe *sqe,
                     struct ipc_call **rec);
int ipc_return_perform(struct ipc *s, struct process *p, struct ipc_call *rec,
                       const struct capos_sqe *sqe);

/*
 * Endpoint.mintClient on the owner side of ep, in the same two steps:
 * check refuses with CAPOS_ERR_INVALID_ARGUMENT (badge 0) or
 * CAPOS_ERR_NO_RESOURCES (ENDPOINT_FACETS_MAX on ep), with no effect;
 * perform makes a live facet with one reference (the capability the
 * caller gets), or returns NULL with no effect (logged) when the facet
 * pool cannot grow.
 */
int ipc_mint_check(struct ipc *s, const struct endpoint *ep, uint64_t badge);
struct ipc_facet *ipc_mint_perform(struct ipc *s, struct endpoint *ep, uint64_t badge,
                                   bool notify);
/* A capability naming f was copied / dropped. */
void ipc_facet_retain(struct ipc_facet *f);
void ipc_facet_drop(struct ipc *s, struct ipc_facet *f);
/* Minted facet records in use (live or awaiting their release message). */
unsigned ipc_facet_count(const struct ipc *s);

/* p is going away (before its capabilities are released): its queued
 * calls rolled back, calls it was serving failed with DISCONNECTED, its
 * receives dropped, its in-flight calls abandoned. */
void ipc_process_exit(struct ipc *s, struct process *p);

/* Completes calls and receives whose deadline passed with
 * CAPOS_ERR_TIMED_OUT.  Returns the earliest deadline still pending,
 * IPC_NO_DEADLINE when none is. */
uint64_t ipc_expire(struct ipc *s, uint64_t now);

/* Appends to buf what p waits for on endpoints (the watchdog's table). */
void ipc_describe_waits(const struct ipc *s, const struct process *p, char *buf, size_t len);

/*
 * Register calls (lib/endpoint_reg.c, docs/ipc.md "Register calls"): a
 * message of a label and CAPOS_IPC_WORDS words that travels in the
 * threads' registers, with no record, no ring and no copy through memory.
 * A thread's state is its struct ipc_rthread (ops->rthread).
 */
struct ipc_rmsg {
	uint64_t label;
	uint64_t w[CAPOS_IPC_WORDS];
};

enum ipc_rstate { RT_IDLE = 0,
	          RT_CALL_QUEUED, /* in ep->rcalls: no thread in ipc_recv yet */
	          RT_CALL_HELD,   /* received: peer is the server that owes the reply */
	          RT_RECEIVING }; /* in ep->rrecvs: blocked in ipc_recv */

struct ipc_rthread {
	enum ipc_rstate state;
	struct process *self;
	struct endpoint *ep;  /* RT_CALL_QUEUED, RT_RECEIVING: where */
	struct process *peer; /* RT_CALL_HELD: the server; holder: its caller (NULL: gone) */
	bool holds;           /* it received a register call and has not replied */
	uint16_t msg_flags;   /* queued call: CAPOS_MSG_F_MINTED */
	uint64_t badge;       /* queued call */
	struct ipc_rmsg msg;  /* queued call */
	struct epq_node node; /* in ep->rcalls or ep->rrecvs */
};

/* Each returns IPC_LATER when p must now block until a peer writes its
 * registers (ops->rput) and wakes it (ops->rwake); else the status for
 * p now (what ipc_reg_recv received is already in p's registers).
 * call: delivered to the oldest thread in ipc_recv (which then runs
 * next), or queued.  recv: the oldest queued register call; else
 * CAPOS_IPC_RING_WORK when ring calls or release messages wait (a ring
 * RECV takes them); else DISCONNECTED when no client is left; else it
 * waits.  reply: to the caller p holds (CAPOS_ERR_BAD_CALL_ID when it
 * holds none, CAPOS_ERR_DISCONNECTED when that caller is gone). */
int ipc_reg_call(struct ipc *s, struct process *p, struct endpoint *ep, uint64_t badge,
                 uint16_t msg_flags, const struct ipc_rmsg *m);
int ipc_reg_recv(struct ipc *s, struct process *p, struct endpoint *ep);
int ipc_reg_reply(struct ipc *s, struct process *p, const struct ipc_rmsg *m);
/* Thread p is going away: its queued call dropped, the server holding
 * its call told at its reply, the call it held failed DISCONNECTED. */
void ipc_reg_exit(struct ipc *s, struct process *p);
/* Internal to the state machine (endpoint_sm.c and endpoint_reg.c). */
void ipc_endpoint_maybe_free(struct ipc *s, struct endpoint *ep);
void ipc_reg_disconnect(struct ipc *s, struct endpoint *ep, unsigned *failed);
void ipc_reg_orphaned(struct ipc *s, struct endpoint *ep);
void ipc_reg_ring_work(struct ipc *s, struct endpoint *ep);
void ipc_reg_describe(const struct ipc *s, struct process *p, char *buf, size_t len);

/* Live endpoints, calls and receives (register calls and ipc_recv
 * waits included). */
void ipc_counts(const struct ipc *s, unsigned *endpoints, unsigned *calls, unsigned *recvs);

#endif
