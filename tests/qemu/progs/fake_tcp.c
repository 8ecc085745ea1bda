/*
 * fake_tcp: the socket interfaces of schema/net.capnp with no network
 * behind them, so httpd's capability side (listen, accept, receive, send,
 * release) is tested in QEMU without lwIP.  It serves TcpListenAuthority
 * on its endpoint (port 80 only), mints the TcpListener (badge 1) and one
 * TcpSocket per scripted connection (badge 100 + k), all with notify, and
 * plays four clients at once:
 *   keep   two requests on one connection, cut at odd places, then EOF:
 *          the page (text/html) and /status (JSON with the monitor's
 *          process count), both kept alive;
 *   bad    a header with a space before its colon: 400, closed by httpd;
 *   pipe   POST and a missing path in one read: 405 (with Allow), 404;
 *   stop   /shutdown with a wrong token (403), then, once the other three
 *          are closed, with the run's token: 200, and httpd exits.
 * A send takes at most SEND_TAKE bytes (backpressure: httpd must send the
 * rest).  Each socket's release message checks what httpd sent on it.
 * Nothing here waits: a receive with nothing to give answers empty, an
 * accept with no connection left answers accepted = false.
 *
 * Run by: smoke httpd_fake (tests/qemu/manifests/httpd_fake.cue; the
 * token comes with the smoke's command line, httpd.token=FAKE_TOKEN).
 */
#include <capos/endpoint.h>
#include <capos/rpc.h>

#include "demo.h"
#include "net.capnp.rpc.h"

#define NAME         "fake_tcp"
#define FAKE_TOKEN   "f4k3-t0k3n"
#define LISTENER     1u
#define SOCKET_BADGE 100u
#define SEND_TAKE    700u
#define CONNS        4u
#define OUT_BYTES    8192u

struct conn {
	const char *name;
	const char *const *chunks; /* given by successive receives, then EOF */
	bool eof_after;            /* EOF once the chunks are given */
	unsigned next;
	bool released;
	size_t out_len;
	char out[OUT_BYTES];
};

static const char *const keep_chunks[] = {
	"GET / HTTP/1.1\r\nHo",
	"st: a\r\n\r\nGET /sta",
	"tus HTTP/1.1\r\nHost: a\r\n\r\n",
	NULL,
};
static const char *const bad_chunks[] = {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", NULL};
static const char *const pipe_chunks[] = {
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
	"GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	NULL,
};
static const char *const stop_chunks[] = {
	"GET /shutdown?token=wrong HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /shutdown?token=" FAKE_TOKEN " HTTP/1.1\r\nHost: a\r\n\r\n",
	NULL,
};

static struct conn conns[CONNS] = {
	{.name = "keep", .chunks = keep_chunks, .eof_after = true},
	{.name = "bad", .chunks = bad_chunks},
	{.name = "pipe", .chunks = pipe_chunks},
	{.name = "stop", .chunks = stop_chunks},
};

static struct capos_cap owner;
static unsigned accepted, failures;

static struct conn *conn_of(const struct capos_rpc_ctx *rc)
{
	uint64_t b = rc->call->badge;
	if (!(rc->call->flags & CAPOS_MSG_F_MINTED) || b < SOCKET_BADGE || b >= SOCKET_BADGE + CONNS)
		return NULL;
	return &conns[b - SOCKET_BADGE];
}

/* A facet of our endpoint for the caller, moved with the results. */
static int hand_out(struct capos_rpc_ctx *rc, uint64_t badge, uint64_t iface, uint16_t *index)
{
	struct capos_cap f;
	struct capos_call_error err;
	if (capos_endpoint_mint(&owner, badge, iface, true, &f, &err) != 0)
		return -1;
	*index = (uint16_t)capos_rpc_return_cap(rc, f.cap_id, true);
	return 0;
}

static int allowed_ports(void *self, struct capos_rpc_ctx *rc,
                         net_TcpListenAuthority_allowedPorts_Params_reader in,
                         net_TcpListenAuthority_allowedPorts_Results_builder out)
{
	(void)self, (void)rc, (void)in;
	net_TcpListenAuthority_allowedPorts_Results_set_first(out, 80);
	net_TcpListenAuthority_allowedPorts_Results_set_last(out, 80);
	return CAPOS_SERVER_REPLY;
}

static int do_listen(void *self, struct capos_rpc_ctx *rc, net_TcpListenAuthority_listen_Params_reader in,
                     net_TcpListenAuthority_listen_Results_builder out)
{
	(void)self;
	uint16_t idx;
	if (net_TcpListenAuthority_listen_Params_get_port(in) != 80)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument, "port 80 only");
	if (hand_out(rc, LISTENER, net_TcpListener_ID, &idx) != 0)
		return capos_rpc_raise(rc, capos_CapException_Type_overloaded, "no facet");
	net_TcpListenAuthority_listen_Results_set_listenerIndex(out, idx);
	capos_printf("[" NAME "] listen(80, backlog %u): listener handed out\n",
	             net_TcpListenAuthority_listen_Params_get_backlog(in));
	return CAPOS_SERVER_REPLY;
}

static int do_accept(void *self, struct capos_rpc_ctx *rc, net_TcpListener_accept_Params_reader in,
                     net_TcpListener_accept_Results_builder out)
{
	(void)self, (void)in;
	uint16_t idx;
	if (accepted == CONNS)
		return CAPOS_SERVER_REPLY; /* accepted = false: no one else comes */
	if (hand_out(rc, SOCKET_BADGE + accepted, net_TcpSocket_ID, &idx) != 0)
		return capos_rpc_raise(rc, capos_CapException_Type_overloaded, "no facet");
	net_TcpListener_accept_Results_set_accepted(out, true);
	net_TcpListener_accept_Results_set_socketIndex(out, idx);
	net_TcpListener_accept_Results_set_remoteAddress(out, 0x0a000202);
	net_TcpListener_accept_Results_set_remotePort(out, (uint16_t)(50000 + accepted));
	capos_printf("[" NAME "] accepted '%s'\n", conns[accepted].name);
	accepted++;
	return CAPOS_SERVER_REPLY;
}

/* The shutdown request waits until the other clients are done. */
static bool may_give(const struct conn *c)
{
	if (c != &conns[3] || c->next == 0)
		return true;
	for (unsigned k = 0; k < 3; k++)
		if (!conns[k].released)
			return false;
	return true;
}

static int do_receive(void *self, struct capos_rpc_ctx *rc, net_TcpSocket_receive_Params_reader in,
                      net_TcpSocket_receive_Results_builder out)
{
	(void)self;
	struct conn *c = conn_of(rc);
	if (!c)
		return capos_rpc_raise(rc, capos_CapException_Type_failed, "not a socket");
	uint32_t max = net_TcpSocket_receive_Params_get_maxBytes(in);
	const char *chunk = c->chunks[c->next];
	if (chunk && may_give(c)) {
		size_t n = strlen(chunk);
		if (n > max) {
			failures++;
			capos_printf("[" NAME "] FAIL: '%s' asked for only %u bytes\n", c->name, max);
			n = max;
		}
		net_TcpSocket_receive_Results_set_data(out, chunk, n);
		c->next++;
	} else if (!chunk && c->eof_after) {
		net_TcpSocket_receive_Results_set_eof(out, true);
	}
	return CAPOS_SERVER_REPLY;
}

static int do_send(void *self, struct capos_rpc_ctx *rc, net_TcpSocket_send_Params_reader in,
                   net_TcpSocket_send_Results_builder out)
{
	(void)self;
	struct conn *c = conn_of(rc);
	if (!c)
		return capos_rpc_raise(rc, capos_CapException_Type_failed, "not a socket");
	struct capnp_data d = net_TcpSocket_send_Params_get_data(in);
	size_t n = d.len < SEND_TAKE ? d.len : SEND_TAKE;
	if (n > OUT_BYTES - 1 - c->out_len)
		n = OUT_BYTES - 1 - c->out_len;
	memcpy(c->out + c->out_len, d.ptr, n);
	c->out_len += n;
	c->out[c->out_len] = '\0';
	net_TcpSocket_send_Results_set_accepted(out, (uint32_t)n);
	return CAPOS_SERVER_REPLY;
}

static const net_TcpListenAuthority_Server auth_srv = {.allowedPorts = allowed_ports, .listen = do_listen};
static const net_TcpListener_Server listener_srv = {.accept = do_accept};
static const net_TcpSocket_Server socket_srv = {.receive = do_receive, .send = do_send};

static int handle(void *ctx, const struct capos_server_call *call, struct capos_server_reply *reply)
{
	(void)ctx;
	bool minted = call->flags & CAPOS_MSG_F_MINTED;
	if (!minted)
		return capos_rpc_handle(net_TcpListenAuthority_Server_dispatch, &auth_srv, NULL,
		                        "TcpListenAuthority", &capos_rt_ring, call, reply);
	if (call->badge == LISTENER)
		return capos_rpc_handle(net_TcpListener_Server_dispatch, &listener_srv, NULL, "TcpListener",
		                        &capos_rt_ring, call, reply);
	return capos_rpc_handle(net_TcpSocket_Server_dispatch, &socket_srv, NULL, "TcpSocket",
	                        &capos_rt_ring, call, reply);
}

/* The first `what` in s, or NULL (the runtime has no strstr). */
static const char *find(const char *s, const char *what)
{
	size_t w = strlen(what);
	for (const char *p = s; *p; p++)
		if (strncmp(p, what, w) == 0)
			return p;
	return NULL;
}

/* How often `what` occurs in s. */
static unsigned count(const char *s, const char *what)
{
	unsigned n = 0;
	for (const char *p = find(s, what); p; p = find(p + 1, what))
		n++;
	return n;
}

static void check(const struct conn *c, bool ok, const char *what)
{
	if (!ok)
		failures++;
	capos_printf("[" NAME "] %s '%s': %s\n", ok ? "ok" : "FAIL", c->name, what);
	if (!ok)
		capos_printf("[" NAME "] '%s' got %u bytes: %.300s\n", c->name, (unsigned)c->out_len, c->out);
}

/* What httpd sent on the connection, checked when it let the socket go. */
static void verify(const struct conn *c)
{
	const char *o = c->out;
	if (c == &conns[0]) {
		check(c, count(o, "HTTP/1.1 200 OK\r\n") == 2 && find(o, "text/html") && find(o, "capability operating system") && find(o, "application/json") && find(o, "\"processes\": ") && !find(o, "\"processes\": null") && count(o, "Connection: keep-alive") == 2,
		      "page and status JSON, kept alive, closed after EOF");
	} else if (c == &conns[1]) {
		check(c, strncmp(o, "HTTP/1.1 400 Bad Request\r\n", 26) == 0 && find(o, "Connection: close"),
		      "400 and closed");
	} else if (c == &conns[2]) {
		const char *nf = find(o, "HTTP/1.1 404 Not Found\r\n");
		check(c, strncmp(o, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0 && find(o, "Allow: GET, HEAD\r\n") && nf && find(nf, "Connection: close"),
		      "405 then 404 (pipelined), closed");
	} else {
		const char *ok = find(o, "HTTP/1.1 200 OK\r\n");
		check(c, strncmp(o, "HTTP/1.1 403 Forbidden\r\n", 24) == 0 && ok && find(ok, "shutting down"),
		      "403 for a wrong token, then 200: shutting down");
	}
}

static int on_release(void *ctx, uint64_t badge)
{
	(void)ctx;
	if (badge == LISTENER) {
		capos_printf("[" NAME "] the listener was released\n");
		return CAPOS_SERVER_REPLY;
	}
	if (badge < SOCKET_BADGE || badge >= SOCKET_BADGE + CONNS) {
		failures++;
		capos_printf("[" NAME "] FAIL: release of unknown badge %lu\n", (unsigned long)badge);
		return CAPOS_SERVER_REPLY;
	}
	struct conn *c = &conns[badge - SOCKET_BADGE];
	c->released = true;
	verify(c);
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &owner) != 0) {
		capos_printf("[" NAME "] FAIL: no endpoint\n");
		return 1;
	}
	struct capos_server_stats st = {0};
	int e = capos_server_run_releases(&capos_rt_ring, owner.cap_id, handle, on_release, NULL, &st);
	unsigned released = 0;
	for (unsigned k = 0; k < CONNS; k++)
		released += conns[k].released;
	DEMO_CHECK(NAME, e == 0 && released == CONNS && failures == 0,
	           "no client left: %u connections, %u released, %lu calls, %u failures\n", accepted,
	           released, (unsigned long)st.calls, failures);
	return demo_finish(NAME);
}
