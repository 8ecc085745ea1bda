/*
 * The netstack's socket table (services/netstack/sockets.c) on one lwIP
 * stack with the port's configuration: clients are lwIP raw pcbs talking
 * to the table's sockets over the loopback netif (127.0.0.1), so every
 * test is one process with no wire and no clock (the port's counter
 * clock).  Checks authority (port range), accept, data both ways,
 * backpressure, close by release (RST when data would be lost), running
 * out of slots or pcbs, the UDP queue bound, stale ids, and that every
 * lwIP pool returns to baseline.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "sockets.h"

static struct sock_table tab;
static uint16_t baseline[MEMP_MAX];

static void setup(void)
{
	lwip_init();
	sock_table_init(&tab);
	for (int i = 0; i < MEMP_MAX; i++)
		baseline[i] = lwip_stats.memp[i]->used;
}

TestSuite(netstack_sockets, .init = setup, .timeout = 60);

/* Delivers what the stack sent itself and runs timers, n rounds. */
static void pump(int n)
{
	for (int i = 0; i < n; i++) {
		netif_poll_all();
		sys_check_timeouts();
	}
}

/* Lets closes finish, ends TIME_WAIT (2 MSL would take minutes) and
 * checks every pool is back: a connection nobody closed is still active
 * and shows here. */
static void expect_baseline(void)
{
	pump(200);
	while (tcp_tw_pcbs)
		tcp_abort(tcp_tw_pcbs);
	pump(2000); /* the TCP timer stops itself once no pcb is left */
	for (int i = 0; i < MEMP_MAX; i++)
		cr_expect_eq(lwip_stats.memp[i]->used, baseline[i], "pool %d: %u in use, was %u", i,
		             lwip_stats.memp[i]->used, baseline[i]);
	cr_expect_eq(tab.count.tcp + tab.count.listeners + tab.count.udp, 0);
}

/* ---- a raw-API client ---- */

struct client {
	struct tcp_pcb *pcb;
	int connected, reset, closed;
	struct pbuf *rx; /* kept unread (and the window closed) until drained */
	bool auto_read;
};

static err_t cl_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct client *c = arg;
	(void)err;
	if (!p) {
		c->closed = 1;
		return ERR_OK;
	}
	if (c->auto_read)
		tcp_recved(pcb, p->tot_len);
	if (c->rx)
		pbuf_cat(c->rx, p);
	else
		c->rx = p;
	return ERR_OK;
}

static void cl_err(void *arg, err_t err)
{
	struct client *c = arg;
	c->pcb = NULL;
	c->reset = err == ERR_RST ? 1 : 2;
}

static err_t cl_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct client *c = arg;
	(void)pcb;
	c->connected = err == ERR_OK;
	return ERR_OK;
}

static void cl_connect(struct client *c, uint16_t port)
{
	memset(c, 0, sizeof *c);
	c->auto_read = true;
	c->pcb = tcp_new();
	cr_assert_not_null(c->pcb);
	tcp_arg(c->pcb, c);
	tcp_recv(c->pcb, cl_recv);
	tcp_err(c->pcb, cl_err);
	ip_addr_t lo;
	IP_ADDR4(&lo, 127, 0, 0, 1);
	cr_assert_eq(tcp_connect(c->pcb, &lo, port, cl_connected), ERR_OK);
	pump(20);
	cr_assert(c->connected, "client did not connect to port %u", port);
}

static void cl_drain(struct client *c)
{
	if (c->rx) {
		if (c->pcb && !c->auto_read)
			tcp_recved(c->pcb, c->rx->tot_len);
		pbuf_free(c->rx);
		c->rx = NULL;
	}
}

static void cl_close(struct client *c)
{
	cl_drain(c);
	if (c->pcb) {
		tcp_arg(c->pcb, NULL);
		tcp_err(c->pcb, NULL);
		tcp_recv(c->pcb, NULL);
		if (tcp_close(c->pcb) != ERR_OK)
			tcp_abort(c->pcb);
		c->pcb = NULL;
	}
}

/* ---- tests ---- */

Test(netstack_sockets, listen_checks_the_authority_range)
{
	uint32_t id, id2;
	cr_expect_eq(sock_listen(&tab, 80, 80, 81, 4, &id), SOCK_INVAL);
	cr_expect_eq(sock_listen(&tab, 80, 80, 79, 4, &id), SOCK_INVAL);
	cr_expect_eq(sock_listen(&tab, 0, 65535, 0, 4, &id), SOCK_INVAL);
	cr_expect_eq(sock_listen(&tab, 80, 80, 80, 0, &id), SOCK_INVAL);
	cr_expect_eq(sock_listen(&tab, 80, 80, 80, SOCK_BACKLOG_MAX + 1, &id), SOCK_INVAL);
	cr_assert_eq(sock_listen(&tab, 80, 80, 80, 4, &id), SOCK_OK);
	cr_expect_eq(sock_listen(&tab, 80, 80, 80, 4, &id2), SOCK_INUSE);
	cr_expect_eq(tab.count.listeners, 1);
	cr_expect_eq(sock_release(&tab, id), SOCK_OK);
	cr_expect_eq(sock_release(&tab, id), SOCK_BADID);
	expect_baseline();
}

Test(netstack_sockets, accept_data_both_ways_and_close_by_release)
{
	uint32_t l, s;
	ip4_addr_t ra;
	uint16_t rp;
	cr_assert_eq(sock_listen(&tab, 80, 80, 80, 4, &l), SOCK_OK);
	cr_expect_eq(sock_accept(&tab, l, &s, &ra, &rp), SOCK_AGAIN);
	struct client c;
	cl_connect(&c, 80);
	cr_assert_eq(sock_accept(&tab, l, &s, &ra, &rp), SOCK_OK);
	cr_expect_eq(ip4_addr_get_u32(&ra), PP_HTONL(0x7f000001));
	cr_expect_eq(rp, c.pcb->local_port);

	char buf[64];
	size_t got, n;
	bool eof;
	cr_expect_eq(sock_recv(&tab, s, buf, sizeof buf, &got, &eof), SOCK_AGAIN);
	cr_assert_eq(tcp_write(c.pcb, "hello", 5, TCP_WRITE_FLAG_COPY), ERR_OK);
	tcp_output(c.pcb);
	pump(20);
	cr_assert_eq(sock_recv(&tab, s, buf, 3, &got, &eof), SOCK_OK);
	cr_expect_eq(got, 3);
	cr_assert_eq(sock_recv(&tab, s, buf + 3, sizeof buf, &got, &eof), SOCK_OK);
	cr_expect_eq(got, 2);
	cr_expect_eq(memcmp(buf, "hello", 5), 0);

	cr_assert_eq(sock_send(&tab, s, "world", 5, &n), SOCK_OK);
	cr_expect_eq(n, 5);
	pump(20);
	cr_assert_not_null(c.rx);
	cr_expect_eq(c.rx->tot_len, 5);
	cr_expect_eq(pbuf_memcmp(c.rx, 0, "world", 5), 0);

	cl_close(&c);
	pump(20);
	cr_assert_eq(sock_recv(&tab, s, buf, sizeof buf, &got, &eof), SOCK_OK);
	cr_expect(eof);
	cr_expect_eq(sock_release(&tab, s), SOCK_OK);
	cr_expect_eq(sock_release(&tab, l), SOCK_OK);
	cr_expect_eq(tab.count.freed_by_release, 2);
	expect_baseline();
}

/* With defer_output (the service's setting), sends leave at the flush,
 * the sends of one loop turn together: one segment for two sends. */
Test(netstack_sockets, deferred_output_leaves_at_the_flush)
{
	uint32_t l, s;
	ip4_addr_t ra;
	uint16_t rp;
	size_t n;
	cr_assert_eq(sock_listen(&tab, 80, 80, 80, 4, &l), SOCK_OK);
	struct client c;
	cl_connect(&c, 80);
	cr_assert_eq(sock_accept(&tab, l, &s, &ra, &rp), SOCK_OK);
	tab.defer_output = true;
	cr_assert_eq(sock_send(&tab, s, "wor", 3, &n), SOCK_OK);
	cr_assert_eq(sock_send(&tab, s, "ld", 2, &n), SOCK_OK);
	cr_expect_eq(tab.unsent, 1);
	netif_poll_all();
	cr_expect_null(c.rx, "nothing leaves before the flush");
	uint32_t xmit = lwip_stats.tcp.xmit;
	sock_table_flush(&tab);
	cr_expect_eq(lwip_stats.tcp.xmit - xmit, 1, "one segment for both sends");
	cr_expect_eq(tab.unsent, 0);
	pump(20);
	cr_assert_not_null(c.rx);
	cr_expect_eq(c.rx->tot_len, 5);
	cr_expect_eq(pbuf_memcmp(c.rx, 0, "world", 5), 0);
	/* A socket released with output pending is skipped by the flush. */
	cr_assert_eq(sock_send(&tab, s, "!", 1, &n), SOCK_OK);
	cr_expect_eq(sock_release(&tab, s), SOCK_OK);
	sock_table_flush(&tab);
	cl_close(&c);
	cr_expect_eq(sock_release(&tab, l), SOCK_OK);
	expect_baseline();
}

Test(netstack_sockets, connect_to_a_listener_and_to_a_closed_port)
{
	uint32_t l, c, s, bad;
	ip4_addr_t lo, ra;
	uint16_t rp;
	IP4_ADDR(&lo, 127, 0, 0, 1);
	cr_assert_eq(sock_listen(&tab, 80, 80, 80, 4, &l), SOCK_OK);
	cr_expect_eq(sock_connect(&tab, &lo, 0, &c), SOCK_INVAL);
	cr_expect_eq(sock_connect(&tab, IP4_ADDR_ANY4, 80, &c), SOCK_INVAL);
	cr_expect_eq(sock_connect(&tab, IP4_ADDR_BROADCAST, 80, &c), SOCK_INVAL);
	cr_assert_eq(sock_connect(&tab, &lo, 80, &c), SOCK_OK);
	cr_expect_eq(sock_kind_of(&tab, c), SOCK_TCP);
	cr_expect_eq(sock_connect_state(&tab, c), SOCK_AGAIN);
	pump(20);
	cr_assert_eq(sock_connect_state(&tab, c), SOCK_OK);
	cr_assert_eq(sock_accept(&tab, l, &s, &ra, &rp), SOCK_OK);
	struct sock_info ci, si;
	cr_assert_eq(sock_info(&tab, c, &ci), SOCK_OK);
	cr_assert_eq(sock_info(&tab, s, &si), SOCK_OK);
	cr_expect_eq(ci.remote_port, 80);
	cr_expect_eq(si.local_port, 80);
	cr_expect_eq(si.remote_port, ci.local_port);
	cr_expect_eq(rp, ci.local_port);
	cr_expect(sock_writable(&tab, c));

	size_t n, got;
	bool eof;
	char buf[16];
	cr_assert_eq(sock_send(&tab, c, "ping", 4, &n), SOCK_OK);
	pump(20);
	cr_assert_eq(sock_info(&tab, s, &si), SOCK_OK);
	cr_expect_eq(si.recv_buffered, 4);
	cr_assert_eq(sock_recv(&tab, s, buf, sizeof buf, &got, &eof), SOCK_OK);
	cr_expect_eq(got, 4);
	cr_expect_eq(memcmp(buf, "ping", 4), 0);

	/* Nobody listens on 81: the stack answers RST and the state says so. */
	cr_assert_eq(sock_connect(&tab, &lo, 81, &bad), SOCK_OK);
	pump(20);
	cr_expect_eq(sock_connect_state(&tab, bad), SOCK_RESET);
	cr_expect(sock_writable(&tab, bad)); /* a parked send must be answered */

	cr_expect_eq(sock_release(&tab, bad), SOCK_OK);
	cr_expect_eq(sock_release(&tab, c), SOCK_OK);
	cr_expect_eq(sock_release(&tab, s), SOCK_OK);
	cr_expect_eq(sock_release(&tab, l), SOCK_OK);
	cr_expect_eq(sock_kind_of(&tab, c), SOCK_FREE);
	cr_expect_eq(sock_connect_state(&tab, c), SOCK_BADID);
	expect_baseline();
}

Test(netstack_sockets, send_backpressure_until_the_peer_reads)
{
	static uint8_t big[256 * 1024];
	uint32_t l, s;
	ip4_addr_t ra;
	uint16_t rp;
	cr_assert_eq(sock_listen(&tab, 8000, 8100, 8080, 1, &l), SOCK_OK);
	struct client c;
	cl_connect(&c, 8080);
	c.auto_read = false; /* the client's window closes after TCP_WND bytes */
	cr_assert_eq(sock_accept(&tab, l, &s, &ra, &rp), SOCK_OK);
	size_t total = 0, n = 0;
	int r = SOCK_OK;
	for (int i = 0; i < 1000 && r == SOCK_OK; i++) {
		r = sock_send(&tab, s, big + total, sizeof big - total, &n);
		total += n;
		pump(5);
	}
	cr_expect_eq(r, SOCK_AGAIN, "the send buffer never filled (%zu bytes taken)", total);
	cr_expect_lt(total, sizeof big);
	cr_expect_leq(total, (size_t)(TCP_WND + TCP_SND_BUF));
	size_t before = total;
	cl_drain(&c);
	pump(50);
	cr_assert_eq(sock_send(&tab, s, big, 4096, &n), SOCK_OK);
	cr_expect_gt(n, 0, "no room after the peer read %zu bytes", before);
	cl_close(&c);
	cr_expect_eq(sock_release(&tab, s), SOCK_OK);
	cr_expect_eq(sock_release(&tab, l), SOCK_OK);
	pump(50);
	cl_drain(&c);
	expect_baseline();
}

Test(netstack_sockets, release_with_unread_data_resets_the_peer)
{
	uint32_t l, s;
	ip4_addr_t ra;
	uint16_t rp;
	cr_assert_eq(sock_listen(&tab, 80, 80, 80, 2, &l), SOCK_OK);
	struct client c;
	cl_connect(&c, 80);
	cr_assert_eq(sock_accept(&tab, l, &s, &ra, &rp), SOCK_OK);
	cr_assert_eq(tcp_write(c.pcb, "unread", 6, TCP_WRITE_FLAG_COPY), ERR_OK);
	tcp_output(c.pcb);
	pump(20);
	cr_expect_eq(sock_release(&tab, s), SOCK_OK);
	pump(20);
	cr_expect_eq(c.reset, 1, "client saw no RST");
	char b[8];
	size_t got;
	bool eof;
	cr_expect_eq(sock_recv(&tab, s, b, sizeof b, &got, &eof), SOCK_BADID);
	cr_expect_eq(sock_release(&tab, l), SOCK_OK);
	expect_baseline();
}

Test(netstack_sockets, listener_release_drops_unaccepted_and_backlog_is_bounded)
{
	uint32_t l;
	cr_assert_eq(sock_listen(&tab, 80, 80, 80, 2, &l), SOCK_OK);
	struct client c[3];
	for (int i = 0; i < 2; i++)
		cl_connect(&c[i], 80);
	cr_expect_eq(tab.count.tcp, 2);
	/* The third gets through lwIP's handshake but not into our backlog. */
	cl_connect(&c[2], 80);
	pump(20);
	cr_expect_eq(tab.count.refused_backlog, 1);
	cr_expect_eq(c[2].reset, 1);
	cr_expect_eq(sock_release(&tab, l), SOCK_OK);
	pump(20);
	cr_expect_eq(tab.count.tcp, 0);
	for (int i = 0; i < 2; i++) {
		cr_expect(c[i].reset || c[i].closed, "client %d still connected", i);
		cl_close(&c[i]);
	}
	expect_baseline();
}

static struct {
	int got;
	char buf[32];
	uint16_t from;
} uc;

static void uc_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                    u16_t port)
{
	(void)arg;
	(void)pcb;
	(void)addr;
	uc.got++;
	uc.from = port;
	pbuf_copy_partial(p, uc.buf, sizeof uc.buf - 1, 0);
	pbuf_free(p);
}

Test(netstack_sockets, udp_queue_is_bounded_and_replies_arrive)
{
	uint32_t u, u2;
	cr_expect_eq(sock_udp_open(&tab, 7, &u), SOCK_INVAL);
	cr_assert_eq(sock_udp_open(&tab, 4000, &u), SOCK_OK);
	cr_expect_eq(sock_udp_open(&tab, 4000, &u2), SOCK_INUSE);

	struct udp_pcb *cl = udp_new();
	cr_assert_eq(udp_bind(cl, IP4_ADDR_ANY, 5000), ERR_OK);
	udp_recv(cl, uc_recv, NULL);
	ip_addr_t lo;
	IP_ADDR4(&lo, 127, 0, 0, 1);
	for (int i = 0; i < 20; i++) {
		struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, 4, PBUF_RAM);
		cr_assert_not_null(p);
		memcpy(p->payload, &i, 4);
		cr_assert_eq(udp_sendto(cl, p, &lo, 4000), ERR_OK);
		pbuf_free(p);
		pump(2);
	}
	int received = 0, first = -1, v;
	size_t got;
	ip4_addr_t from;
	uint16_t port;
	while (sock_udp_recvfrom(&tab, u, &from, &port, &v, sizeof v, &got) == SOCK_OK) {
		if (first < 0)
			first = v;
		received++;
		cr_expect_eq(port, 5000);
	}
	cr_expect_eq(received, SOCK_UDP_QUEUE);
	cr_expect_eq(first, 0, "the oldest datagrams are kept, later ones dropped");
	cr_expect_eq(tab.count.udp_dropped, 20 - SOCK_UDP_QUEUE);

	static char toolong[SOCK_UDP_MAX + 1];
	cr_expect_eq(sock_udp_sendto(&tab, u, ip_2_ip4(&lo), 5000, toolong, sizeof toolong), SOCK_INVAL);
	cr_expect_eq(sock_udp_sendto(&tab, u, ip_2_ip4(&lo), 0, "x", 1), SOCK_INVAL);
	cr_assert_eq(sock_udp_sendto(&tab, u, ip_2_ip4(&lo), 5000, "pong", 5), SOCK_OK);
	pump(5);
	cr_expect_eq(uc.got, 1);
	cr_expect_str_eq(uc.buf, "pong");
	cr_expect_eq(uc.from, 4000);
	udp_remove(cl);
	cr_expect_eq(sock_release(&tab, u), SOCK_OK);
	expect_baseline();
}

Test(netstack_sockets, ids_are_not_reused_across_releases)
{
	uint32_t a, b;
	cr_assert_eq(sock_udp_open(&tab, 0, &a), SOCK_OK);
	cr_assert_eq(sock_release(&tab, a), SOCK_OK);
	cr_assert_eq(sock_udp_open(&tab, 0, &b), SOCK_OK);
	cr_expect_eq(b & 0xff, a & 0xff, "same slot");
	cr_expect_neq(a, b);
	char x;
	size_t got;
	ip4_addr_t from;
	uint16_t port;
	cr_expect_eq(sock_udp_recvfrom(&tab, a, &from, &port, &x, 1, &got), SOCK_BADID);
	cr_expect_eq(sock_release(&tab, a), SOCK_BADID);
	cr_expect_eq(sock_release(&tab, 0xffffffffu), SOCK_BADID);
	cr_expect_eq(sock_accept(&tab, b, &a, &from, &port), SOCK_BADID, "a UDP id is no listener");
	cr_expect_eq(sock_release(&tab, b), SOCK_OK);
	expect_baseline();
}

/* Listen and connect take a slot and a pcb together: when either has run
 * out they answer SOCK_NOMEM and keep neither. */
Test(netstack_sockets, listen_and_connect_keep_nothing_when_out_of_pcbs_or_slots)
{
	uint32_t id, c[SOCK_MAX];
	ip4_addr_t lo;
	IP4_ADDR(&lo, 127, 0, 0, 1);

	static struct tcp_pcb *hog[MEMP_NUM_TCP_PCB];
	int n = 0;
	while (n < MEMP_NUM_TCP_PCB && (hog[n] = tcp_new()) != NULL)
		n++;
	cr_assert_null(tcp_new(), "lwIP's TCP pool should be empty");
	cr_expect_eq(sock_listen(&tab, 80, 80, 80, 4, &id), SOCK_NOMEM);
	cr_expect_eq(sock_connect(&tab, &lo, 80, &id), SOCK_NOMEM);
	while (n > 0)
		cr_assert_eq(tcp_close(hog[--n]), ERR_OK);
	cr_expect_eq(tab.count.tcp + tab.count.listeners, 0);

	/* Nobody listens on 81: each connect is reset and its pcb freed,
	 * leaving only the slots taken. */
	for (uint32_t i = 0; i < SOCK_MAX; i++)
		cr_assert_eq(sock_connect(&tab, &lo, 81, &c[i]), SOCK_OK, "connect %u", i);
	pump(20);
	cr_expect_eq(sock_listen(&tab, 80, 80, 80, 4, &id), SOCK_NOMEM);
	cr_expect_eq(sock_connect(&tab, &lo, 80, &id), SOCK_NOMEM);
	cr_assert_eq(sock_release(&tab, c[0]), SOCK_OK);
	cr_assert_eq(sock_listen(&tab, 80, 80, 80, 4, &id), SOCK_OK, "the freed slot is usable");
	cr_expect_eq(sock_release(&tab, id), SOCK_OK);
	for (uint32_t i = 1; i < SOCK_MAX; i++)
		cr_expect_eq(sock_release(&tab, c[i]), SOCK_OK);
	expect_baseline();
}
