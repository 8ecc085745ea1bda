/*
 * libFuzzer harness for lwIP's packet input path, built for the host with
 * the netstack service's configuration (services/netstack/port/lwipopts.h)
 * under ASan+UBSan.  Each input is a sequence of records
 *
 *     ctl:u8  len:u16 (big-endian)  frame[len]
 *
 * ctl bit 0 picks the interface: 0 = "a", static 10.0.2.15/24 with a TCP
 * echo listener on port 80 and a UDP echo on port 7; 1 = "b", no address,
 * its DHCP client running.  ctl >> 1 is 16 ms steps of the clock to run
 * lwIP's timers for before the frame is delivered (retransmissions, ARP
 * and reassembly ageing, DHCP timeouts).  A short record takes what is left.
 *
 * Every input starts from the same state (same random seed, so the same
 * DHCP xid) and ends by closing everything; then every lwIP pool and the
 * lwIP heap must be back to the baseline measured at start: a leak aborts
 * like a crash.  LWIP_FUZZ_TRACE=1 prints how far each input got.
 * LWIP_FUZZ_SEEDS=DIR writes the seed frames (ARP, ICMP
 * echo, TCP SYN, UDP, DHCP offer) into DIR and exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ethif.h"
#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/dhcp.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "lwip_frames.h"
#include "lwip_port.h"

static const uint8_t mac_a[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t mac_b[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
static const uint8_t mac_peer[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

static struct ethif if_a, if_b;
static struct tcp_pcb *listener;
static struct udp_pcb *udp_echo;
static uint32_t now_ms;
static int trace;
static uint16_t baseline_memp[MEMP_MAX];
static mem_size_t baseline_mem;

static uint32_t fuzz_clock(void *ctx)
{
	(void)ctx;
	return now_ms;
}

/* Outgoing frames go nowhere; the stack's output path still runs. */
static int discard(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	return len >= ETHIF_FRAME_MIN && len <= ETHIF_FRAME_MAX ? 1 : -1;
}
static const struct ethif_ops discard_ops = {.send = discard};

static err_t tcp_echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)err;
	if (!p) {
		if (tcp_close(pcb) != ERR_OK) {
			tcp_abort(pcb);
			return ERR_ABRT;
		}
		return ERR_OK;
	}
	for (struct pbuf *q = p; q; q = q->next) {
		u16_t n = LWIP_MIN(q->len, tcp_sndbuf(pcb));
		if (n)
			tcp_write(pcb, q->payload, n, TCP_WRITE_FLAG_COPY);
	}
	tcp_output(pcb);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t tcp_echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	tcp_recv(pcb, tcp_echo_recv);
	return ERR_OK;
}

static void udp_echo_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                          const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	udp_sendto(pcb, p, addr, port);
	pbuf_free(p);
}

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "lwip_input: setup failed: %s\n", what);
		abort();
	}
}

static void net_up(void)
{
	ip4_addr_t a, m, g;
	IP4_ADDR(&a, 10, 0, 2, 15);
	IP4_ADDR(&m, 255, 255, 255, 0);
	IP4_ADDR(&g, 10, 0, 2, 2);
	lwip_port_seed_rand(1);
	must(ethif_add(&if_a, mac_a, &discard_ops, NULL, &a, &m, &g, "a0") == ERR_OK, "netif a");
	must(ethif_add(&if_b, mac_b, &discard_ops, NULL, NULL, NULL, NULL, "b0") == ERR_OK,
	     "netif b");
	netif_set_default(&if_a.netif);
	must(dhcp_start(&if_b.netif) == ERR_OK, "dhcp_start");

	struct tcp_pcb *pcb = tcp_new();
	must(pcb && tcp_bind(pcb, IP4_ADDR_ANY, 80) == ERR_OK, "tcp bind");
	listener = tcp_listen(pcb);
	must(listener != NULL, "tcp_listen");
	tcp_accept(listener, tcp_echo_accept);

	udp_echo = udp_new();
	must(udp_echo && udp_bind(udp_echo, IP4_ADDR_ANY, 7) == ERR_OK, "udp bind");
	udp_recv(udp_echo, udp_echo_recv, NULL);
}

/* Runs timers for ms milliseconds in steps of step ms. */
static void advance(uint32_t ms, uint32_t step)
{
	for (uint32_t t = 0; t < ms; t += step) {
		now_ms += step;
		netif_poll_all();
		sys_check_timeouts();
	}
}

static void net_down(void)
{
	while (tcp_active_pcbs)
		tcp_abort(tcp_active_pcbs);
	while (tcp_tw_pcbs)
		tcp_abort(tcp_tw_pcbs);
	tcp_close(listener);
	udp_remove(udp_echo);
	dhcp_stop(&if_b.netif);
	dhcp_cleanup(&if_b.netif);
	netif_remove(&if_a.netif);
	netif_remove(&if_b.netif);
	/* IP reassembly buffers age out (IP_REASS_MAXAGE is 15 s). */
	advance(20000, 500);
}

static void check_baseline(void)
{
	for (int i = 0; i < MEMP_MAX; i++) {
		if (lwip_stats.memp[i]->used != baseline_memp[i]) {
			fprintf(stderr, "lwip_input: pool %d (lwip/priv/memp_std.h order): %u in use, baseline %u (leak)\n",
			        i, lwip_stats.memp[i]->used,
			        baseline_memp[i]);
			abort();
		}
	}
	if (lwip_stats.mem.used != baseline_mem) {
		fprintf(stderr, "lwip_input: heap: %lu bytes in use, baseline %lu (leak)\n",
		        (unsigned long)lwip_stats.mem.used, (unsigned long)baseline_mem);
		abort();
	}
}

static void write_seed(const char *dir, const char *name, uint8_t ctl, const uint8_t *frame,
                       size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	must(f != NULL, path);
	uint8_t hdr[3] = {ctl, (uint8_t)(len >> 8), (uint8_t)len};
	must(fwrite(hdr, 1, 3, f) == 3 && fwrite(frame, 1, len, f) == len, path);
	must(fclose(f) == 0, path);
}

static void write_seeds(const char *dir)
{
	static const char ping[] = "capOS ping payload";
	static const char hello[] = "hello, lwIP";
	uint8_t fr[LF_MAX];
	struct lf_ends e = {.src_ip = 0x0a000202, .dst_ip = 0x0a00020f};
	memcpy(e.src_mac, mac_peer, 6);
	memcpy(e.dst_mac, mac_a, 6);

	struct lf_ends bc = e;
	memset(bc.dst_mac, 0xff, 6);
	write_seed(dir, "arp-request", 0, fr, lf_arp_request(fr, &bc));
	write_seed(dir, "icmp-echo", 0, fr, lf_icmp_echo(fr, &e, 1, 1, ping, sizeof ping));
	write_seed(dir, "tcp-syn", 0, fr,
	           lf_tcp(fr, &e, 40000, 80, 1000, 0, LF_TCP_SYN, NULL, 0));
	write_seed(dir, "udp-echo", 0, fr, lf_udp(fr, &e, 40000, 7, hello, sizeof hello));

	struct lf_ends d = e;
	memcpy(d.dst_mac, mac_b, 6);
	struct dhcp *dh = netif_dhcp_data(&if_b.netif);
	must(dh != NULL, "dhcp data");
	write_seed(dir, "dhcp-offer", 1, fr, lf_dhcp_reply(fr, &d, LF_DHCP_OFFER, dh->xid, 0x0a00020f));
	printf("lwip_input: wrote 5 seeds to %s (DHCP xid 0x%08x)\n", dir, (unsigned)dh->xid);
}

/* LWIP_FUZZ_TRACE=1: one line per input saying how far it got (the
 * smoke checks that each seed reaches the code it was made for). */
static void print_trace(void)
{
	int active = 0;
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		active++;
	struct dhcp *dh = netif_dhcp_data(&if_b.netif);
	printf("trace: a rx %llu tx %llu icmp echo replies %u udp rx %u; tcp active %d; "
	       "b rx %llu tx %llu dhcp state %u\n",
	       (unsigned long long)if_a.count.rx_frames, (unsigned long long)if_a.count.tx_frames,
	       (unsigned)lwip_stats.icmp.xmit, (unsigned)lwip_stats.udp.recv, active,
	       (unsigned long long)if_b.count.rx_frames, (unsigned long long)if_b.count.tx_frames,
	       dh ? (unsigned)dh->state : 0u);
	memset(&lwip_stats.icmp, 0, sizeof lwip_stats.icmp);
	memset(&lwip_stats.udp, 0, sizeof lwip_stats.udp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	lwip_init();
	lwip_port_set_clock(fuzz_clock, NULL, "the fuzzer's clock");
	for (int i = 0; i < MEMP_MAX; i++)
		baseline_memp[i] = lwip_stats.memp[i]->used;
	baseline_mem = lwip_stats.mem.used;
	trace = getenv("LWIP_FUZZ_TRACE") != NULL;
	const char *seeds = getenv("LWIP_FUZZ_SEEDS");
	if (seeds) {
		net_up();
		write_seeds(seeds);
		exit(0);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	net_up();
	while (size >= 1) {
		uint8_t ctl = data[0];
		size_t len = size >= 3 ? (size_t)data[1] << 8 | data[2] : 0;
		size_t hdr = size >= 3 ? 3 : size;
		data += hdr;
		size -= hdr;
		if (len > size)
			len = size;
		advance((uint32_t)(ctl >> 1) * 16, 16);
		ethif_input(ctl & 1 ? &if_b : &if_a, data, len);
		netif_poll_all(); /* what the stack sent itself (loopback) */
		data += len;
		size -= len;
	}
	if (trace)
		print_trace();
	net_down();
	check_baseline();
	return 0;
}
