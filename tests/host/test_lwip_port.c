/*
 * The lwIP port (services/netstack/port: lwipopts.h, sys_arch, ethif)
 * proven on the host before QEMU has a network: two lwIP stacks, each in
 * its own process (lwIP is one global stack per process), joined back to
 * back by a fake Nic: a SOCK_SEQPACKET socketpair carrying whole Ethernet
 * frames.  Static addresses 10.0.0.1 (this test, the client) and 10.0.0.2
 * (the forked peer: TCP sink on 5001 answering the FNV-1a hash and length
 * of what it received, UDP echo on 7; lwIP itself answers ICMP echo).
 *
 * Time is the real monotonic clock through the port's clock hook; the
 * deadlines below only bound a failure, no result depends on them.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ethif.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "lwip_port.h"

#define DEADLINE_MS 60000u
#define TCP_PORT    5001
#define UDP_PORT    7
#define BULK        (1024u * 1024u)

static const uint8_t mac_client[6] = {0x02, 0, 0, 0, 0, 1};
static const uint8_t mac_server[6] = {0x02, 0, 0, 0, 0, 2};
static int wire = -1;
static struct ethif nic;

static uint32_t mono_ms(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* The fake Nic's TX: one frame, one datagram. */
static int wire_send(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	return send(wire, frame, len, MSG_NOSIGNAL) == (ssize_t)len ? 1 : -1;
}
static const struct ethif_ops wire_ops = {.send = wire_send};

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}
#define FNV_INIT 0xcbf29ce484222325ull

static void stack_up(const uint8_t mac[6], uint8_t last_octet)
{
	ip4_addr_t a, m;
	IP4_ADDR(&a, 10, 0, 0, last_octet);
	IP4_ADDR(&m, 255, 255, 255, 0);
	lwip_init();
	lwip_port_set_clock(mono_ms, NULL, "CLOCK_MONOTONIC");
	lwip_port_seed_rand(last_octet);
	if (ethif_add(&nic, mac, &wire_ops, NULL, &a, &m, IP4_ADDR_ANY4, "w0") != ERR_OK)
		_exit(90);
	netif_set_default(&nic.netif);
}

/* Delivers what the wire holds (waiting up to wait_ms for the first
 * frame), then runs due timers.  Returns 0 when the peer hung up. */
static int pump(int wait_ms)
{
	uint8_t frame[ETHIF_FRAME_MAX + 1];
	struct pollfd pfd = {.fd = wire, .events = POLLIN};
	int alive = 1;
	while (poll(&pfd, 1, wait_ms) > 0) {
		ssize_t n = recv(wire, frame, sizeof frame, MSG_DONTWAIT);
		if (n <= 0) {
			alive = n < 0;
			break;
		}
		ethif_input(&nic, frame, (size_t)n);
		wait_ms = 0;
	}
	sys_check_timeouts();
	return alive;
}

/* ---- the peer (10.0.0.2) ---- */

struct sink {
	uint64_t hash, bytes;
};

static err_t sink_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sink *s = arg;
	(void)err;
	if (!p) {
		uint64_t answer[2] = {s->hash, s->bytes};
		tcp_write(pcb, answer, sizeof answer, TCP_WRITE_FLAG_COPY);
		tcp_output(pcb);
		tcp_close(pcb);
		mem_free(s);
		return ERR_OK;
	}
	for (struct pbuf *q = p; q; q = q->next)
		s->hash = fnv1a(s->hash, q->payload, q->len);
	s->bytes += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t sink_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK)
		return err;
	struct sink *s = mem_malloc(sizeof *s);
	if (!s)
		return ERR_MEM;
	s->hash = FNV_INIT;
	s->bytes = 0;
	tcp_arg(pcb, s);
	tcp_recv(pcb, sink_recv);
	return ERR_OK;
}

static void echo_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                      u16_t port)
{
	(void)arg;
	udp_sendto(pcb, p, addr, port);
	pbuf_free(p);
}

static _Noreturn void run_peer(void)
{
	stack_up(mac_server, 2);
	struct tcp_pcb *l = tcp_new();
	if (!l || tcp_bind(l, IP4_ADDR_ANY, TCP_PORT) != ERR_OK || !(l = tcp_listen(l)))
		_exit(91);
	tcp_accept(l, sink_accept);
	struct udp_pcb *u = udp_new();
	if (!u || udp_bind(u, IP4_ADDR_ANY, UDP_PORT) != ERR_OK)
		_exit(92);
	udp_recv(u, echo_recv, NULL);
	uint32_t start = mono_ms(NULL);
	while (pump(10))
		if (mono_ms(NULL) - start > DEADLINE_MS + 5000u)
			_exit(93);
	_exit(0);
}

/* ---- the test side (10.0.0.1) ---- */

static pid_t peer;
static uint16_t baseline_memp[MEMP_MAX];

static void setup(void)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	peer = fork();
	cr_assert_geq(peer, 0);
	if (peer == 0) {
		close(sv[0]);
		wire = sv[1];
		run_peer();
	}
	close(sv[1]);
	wire = sv[0];
	stack_up(mac_client, 1);
	for (int i = 0; i < MEMP_MAX; i++)
		baseline_memp[i] = lwip_stats.memp[i]->used;
}

/* Hangs up the wire; the peer must exit 0 (it would not on its deadline). */
static void teardown(void)
{
	int status = 0;
	close(wire);
	cr_assert_eq(waitpid(peer, &status, 0), peer);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "peer status 0x%x", status);
}

static void run_until(const int *done, const char *what)
{
	uint32_t start = mono_ms(NULL);
	while (!*done) {
		pump(5);
		cr_assert_lt(mono_ms(NULL) - start, DEADLINE_MS, "no %s within %u ms", what,
		             DEADLINE_MS);
	}
}

static void peer_addr(ip_addr_t *a) { IP_ADDR4(a, 10, 0, 0, 2); }

/* Every pool back where it was once the connections are gone.  The TCP
 * timer stays scheduled (one SYS_TIMEOUT) until it runs once and finds no
 * pcb: run timers until it has. */
static void expect_pools_baseline(void)
{
	uint32_t start = mono_ms(NULL);
	while (lwip_stats.memp[MEMP_SYS_TIMEOUT]->used != baseline_memp[MEMP_SYS_TIMEOUT]) {
		pump(5);
		cr_assert_lt(mono_ms(NULL) - start, DEADLINE_MS, "timers never settled");
	}
	for (int i = 0; i < MEMP_MAX; i++)
		cr_expect_eq(lwip_stats.memp[i]->used, baseline_memp[i], "pool %d: %u in use, was %u",
		             i, lwip_stats.memp[i]->used, baseline_memp[i]);
}

TestSuite(lwip_port, .init = setup, .fini = teardown, .timeout = 120);

/* ---- TCP: 1 MiB up, hash and length back ---- */

static uint8_t bulk[BULK];
static struct {
	size_t queued;
	uint8_t answer[16];
	size_t answer_len;
	int connected, closed, error;
} tc;

static void tc_fill(struct tcp_pcb *pcb)
{
	while (tc.queued < BULK && tcp_sndbuf(pcb) > 0) {
		size_t n = LWIP_MIN((size_t)tcp_sndbuf(pcb), BULK - tc.queued);
		n = LWIP_MIN(n, (size_t)4096);
		if (tcp_write(pcb, bulk + tc.queued, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break; /* queue full: sent_cb calls again */
		tc.queued += n;
	}
	if (tc.queued == BULK)
		tcp_shutdown(pcb, 0, 1);
	tcp_output(pcb);
}

static err_t tc_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	(void)len;
	if (tc.queued < BULK)
		tc_fill(pcb);
	return ERR_OK;
}

static err_t tc_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)err;
	if (!p) {
		tc.closed = 1;
		tcp_close(pcb);
		return ERR_OK;
	}
	size_t room = sizeof tc.answer - tc.answer_len;
	tc.answer_len += pbuf_copy_partial(p, tc.answer + tc.answer_len,
	                                   (u16_t)LWIP_MIN(room, (size_t)p->tot_len), 0);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static void tc_err(void *arg, err_t err)
{
	(void)arg;
	tc.error = err;
	tc.closed = 1;
}

static err_t tc_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	tc.connected = err == ERR_OK;
	tc_fill(pcb);
	return ERR_OK;
}

Test(lwip_port, tcp_connect_accept_1mib_hash)
{
	uint64_t x = 0x243f6a8885a308d3ull;
	for (size_t i = 0; i < BULK; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		bulk[i] = (uint8_t)x;
	}
	struct tcp_pcb *pcb = tcp_new();
	cr_assert_not_null(pcb);
	tcp_sent(pcb, tc_sent);
	tcp_recv(pcb, tc_recv);
	tcp_err(pcb, tc_err);
	ip_addr_t dst;
	peer_addr(&dst);
	cr_assert_eq(tcp_connect(pcb, &dst, TCP_PORT, tc_connected), ERR_OK);
	run_until(&tc.closed, "answer and close");
	cr_assert_eq(tc.error, 0, "tcp error %d", tc.error);
	cr_assert(tc.connected);
	cr_assert_eq(tc.answer_len, 16);
	uint64_t got[2];
	memcpy(got, tc.answer, sizeof got);
	cr_expect_eq(got[1], BULK, "peer received %llu bytes", (unsigned long long)got[1]);
	cr_expect_eq(got[0], fnv1a(FNV_INIT, bulk, BULK), "hash differs");
	/* TIME_WAIT holds the pcb for 2 MSL; the pcbs are accounted, not lost. */
	for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = tcp_tw_pcbs)
		tcp_abort(p);
	expect_pools_baseline();
}

/* ---- UDP round trip ---- */

static struct {
	char buf[64];
	int got;
} uc;

static void uc_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                    u16_t port)
{
	(void)arg;
	(void)pcb;
	(void)addr;
	cr_expect_eq(port, UDP_PORT);
	uc.got = pbuf_copy_partial(p, uc.buf, sizeof uc.buf - 1, 0);
	pbuf_free(p);
}

Test(lwip_port, udp_round_trip)
{
	static const char msg[] = "capOS over lwIP: UDP";
	struct udp_pcb *pcb = udp_new();
	cr_assert_not_null(pcb);
	cr_assert_eq(udp_bind(pcb, IP4_ADDR_ANY, 40000), ERR_OK);
	udp_recv(pcb, uc_recv, NULL);
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, sizeof msg, PBUF_RAM);
	cr_assert_not_null(p);
	pbuf_take(p, msg, sizeof msg);
	ip_addr_t dst;
	peer_addr(&dst);
	/* The first datagram waits in ARP's queue until the reply comes. */
	cr_assert_eq(udp_sendto(pcb, p, &dst, UDP_PORT), ERR_OK);
	pbuf_free(p);
	run_until(&uc.got, "UDP echo");
	cr_expect_eq(uc.got, (int)sizeof msg);
	cr_expect_str_eq(uc.buf, msg);
	udp_remove(pcb);
	expect_pools_baseline();
}

/* ---- ICMP echo through a raw pcb ---- */

static struct {
	int replies;
	u16_t seq;
} ic;

static u8_t ic_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	(void)arg;
	(void)pcb;
	(void)addr;
	struct icmp_echo_hdr h;
	if (p->tot_len >= IP_HLEN + sizeof h &&
	    pbuf_copy_partial(p, &h, sizeof h, IP_HLEN) == sizeof h && h.type == ICMP_ER &&
	    lwip_ntohs(h.id) == 0xcafe && lwip_ntohs(h.seqno) == ic.seq) {
		ic.replies++;
		pbuf_free(p);
		return 1; /* eaten */
	}
	return 0;
}

Test(lwip_port, icmp_echo)
{
	struct raw_pcb *pcb = raw_new(IP_PROTO_ICMP);
	cr_assert_not_null(pcb);
	raw_recv(pcb, ic_recv, NULL);
	ip_addr_t dst;
	peer_addr(&dst);
	for (ic.seq = 1; ic.seq <= 3; ic.seq++) {
		int want = ic.replies + 1;
		struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + 32, PBUF_RAM);
		cr_assert_not_null(p);
		struct icmp_echo_hdr *h = p->payload;
		memset(h, 0, p->len);
		h->type = ICMP_ECHO;
		h->id = lwip_htons(0xcafe);
		h->seqno = lwip_htons(ic.seq);
		h->chksum = inet_chksum(h, p->len);
		cr_assert_eq(raw_sendto(pcb, p, &dst), ERR_OK);
		pbuf_free(p);
		int done = 0;
		uint32_t start = mono_ms(NULL);
		while (!done) {
			pump(5);
			done = ic.replies >= want;
			cr_assert_lt(mono_ms(NULL) - start, DEADLINE_MS, "no echo reply %u", ic.seq);
		}
	}
	cr_expect_eq(ic.replies, 3);
	raw_remove(pcb);
	expect_pools_baseline();
}
