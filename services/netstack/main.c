/*
 * netstack: the network stack service.  Holds the Nic capability of the
 * NIC driver (CapSet entry "nic", interface Nic, schema/nic.capnp), runs
 * lwIP (services/netstack/port) over it with the DHCPv4 client on, logs
 * the lease, gateway and DNS servers it learns, and serves
 * NetworkManager (schema/net.capnp, manager.c) on CapSet entry "endpoint"
 * when the manifest gives it one.  Time comes from the Timer "timer".
 *
 * One thread, one event loop: a wait for frames (Nic.rxWait, or
 * Nic.receive without a frame ring) and a RECV for NetworkManager calls
 * are always outstanding, and the service sleeps in cap_enter until
 * either completes, lwIP's next timer or a parked call's timeout is due.
 * The socket capabilities are served on the same endpoint (socksrv.c).
 *
 * Exits 0 when the driver goes away or when the last NetworkManager
 * client is gone, 1 when it cannot start.
 */
#include <capos/endpoint.h>
#include <capos/rt.h>

#include "clock.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "lwip_port.h"
#include "netstack.h"
#include "nic.capnp.h"

#define NIC_WAIT_NS 1000000000ull /* a wait for frames outstanding at most 1 s */
/* A call: header, params and capability records, at most the kernel's
 * 64 KiB result limit; a TcpSocket.send carries a little less data. */
#define RECV_BYTES  (64u * 1024u)
#define MS          1000000ull

struct netstack ns;
static const struct ethif_ops link_ops = {.send = nic_link_send};
static uint64_t recv_buf[NETSTACK_RECVS][RECV_BYTES / 8];

static void fmt_ip(char buf[16], const ip4_addr_t *a)
{
	capos_snprintf(buf, 16, "%u.%u.%u.%u", ip4_addr1(a), ip4_addr2(a), ip4_addr3(a), ip4_addr4(a));
}

/* The DNS servers as "a b" or "none offered". */
static void fmt_dns(char buf[40])
{
	size_t at = 0;
	buf[0] = '\0';
	for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
		const ip_addr_t *s = dns_getserver(i);
		if (ip_addr_isany(s))
			continue;
		char ip[16];
		fmt_ip(ip, ip_2_ip4(s));
		at += (size_t)capos_snprintf(buf + at, 40 - at, "%s%s", at ? " " : "", ip);
	}
	if (at == 0)
		capos_snprintf(buf, 40, "none");
}

/* One line per fact, each one Console write (lines of concurrent
 * processes never mix).  QEMU's DHCP server with restrict=on offers no
 * router and no DNS server: "none" says so rather than 0.0.0.0. */
void netstack_log_address(struct netif *n)
{
	char a[16], m[16], g[16], dns[40], srv[16];
	fmt_ip(a, netif_ip4_addr(n));
	fmt_ip(m, netif_ip4_netmask(n));
	fmt_ip(g, netif_ip4_gw(n));
	fmt_dns(dns);
	const char *gw = ip4_addr_isany_val(*netif_ip4_gw(n)) ? "none" : g;
	struct dhcp *d = netif_dhcp_data(n);
	if (ns.dhcp && d && dhcp_supplied_address(n)) {
		fmt_ip(srv, ip_2_ip4(&d->server_ip_addr));
		capos_printf("[netstack] DHCP lease: address %s from server %s\n", a, srv);
		capos_printf("[netstack] DHCP netmask %s\n", m);
		capos_printf("[netstack] DHCP gateway %s%s\n", gw, *gw == 'n' ? " (no router offered)" : "");
		capos_printf("[netstack] DHCP dns %s%s\n", dns, *dns == 'n' ? " (no DNS server offered)" : "");
		capos_printf("[netstack] DHCP lease time %u s (renewal after %u s)\n",
		             (unsigned)d->offered_t0_lease, (unsigned)d->offered_t1_renew);
	} else if (ns.dhcp) {
		capos_printf("[netstack] address %s: no DHCP lease held\n", a);
	} else {
		capos_printf("[netstack] static address %s netmask %s gateway %s dns %s\n", a, m, gw, dns);
	}
}

/* Called by lwIP when the address changes (DHCP bound, renewed, lost). */
static void status_changed(struct netif *n)
{
	if (!ns.quiet)
		netstack_log_address(n);
}

static void deliver(void *ctx, const uint8_t *frame, size_t len)
{
	ethif_input(ctx, frame, len);
}

/* Posts the RECV of slot i. */
static int submit_recv(uint32_t i)
{
	struct recv_slot *r = &ns.recv[i];
	struct capos_sqe sqe = {.opcode = CAPOS_OP_RECV,
	                        .cap_id = ns.ep.cap_id,
	                        .user_data = capos_ring_next_user_data(&capos_rt_ring),
	                        .result_addr = (uintptr_t)recv_buf[i],
	                        .result_len = sizeof recv_buf[i]};
	int e = capos_ring_submit(&capos_rt_ring, &sqe);
	if (e == 0)
		r->ud = sqe.user_data;
	return e;
}

/* Routes one completion to what waits for it: a RECV slot (kept, in
 * arrival order, until the loop serves it), the Nic link, or a RETURN
 * the stack queued (counted). */
static void route_cqe(const struct capos_cqe *c)
{
	for (uint32_t i = 0; i < NETSTACK_RECVS; i++) {
		struct recv_slot *r = &ns.recv[i];
		if (r->ud && r->ud == c->user_data) {
			r->ud = 0;
			r->done = true;
			r->seq = ++ns.recv_seq;
			r->cqe = *c;
			return;
		}
	}
	if (nic_link_complete(&ns.link, c))
		return;
	netstack_reaped_return(c);
}

/* Takes every completion the kernel has posted (and any a waiting call
 * stashed) and routes it. */
static void reap(void)
{
	struct capos_cqe c[CAPOS_CQ_ENTRIES];
	int n;
	while ((n = capos_ring_peek(&capos_rt_ring, c, CAPOS_CQ_ENTRIES)) > 0)
		for (int i = 0; i < n; i++)
			route_cqe(&c[i]);
}

void netstack_submit_all(void)
{
	for (int tries = 0; tries < 8 && capos_ring_sq_space(&capos_rt_ring) < CAPOS_SQ_ENTRIES;
	     tries++) {
		reap(); /* CQ room: the kernel takes SQEs only while it has some */
		if (capos_ring_enter(&capos_rt_ring, 0, CAPOS_NO_WAIT) < 0)
			break;
	}
	reap();
}

/* The served call (or the endpoint's end) that came first, if any. */
static struct recv_slot *next_call(void)
{
	struct recv_slot *first = NULL;
	for (uint32_t i = 0; i < NETSTACK_RECVS; i++) {
		struct recv_slot *r = &ns.recv[i];
		if (r->done && (!first || r->seq < first->seq))
			first = r;
	}
	return first;
}

void netstack_poll(uint64_t max_ns, bool wake_on_call)
{
	ns.turns++;
	sock_table_flush(&ns.socks); /* the segments of this turn's sends */
	nic_link_flush(&ns.link);
	nic_link_arm(&ns.link, NIC_WAIT_NS);
	u32_t ms = sys_timeouts_sleeptime();
	uint64_t wait = ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? max_ns : (uint64_t)ms * MS;
	if (wait > max_ns)
		wait = max_ns;
	/* The last thing before the sleep: a call that waits for its own
	 * completion (a Timer reading, say) stashes the others, and one
	 * stashed after this reap would not wake the sleep. */
	reap();
	bool busy = ns.link.wait_done || (wake_on_call && next_call());
	/* 0 would not wait at all: a timer is due now, run it.  The enter
	 * also hands the kernel every SQE queued this turn: the RETURNs,
	 * RECVs, kicks and the wait for frames. */
	if (!busy && !ns.link.gone && wait > 0) {
		capos_ring_enter(&capos_rt_ring, 1, wait);
		reap();
	}
	nic_link_collect(&ns.link, deliver, &ns.eth);
	netif_poll_all(); /* loopback: what the stack sent to itself */
	sys_check_timeouts();
}

static int start_stack(void)
{
	netstack_clock_init();
	lwip_port_seed_rand(netstack_clock_seed());
	lwip_init();
	if (ethif_add(&ns.eth, ns.mac, &link_ops, &ns.link, NULL, NULL, NULL, "en") != ERR_OK) {
		capos_printf("[netstack] netif_add failed\n");
		return 1;
	}
	netif_set_default(&ns.eth.netif);
	netif_set_status_callback(&ns.eth.netif, status_changed);
	sock_table_init(&ns.socks);
	ns.socks.defer_output = true;
	park_init(&ns.park);
	if (ping_open() != 0) {
		capos_printf("[netstack] no raw pcb for ICMP echo\n");
		return 1;
	}
	ns.dhcp = true;
	capos_printf("[netstack] up: mac %02x:%02x:%02x:%02x:%02x:%02x, lwIP %s, DHCPv4 client started\n",
	             ns.mac[0], ns.mac[1], ns.mac[2], ns.mac[3], ns.mac[4], ns.mac[5],
	             LWIP_VERSION_STRING);
	if (dhcp_start(&ns.eth.netif) != ERR_OK) {
		capos_printf("[netstack] dhcp_start failed\n");
		return 1;
	}
	return 0;
}

/* The socket counters at exit: every socket must have been freed. */
static void log_sockets(void)
{
	const struct sock_counts *c = &ns.socks.count;
	capos_printf("[netstack] sockets: %lu accepted, %lu freed by release, %lu parked calls "
	             "(%lu timed out), %lu refused (backlog %lu, table %lu, facets %lu); "
	             "live tcp %u listeners %u udp %u\n",
	             (unsigned long)ns.accepted, (unsigned long)c->freed_by_release,
	             (unsigned long)ns.park.parked, (unsigned long)ns.park.expired,
	             (unsigned long)(c->refused_backlog + c->refused_table + ns.mint_refused),
	             (unsigned long)c->refused_backlog, (unsigned long)c->refused_table,
	             (unsigned long)ns.mint_refused, c->tcp, c->listeners, c->udp);
}

/* Serves the calls that came, oldest first, and posts their RECVs again.
 * False when the last client is gone. */
static bool serve_calls(void)
{
	struct recv_slot *r;
	while (ns.serving && (r = next_call()) != NULL) {
		uint32_t i = (uint32_t)(r - ns.recv);
		struct capos_cqe c = r->cqe;
		r->done = false;
		if (c.result == CAPOS_ERR_DISCONNECTED) {
			capos_printf("[netstack] no NetworkManager client left: %lu calls served "
			             "(%lu refused)\n",
			             (unsigned long)ns.calls, (unsigned long)ns.refused);
			log_sockets();
			return false;
		}
		if (c.result < 0) {
			capos_printf("[netstack] RECV failed: %s; not serving\n", capos_strerror(c.result));
			ns.serving = false;
			break;
		}
		socksrv_handle(&c, recv_buf[i]);
	}
	return true;
}

/* Keeps a RECV posted in every free slot. */
static void post_recvs(void)
{
	for (uint32_t i = 0; i < NETSTACK_RECVS && ns.serving; i++) {
		if (ns.recv[i].ud || ns.recv[i].done)
			continue;
		if (submit_recv(i) != 0) {
			capos_printf("[netstack] cannot post a RECV on 'endpoint'; not serving\n");
			ns.serving = false;
		}
	}
}

/* The event loop until the driver or the last client is gone. */
static void run(void)
{
	while (!ns.link.gone) {
		post_recvs();
		netstack_poll(socksrv_wait_ns(), ns.serving);
		socksrv_retry();
		if (!serve_calls())
			return;
	}
	capos_printf("[netstack] the Nic is gone\n");
}

int main(void)
{
	struct capos_cap nic;
	int e = capos_endpoint_open_as(&capos_rt.capset, "nic", nic_Nic_ID, &nic);
	if (e != 0) {
		capos_printf("[netstack] no Nic named 'nic': %s\n", capos_strerror(e));
		return 1;
	}
	e = nic_link_open(&ns.link, nic, ns.mac);
	if (e != 0) {
		capos_printf("[netstack] Nic unusable: %s\n", capos_strerror(e));
		return 1;
	}
	ns.serving = capos_endpoint_open(&capos_rt.capset, "endpoint", &ns.ep) == 0;
	if (start_stack() != 0)
		return 1;
	if (ns.serving)
		capos_printf("[netstack] serving NetworkManager on 'endpoint'\n");
	run();
	const struct nic_link_stats *s = &ns.link.stats;
	capos_printf("[netstack] exiting: %llu frames in (%llu refused), %llu out, %llu dropped\n",
	             (unsigned long long)s->rx_frames, (unsigned long long)s->rx_bad,
	             (unsigned long long)s->tx_frames, (unsigned long long)s->tx_dropped);
	const struct capos_ring_stats *rs = &capos_rt_ring.stats;
	capos_printf("[netstack] loop: %llu turns, %llu cap_enter, %llu SQEs, %llu Timer readings; "
	             "%llu RETURNs queued (%llu failed, %llu arena flushes), %llu txKicks (%llu "
	             "deferred)\n",
	             (unsigned long long)ns.turns, (unsigned long long)rs->enters,
	             (unsigned long long)rs->submitted,
	             (unsigned long long)netstack_clock_timer_reads(),
	             (unsigned long long)ns.returns_queued,
	             (unsigned long long)ns.return_failed, (unsigned long long)ns.arena_flushes,
	             (unsigned long long)s->kicks, (unsigned long long)s->deferred);
	return 0;
}
