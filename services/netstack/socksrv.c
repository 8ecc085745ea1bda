/*
 * The socket capabilities as the netstack serves them (schema/net.capnp):
 * TcpListenAuthority, TcpListener, TcpSocket and UdpSocket, and
 * NetworkManager's tcpConnect and udpOpen, all on the one endpoint.  What
 * a call is about comes from its badge (park.h): a badge the kernel marks
 * CAPOS_MSG_F_MINTED names a socket of the table (sockets.c); an unminted
 * badge is a listen authority the manifest made; no badge is
 * NetworkManager (manager.c).
 *
 * A call that would block is parked by call id (park.c) and answered from
 * socksrv_retry when the socket's state lets it finish or its timeout
 * passes.  The release message of a socket's facet closes the socket.
 * docs/networking.md, "Serving the sockets".
 */
#include <capos/endpoint.h>
#include <capos/rpc.h>
#include <capos/rt.h>
#include <capos/string.h>

#include "clock.h"
#include "net.capnp.rpc.h"
#include "netstack.h"

#define REPLY_BYTES (64u * 1024u)
/* A receive's data and its message framing fit the kernel's 64 KiB
 * result limit. */
#define RECEIVE_MAX (64u * 1024u - 256u)

/*
 * Replies are built in place in an arena and RETURNed without waiting: the
 * RETURN SQEs go to the kernel with the loop's next cap_enter, together
 * with the next RECVs and the Nic's calls, so answering costs no kernel
 * entry of its own.  A reply's bytes must stay put until the kernel has
 * consumed its SQE; the arena starts over only when the SQ is empty.  A
 * reply takes at most REPLY_SLOT bytes, so four fit even when each is a
 * receive's largest.
 */
#define REPLY_SLOT  (REPLY_BYTES + 8 + CAPOS_XFER_MAX * sizeof(struct capos_xfer_desc))
#define ARENA_BYTES (4 * REPLY_SLOT)
static uint64_t arena[ARENA_BYTES / 8];
static size_t arena_used;
static uint8_t data_buf[RECEIVE_MAX];

static bool sq_empty(void)
{
	return capos_ring_sq_space(&capos_rt_ring) == CAPOS_SQ_ENTRIES;
}

/* Where the next reply is built: REPLY_SLOT bytes that no SQE still
 * names. */
static void *reply_space(void)
{
	if (arena_used && sq_empty())
		arena_used = 0;
	if (ARENA_BYTES - arena_used < REPLY_SLOT) {
		ns.arena_flushes++;
		netstack_submit_all();
		arena_used = 0;
	}
	return (uint8_t *)arena + arena_used;
}

/* What a handler asks for when its call must wait (set, then parked by
 * serve_call). */
static struct {
	bool on;
	enum park_op op;
	uint32_t sock, max;
	uint64_t timeout;
} want;

static int want_park(enum park_op op, uint32_t sock, uint32_t max, uint64_t timeout)
{
	want.on = true;
	want.op = op;
	want.sock = sock;
	want.max = max;
	want.timeout = timeout;
	return CAPOS_SERVER_REPLY;
}

static uint32_t host_u32(const ip4_addr_t *a)
{
	return lwip_ntohl(ip4_addr_get_u32(a));
}

/* The table's errors as CapExceptions (schema/net.capnp's conventions). */
static int raise_sock(struct capos_rpc_ctx *rc, int e, const char *what)
{
	char msg[96];
	int type = capos_CapException_Type_failed;
	const char *why = "failed";
	switch (e) {
	case SOCK_INVAL:
		type = capos_CapException_Type_invalidArgument;
		why = "value out of range";
		break;
	case SOCK_INUSE:
		why = "the port is taken";
		break;
	case SOCK_NOMEM:
		type = capos_CapException_Type_overloaded;
		why = "no free socket or buffer";
		break;
	case SOCK_RESET:
		type = capos_CapException_Type_disconnected;
		why = "the connection was reset";
		break;
	case SOCK_BADID:
		why = "the socket is closed";
		break;
	default:
		break;
	}
	capos_snprintf(msg, sizeof msg, "%s: %s", what, why);
	return capos_rpc_raise(rc, type, msg);
}

/* Closes a socket no facet names yet (not a release: not counted so). */
static void drop_unhanded(uint32_t id)
{
	if (sock_release(&ns.socks, id) == SOCK_OK)
		ns.socks.count.freed_by_release--;
}

/* Mints the facet of socket id (labelled iface, release told) and passes
 * it back with the results, moved.  On refusal the socket is closed. */
static int hand_out(struct capos_rpc_ctx *rc, uint32_t id, uint64_t iface, uint32_t *index)
{
	struct capos_cap f;
	struct capos_call_error err;
	if (capos_endpoint_mint(&ns.ep, SOCK_BADGE(id), iface, true, &f, &err) != 0) {
		drop_unhanded(id);
		ns.mint_refused++;
		return capos_rpc_raise(rc, capos_CapException_Type_overloaded,
		                       "no facet for the socket (the endpoint's quota is full)");
	}
	*index = capos_rpc_return_cap(rc, f.cap_id, true);
	return CAPOS_SERVER_REPLY;
}

/* ---- TcpListenAuthority (self: the badge's port range) ---- */

struct range {
	uint16_t first, last;
};

static int auth_allowed(void *self, struct capos_rpc_ctx *rc,
                        net_TcpListenAuthority_allowedPorts_Params_reader in,
                        net_TcpListenAuthority_allowedPorts_Results_builder out)
{
	(void)rc;
	(void)in;
	const struct range *r = self;
	net_TcpListenAuthority_allowedPorts_Results_set_first(out, r->first);
	net_TcpListenAuthority_allowedPorts_Results_set_last(out, r->last);
	return CAPOS_SERVER_REPLY;
}

static int auth_listen(void *self, struct capos_rpc_ctx *rc,
                       net_TcpListenAuthority_listen_Params_reader in,
                       net_TcpListenAuthority_listen_Results_builder out)
{
	const struct range *r = self;
	uint16_t port = net_TcpListenAuthority_listen_Params_get_port(in);
	uint16_t backlog = net_TcpListenAuthority_listen_Params_get_backlog(in);
	uint32_t id, index;
	int e = sock_listen(&ns.socks, r->first, r->last, port, backlog, &id);
	if (e != SOCK_OK)
		return raise_sock(rc, e, "listen");
	e = hand_out(rc, id, net_TcpListener_ID, &index);
	if (!rc->reply->exception) {
		net_TcpListenAuthority_listen_Results_set_listenerIndex(out, (uint16_t)index);
		capos_printf("[netstack] listening on tcp port %u\n", port);
	}
	return e;
}

static int auth_udp_open(void *self, struct capos_rpc_ctx *rc,
                         net_TcpListenAuthority_udpOpen_Params_reader in,
                         net_TcpListenAuthority_udpOpen_Results_builder out)
{
	const struct range *r = self;
	uint16_t port = net_TcpListenAuthority_udpOpen_Params_get_port(in);
	uint32_t id, index;
	if (port < r->first || port > r->last)
		return raise_sock(rc, SOCK_INVAL, "udpOpen: port outside the authority's range");
	int e = sock_udp_bind(&ns.socks, port, &id);
	if (e != SOCK_OK)
		return raise_sock(rc, e, "udpOpen");
	e = hand_out(rc, id, net_UdpSocket_ID, &index);
	if (!rc->reply->exception) {
		net_TcpListenAuthority_udpOpen_Results_set_socketIndex(out, (uint16_t)index);
		capos_printf("[netstack] bound udp port %u\n", port);
	}
	return e;
}

static const net_TcpListenAuthority_Server authority = {
	.allowedPorts = auth_allowed,
	.listen = auth_listen,
	.udpOpen = auth_udp_open,
};

/* ---- TcpListener, TcpSocket, UdpSocket (self: the socket id) ---- */

static int listener_accept(void *self, struct capos_rpc_ctx *rc,
                           net_TcpListener_accept_Params_reader in,
                           net_TcpListener_accept_Results_builder out)
{
	(void)rc;
	(void)out;
	return want_park(PARK_ACCEPT, *(uint32_t *)self, 0,
	                 net_TcpListener_accept_Params_get_timeoutNs(in));
}

static int listener_port(void *self, struct capos_rpc_ctx *rc,
                         net_TcpListener_localPort_Params_reader in,
                         net_TcpListener_localPort_Results_builder out)
{
	(void)in;
	struct sock_info i;
	int e = sock_info(&ns.socks, *(uint32_t *)self, &i);
	if (e != SOCK_OK)
		return raise_sock(rc, e, "localPort");
	net_TcpListener_localPort_Results_set_port(out, i.local_port);
	return CAPOS_SERVER_REPLY;
}

static const net_TcpListener_Server listener = {
	.accept = listener_accept,
	.localPort = listener_port,
};

static int tcp_send(void *self, struct capos_rpc_ctx *rc, net_TcpSocket_send_Params_reader in,
                    net_TcpSocket_send_Results_builder out)
{
	uint32_t id = *(uint32_t *)self;
	struct capnp_data d = net_TcpSocket_send_Params_get_data(in);
	size_t accepted = 0;
	int e = sock_send(&ns.socks, id, d.ptr, d.len, &accepted);
	if (e == SOCK_AGAIN)
		return want_park(PARK_SEND, id, 0, net_TcpSocket_send_Params_get_timeoutNs(in));
	if (e != SOCK_OK)
		return raise_sock(rc, e, "send");
	net_TcpSocket_send_Results_set_accepted(out, (uint32_t)accepted);
	ns.bytes_sent += accepted;
	return CAPOS_SERVER_REPLY;
}

static int tcp_receive(void *self, struct capos_rpc_ctx *rc,
                       net_TcpSocket_receive_Params_reader in,
                       net_TcpSocket_receive_Results_builder out)
{
	(void)out;
	uint32_t max = net_TcpSocket_receive_Params_get_maxBytes(in);
	if (max == 0 || max > 65536u)
		return raise_sock(rc, SOCK_INVAL, "receive: maxBytes must be 1..65536");
	return want_park(PARK_RECEIVE, *(uint32_t *)self, max < RECEIVE_MAX ? max : RECEIVE_MAX,
	                 net_TcpSocket_receive_Params_get_timeoutNs(in));
}

static int tcp_shutdown(void *self, struct capos_rpc_ctx *rc,
                        net_TcpSocket_shutdown_Params_reader in,
                        net_TcpSocket_shutdown_Results_builder out)
{
	(void)out;
	enum net_ShutdownHow how = net_TcpSocket_shutdown_Params_get_how(in);
	if (how > net_ShutdownHow_both)
		return raise_sock(rc, SOCK_INVAL, "shutdown: how");
	int e = sock_shutdown(&ns.socks, *(uint32_t *)self, how != net_ShutdownHow_write,
	                      how != net_ShutdownHow_read);
	return e == SOCK_OK ? CAPOS_SERVER_REPLY : raise_sock(rc, e, "shutdown");
}

static int tcp_info(void *self, struct capos_rpc_ctx *rc, net_TcpSocket_info_Params_reader in,
                    net_TcpSocket_info_Results_builder out)
{
	(void)in;
	struct sock_info i;
	int e = sock_info(&ns.socks, *(uint32_t *)self, &i);
	if (e != SOCK_OK)
		return raise_sock(rc, e, "info");
	net_TcpSocket_info_Results_set_localAddress(out, host_u32(&i.local));
	net_TcpSocket_info_Results_set_localPort(out, i.local_port);
	net_TcpSocket_info_Results_set_remoteAddress(out, host_u32(&i.remote));
	net_TcpSocket_info_Results_set_remotePort(out, i.remote_port);
	net_TcpSocket_info_Results_set_sendBuffered(out, i.send_buffered);
	net_TcpSocket_info_Results_set_receiveBuffered(out, i.recv_buffered);
	return CAPOS_SERVER_REPLY;
}

static const net_TcpSocket_Server tcp_socket = {
	.send = tcp_send,
	.receive = tcp_receive,
	.shutdown = tcp_shutdown,
	.info = tcp_info,
};

static int udp_send_to(void *self, struct capos_rpc_ctx *rc, net_UdpSocket_sendTo_Params_reader in,
                       net_UdpSocket_sendTo_Results_builder out)
{
	(void)out;
	ip4_addr_t a;
	ip4_addr_set_u32(&a, lwip_htonl(net_UdpSocket_sendTo_Params_get_address(in)));
	struct capnp_data d = net_UdpSocket_sendTo_Params_get_data(in);
	int e = sock_udp_sendto(&ns.socks, *(uint32_t *)self, &a,
	                        net_UdpSocket_sendTo_Params_get_port(in), d.ptr, d.len);
	return e == SOCK_OK ? CAPOS_SERVER_REPLY : raise_sock(rc, e, "sendTo");
}

static int udp_receive_from(void *self, struct capos_rpc_ctx *rc,
                            net_UdpSocket_receiveFrom_Params_reader in,
                            net_UdpSocket_receiveFrom_Results_builder out)
{
	(void)rc;
	(void)out;
	return want_park(PARK_RECVFROM, *(uint32_t *)self, 0,
	                 net_UdpSocket_receiveFrom_Params_get_timeoutNs(in));
}

static int udp_port(void *self, struct capos_rpc_ctx *rc, net_UdpSocket_localPort_Params_reader in,
                    net_UdpSocket_localPort_Results_builder out)
{
	(void)in;
	struct sock_info i;
	int e = sock_info(&ns.socks, *(uint32_t *)self, &i);
	if (e != SOCK_OK)
		return raise_sock(rc, e, "localPort");
	net_UdpSocket_localPort_Results_set_port(out, i.local_port);
	return CAPOS_SERVER_REPLY;
}

static const net_UdpSocket_Server udp_socket = {
	.sendTo = udp_send_to,
	.receiveFrom = udp_receive_from,
	.localPort = udp_port,
};

/* ---- NetworkManager's socket methods (manager.c's table) ---- */

int socksrv_tcp_connect(struct capos_rpc_ctx *rc, uint32_t addr, uint16_t port, uint64_t timeout)
{
	ip4_addr_t a;
	ip4_addr_set_u32(&a, lwip_htonl(addr));
	uint32_t id;
	int e = sock_connect(&ns.socks, &a, port, &id);
	if (e != SOCK_OK)
		return raise_sock(rc, e, "tcpConnect");
	return want_park(PARK_CONNECT, id, 0, timeout);
}

int socksrv_udp_open(struct capos_rpc_ctx *rc, uint16_t port, uint16_t *index)
{
	uint32_t id, i = 0;
	int e = sock_udp_open(&ns.socks, port, &id);
	if (e != SOCK_OK)
		return raise_sock(rc, e, port && port < 1024 ? "udpOpen: ports below 1024 need a listen authority" : "udpOpen");
	e = hand_out(rc, id, net_UdpSocket_ID, &i);
	*index = (uint16_t)i;
	return e;
}

/* ---- parked calls ---- */

static bool try_accept(struct capos_rpc_ctx *rc, const struct park_entry *p, bool expired)
{
	uint32_t id, index = 0;
	ip4_addr_t ra;
	uint16_t rp;
	int e = sock_accept(&ns.socks, p->sock, &id, &ra, &rp);
	if (e == SOCK_AGAIN && !expired)
		return false;
	if (e != SOCK_OK && e != SOCK_AGAIN) {
		raise_sock(rc, e, "accept");
		return true;
	}
	net_TcpListener_accept_Results_builder out = net_TcpListener_accept_Results_init_root(&rc->out);
	if (e == SOCK_AGAIN)
		return true; /* accepted = false: the timeout passed */
	hand_out(rc, id, net_TcpSocket_ID, &index);
	net_TcpListener_accept_Results_set_accepted(out, true);
	net_TcpListener_accept_Results_set_socketIndex(out, (uint16_t)index);
	net_TcpListener_accept_Results_set_remoteAddress(out, host_u32(&ra));
	net_TcpListener_accept_Results_set_remotePort(out, rp);
	ns.accepted++;
	return true;
}

static bool try_receive(struct capos_rpc_ctx *rc, const struct park_entry *p, bool expired)
{
	size_t got = 0;
	bool eof = false;
	int e = sock_recv(&ns.socks, p->sock, data_buf, p->max, &got, &eof);
	if (e == SOCK_AGAIN && !expired)
		return false;
	if (e != SOCK_OK && e != SOCK_AGAIN) {
		raise_sock(rc, e, "receive");
		return true;
	}
	net_TcpSocket_receive_Results_builder out = net_TcpSocket_receive_Results_init_root(&rc->out);
	net_TcpSocket_receive_Results_set_data(out, data_buf, got);
	net_TcpSocket_receive_Results_set_eof(out, eof);
	ns.bytes_received += got;
	return true;
}

static bool try_send(struct capos_rpc_ctx *rc, const struct park_entry *p, bool expired)
{
	if (!expired && !sock_writable(&ns.socks, p->sock))
		return false;
	/* Room again (or the timeout): accepted 0 tells the client to send
	 * again; the bytes were not kept (they were the RECV buffer's). */
	int e = sock_kind_of(&ns.socks, p->sock) == SOCK_TCP ? SOCK_OK : SOCK_BADID;
	size_t none;
	if (e == SOCK_OK && sock_send(&ns.socks, p->sock, NULL, 0, &none) == SOCK_RESET)
		e = SOCK_RESET;
	if (e != SOCK_OK) {
		raise_sock(rc, e, "send");
		return true;
	}
	net_TcpSocket_send_Results_init_root(&rc->out);
	return true;
}

static bool try_recvfrom(struct capos_rpc_ctx *rc, const struct park_entry *p, bool expired)
{
	ip4_addr_t a;
	uint16_t port = 0;
	size_t got = 0;
	int e = sock_udp_recvfrom(&ns.socks, p->sock, &a, &port, data_buf, SOCK_UDP_MAX, &got);
	if (e == SOCK_AGAIN && !expired)
		return false;
	if (e != SOCK_OK && e != SOCK_AGAIN) {
		raise_sock(rc, e, "receiveFrom");
		return true;
	}
	net_UdpSocket_receiveFrom_Results_builder out =
		net_UdpSocket_receiveFrom_Results_init_root(&rc->out);
	if (e == SOCK_AGAIN)
		return true;
	net_UdpSocket_receiveFrom_Results_set_received(out, true);
	net_UdpSocket_receiveFrom_Results_set_address(out, host_u32(&a));
	net_UdpSocket_receiveFrom_Results_set_port(out, port);
	net_UdpSocket_receiveFrom_Results_set_data(out, data_buf, got);
	return true;
}

static bool try_connect(struct capos_rpc_ctx *rc, const struct park_entry *p, bool expired)
{
	int e = sock_connect_state(&ns.socks, p->sock);
	if (e == SOCK_AGAIN && !expired)
		return false;
	if (e != SOCK_OK) {
		drop_unhanded(p->sock);
		capos_rpc_raise(rc, capos_CapException_Type_failed,
		                e == SOCK_AGAIN ? "tcpConnect: timed out"
		                                : "tcpConnect: refused or unreachable");
		return true;
	}
	uint32_t index = 0;
	net_NetworkManager_tcpConnect_Results_builder out =
		net_NetworkManager_tcpConnect_Results_init_root(&rc->out);
	hand_out(rc, p->sock, net_TcpSocket_ID, &index);
	net_NetworkManager_tcpConnect_Results_set_socketIndex(out, (uint16_t)index);
	return true;
}

/* RETURNs the reply to call_id (built at reply_space()).  Without
 * capabilities the RETURN is only queued: its completion is counted when
 * the loop reaps it (netstack_reaped_return).  With capabilities it waits
 * for the kernel's verdict: a refused RETURN rolls their move back; they
 * are released here, so the socket's release message closes it, and the
 * caller gets `failed` if it is there. */
static void answer(uint32_t call_id, struct capos_server_reply *r)
{
	uint8_t *buf = r->buf;
	uint64_t at = capos_align8(r->len);
	if (r->xfer_count) {
		memset(buf + r->len, 0, at - r->len);
		memcpy(buf + at, r->xfer, r->xfer_count * sizeof(struct capos_xfer_desc));
	}
	arena_used += capos_align8(at + r->xfer_count * sizeof(struct capos_xfer_desc));
	struct capos_sqe sqe = {.opcode = CAPOS_OP_RETURN,
	                        .flags = r->exception ? CAPOS_SQE_EXCEPTION : 0,
	                        .xfer_cap_count = (uint8_t)r->xfer_count,
	                        .cap_id = ns.ep.cap_id,
	                        .call_id = call_id,
	                        .user_data = capos_ring_next_user_data(&capos_rt_ring),
	                        .addr = (uintptr_t)buf,
	                        .len = r->len};
	struct capos_cqe done = {.result = CAPOS_ERR_NO_RESOURCES};
	if (r->exception)
		ns.refused++;
	if (!r->xfer_count) {
		if (capos_ring_submit(&capos_rt_ring, &sqe) == 0)
			ns.returns_queued++;
		else
			ns.return_failed++;
		return;
	}
	if (capos_ring_submit_wait(&capos_rt_ring, &sqe, &done) == 0 && done.result >= 0)
		return;
	ns.return_failed++;
	for (uint32_t i = 0; i < r->xfer_count; i++)
		(void)capos_release_queue_push(&capos_rt_releases, &capos_rt_ring, r->xfer[i].cap_id);
	capos_flush_releases();
	if (done.result == CAPOS_ERR_RESULT_TOO_SMALL || done.result == CAPOS_ERR_BAD_BUFFER)
		return; /* the kernel told the caller; the call is over */
	struct capos_server_reply x = {.buf = reply_space(), .cap = REPLY_BYTES};
	capos_server_exception(&x, capos_CapException_Type_failed,
	                       "netstack: the result capability could not be delivered");
	answer(call_id, &x);
}

void netstack_reaped_return(const struct capos_cqe *cqe)
{
	if (cqe->result < 0)
		ns.return_failed++;
}

/* A reply being built outside capos_rpc_handle (a parked call). */
static void ctx_init(struct capos_rpc_ctx *rc, struct capos_server_reply *r)
{
	*r = (struct capos_server_reply){.buf = reply_space(), .cap = REPLY_BYTES};
	*rc = (struct capos_rpc_ctx){.reply = r, .ring = &capos_rt_ring};
	capnp_builder_init(&rc->out, r->buf, REPLY_BYTES);
}

static bool try_parked(struct capos_rpc_ctx *rc, const struct park_entry *p, bool expired)
{
	switch (p->op) {
	case PARK_ACCEPT:
		return try_accept(rc, p, expired);
	case PARK_RECEIVE:
		return try_receive(rc, p, expired);
	case PARK_SEND:
		return try_send(rc, p, expired);
	case PARK_RECVFROM:
		return try_recvfrom(rc, p, expired);
	case PARK_CONNECT:
		return try_connect(rc, p, expired);
	case PARK_FREE:
		break;
	}
	return false;
}

void socksrv_retry(void)
{
	if (ns.park.live == 0)
		return;
	uint64_t now = netstack_clock_ns();
	for (uint32_t i = 0; i < PARK_MAX; i++) {
		struct park_entry p = ns.park.e[i];
		if (p.op == PARK_FREE)
			continue;
		bool expired = now >= p.deadline;
		struct capos_rpc_ctx rc;
		struct capos_server_reply r;
		ctx_init(&rc, &r);
		if (!try_parked(&rc, &p, expired))
			continue;
		park_remove(&ns.park, i);
		if (expired)
			ns.park.expired++;
		size_t len = 0;
		if (!r.exception) {
			if (capnp_builder_finish(&rc.out, &len) != CAPNP_OK)
				capos_rpc_raise(&rc, capos_CapException_Type_failed, "results too large");
			else
				r.len = (uint32_t)len;
		}
		answer(p.call_id, &r);
	}
}

uint64_t socksrv_wait_ns(void)
{
	uint64_t d = park_next_deadline(&ns.park);
	if (d == UINT64_MAX)
		return UINT64_MAX;
	uint64_t now = netstack_clock_ns();
	return d > now ? d - now : 0;
}

/* The last copy of a socket's facet is gone: close it; calls still
 * parked on it are answered (their caller let go of the socket). */
static void on_release(uint64_t badge)
{
	uint32_t id;
	if (!badge_socket(badge, &id) || sock_release(&ns.socks, id) != SOCK_OK) {
		capos_printf("[netstack] release of badge %#llx names no socket\n",
		             (unsigned long long)badge);
		return;
	}
	ns.released++;
	const struct sock_counts *c = &ns.socks.count;
	capos_printf("[netstack] socket %u freed by release (%lu so far): live tcp %u listeners %u "
	             "udp %u\n",
	             id, (unsigned long)c->freed_by_release, c->tcp, c->listeners, c->udp);
	socksrv_retry(); /* the socket's parked calls now fail: BADID */
}

/* Which server table and object a call is for, from its badge. */
static capos_dispatch_fn route(const struct capos_server_call *call, const void **server,
                               void **self, const char **name)
{
	static uint32_t id;
	static struct range r;
	if (call->flags & CAPOS_MSG_F_MINTED) {
		if (!badge_socket(call->badge, &id))
			return NULL;
		*self = &id;
		switch (sock_kind_of(&ns.socks, id)) {
		case SOCK_LISTENER:
			*server = &listener;
			*name = "TcpListener";
			return net_TcpListener_Server_dispatch;
		case SOCK_TCP:
			*server = &tcp_socket;
			*name = "TcpSocket";
			return net_TcpSocket_Server_dispatch;
		case SOCK_UDP:
			*server = &udp_socket;
			*name = "UdpSocket";
			return net_UdpSocket_Server_dispatch;
		case SOCK_FREE:
			return NULL;
		}
		return NULL;
	}
	if (call->badge == 0) {
		*server = &net_manager;
		*self = NULL;
		*name = "NetworkManager";
		return net_NetworkManager_Server_dispatch;
	}
	if (!badge_authority(call->badge, &r.first, &r.last))
		return NULL;
	*server = &authority;
	*self = &r;
	*name = "TcpListenAuthority";
	return net_TcpListenAuthority_Server_dispatch;
}

void socksrv_handle(const struct capos_cqe *cqe, void *recv_buf)
{
	struct capos_server_call call;
	if (capos_server_parse(recv_buf, (uint32_t)cqe->result, &call) != 0) {
		capos_printf("[netstack] a RECV the kernel filled does not parse\n");
		return;
	}
	if (call.flags & CAPOS_MSG_F_RELEASED) {
		on_release(call.badge);
		return;
	}
	ns.calls++;
	struct capos_server_reply reply = {.buf = reply_space(), .cap = REPLY_BYTES};
	const void *server = NULL;
	void *self = NULL;
	const char *name = NULL;
	capos_dispatch_fn d = route(&call, &server, &self, &name);
	want.on = false;
	if (!d) {
		capos_server_exception(&reply, capos_CapException_Type_failed,
		                       call.flags & CAPOS_MSG_F_MINTED
		                               ? "netstack: the socket is closed"
		                               : "netstack: the badge names no listen authority");
		for (uint32_t i = 0; i < call.cap_count; i++)
			(void)capos_release_queue_push(&capos_rt_releases, &capos_rt_ring,
			                               call.caps[i].cap_id);
	} else {
		capos_rpc_handle(d, server, self, name, &capos_rt_ring, &call, &reply);
	}
	if (want.on && !reply.exception) {
		if (park_add(&ns.park, want.op, call.call_id, want.sock, want.max,
		             netstack_clock_ns(), want.timeout)) {
			socksrv_retry(); /* it may be ready now (or a poll) */
			return;
		}
		if (want.op == PARK_CONNECT)
			drop_unhanded(want.sock);
		capos_server_exception(&reply, capos_CapException_Type_overloaded,
		                       "netstack: too many calls waiting");
	}
	answer(call.call_id, &reply);
}
