/*
 * The netstack's socket table: the objects behind schema/net.capnp's
 * TcpListener, TcpSocket and UdpSocket, over lwIP's raw API.  Nothing here
 * waits or knows about capabilities: a call that would block returns
 * SOCK_AGAIN and the service parks the caller's reply until an event
 * (sock_table.events) says to retry, and ids are the badges of the facets
 * the service hands out.  Host-tested with lwIP's loopback
 * (tests/host/test_netstack_sockets.c).
 *
 * An id is slot | generation << 8, so a released id never reaches the
 * next socket in its slot.  Every socket is freed by sock_release (the
 * last cap went away) and counted.
 */
#ifndef CAPOS_NETSTACK_SOCKETS_H
#define CAPOS_NETSTACK_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/ip4_addr.h"
#include "lwip/pbuf.h"

#define SOCK_MAX         64u   /* sockets of every kind */
#define SOCK_BACKLOG_MAX 16u   /* connections a listener holds unaccepted */
#define SOCK_UDP_QUEUE   16u   /* datagrams a UDP socket holds unread */
#define SOCK_UDP_MAX     1472u /* one Ethernet frame, no fragmentation */

enum sock_err {
	SOCK_OK = 0,
	SOCK_AGAIN = -1, /* nothing yet / no room yet: retry after an event */
	SOCK_INVAL = -2, /* a value out of range or the wrong kind of socket */
	SOCK_INUSE = -3, /* the port is taken */
	SOCK_NOMEM = -4, /* table, pool or queue full (overloaded) */
	SOCK_RESET = -5, /* the peer reset the connection (disconnected) */
	SOCK_BADID = -6, /* no such socket (released, or never existed) */
};

enum sock_kind { SOCK_FREE,
	         SOCK_LISTENER,
	         SOCK_TCP,
	         SOCK_UDP };

struct sock_udp_dgram {
	struct pbuf *p;
	ip4_addr_t addr;
	uint16_t port;
};

struct sock_table;

struct sock {
	struct sock_table *t; /* for lwIP's callbacks */
	enum sock_kind kind;
	uint8_t gen;
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
	} pcb;
	/* listener: connections accepted by lwIP, not yet by the client */
	uint32_t pending[SOCK_BACKLOG_MAX];
	uint16_t npending, backlog;
	/* TCP: received bytes not yet read, FIN seen, reset by the peer */
	struct pbuf *rx;
	bool eof, reset, accepted;
	bool connecting;   /* tcpConnect: SYN sent, not yet established */
	bool unsent;       /* written with output deferred (sock_table_flush) */
	uint32_t listener; /* who holds it until accepted */
	/* UDP: a ring of datagrams */
	struct sock_udp_dgram dq[SOCK_UDP_QUEUE];
	uint16_t dq_head, dq_len;
};

struct sock_counts {
	uint32_t tcp, listeners, udp; /* live now */
	uint64_t freed_by_release;
	uint64_t refused_backlog, refused_table; /* connections lwIP accepted, we could not */
	uint64_t udp_dropped;                    /* datagrams over SOCK_UDP_QUEUE */
	uint64_t resets;
};

struct sock_table {
	struct sock s[SOCK_MAX];
	struct sock_counts count;
	uint64_t events;   /* bumped on every change a parked call may wait for */
	bool defer_output; /* sock_send leaves tcp_output to sock_table_flush */
	uint32_t unsent;   /* sockets written since the last flush */
};

void sock_table_init(struct sock_table *t);

/* TCP listening.  first..last is the TcpListenAuthority's range. */
int sock_listen(struct sock_table *t, uint16_t first, uint16_t last, uint16_t port,
                uint16_t backlog, uint32_t *id);
int sock_accept(struct sock_table *t, uint32_t listener, uint32_t *id, ip4_addr_t *raddr,
                uint16_t *rport);
/* TCP data.  *accepted < len is backpressure; SOCK_AGAIN when no room at all.
 * With t->defer_output the segments go out at sock_table_flush, so the
 * sends of one loop turn leave in as few segments as lwIP can make. */
int sock_send(struct sock_table *t, uint32_t id, const void *data, size_t len, size_t *accepted);
/* *got bytes; *eof once the peer closed and all was read; SOCK_AGAIN if neither. */
int sock_recv(struct sock_table *t, uint32_t id, void *buf, size_t max, size_t *got, bool *eof);
/* tcp_output for every socket written since the last flush. */
void sock_table_flush(struct sock_table *t);
int sock_shutdown(struct sock_table *t, uint32_t id, bool rx, bool tx);

/* An outgoing connection: SOCK_OK with *id at once; sock_connect_state
 * says SOCK_AGAIN while the handshake runs, SOCK_OK once established,
 * SOCK_RESET when it was refused or timed out. */
int sock_connect(struct sock_table *t, const ip4_addr_t *addr, uint16_t port, uint32_t *id);
int sock_connect_state(struct sock_table *t, uint32_t id);

/* The kind of the live socket id names (SOCK_FREE: none). */
enum sock_kind sock_kind_of(struct sock_table *t, uint32_t id);
/* True when a TCP send would take bytes, or would fail (reset, gone):
 * a parked send can be answered. */
bool sock_writable(struct sock_table *t, uint32_t id);
/* Addresses and buffer fill of a TCP socket; UDP: local port only. */
struct sock_info {
	ip4_addr_t local, remote;
	uint16_t local_port, remote_port;
	uint32_t send_buffered, recv_buffered;
};
int sock_info(struct sock_table *t, uint32_t id, struct sock_info *out);

/* UDP.  port 0: ephemeral; ports below 1024 are refused. */
int sock_udp_open(struct sock_table *t, uint16_t port, uint32_t *id);
/* The same for any port (0: ephemeral): a listen authority's range was
 * checked by the caller. */
int sock_udp_bind(struct sock_table *t, uint16_t port, uint32_t *id);
int sock_udp_sendto(struct sock_table *t, uint32_t id, const ip4_addr_t *addr, uint16_t port,
                    const void *data, size_t len);
int sock_udp_recvfrom(struct sock_table *t, uint32_t id, ip4_addr_t *addr, uint16_t *port,
                      void *buf, size_t max, size_t *got);

/* The last cap went away: close (RST if received data would be lost). */
int sock_release(struct sock_table *t, uint32_t id);

#endif
