/*
 * netecho: TCP and UDP echo on port 7, served through the netstack's
 * socket capabilities.  It holds one capability of the network: CapSet
 * entry "listen", a listen authority for port 7 (a badged import of the
 * netstack's endpoint, docs/networking.md "Listen authorities"), from
 * which it makes a TcpListener and a UdpSocket on port 7.
 *
 * One thread: an accept, a receiveFrom and one receive per connection
 * are outstanding at once (the async stubs), and the process sleeps until
 * any completes.  Received bytes are sent back before that connection's
 * next receive.  At most NETECHO_CONNS connections are served at once;
 * later ones wait in the listener's backlog (the netstack refuses beyond
 * it).  A UDP datagram "quit" ends it (answered "bye"): its sockets go
 * with it, and the netstack, with no client left, exits too
 * (tests/net/run.sh uses this to end a run).
 */
#include <capos/endpoint.h>
#include <capos/rpc.h>
#include <capos/rt.h>
#include <capos/string.h>

#include "demo.h"
#include "net.capnp.rpc.h"

#define ECHO_PORT     7u
#define NETECHO_CONNS 8u /* with accept, receiveFrom and a send: 11 of the endpoint's 16 calls */
#define CHUNK         (32u * 1024u)
#define WAIT_NS       10000000000ull /* an outstanding call is renewed every 10 s */
#define SEND_NS       30000000000ull

struct conn {
	bool live, busy;
	net_TcpSocket_Client s;
	struct capos_rpc_pending p;
	uint64_t bytes;
	uint64_t buf[(CHUNK + 1024u) / 8];
};

static struct conn conns[NETECHO_CONNS];
static net_TcpListener_Client listener;
static net_UdpSocket_Client udp;
static struct capos_rpc_pending accept_p, udp_p;
static bool accept_busy, udp_busy, quit;
static uint64_t udp_buf[(2048u + 1024u) / 8];
static const char *me;
static uint64_t served, datagrams, handled; /* handled: completions taken */

static void drop_conn(struct conn *c, const char *why)
{
	capos_printf("[%s] tcp client gone (%s) after %lu bytes\n", me, why, (unsigned long)c->bytes);
	capos_cap_drop(&c->s.c.cap);
	capos_flush_releases(); /* now: the release closes the connection */
	c->live = false;
}

/* Sends all of data back; false when the connection is unusable. */
static bool send_all(struct conn *c, const uint8_t *data, size_t len)
{
	size_t off = 0;
	while (off < len) {
		net_TcpSocket_send_Reply r;
		struct capos_call_error err;
		if (net_TcpSocket_send(&c->s, data + off, len - off, SEND_NS, &r, &err) != 0) {
			drop_conn(c, err.message);
			return false;
		}
		off += r.accepted; /* 0: the buffer was full; try again */
	}
	c->bytes += len;
	return true;
}

/* A connection slot to accept into, or NULL: then the next connections
 * wait in the listener's backlog. */
static struct conn *free_conn(void)
{
	for (uint32_t i = 0; i < NETECHO_CONNS; i++)
		if (!conns[i].live)
			return &conns[i];
	return NULL;
}

static void accepted(void)
{
	net_TcpListener_accept_Reply r;
	struct capos_call_error err;
	struct capos_cqe cqe;
	if (!capos_rpc_poll(&accept_p, &cqe))
		return;
	accept_busy = false;
	handled++;
	/* capos_rpc_complete, not _finish: the socket is a result cap the
	 * reply names by index, which _finish would release. */
	if (capos_rpc_complete(&accept_p, &cqe, &r.rpc, &err) != 0) {
		capos_printf("[%s] accept failed: %s\n", me, err.message);
		return;
	}
	r.results = net_TcpListener_accept_Results_from(r.rpc.root);
	r.accepted = net_TcpListener_accept_Results_get_accepted(r.results);
	r.socketIndex = net_TcpListener_accept_Results_get_socketIndex(r.results);
	if (!r.accepted) {
		capos_rpc_release_rest(&r.rpc);
		return;
	}
	struct conn *c = free_conn(); /* there is one: accept starts only then */
	struct capos_cap cap;
	int e = c ? capos_rpc_take_cap(&r.rpc, r.socketIndex, net_TcpSocket_ID, &cap) : -1;
	capos_rpc_release_rest(&r.rpc);
	capos_flush_releases();
	if (e != 0 || net_TcpSocket_Client_bind(&c->s, &capos_rt_ring, cap) != 0) {
		capos_printf("[%s] accept gave no TcpSocket\n", me);
		return;
	}
	c->s.c.result_buf = c->buf;
	c->s.c.result_cap = sizeof c->buf;
	c->live = true;
	c->busy = false;
	c->bytes = 0;
	served++;
}

static void received(struct conn *c)
{
	net_TcpSocket_receive_Reply r;
	struct capos_call_error err;
	struct capos_cqe cqe;
	if (!capos_rpc_poll(&c->p, &cqe))
		return;
	c->busy = false;
	handled++;
	if (net_TcpSocket_receive_finish(&c->p, &cqe, &r, &err) != 0) {
		drop_conn(c, err.message);
		return;
	}
	struct capnp_data d = r.data; /* read once: a second read counts against the guard */
	if (d.len && !send_all(c, d.ptr, d.len))
		return;
	if (r.eof)
		drop_conn(c, "eof");
}

static void datagram(void)
{
	net_UdpSocket_receiveFrom_Reply r;
	struct capos_call_error err;
	struct capos_cqe cqe;
	if (!capos_rpc_poll(&udp_p, &cqe))
		return;
	udp_busy = false;
	handled++;
	if (net_UdpSocket_receiveFrom_finish(&udp_p, &cqe, &r, &err) != 0) {
		capos_printf("[%s] receiveFrom failed: %s\n", me, err.message);
		quit = true;
		return;
	}
	if (!r.received)
		return;
	struct capnp_data d = r.data; /* read once: a second read counts against the guard */
	bool is_quit = d.len == 4 && memcmp(d.ptr, "quit", 4) == 0;
	net_UdpSocket_sendTo_Reply s;
	if (net_UdpSocket_sendTo(&udp, r.address, r.port, is_quit ? (const void *)"bye" : d.ptr,
	                         is_quit ? 3 : d.len, &s, &err) != 0)
		capos_printf("[%s] sendTo failed: %s\n", me, err.message);
	datagrams++;
	if (is_quit) {
		capos_printf("[%s] quit requested over udp\n", me);
		quit = true;
	}
}

/* Handles every outstanding call that has completed; true if any had. */
static bool take_completions(void)
{
	uint64_t before = served + datagrams + handled;
	if (accept_busy)
		accepted();
	if (udp_busy)
		datagram();
	for (uint32_t i = 0; i < NETECHO_CONNS; i++)
		if (conns[i].live && conns[i].busy)
			received(&conns[i]);
	return served + datagrams + handled != before || quit;
}

/* Starts whatever call is not outstanding. */
static void start_calls(void)
{
	struct capos_call_error err;
	if (!accept_busy && free_conn() && net_TcpListener_accept_start(&listener, WAIT_NS, &accept_p, &err) == 0)
		accept_busy = true;
	if (!udp_busy && net_UdpSocket_receiveFrom_start(&udp, WAIT_NS, &udp_p, &err) == 0)
		udp_busy = true;
	for (uint32_t i = 0; i < NETECHO_CONNS; i++) {
		struct conn *c = &conns[i];
		if (c->live && !c->busy) {
			if (net_TcpSocket_receive_start(&c->s, CHUNK, WAIT_NS, &c->p, &err) == 0)
				c->busy = true;
			else
				drop_conn(c, err.message);
		}
	}
}

static int listen_fill(net_TcpListenAuthority_listen_Params_builder p, struct capos_rpc_out *o,
                       void *arg)
{
	(void)o;
	(void)arg;
	net_TcpListenAuthority_listen_Params_set_port(p, ECHO_PORT);
	net_TcpListenAuthority_listen_Params_set_backlog(p, 16);
	return 0;
}

static int udp_fill(net_TcpListenAuthority_udpOpen_Params_builder p, struct capos_rpc_out *o,
                    void *arg)
{
	(void)o;
	(void)arg;
	net_TcpListenAuthority_udpOpen_Params_set_port(p, ECHO_PORT);
	return 0;
}

/* The _Call forms leave the result caps to us (the plain stubs release
 * caps named by an index field). */
static int open_sockets(void)
{
	struct capos_cap cap;
	struct capos_call_error err;
	net_TcpListenAuthority_Client auth;
	/* The import carries the netstack endpoint's label; its badge makes
	 * it a listen authority. */
	if (capos_endpoint_open_as(&capos_rt.capset, "listen", net_NetworkManager_ID, &cap) != 0) {
		capos_printf("[%s] no listen authority named 'listen'\n", me);
		return 1;
	}
	cap.interface_id = net_TcpListenAuthority_ID;
	net_TcpListenAuthority_Client_bind(&auth, &capos_rt_ring, cap);
	net_TcpListenAuthority_listen_Reply l;
	net_TcpListenAuthority_udpOpen_Reply u;
	if (net_TcpListenAuthority_listen_Call(&auth, listen_fill, NULL, &l, &err) != 0 ||
	    capos_rpc_take_cap(&l.rpc, l.listenerIndex, net_TcpListener_ID, &cap) != 0 ||
	    net_TcpListener_Client_bind(&listener, &capos_rt_ring, cap) != 0) {
		capos_printf("[%s] listen on port %u failed: %s\n", me, ECHO_PORT, err.message);
		return 1;
	}
	if (net_TcpListenAuthority_udpOpen_Call(&auth, udp_fill, NULL, &u, &err) != 0 ||
	    capos_rpc_take_cap(&u.rpc, u.socketIndex, net_UdpSocket_ID, &cap) != 0 ||
	    net_UdpSocket_Client_bind(&udp, &capos_rt_ring, cap) != 0) {
		capos_printf("[%s] udp port %u failed: %s\n", me, ECHO_PORT, err.message);
		return 1;
	}
	udp.c.result_buf = udp_buf;
	udp.c.result_cap = sizeof udp_buf;
	capos_cap_drop(&auth.c.cap); /* nothing more to listen on */
	return 0;
}

int main(void)
{
	me = demo_name("netecho");
	if (open_sockets() != 0)
		return 1;
	capos_printf("[%s] ready: tcp and udp echo on port %u\n", me, ECHO_PORT);
	while (!quit) {
		start_calls();
		/* Completions a synchronous send collected meanwhile wait in the
		 * ring's stash: take them before sleeping for a new one. */
		capos_ring_reap(&capos_rt_ring);
		if (!take_completions())
			capos_ring_enter(&capos_rt_ring, 1, CAPOS_WAIT_FOREVER);
	}
	for (uint32_t i = 0; i < NETECHO_CONNS; i++)
		if (conns[i].live)
			drop_conn(&conns[i], "quit");
	capos_printf("[%s] exiting: %lu tcp clients served, %lu datagrams\n", me,
	             (unsigned long)served, (unsigned long)datagrams);
	return 0;
}
