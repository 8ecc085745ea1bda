/*
 * netinfo: what the netstack's NetworkManager (CapSet entry "net") says
 * about the interface once it has an address: configuration, routes and
 * counters, one line each; then that a hostile configureStatic is refused
 * and that the socket methods refuse what they must: a connection to a
 * closed port, a UDP port below 1024 without a listen authority.
 */
#include <capos/rt.h>

#include "demo.h"
#include "net_wait.h"

static int bad_netmask(net_NetworkManager_configureStatic_Params_builder p,
                       struct capos_rpc_out *out, void *arg)
{
	(void)out;
	(void)arg;
	net_NetworkManager_configureStatic_Params_set_address(p, 0x0a00020fu);
	net_NetworkManager_configureStatic_Params_set_netmask(p, 0xff00ff00u); /* not contiguous */
	net_NetworkManager_configureStatic_Params_set_gateway(p, 0x0a000202u);
	return 0;
}

static void show_info(const char *me, net_InterfaceInfo_reader i)
{
	char a[16], m[16], g[16], d[16] = "none", s[16];
	net_format_ip(a, sizeof a, net_InterfaceInfo_get_address(i));
	net_format_ip(m, sizeof m, net_InterfaceInfo_get_netmask(i));
	net_format_ip(g, sizeof g, net_InterfaceInfo_get_gateway(i));
	net_format_ip(s, sizeof s, net_InterfaceInfo_get_dhcpServer(i));
	struct capnp_list dns = net_InterfaceInfo_get_dnsServers(i);
	if (capnp_list_len(dns) > 0)
		net_format_ip(d, sizeof d, capnp_list_get_u32(dns, 0));
	capos_printf("[%s] interface: %s, link %s, mtu %u, address %s netmask %s gateway %s dns %s "
	             "lease %u s from %s\n",
	             me, net_InterfaceInfo_get_dhcp(i) ? "DHCP" : "static",
	             net_InterfaceInfo_get_linkUp(i) ? "up" : "down", net_InterfaceInfo_get_mtu(i), a,
	             m, g, d, net_InterfaceInfo_get_leaseSeconds(i), s);
}

static void show_routes(const char *me, const net_NetworkManager_Client *nm)
{
	net_NetworkManager_routes_Reply r;
	struct capos_call_error err;
	int e = net_NetworkManager_routes(nm, &r, &err);
	DEMO_CHECK(me, e == 0, "routes\n");
	if (e != 0)
		return;
	struct capnp_list l = net_NetworkManager_routes_Results_get_routes(r.results);
	for (uint32_t k = 0; k < capnp_list_len(l); k++) {
		net_Ipv4Route_reader e = net_Ipv4Route_list_get(l, k);
		char d[16], m[16], g[16];
		net_format_ip(d, sizeof d, net_Ipv4Route_get_destination(e));
		net_format_ip(m, sizeof m, net_Ipv4Route_get_netmask(e));
		net_format_ip(g, sizeof g, net_Ipv4Route_get_gateway(e));
		capos_printf("[%s] route %s netmask %s via %s\n", me, d, m,
		             net_Ipv4Route_get_gateway(e) ? g : "on-link");
	}
}

static void show_counters(const char *me, const net_NetworkManager_Client *nm)
{
	net_NetworkManager_counters_Reply r;
	struct capos_call_error err;
	int e = net_NetworkManager_counters(nm, &r, &err);
	DEMO_CHECK(me, e == 0, "counters\n");
	if (e != 0)
		return;
	net_NetCounters_reader c = net_NetworkManager_counters_Results_get_counters(r.results);
	capos_printf("[%s] counters: rx %lu frames, tx %lu frames, %lu dropped; ip rx %lu tx %lu; "
	             "icmp rx %lu tx %lu; udp rx %lu tx %lu\n",
	             me, (unsigned long)net_NetCounters_get_rxFrames(c),
	             (unsigned long)net_NetCounters_get_txFrames(c),
	             (unsigned long)net_NetCounters_get_rxDropped(c),
	             (unsigned long)net_NetCounters_get_ipRx(c),
	             (unsigned long)net_NetCounters_get_ipTx(c),
	             (unsigned long)net_NetCounters_get_icmpRx(c),
	             (unsigned long)net_NetCounters_get_icmpTx(c),
	             (unsigned long)net_NetCounters_get_udpRx(c),
	             (unsigned long)net_NetCounters_get_udpTx(c));
	DEMO_CHECK(me, net_NetCounters_get_rxFrames(c) > 0 && net_NetCounters_get_txFrames(c) > 0,
	           "frames went both ways\n");
}

int main(void)
{
	const char *me = demo_name("netinfo");
	net_NetworkManager_Client nm;
	struct capos_call_error err;
	net_NetworkManager_interfaceInfo_Reply info;
	if (net_NetworkManager_Client_open(&nm, "net") != 0) {
		capos_printf("[%s] no NetworkManager named 'net'\n", me);
		return 1;
	}
	int e = net_wait_bound(&nm, &info, &err);
	DEMO_CHECK(me, e == 0, "the interface has an address\n");
	if (e != 0)
		return demo_finish("netinfo");
	show_info(me, net_NetworkManager_interfaceInfo_Results_get_info(info.results));
	show_routes(me, &nm);
	show_counters(me, &nm);

	net_NetworkManager_configureStatic_Reply cs;
	e = net_NetworkManager_configureStatic_Call(&nm, bad_netmask, NULL, &cs, &err);
	DEMO_CHECK(me, e == CAPOS_ERR_APPLICATION_EXCEPTION && err.exception_type == capos_CapException_Type_invalidArgument,
	           "configureStatic with netmask 255.0.255.0 refused: %s\n", err.message);
	net_NetworkManager_ping_Reply pr;
	e = net_NetworkManager_ping(&nm, 0x0a000202u, 17, 56, 1000000000ull, &pr, &err);
	DEMO_CHECK(me, e == CAPOS_ERR_APPLICATION_EXCEPTION && err.exception_type == capos_CapException_Type_invalidArgument,
	           "ping of 17 requests refused: %s\n", err.message);
	e = net_NetworkManager_ping(&nm, 0x0a000202u, 1, 56, 0, &pr, &err);
	DEMO_CHECK(me, e == CAPOS_ERR_APPLICATION_EXCEPTION && err.exception_type == capos_CapException_Type_invalidArgument,
	           "ping with no time to wait refused: %s\n", err.message);
	net_NetworkManager_tcpConnect_Reply tc;
	/* Its own address, a port nothing listens on: refused by the stack
	 * itself, whatever the host runs. */
	e = net_NetworkManager_tcpConnect(&nm, 0x0a00020fu, 9, 5000000000ull, &tc, &err);
	DEMO_CHECK(me, e == CAPOS_ERR_APPLICATION_EXCEPTION && err.exception_type == capos_CapException_Type_failed,
	           "tcpConnect to a closed port refused: %s\n", err.message);
	net_NetworkManager_udpOpen_Reply uo;
	e = net_NetworkManager_udpOpen(&nm, 7, &uo, &err);
	DEMO_CHECK(me, e == CAPOS_ERR_APPLICATION_EXCEPTION && err.exception_type == capos_CapException_Type_invalidArgument,
	           "udpOpen of port 7 refused: %s\n", err.message);
	return demo_finish("netinfo");
}
