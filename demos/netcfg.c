/*
 * netcfg: the netstack's static configuration through NetworkManager
 * (CapSet entry "net").  Once DHCP has given the interface an address, it
 * sets 10.0.2.15/24 with gateway 10.0.2.2 and DNS 10.0.2.3 statically,
 * checks what interfaceInfo and routes then say, pings 10.0.2.2 over the
 * static configuration, and goes back to DHCP (configureDhcp) until a
 * lease is held again.
 */
#include <capos/rt.h>

#include "demo.h"
#include "net_wait.h"

#define ADDR    0x0a00020fu /* 10.0.2.15 */
#define MASK    0xffffff00u
#define GATEWAY 0x0a000202u /* 10.0.2.2: QEMU's gateway, the only address pinged */
#define DNS     0x0a000203u

static int set_static(net_NetworkManager_configureStatic_Params_builder p, struct capos_rpc_out *out,
                      void *arg)
{
	(void)out;
	(void)arg;
	net_NetworkManager_configureStatic_Params_set_address(p, ADDR);
	net_NetworkManager_configureStatic_Params_set_netmask(p, MASK);
	net_NetworkManager_configureStatic_Params_set_gateway(p, GATEWAY);
	capnp_lb_set_u32(net_NetworkManager_configureStatic_Params_init_dnsServers(p, 1), 0, DNS);
	return 0;
}

static void check_static(const char *me, const net_NetworkManager_Client *nm)
{
	net_NetworkManager_interfaceInfo_Reply r;
	struct capos_call_error err;
	int e = net_NetworkManager_interfaceInfo(nm, &r, &err);
	net_InterfaceInfo_reader i = net_NetworkManager_interfaceInfo_Results_get_info(r.results);
	struct capnp_list dns = net_InterfaceInfo_get_dnsServers(i);
	DEMO_CHECK(me,
	           e == 0 && !net_InterfaceInfo_get_dhcp(i) && net_InterfaceInfo_get_address(i) == ADDR &&
	                   net_InterfaceInfo_get_netmask(i) == MASK &&
	                   net_InterfaceInfo_get_gateway(i) == GATEWAY && capnp_list_len(dns) == 1 &&
	                   capnp_list_get_u32(dns, 0) == DNS && net_InterfaceInfo_get_leaseSeconds(i) == 0,
	           "interfaceInfo: static 10.0.2.15/24 gateway 10.0.2.2 dns 10.0.2.3, no lease\n");
	net_NetworkManager_routes_Reply rr;
	e = net_NetworkManager_routes(nm, &rr, &err);
	struct capnp_list l = net_NetworkManager_routes_Results_get_routes(rr.results);
	DEMO_CHECK(me,
	           e == 0 && capnp_list_len(l) == 2 &&
	                   net_Ipv4Route_get_destination(net_Ipv4Route_list_get(l, 0)) == (ADDR & MASK) &&
	                   net_Ipv4Route_get_netmask(net_Ipv4Route_list_get(l, 1)) == 0 &&
	                   net_Ipv4Route_get_gateway(net_Ipv4Route_list_get(l, 1)) == GATEWAY,
	           "routes: 10.0.2.0/24 on-link and the default route via 10.0.2.2\n");
}

int main(void)
{
	const char *me = demo_name("netcfg");
	net_NetworkManager_Client nm;
	struct capos_call_error err;
	net_NetworkManager_interfaceInfo_Reply info;
	if (net_NetworkManager_Client_open(&nm, "net") != 0) {
		capos_printf("[%s] no NetworkManager named 'net'\n", me);
		return 1;
	}
	DEMO_CHECK(me, net_wait_bound(&nm, &info, &err) == 0, "DHCP gave an address first\n");
	net_NetworkManager_configureStatic_Reply cs;
	int e = net_NetworkManager_configureStatic_Call(&nm, set_static, NULL, &cs, &err);
	DEMO_CHECK(me, e == 0, "configureStatic 10.0.2.15/24 via 10.0.2.2\n");
	check_static(me, &nm);
	net_NetworkManager_ping_Reply pr;
	e = net_NetworkManager_ping(&nm, GATEWAY, 2, 32, 5000000000ull, &pr, &err);
	DEMO_CHECK(me, e == 0 && capnp_list_len(net_NetworkManager_ping_Results_get_replies(pr.results)) > 0,
	           "ping 10.0.2.2 over the static configuration: %u of %u replies\n",
	           e == 0 ? capnp_list_len(net_NetworkManager_ping_Results_get_replies(pr.results)) : 0,
	           e == 0 ? pr.sent : 0);
	net_NetworkManager_configureDhcp_Reply cd;
	e = net_NetworkManager_configureDhcp(&nm, &cd, &err);
	DEMO_CHECK(me, e == 0, "configureDhcp\n");
	e = net_wait_bound(&nm, &info, &err);
	net_InterfaceInfo_reader i = net_NetworkManager_interfaceInfo_Results_get_info(info.results);
	DEMO_CHECK(me,
	           e == 0 && net_InterfaceInfo_get_dhcp(i) && net_InterfaceInfo_get_address(i) == ADDR &&
	                   net_InterfaceInfo_get_leaseSeconds(i) > 0,
	           "back on DHCP: a lease of 10.0.2.15 again\n");
	return demo_finish("netcfg");
}
