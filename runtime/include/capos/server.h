/*
 * Server loop helper: answers calls on an endpoint the process owns.
 *
 *     static int handle(void *ctx, const struct capos_server_call *call,
 *                       struct capos_server_reply *reply)
 *     {
 *             ... decode call->params, build the result into reply->buf,
 *             set reply->len; or return capos_server_exception(reply, ...)
 *     }
 *     capos_server_run(&capos_rt_ring, endpoint.cap_id, handle, ctx, &stats);
 *
 * The loop posts a RECV, calls the handler for each call and RETURNs its
 * reply, submitting the RETURN and the next RECV in the same cap_enter.  A
 * reply that passes capabilities (reply->xfer) is RETURNed on its own
 * first: if the kernel refuses the transfer (caller's table full, bad
 * descriptor) the transfer rolls back and the caller gets an exception
 * `failed` instead, so the caller never hangs.  The loop ends, returning 0,
 * when the endpoint reports CAPOS_ERR_DISCONNECTED (no client facet is
 * left), or when the handler returns CAPOS_SERVER_STOP; any other RECV
 * error ends it with that error.
 */
#ifndef CAPOS_RT_SERVER_H
#define CAPOS_RT_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/abi.h>
#include <capos/handle.h> /* capos_cap_adopt for the caps that come with a call */
#include <capos/ring.h>
#include "capos.capnp.h" /* capos_CapException_Type_* for capos_server_exception */

/* One call as the server sees it (all pointers into the receive buffer). */
struct capos_server_call {
	uint32_t call_id;
	uint16_t method_id;
	uint16_t flags; /* CAPOS_MSG_F_MINTED: badge minted by this server */
	uint64_t badge;
	const void *params;
	uint32_t params_len;
	const struct capos_cap_record *caps; /* capabilities that came with it */
	uint32_t cap_count;
};

struct capos_server_reply {
	/* clang-format off */
	void *buf;          /* reply message goes here (8-byte aligned)    */
	uint32_t cap;       /* its capacity                                */
	uint32_t len;       /* bytes of the reply message                  */
	bool exception;     /* buf holds a CapException                    */
	/* clang-format on */
	struct capos_xfer_desc xfer[CAPOS_XFER_MAX]; /* capabilities to pass back */
	uint32_t xfer_count;
};

/* Handler results. */
#define CAPOS_SERVER_REPLY 0 /* send the reply                              */
#define CAPOS_SERVER_STOP  1 /* send the reply, then leave the loop        */

typedef int (*capos_server_handler)(void *ctx, const struct capos_server_call *call,
                                    struct capos_server_reply *reply);

struct capos_server_stats {
	uint64_t calls;          /* calls handled                           */
	uint64_t exceptions;     /* replies that were exceptions            */
	uint64_t caps_received;  /* capability records that came with calls */
	uint64_t return_errors;  /* RETURNs the kernel refused              */
	uint64_t xfer_fallbacks; /* replies turned into exceptions because the
	                            transfer was refused                    */
	uint64_t releases;       /* release messages of minted facets      */
};

#define CAPOS_SERVER_RECV_BYTES  8192u /* receive buffer (header+params+caps) */
#define CAPOS_SERVER_REPLY_BYTES 8192u

/* Writes a CapException (type: schema ordinal, e.g. 3 = unimplemented)
 * into reply; returns CAPOS_SERVER_REPLY. */
int capos_server_exception(struct capos_server_reply *reply, int type, const char *message);

int capos_server_run(struct capos_ring *r, uint32_t endpoint_cap, capos_server_handler handler,
                     void *ctx, struct capos_server_stats *stats);

/*
 * The same loop, and each release message (CAPOS_MSG_F_RELEASED: the last
 * copy of a facet this server minted with notify is gone) goes to
 * on_release(ctx, badge) instead of the handler; nothing is RETURNed for
 * it.  on_release returns CAPOS_SERVER_REPLY to go on or CAPOS_SERVER_STOP
 * to leave the loop.  With on_release NULL releases are only counted.
 */
typedef int (*capos_server_release_handler)(void *ctx, uint64_t badge);
int capos_server_run_releases(struct capos_ring *r, uint32_t endpoint_cap,
                              capos_server_handler handler,
                              capos_server_release_handler on_release, void *ctx,
                              struct capos_server_stats *stats);

/*
 * Splits what a RECV wrote (n bytes at buf) into *call.  Returns 0 or
 * CAPOS_ERR_BAD_MESSAGE when the lengths do not add up.  Host-tested.
 */
int capos_server_parse(const void *buf, uint32_t n, struct capos_server_call *call);

#endif /* CAPOS_RT_SERVER_H */
