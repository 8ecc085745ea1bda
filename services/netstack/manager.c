/*
 * NetworkManager (schema/net.capnp) as the netstack serves it: the
 * interface's configuration (DHCPv4 or static), routes, counters and ICMP
 * echo; tcpConnect and udpOpen hand out socket caps (socksrv.c).
 * Addresses are UInt32 in host order.
 */
#include <capos/rpc.h>
#include <capos/rt.h>

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/stats.h"
#include "net.capnp.rpc.h"
#include "netstack.h"

#define PING_MAX_COUNT   16u
#define PING_MAX_PAYLOAD 1472u          /* one unfragmented datagram */
#define PING_MAX_WAIT_NS 10000000000ull /* 10 s per request */

static uint32_t host_order(const ip4_addr_t *a)
{
	return lwip_ntohl(ip4_addr_get_u32(a));
}

static int interface_info(void *self, struct capos_rpc_ctx *rc,
                          net_NetworkManager_interfaceInfo_Params_reader in,
                          net_NetworkManager_interfaceInfo_Results_builder out)
{
	(void)self;
	(void)rc;
	(void)in;
	struct netif *n = &ns.eth.netif;
	net_InterfaceInfo_builder i = net_NetworkManager_interfaceInfo_Results_init_info(out);
	net_InterfaceInfo_set_mac(i, ns.mac, 6);
	net_InterfaceInfo_set_linkUp(i, netif_is_link_up(n));
	net_InterfaceInfo_set_mtu(i, n->mtu);
	net_InterfaceInfo_set_dhcp(i, ns.dhcp);
	net_InterfaceInfo_set_bound(i, !ip4_addr_isany_val(*netif_ip4_addr(n)));
	net_InterfaceInfo_set_address(i, host_order(netif_ip4_addr(n)));
	net_InterfaceInfo_set_netmask(i, host_order(netif_ip4_netmask(n)));
	net_InterfaceInfo_set_gateway(i, host_order(netif_ip4_gw(n)));
	uint32_t dns[DNS_MAX_SERVERS], nd = 0;
	for (u8_t k = 0; k < DNS_MAX_SERVERS; k++)
		if (!ip_addr_isany(dns_getserver(k)))
			dns[nd++] = host_order(ip_2_ip4(dns_getserver(k)));
	struct capnp_list_builder l = net_InterfaceInfo_init_dnsServers(i, nd);
	for (uint32_t k = 0; k < nd; k++)
		capnp_lb_set_u32(l, k, dns[k]);
	struct dhcp *d = netif_dhcp_data(n);
	if (ns.dhcp && d && dhcp_supplied_address(n)) {
		net_InterfaceInfo_set_leaseSeconds(i, d->offered_t0_lease);
		net_InterfaceInfo_set_dhcpServer(i, host_order(ip_2_ip4(&d->server_ip_addr)));
	}
	return CAPOS_SERVER_REPLY;
}

static void clear_dns(void)
{
	for (u8_t k = 0; k < DNS_MAX_SERVERS; k++)
		dns_setserver(k, IP_ADDR_ANY);
}

static int configure_dhcp(void *self, struct capos_rpc_ctx *rc,
                          net_NetworkManager_configureDhcp_Params_reader in,
                          net_NetworkManager_configureDhcp_Results_builder out)
{
	(void)self;
	(void)in;
	(void)out;
	/* The static addresses and DNS servers go; DHCP brings its own (the
	 * status callback logs the lease). */
	ns.quiet = true;
	netif_set_addr(&ns.eth.netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
	clear_dns();
	ns.quiet = false;
	ns.dhcp = true;
	if (dhcp_start(&ns.eth.netif) != ERR_OK)
		return capos_rpc_raise(rc, capos_CapException_Type_overloaded,
		                       "configureDhcp: no memory for the DHCP client");
	capos_printf("[netstack] configureDhcp: DHCPv4 client restarted\n");
	return CAPOS_SERVER_REPLY;
}

/* A netmask is contiguous ones from the top (0 allowed: one big subnet is
 * not, so at least /1). */
static bool netmask_ok(uint32_t m)
{
	return m != 0 && (~m & (~m + 1)) == 0;
}

static int configure_static(void *self, struct capos_rpc_ctx *rc,
                            net_NetworkManager_configureStatic_Params_reader in,
                            net_NetworkManager_configureStatic_Results_builder out)
{
	(void)self;
	(void)out;
	uint32_t a = net_NetworkManager_configureStatic_Params_get_address(in);
	uint32_t m = net_NetworkManager_configureStatic_Params_get_netmask(in);
	uint32_t g = net_NetworkManager_configureStatic_Params_get_gateway(in);
	struct capnp_list dns = net_NetworkManager_configureStatic_Params_get_dnsServers(in);
	const char *bad = NULL;
	if (!netmask_ok(m))
		bad = "configureStatic: the netmask is not contiguous ones";
	else if (a == 0 || (a & ~m) == 0 || (a & ~m) == ~m)
		bad = "configureStatic: the address is 0, or the subnet's or its broadcast address";
	else if (g != 0 && (g & m) != (a & m))
		bad = "configureStatic: the gateway is not on the subnet";
	else if (capnp_list_len(dns) > DNS_MAX_SERVERS)
		bad = "configureStatic: more than 2 DNS servers";
	if (bad)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument, bad);
	/* One log line for the result, not one per step. */
	ns.quiet = true;
	dhcp_release_and_stop(&ns.eth.netif);
	ns.dhcp = false;
	clear_dns();
	for (u8_t k = 0; k < capnp_list_len(dns); k++) {
		ip_addr_t s = IPADDR4_INIT(lwip_htonl(capnp_list_get_u32(dns, k)));
		dns_setserver(k, &s);
	}
	ip4_addr_t ia, im, ig;
	ip4_addr_set_u32(&ia, lwip_htonl(a));
	ip4_addr_set_u32(&im, lwip_htonl(m));
	ip4_addr_set_u32(&ig, lwip_htonl(g));
	netif_set_addr(&ns.eth.netif, &ia, &im, &ig);
	ns.quiet = false;
	netstack_log_address(&ns.eth.netif);
	return CAPOS_SERVER_REPLY;
}

static int routes(void *self, struct capos_rpc_ctx *rc, net_NetworkManager_routes_Params_reader in,
                  net_NetworkManager_routes_Results_builder out)
{
	(void)self;
	(void)rc;
	(void)in;
	struct netif *n = &ns.eth.netif;
	uint32_t a = host_order(netif_ip4_addr(n)), m = host_order(netif_ip4_netmask(n));
	uint32_t g = host_order(netif_ip4_gw(n));
	uint32_t count = (a != 0) + (a != 0 && g != 0);
	struct capnp_list_builder l = net_NetworkManager_routes_Results_init_routes(out, count);
	if (a != 0) {
		net_Ipv4Route_builder r = net_Ipv4Route_list_at(l, 0);
		net_Ipv4Route_set_destination(r, a & m);
		net_Ipv4Route_set_netmask(r, m);
	}
	if (count == 2)
		net_Ipv4Route_set_gateway(net_Ipv4Route_list_at(l, 1), g);
	return CAPOS_SERVER_REPLY;
}

static int counters(void *self, struct capos_rpc_ctx *rc,
                    net_NetworkManager_counters_Params_reader in,
                    net_NetworkManager_counters_Results_builder out)
{
	(void)self;
	(void)rc;
	(void)in;
	const struct ethif_counters *e = &ns.eth.count;
	net_NetCounters_builder c = net_NetworkManager_counters_Results_init_counters(out);
	net_NetCounters_set_rxFrames(c, e->rx_frames);
	net_NetCounters_set_txFrames(c, e->tx_frames);
	net_NetCounters_set_rxDropped(c, e->rx_bad_len + e->rx_no_pbuf + e->rx_refused +
	                                         ns.link.stats.rx_bad);
	net_NetCounters_set_ipRx(c, lwip_stats.ip.recv);
	net_NetCounters_set_ipTx(c, lwip_stats.ip.xmit);
	net_NetCounters_set_ipDropped(c, lwip_stats.ip.drop);
	net_NetCounters_set_icmpRx(c, lwip_stats.icmp.recv);
	net_NetCounters_set_icmpTx(c, lwip_stats.icmp.xmit);
	net_NetCounters_set_udpRx(c, lwip_stats.udp.recv);
	net_NetCounters_set_udpTx(c, lwip_stats.udp.xmit);
	net_NetCounters_set_udpDropped(c, lwip_stats.udp.drop);
	net_NetCounters_set_tcpRx(c, lwip_stats.tcp.recv);
	net_NetCounters_set_tcpTx(c, lwip_stats.tcp.xmit);
	net_NetCounters_set_tcpDropped(c, lwip_stats.tcp.drop);
	net_NetCounters_set_tcpSockets(c, ns.socks.count.tcp);
	net_NetCounters_set_tcpListeners(c, ns.socks.count.listeners);
	net_NetCounters_set_udpSockets(c, ns.socks.count.udp);
	net_NetCounters_set_socketsFreedByRelease(c, ns.socks.count.freed_by_release);
	return CAPOS_SERVER_REPLY;
}

static int tcp_connect(void *self, struct capos_rpc_ctx *rc,
                       net_NetworkManager_tcpConnect_Params_reader in,
                       net_NetworkManager_tcpConnect_Results_builder out)
{
	(void)self;
	(void)out; /* filled when the connection is established (socksrv.c) */
	return socksrv_tcp_connect(rc, net_NetworkManager_tcpConnect_Params_get_address(in),
	                           net_NetworkManager_tcpConnect_Params_get_port(in),
	                           net_NetworkManager_tcpConnect_Params_get_timeoutNs(in));
}

static int udp_open(void *self, struct capos_rpc_ctx *rc, net_NetworkManager_udpOpen_Params_reader in,
                    net_NetworkManager_udpOpen_Results_builder out)
{
	(void)self;
	uint16_t index = 0;
	int e = socksrv_udp_open(rc, net_NetworkManager_udpOpen_Params_get_port(in), &index);
	if (!rc->reply->exception)
		net_NetworkManager_udpOpen_Results_set_socketIndex(out, index);
	return e;
}

/* Sends the requests one at a time, each waiting for its reply; other
 * NetworkManager calls wait meanwhile (bounded: 16 x 10 s at most). */
static int ping(void *self, struct capos_rpc_ctx *rc, net_NetworkManager_ping_Params_reader in,
                net_NetworkManager_ping_Results_builder out)
{
	(void)self;
	uint32_t addr = net_NetworkManager_ping_Params_get_address(in);
	uint16_t count = net_NetworkManager_ping_Params_get_count(in);
	uint16_t payload = net_NetworkManager_ping_Params_get_payloadBytes(in);
	uint64_t timeout = net_NetworkManager_ping_Params_get_timeoutNs(in);
	if (count == 0 || count > PING_MAX_COUNT)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument,
		                       "ping: count must be 1..16");
	if (payload > PING_MAX_PAYLOAD)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument,
		                       "ping: payloadBytes over 1472");
	if (timeout == 0 || timeout > PING_MAX_WAIT_NS)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument,
		                       "ping: timeoutNs must be 1 ns..10 s");
	if (addr == 0 || addr == 0xffffffffu)
		return capos_rpc_raise(rc, capos_CapException_Type_invalidArgument,
		                       "ping: no such destination");
	if (ip4_addr_isany_val(*netif_ip4_addr(&ns.eth.netif)))
		return capos_rpc_raise(rc, capos_CapException_Type_failed,
		                       "ping: the interface has no address yet");
	struct ping_reply got[PING_MAX_COUNT];
	uint16_t n = 0;
	for (uint16_t i = 0; i < count; i++)
		if (ping_once(addr, payload, timeout, &got[n]))
			n++;
	struct capnp_list_builder l = net_NetworkManager_ping_Results_init_replies(out, n);
	for (uint16_t i = 0; i < n; i++) {
		net_PingReply_builder r = net_PingReply_list_at(l, i);
		net_PingReply_set_seq(r, got[i].seq);
		net_PingReply_set_rttNs(r, got[i].rtt_ns);
		net_PingReply_set_ttl(r, got[i].ttl);
		net_PingReply_set_bytes(r, got[i].bytes);
	}
	net_NetworkManager_ping_Results_set_sent(out, count);
	return CAPOS_SERVER_REPLY;
}

const net_NetworkManager_Server net_manager = {
	.interfaceInfo = interface_info,
	.configureDhcp = configure_dhcp,
	.configureStatic = configure_static,
	.routes = routes,
	.counters = counters,
	.tcpConnect = tcp_connect,
	.udpOpen = udp_open,
	.ping = ping,
};
