/*
 * httpd: an HTTP/1.1 server over the netstack's socket capabilities
 * (docs/networking.md, "httpd").  It holds a TcpListenAuthority for port
 * 80 ("listen"), a Console, a Timer ("timer"), a read-only SystemMonitor
 * ("monitor", for the figures of /status) and the BootPackage schema view
 * ("boot", for its settings on the kernel command line); nothing else.
 *
 * One thread, no blocking call once it serves: an accept is always
 * outstanding, and each connection has at most one receive or send in
 * flight, all submitted to the ring without waiting and collected as they
 * complete.  The calls in flight are bounded (httpd.calls): the netstack's
 * endpoint queues at most 16 calls from all its clients together.  When
 * more connections want a call than there are slots, a receive waits at
 * most TURN_NS, so every connection gets its turn.  The logic (buffers,
 * deadlines, routes, limits) is lib/httpd.c; this file only moves bytes.
 *
 * Exits 0 after /shutdown?token=T (T from httpd.token) once every
 * connection is closed; 1 when it cannot start.
 */
#include <capos/endpoint.h>
#include <capos/rt.h>
#include <capos/timer.h>

#include "capos.capnp.rpc.h"
#include "httpd_svc.h"
#include "net.capnp.rpc.h"
#include "tsc_clock.h"

#define MS             1000000ull
#define RECV_CHUNK     2048u
#define SEND_CHUNK     2048u
#define ACCEPT_WAIT    (2000 * MS) /* an accept's longest wait: how late a stop is noticed */
#define TURN_NS        (200 * MS)  /* a receive's longest wait while others want a slot */
#define BUSY_BACKOFF   (20 * MS)   /* after the netstack's queue was full */
#define ACCEPT_BACKOFF (1000 * MS) /* after an accept was refused */

enum op { OP_NONE,
	  OP_RECV,
	  OP_SEND };

struct sock {
	net_TcpSocket_Client cl;
	bool held;
	enum op op;
	char why[96]; /* why its socket failed, for the close line */
	struct capos_rpc_pending pend;
	uint64_t rbuf[(RECV_CHUNK + 256) / 8];
};

static struct httpd h;
static struct sock socks[HTTPD_CONNS_MAX];
static net_TcpListener_Client listener;
/* Several accepts outstanding: the netstack hands out a burst of
 * connections in one turn instead of one per round trip, so fewer go past
 * its backlog (where it resets them). */
static struct capos_rpc_pending accept_pend[HTTPD_ACCEPTS];
static unsigned accepting; /* how many of them are outstanding */
static uint32_t calls_max, inflight, rr;
static uint64_t busy_until; /* no new call before this (the netstack was full) */
static capos_SystemMonitor_Client monitor;
static bool have_monitor;

static bool timer_ns(void *ctx, uint64_t *ns)
{
	(void)ctx;
	int64_t t = capos_clock_ns();
	*ns = t < 0 ? 0 : (uint64_t)t;
	return t >= 0;
}

static uint64_t rdtsc(void *ctx)
{
	uint32_t lo, hi;
	(void)ctx;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return (uint64_t)hi << 32 | lo;
}

/* The loop asks for the time every turn; the Timer is read only every
 * TSC_CLOCK_RESYNC_NS or so (lib/tsc_clock.h). */
static const struct tsc_clock_ops clock_ops = {.ref_ns = timer_ns, .tsc = rdtsc};
static struct tsc_clock clock;

static uint64_t now_ns(void)
{
	return tsc_clock_now(&clock);
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	capos_printf("[httpd] %s\n", line);
}

static bool sysinfo(void *ctx, struct httpd_sysinfo *out)
{
	(void)ctx;
	capos_SystemMonitor_memory_Reply r;
	struct capos_call_error err;
	if (!have_monitor || capos_SystemMonitor_memory(&monitor, &r, &err) != 0)
		return false;
	*out = (struct httpd_sysinfo){r.framesFree, r.framesTotal, r.processesLive};
	return true;
}

static const struct httpd_ops ops = {.sysinfo = sysinfo, .log = log_line};

static void say_error(const char *what, const struct capos_call_error *err)
{
	char why[128];
	capos_error_format(err, why, sizeof why);
	capos_printf("[httpd] %s: %s\n", what, why);
}

/* The netstack's endpoint had no room for another call: try later. */
static bool busy(const struct capos_call_error *err, uint64_t now)
{
	if (err->code != CAPOS_ERR_NO_RESOURCES)
		return false;
	busy_until = now + BUSY_BACKOFF;
	return true;
}

/*
 * The listen authority: an import labelled TcpListenAuthority, or (as the
 * netstack exports it) a badged import of its endpoint, labelled with the
 * endpoint's NetworkManager; the badge makes it an authority, and the
 * netstack answers TcpListenAuthority's methods on it.
 */
static int open_authority(net_TcpListenAuthority_Client *auth)
{
	struct capos_cap cap;
	if (net_TcpListenAuthority_Client_open(auth, "listen") == 0)
		return 0;
	if (capos_endpoint_open_as(&capos_rt.capset, "listen", net_NetworkManager_ID, &cap) != 0)
		return -1;
	cap.interface_id = net_TcpListenAuthority_ID;
	return net_TcpListenAuthority_Client_bind(auth, &capos_rt_ring, cap);
}

static int fill_listen(net_TcpListenAuthority_listen_Params_builder p, struct capos_rpc_out *o, void *arg)
{
	(void)o, (void)arg;
	net_TcpListenAuthority_listen_Params_set_port(p, HTTPD_PORT);
	net_TcpListenAuthority_listen_Params_set_backlog(p, HTTPD_BACKLOG);
	return 0;
}

/* Listens on the port through the authority: 0, or 1 after saying why not. */
static int start_listening(void)
{
	net_TcpListenAuthority_Client auth;
	net_TcpListenAuthority_allowedPorts_Reply ports;
	net_TcpListenAuthority_listen_Reply lr;
	struct capos_call_error err;
	struct capos_cap cap;
	if (open_authority(&auth) != 0) {
		capos_printf("[httpd] no TcpListenAuthority named 'listen'\n");
		return 1;
	}
	if (net_TcpListenAuthority_allowedPorts(&auth, &ports, &err) == 0)
		capos_printf("[httpd] TcpListenAuthority allows ports %u..%u\n", ports.first, ports.last);
	/* The _Call form: the plain stub releases result caps it cannot see
	 * (listenerIndex is a number to it). */
	if (net_TcpListenAuthority_listen_Call(&auth, fill_listen, NULL, &lr, &err) != 0) {
		say_error("TcpListenAuthority.listen(80)", &err);
		return 1;
	}
	int e = capos_rpc_take_cap(&lr.rpc, lr.listenerIndex, net_TcpListener_ID, &cap);
	if (e == 0)
		e = net_TcpListener_Client_bind(&listener, &capos_rt_ring, cap);
	if (e != 0) {
		capos_printf("[httpd] listen(80) returned no TcpListener (index %u of %u caps): %s\n",
		             lr.listenerIndex, lr.rpc.reply.cap_count, capos_strerror(e));
		return 1;
	}
	capos_rpc_release_rest(&lr.rpc);
	capos_printf("[httpd] listening on port %u (backlog %u)\n", HTTPD_PORT, HTTPD_BACKLOG);
	return 0;
}

/* An accept that failed: the netstack gone (stop serving), its queue full
 * (try again soon), or refused (say why, try again in a second: never a
 * loop of refusals). */
static void accept_failed(const struct capos_call_error *err, uint64_t now)
{
	if (busy(err, now))
		return;
	if (err->code == CAPOS_ERR_DISCONNECTED || err->code == CAPOS_ERR_BAD_CAP) {
		if (!h.stopping)
			httpd_stop(&h, "the netstack is gone");
		return;
	}
	say_error("TcpListener.accept", err);
	busy_until = now + ACCEPT_BACKOFF;
}

/* Starts the accepts that are not outstanding. */
static void start_accepts(uint64_t now)
{
	struct capos_call_error err;
	for (unsigned k = 0; k < HTTPD_ACCEPTS && now >= busy_until; k++) {
		if (accept_pend[k].busy)
			continue;
		if (net_TcpListener_accept_start(&listener, ACCEPT_WAIT, &accept_pend[k], &err) == 0)
			accepting++;
		else
			accept_failed(&err, now);
	}
}

/* The accepted socket's cap is a number in the results, so the completion
 * is decoded here rather than by the generated _finish (which releases
 * every result cap it does not know of). */
static void on_accept(struct capos_rpc_pending *p, const struct capos_cqe *cqe, uint64_t now)
{
	static struct capos_rpc_result res;
	struct capos_call_error err;
	struct capos_cap cap;
	if (capos_rpc_complete(p, cqe, &res, &err) != 0) {
		accept_failed(&err, now);
		return;
	}
	net_TcpListener_accept_Results_reader r = net_TcpListener_accept_Results_from(res.root);
	bool ok = net_TcpListener_accept_Results_get_accepted(r);
	uint16_t index = net_TcpListener_accept_Results_get_socketIndex(r);
	uint32_t addr = net_TcpListener_accept_Results_get_remoteAddress(r);
	uint16_t port = net_TcpListener_accept_Results_get_remotePort(r);
	int e = ok && capnp_reader_error(&res.msg) == CAPNP_OK
	                ? capos_rpc_take_cap(&res, index, net_TcpSocket_ID, &cap)
	                : CAPOS_ERR_BAD_MESSAGE;
	capos_rpc_release_rest(&res);
	if (!ok)
		return; /* its wait ended with no connection */
	if (e != 0) {
		capos_printf("[httpd] accept returned no TcpSocket: %s\n", capos_strerror(e));
		return;
	}
	int i = httpd_open(&h, addr, port, now);
	if (i < 0) {
		capos_cap_drop(&cap); /* refused: the stack closes it */
		capos_flush_releases();
		return;
	}
	struct sock *s = &socks[i];
	net_TcpSocket_Client_bind(&s->cl, &capos_rt_ring, cap);
	s->cl.c.result_buf = s->rbuf;
	s->cl.c.result_cap = sizeof s->rbuf;
	s->held = true;
	s->op = OP_NONE;
	s->why[0] = '\0';
}

static void failed(int i, const char *what, const struct capos_call_error *err)
{
	char why[64];
	capos_error_format(err, why, sizeof why);
	capos_snprintf(socks[i].why, sizeof socks[i].why, "%s failed: %s", what, why);
	httpd_fail(&h, i, socks[i].why);
}

static void on_recv(int i, const struct capos_cqe *cqe, uint64_t now)
{
	net_TcpSocket_receive_Reply r;
	struct capos_call_error err;
	if (net_TcpSocket_receive_finish(&socks[i].pend, cqe, &r, &err) != 0) {
		if (!busy(&err, now))
			failed(i, "receive", &err);
		return;
	}
	httpd_input(&h, i, r.data.ptr, r.data.len, r.eof, now);
}

static void on_send(int i, const struct capos_cqe *cqe, uint64_t now)
{
	net_TcpSocket_send_Reply r;
	struct capos_call_error err;
	if (net_TcpSocket_send_finish(&socks[i].pend, cqe, &r, &err) != 0) {
		if (!busy(&err, now))
			failed(i, "send", &err);
		return;
	}
	httpd_sent(&h, i, r.accepted, now);
}

/* Takes every completion that has come; true if there was one. */
static bool collect(uint64_t now)
{
	struct capos_cqe cqe;
	bool any = false;
	capos_ring_reap(&capos_rt_ring);
	for (unsigned k = 0; k < HTTPD_ACCEPTS; k++) {
		if (!capos_rpc_poll(&accept_pend[k], &cqe))
			continue;
		accepting--;
		on_accept(&accept_pend[k], &cqe, now);
		any = true;
	}
	for (int i = 0; i < (int)HTTPD_CONNS_MAX; i++) {
		struct sock *s = &socks[i];
		if (s->op == OP_NONE || !capos_rpc_poll(&s->pend, &cqe))
			continue;
		enum op op = s->op;
		s->op = OP_NONE;
		inflight--;
		if (op == OP_RECV)
			on_recv(i, &cqe, now);
		else
			on_send(i, &cqe, now);
		any = true;
	}
	return any;
}

static uint64_t until(uint64_t deadline, uint64_t now)
{
	return deadline > now + MS ? deadline - now : MS; /* 0 would mean "do not wait" */
}

static void start_recv(int i, uint64_t now, bool contended)
{
	struct capos_call_error err;
	size_t room = httpd_room(&h, i);
	uint64_t wait = until(h.conns[i].deadline, now);
	if (contended && wait > TURN_NS)
		wait = TURN_NS;
	uint32_t max = room < RECV_CHUNK ? (uint32_t)room : RECV_CHUNK;
	if (net_TcpSocket_receive_start(&socks[i].cl, max, wait, &socks[i].pend, &err) != 0) {
		if (!busy(&err, now))
			failed(i, "receive", &err);
		return;
	}
	socks[i].op = OP_RECV;
	inflight++;
}

static void start_send(int i, uint64_t now)
{
	struct capos_call_error err;
	const char *data;
	size_t n = httpd_output(&h, i, &data);
	if (n > SEND_CHUNK)
		n = SEND_CHUNK;
	if (net_TcpSocket_send_start(&socks[i].cl, data, n, until(h.conns[i].deadline, now),
	                             &socks[i].pend, &err) != 0) {
		if (!busy(&err, now))
			failed(i, "send", &err);
		return;
	}
	socks[i].op = OP_SEND;
	inflight++;
}

/* Drops the sockets of connections that are done (the stack closes them). */
static void close_done(void)
{
	bool dropped = false;
	for (int i = 0; i < (int)HTTPD_CONNS_MAX; i++) {
		struct sock *s = &socks[i];
		if (!s->held || s->op != OP_NONE || httpd_want(&h, i) != HTTPD_WANT_CLOSE)
			continue;
		capos_cap_drop(&s->cl.c.cap);
		s->held = false;
		httpd_close(&h, i);
		dropped = true;
	}
	if (dropped)
		capos_flush_releases();
}

/* Starts the calls that connections want, round robin, within the slots. */
static void submit(uint64_t now)
{
	if (now < busy_until)
		return;
	if (!h.stopping)
		start_accepts(now);
	bool contended = h.st.open + 1 > calls_max;
	for (unsigned k = 0; k < HTTPD_CONNS_MAX && inflight < calls_max && now >= busy_until; k++) {
		int i = (int)((rr + k) % HTTPD_CONNS_MAX);
		if (!socks[i].held || socks[i].op != OP_NONE)
			continue;
		enum httpd_want w = httpd_want(&h, i);
		if (w == HTTPD_WANT_READ)
			start_recv(i, now, contended);
		else if (w == HTTPD_WANT_WRITE)
			start_send(i, now);
	}
	rr = (rr + 1) % HTTPD_CONNS_MAX;
}

/* Sleeps until a completion or the next deadline. */
static void wait_for_work(uint64_t now)
{
	uint64_t wake = httpd_next_deadline(&h);
	if (busy_until > now && busy_until < wake)
		wake = busy_until;
	if (accepting < HTTPD_ACCEPTS && !h.stopping && now + BUSY_BACKOFF < wake)
		wake = now + BUSY_BACKOFF; /* an accept could not be started */
	capos_ring_enter(&capos_rt_ring, 1, wake == UINT64_MAX ? CAPOS_WAIT_FOREVER : until(wake, now));
}

static void serve(void)
{
	for (;;) {
		uint64_t now = now_ns();
		bool any = collect(now);
		httpd_poll(&h, now);
		close_done();
		if (httpd_done(&h) && !accepting && inflight == 0)
			return;
		submit(now);
		/* Collected again right before sleeping: a call that waited for
		 * its own completion since (a release, SystemMonitor.memory)
		 * stashed the others, and a stashed one does not wake the sleep. */
		if (!any && !collect(now))
			wait_for_work(now);
	}
}

int main(void)
{
	struct httpd_config cfg;
	if (capos_default_timer() == NULL) {
		capos_printf("[httpd] no Timer: deadlines need one\n");
		return 1;
	}
	tsc_clock_init(&clock, &clock_ops, NULL);
	httpd_svc_config(&cfg, &calls_max);
	have_monitor = capos_SystemMonitor_Client_open(&monitor, "monitor") == 0;
	if (!have_monitor)
		capos_printf("[httpd] no SystemMonitor: /status shows only what httpd counts\n");
	if (start_listening() != 0)
		return 1;
	httpd_init(&h, &cfg, &ops, NULL, now_ns());
	serve();
	capos_cap_drop(&listener.c.cap);
	capos_flush_releases();
	capos_printf("[httpd] exiting: %lu connections (%lu refused, %lu timed out), %lu requests "
	             "(%lu refused), at most %u open at once\n",
	             (unsigned long)h.st.accepted, (unsigned long)h.st.refused,
	             (unsigned long)h.st.timeouts, (unsigned long)h.st.requests,
	             (unsigned long)h.st.bad, h.st.peak);
	return 0;
}
