/*
 * Calls the netstack holds without answering: a socket call that would
 * block (accept with nothing pending, receive with nothing buffered, send
 * with no room, a connect in progress) waits here, by call id, until the
 * stack's state lets it finish or its deadline passes; the service then
 * RETURNs to the call id (a deferred reply).  Pure bookkeeping, no lwIP and
 * no kernel: host-tested (tests/host/test_netstack_park.c).
 *
 * Also here: what the badge of a call names.  docs/networking.md, "How a
 * call finds its object".
 */
#ifndef CAPOS_NETSTACK_PARK_H
#define CAPOS_NETSTACK_PARK_H

#include <stdbool.h>
#include <stdint.h>

/* The kernel holds at most ENDPOINT_CALLS_MAX (16) calls per endpoint in
 * flight, so fewer can ever be parked; the table is sized for a larger
 * kernel bound without being the limit itself. */
#define PARK_MAX 64u

enum park_op {
	PARK_FREE = 0,
	PARK_ACCEPT,   /* TcpListener.accept: a connection pending */
	PARK_RECEIVE,  /* TcpSocket.receive: bytes, EOF or reset */
	PARK_SEND,     /* TcpSocket.send: room in the send buffer */
	PARK_RECVFROM, /* UdpSocket.receiveFrom: a datagram */
	PARK_CONNECT,  /* NetworkManager.tcpConnect: established or refused */
};

struct park_entry {
	enum park_op op;
	uint32_t call_id;
	uint32_t sock;     /* the socket id the call is about */
	uint32_t max;      /* receive: maxBytes */
	uint64_t deadline; /* ns on the service's clock; answered by then */
};

struct park {
	struct park_entry e[PARK_MAX];
	uint32_t live;
	uint64_t parked, expired, full; /* counters: parked, timed out, refused (table full) */
};

void park_init(struct park *p);
/* Parks a call; the deadline is now + timeout, saturating.  false when
 * the table is full (counted): answer `overloaded`. */
bool park_add(struct park *p, enum park_op op, uint32_t call_id, uint32_t sock, uint32_t max,
              uint64_t now, uint64_t timeout_ns);
void park_remove(struct park *p, uint32_t i);
/* The earliest deadline of a parked call, UINT64_MAX if none. */
uint64_t park_next_deadline(const struct park *p);

/*
 * Badges.  A socket's facet is minted with badge SOCK_BADGE(id) (never 0,
 * which the kernel refuses; id 0 is a valid socket id).  A listen
 * authority is a badged import of the stack's endpoint that the manifest
 * makes: badge AUTH_BADGE(first, last) grants ports first..last.
 */
#define SOCK_BADGE_TAG          0x10000ull
#define SOCK_BADGE(id)          (SOCK_BADGE_TAG | (uint64_t)(id))
#define AUTH_BADGE_TAG          (1ull << 32)
#define AUTH_BADGE(first, last) (AUTH_BADGE_TAG | (uint64_t)(first) << 16 | (uint64_t)(last))

/* The socket id a minted badge names; false if it names none. */
bool badge_socket(uint64_t badge, uint32_t *id);
/* The port range an authority badge grants; false for anything else
 * (another tag, first 0 or first > last). */
bool badge_authority(uint64_t badge, uint16_t *first, uint16_t *last);

#endif
