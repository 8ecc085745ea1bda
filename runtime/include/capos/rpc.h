/*
 * What the code capnpc-c generates for interfaces stands on: typed clients
 * call through capos_rpc_send, generated dispatchers answer through
 * capos_serve.  docs/capnp-c.md ("Interfaces: client stubs and server
 * dispatch") describes the generated side; this is the runtime side.
 *
 * Client.  A stub builds its params into a struct capos_rpc_out (a stack
 * arena, moved to the heap when the params outgrow it), passes the
 * capabilities its params name as transfer descriptors (the message's cap
 * index i is descriptor i), sends the CALL and leaves the result message
 * in a struct capos_rpc_result.  Errors are those of capos/call.h:
 * transport, exception (type and message), or local.
 *
 * Server.  capos_serve runs the runtime's server loop (capos/server.h:
 * RETURN and the next RECV in one cap_enter) with a generated dispatcher:
 * for each call the params are opened with the amplification guard, the
 * results root is started in the reply buffer, the handler for the method
 * ordinal runs, and a method without a handler answers `unimplemented`.
 * A params message that turns out malformed answers `invalidArgument`,
 * whatever the handler did; capabilities that came with the call and that
 * the handler did not take are released.
 */
#ifndef CAPOS_RT_RPC_H
#define CAPOS_RT_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capos/abi.h>
#include <capos/call.h>
#include <capos/capset.h>
#include <capos/handle.h>
#include <capos/ring.h>
#include <capos/server.h>
#include "capnp/capnp.h"

/* ---------------------------------------------------------------------- */
/* Client side                                                            */
/* ---------------------------------------------------------------------- */

/* A capability to call: the ring calls go through and the handle.
 * Results larger than CAPOS_RPC_RESULT_BYTES go to a buffer of the
 * caller's: set result_buf (8-byte aligned) and result_cap after binding
 * (the largest result the object may send, e.g. the server loop's
 * CAPOS_SERVER_REPLY_BYTES); each call's results then live there until
 * the next call.  Params larger than the stack arena go to the heap, or
 * to params_buf/params_cap when set (8-byte aligned; a process without a
 * heap, e.g. init). */
struct capos_client {
	struct capos_ring *ring;
	struct capos_cap cap;
	void *result_buf;
	uint32_t result_cap;
	uint32_t params_cap;
	void *params_buf;
};

/* Binds c to cap if its interface is iface; 0, CAPOS_ERR_BAD_CAP (invalid
 * handle) or CAPOS_ERR_NOT_PERMITTED (another interface). */
int capos_client_bind(struct capos_client *c, struct capos_ring *r, struct capos_cap cap,
                      uint64_t iface);
#if !defined(CAPOS_HOST)
/* Binds c to the process CapSet's entry `name` on the process ring:
 * 0, CAPOS_ERR_BAD_CAP (no such entry) or CAPOS_ERR_NOT_PERMITTED (the
 * entry has another interface). */
int capos_client_open(struct capos_client *c, const char *name, uint64_t iface);
#endif

#define CAPOS_RPC_STACK_WORDS  64u           /* params built on the stack up to this */
#define CAPOS_RPC_PARAMS_MAX   (64u * 1024u) /* the ABI's params limit */
#define CAPOS_RPC_RESULT_BYTES 1024u         /* result message + result-cap records */

/* The params of one call being built. */
struct capos_rpc_out {
	struct capnp_builder b;
	uint64_t stack[CAPOS_RPC_STACK_WORDS];
	uint64_t *heap;  /* the arena when the stack one is too small */
	uint64_t *fixed; /* the client's params_buf, if it set one    */
	size_t bytes;    /* the arena's size                          */
	unsigned round;  /* builds so far                            */
	struct capos_xfer_desc xfer[CAPOS_XFER_MAX];
	uint32_t xfer_count;
	int err; /* a local error met while building         */
};

/* Starts params expected to take about `hint` bytes (0: unknown). */
void capos_rpc_out_init(struct capos_rpc_out *o, size_t hint);
/* True when the params must be (re)built now into o->b: the first time,
 * and again in a bigger arena when the last build ran out of room. */
bool capos_rpc_build(struct capos_rpc_out *o);
/* Passes *cap with the call (copied, or moved if move) and returns its
 * index for the message's capability pointer; CAPNP_NO_CAP for NULL or an
 * invalid handle.  More than CAPOS_XFER_MAX is a local error at send. */
uint32_t capos_rpc_pass_cap(struct capos_rpc_out *o, const struct capos_cap *cap, bool move);

/* The result of one call: the message (read it with the generated
 * getters) and the capabilities that came back. */
struct capos_rpc_result {
	uint64_t buf[CAPOS_RPC_RESULT_BYTES / 8];
	struct capnp_reader msg;
	struct capnp_struct root; /* capos_rpc_call: the results struct */
	struct capos_reply reply;
	struct capos_ring *ring;
	uint32_t taken; /* bit i: caps[i] adopted or released */
};

/*
 * Finishes o's params, CALLs method on c with o's capabilities and fills
 * *res.  Returns 0 or the negative code also in err (capos/call.h).
 * Frees o's heap arena either way.
 */
int capos_rpc_send(const struct capos_client *c, uint16_t method, struct capos_rpc_out *o,
                   struct capos_rpc_result *res, struct capos_call_error *err);

/* The SQE method id of ordinal `ordinal` of the k-th interface in the
 * called interface's list of itself and its ancestors (0: itself).  The
 * SQE has no room for a 64-bit interface id, so a method inherited with
 * `extends` is named relative to the interface the capability carries,
 * which both the client stub and the server dispatch know from the schema. */
#define CAPOS_RPC_WIRE_SHIFT       10u
#define CAPOS_RPC_ORDINAL_MAX      ((1u << CAPOS_RPC_WIRE_SHIFT) - 1u)
#define CAPOS_RPC_ANCESTOR_MAX     ((1u << (16u - CAPOS_RPC_WIRE_SHIFT)) - 1u)
#define CAPOS_RPC_WIRE(k, ordinal) ((uint16_t)(((k) << CAPOS_RPC_WIRE_SHIFT) | (ordinal)))

/* What a generated stub knows of one method. */
struct capos_rpc_method {
	uint16_t wire;       /* the SQE method id (CAPOS_RPC_WIRE)  */
	uint16_t data_words; /* the params struct's layout          */
	uint16_t ptr_count;
};

/* Fills the params root from a stub's arguments: 0 or a CAPOS_ERR_*
 * (a local error).  Called again in a bigger arena if the first ran out. */
typedef int (*capos_rpc_fill_fn)(struct capnp_struct_builder params, struct capos_rpc_out *o,
                                 const void *args);

/*
 * One call as the generated stubs make it: builds the params (expected to
 * take about `hint` bytes) with fill(args) (NULL: empty params), CALLs m
 * on c and leaves the results in *res, res->root their root struct.
 * Returns 0 or the negative code also in err.  After reading the fields,
 * a stub ends with capos_rpc_check.
 */
int capos_rpc_call(const struct capos_client *c, const struct capos_rpc_method *m, size_t hint,
                   capos_rpc_fill_fn fill, const void *args, struct capos_rpc_result *res,
                   struct capos_call_error *err);
/* After a stub read the result fields: releases the result caps not taken
 * when `release`, and turns a malformed result into a local
 * CAPOS_ERR_BAD_MESSAGE (releasing every cap not taken).  0 or that. */
int capos_rpc_check(struct capos_rpc_result *res, bool release, struct capos_call_error *err);

/* A call submitted without waiting (the generated P_I_m_start): its
 * params (and capability descriptors) stay here until the completion,
 * which P_I_m_finish decodes.  Results go to the client's result_buf when
 * set, else to buf. */
#define CAPOS_RPC_ASYNC_RESULT_BYTES 256u
struct capos_rpc_pending {
	struct capos_rpc_out out;
	struct capos_ring *ring;
	uint64_t user_data; /* the CQE to wait for           */
	void *result;
	uint32_t result_cap;
	bool busy; /* submitted, completion not decoded */
	uint64_t buf[CAPOS_RPC_ASYNC_RESULT_BYTES / 8];
};

/* Builds the params like capos_rpc_call and submits the CALL on c's ring
 * without entering the kernel; the caller enters (capos_ring_enter) and
 * collects the completion with capos_rpc_poll.  0 or the error. */
int capos_rpc_start(const struct capos_client *c, const struct capos_rpc_method *m, size_t hint,
                    capos_rpc_fill_fn fill, const void *args, struct capos_rpc_pending *p,
                    struct capos_call_error *err);
/* Takes p's completion from the ring if it has come (after capos_ring_reap). */
bool capos_rpc_poll(struct capos_rpc_pending *p, struct capos_cqe *cqe);
/* Decodes p's completion into *res (results read from p's buffer; the
 * caps as capos_rpc_call leaves them); p is free again.  0 or the error. */
int capos_rpc_complete(struct capos_rpc_pending *p, const struct capos_cqe *cqe,
                       struct capos_rpc_result *res, struct capos_call_error *err);
/* Adopts result cap `index` as an owned handle if its interface is iface:
 * 0, CAPOS_ERR_BAD_CAP (no such cap, or taken already) or
 * CAPOS_ERR_NOT_PERMITTED (another interface; the cap is released). */
int capos_rpc_take_cap(struct capos_rpc_result *res, uint32_t index, uint64_t iface,
                       struct capos_cap *out);
/* Drops a handle taken from res (queues its RELEASE). */
void capos_rpc_drop_cap(struct capos_rpc_result *res, struct capos_cap *cap);
/* Queues a RELEASE for every result cap not taken. */
void capos_rpc_release_rest(struct capos_rpc_result *res);

/* ---------------------------------------------------------------------- */
/* Server side                                                            */
/* ---------------------------------------------------------------------- */

/* One call being served. */
struct capos_rpc_ctx {
	const struct capos_server_call *call; /* method, badge, raw params, caps */
	struct capos_server_reply *reply;
	struct capnp_reader in;     /* the params message          */
	struct capnp_builder out;   /* the results message         */
	struct capos_ring *ring;    /* for releasing untaken caps  */
	const char *interface_name; /* for `unimplemented` messages */
	uint32_t taken;             /* bit i: call->caps[i] taken  */
};

/* A generated dispatcher: runs server's handler for rc->call's method,
 * returning its verdict, or answers `unimplemented`. */
typedef int (*capos_dispatch_fn)(const void *server, void *self, struct capos_rpc_ctx *rc);

/* Answers the call with a CapException (type: CapException.Type ordinal);
 * returns CAPOS_SERVER_REPLY, so a handler can `return capos_rpc_raise(...)`. */
int capos_rpc_raise(struct capos_rpc_ctx *rc, int type, const char *message);
/* The `unimplemented` answer of a dispatcher for an unknown method. */
int capos_rpc_unimplemented(struct capos_rpc_ctx *rc);
/* Adopts the capability the params name at `index` (a cap field's value)
 * as an owned handle if its interface is iface: 0, CAPOS_ERR_BAD_CAP (none
 * at that index) or CAPOS_ERR_NOT_PERMITTED (another interface). */
int capos_rpc_take_param_cap(struct capos_rpc_ctx *rc, uint32_t index, uint64_t iface,
                             struct capos_cap *out);
/* Passes the local slot cap_id back with the results (copied, or moved if
 * move); returns its index for a results cap field, CAPNP_NO_CAP when
 * CAPOS_XFER_MAX are passed already. */
uint32_t capos_rpc_return_cap(struct capos_rpc_ctx *rc, uint32_t cap_id, bool move);

/*
 * Serves one call with a dispatcher: opens the params, starts the results,
 * dispatches, finishes the reply (or turns it into the right exception)
 * and releases the caps the handler did not take.  Returns the handler's
 * verdict (CAPOS_SERVER_REPLY or CAPOS_SERVER_STOP).  Host-testable.
 */
int capos_rpc_handle(capos_dispatch_fn d, const void *server, void *self, const char *iface_name,
                     struct capos_ring *ring, const struct capos_server_call *call,
                     struct capos_server_reply *reply);

/* The server loop with a dispatcher, on ring r; stats may be NULL. */
int capos_serve_in(struct capos_ring *r, uint32_t endpoint_cap, capos_dispatch_fn d,
                   const void *server, void *self, const char *iface_name,
                   struct capos_server_stats *stats);
#if !defined(CAPOS_HOST)
/* The same on the process ring: 0 when no client is left. */
int capos_serve(const struct capos_cap *endpoint, capos_dispatch_fn d, const void *server,
                void *self, const char *iface_name);
/* The same on the endpoint the process owns under CapSet entry
 * endpoint_name (says so on the console when there is none). */
int capos_serve_named(const char *endpoint_name, capos_dispatch_fn d, const void *server,
                      void *self, const char *iface_name);
#endif

#endif /* CAPOS_RT_RPC_H */
