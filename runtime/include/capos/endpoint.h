/*
 * Endpoint client: CALLs on an endpoint capability (a client facet, or the
 * owner side), with sideband capability transfer.  See docs/ipc.md.
 *
 * The method ordinal and the params belong to whatever interface the
 * server implements (e.g. Echo); the endpoint only carries them.  Result
 * capabilities come back as records in the reply (struct capos_reply.caps);
 * adopt them with capos_cap_adopt(), which checks their interface id.
 */
#ifndef CAPOS_RT_ENDPOINT_H
#define CAPOS_RT_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/abi.h>
#include <capos/call.h>
#include <capos/capset.h>
#include <capos/handle.h>
#include <capos/ring.h>

/* A CALL through an endpoint. */
struct capos_endpoint_call {
	uint16_t method_id;
	const void *params; /* Cap'n Proto message                        */
	uint32_t params_len;
	const struct capos_xfer_desc *xfer; /* capabilities to pass (may be NULL) */
	uint32_t xfer_count;                /* at most CAPOS_XFER_MAX                     */
	void *result;                       /* reply message + result-cap records         */
	uint32_t result_cap;
	uint64_t timeout_ns; /* 0: wait for the reply however long it takes */
};

/*
 * Opens the CapSet entry `name` as an endpoint handle (borrowed).  Returns
 * 0, CAPOS_ERR_BAD_CAP (no such entry) or CAPOS_ERR_NOT_PERMITTED (the entry
 * is not an Endpoint).
 */
int capos_endpoint_open(const struct capos_capset *cs, const char *name, struct capos_cap *out);

/*
 * Opens the CapSet entry `name` as a client of an endpoint that serves
 * `interface_id` (the manifest's `interface:` of the exported endpoint,
 * e.g. greeter_Greeter_ID).  Returns 0, CAPOS_ERR_BAD_CAP (no such entry)
 * or CAPOS_ERR_NOT_PERMITTED (the entry has another interface: the program
 * was given something else than it expects, and must not call it).
 */
int capos_endpoint_open_as(const struct capos_capset *cs, const char *name, uint64_t interface_id,
                           struct capos_cap *out);

/*
 * Performs the CALL and classifies the reply like capos_call (transport
 * error / application exception / local error).  The transfer descriptors
 * are placed after the params, as the ABI wants, in a runtime buffer.
 */
int capos_endpoint_call_in(struct capos_ring *r, uint32_t cap_id,
                           const struct capos_endpoint_call *c, struct capos_reply *reply,
                           struct capos_call_error *err);

/* The same on the process ring. */
int capos_endpoint_call(const struct capos_cap *ep, const struct capos_endpoint_call *c,
                        struct capos_reply *reply, struct capos_call_error *err);

/*
 * Endpoint.mintClient on the owner side `owner` (docs/ipc.md "Badged
 * facets"): a new client facet whose calls reach the server with `badge`
 * (not 0) and CAPOS_MSG_F_MINTED, labelled `interface_id` (0: Endpoint's).
 * notify: when its last copy is gone the server's RECV gets one release
 * message (capos_server_run_releases reports it).  *facet is owned (drop
 * it, or pass it on with a transfer).  Errors: CAPOS_ERR_NOT_PERMITTED
 * (not the owner side), exception invalidArgument (badge 0) or overloaded
 * (ENDPOINT_FACETS_MAX on this endpoint).
 */
int capos_endpoint_mint_in(struct capos_ring *r, uint32_t owner_cap, uint64_t badge,
                           uint64_t interface_id, bool notify, struct capos_cap *facet,
                           struct capos_call_error *err);
int capos_endpoint_mint(const struct capos_cap *owner, uint64_t badge, uint64_t interface_id,
                        bool notify, struct capos_cap *facet, struct capos_call_error *err);

/* A transfer descriptor (copy or move of the local slot cap_id). */
static inline struct capos_xfer_desc capos_xfer_copy(uint32_t cap_id)
{
	return (struct capos_xfer_desc){cap_id, CAPOS_XFER_COPY, 0};
}
static inline struct capos_xfer_desc capos_xfer_move(uint32_t cap_id)
{
	return (struct capos_xfer_desc){cap_id, CAPOS_XFER_MOVE, 0};
}

#endif /* CAPOS_RT_ENDPOINT_H */
