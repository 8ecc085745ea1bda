/*
 * netstack: the network stack service.  Holds the Nic capability of the
 * NIC driver (CapSet entry "nic", interface Nic, schema/nic.capnp), runs
 * lwIP (services/netstack/port) over it with the DHCPv4 client on, and
 * logs the lease, gateway and DNS servers it learns.
 *
 * Not yet: serving schema/net.capnp (NetworkManager, TcpListenAuthority,
 * TcpListener, TcpSocket, UdpSocket) on an endpoint: docs/networking.md
 * says what is planned.  The event loop is one thread: flush TX, wait for
 * frames until lwIP's next timer is due, deliver them, run the timers.
 *
 * Exits 0 when the driver goes away, 1 when it cannot start.
 */
#include <capos/endpoint.h>
#include <capos/rt.h>

#include "clock.h"
#include "ethif.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "lwip_port.h"
#include "nic.capnp.h"
#include "nic_link.h"

#define POLL_MAX_MS 100u

static struct nic_link link;
static struct ethif eth;
static const struct ethif_ops link_ops = {.send = nic_link_send};

static void print_ip(const char *what, const ip4_addr_t *a)
{
	capos_printf(" %s %u.%u.%u.%u", what, ip4_addr1(a), ip4_addr2(a), ip4_addr3(a), ip4_addr4(a));
}

/* Called by lwIP when the address changes (DHCP bound, renewed, lost). */
static void status_changed(struct netif *n)
{
	struct dhcp *d = netif_dhcp_data(n);
	capos_printf("[netstack] %s:", dhcp_supplied_address(n) ? "DHCP lease" : "address");
	print_ip("address", netif_ip4_addr(n));
	print_ip("netmask", netif_ip4_netmask(n));
	print_ip("gateway", netif_ip4_gw(n));
	for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
		const ip_addr_t *s = dns_getserver(i);
		if (!ip_addr_isany(s))
			print_ip("dns", ip_2_ip4(s));
	}
	if (d && dhcp_supplied_address(n))
		capos_printf(" lease %u s", (unsigned)d->offered_t0_lease);
	capos_printf("\n");
}

static void deliver(void *ctx, const uint8_t *frame, size_t len)
{
	ethif_input(ctx, frame, len);
}

int main(void)
{
	struct capos_cap nic;
	int e = capos_endpoint_open_as(&capos_rt.capset, "nic", nic_Nic_ID, &nic);
	if (e != 0) {
		capos_printf("[netstack] no Nic named 'nic': %s\n", capos_strerror(e));
		return 1;
	}
	uint8_t mac[6];
	e = nic_link_open(&link, nic, mac);
	if (e != 0) {
		capos_printf("[netstack] Nic unusable: %s\n", capos_strerror(e));
		return 1;
	}
	netstack_clock_init();
	lwip_port_seed_rand(netstack_clock_seed());
	lwip_init();
	if (ethif_add(&eth, mac, &link_ops, &link, NULL, NULL, NULL, "en") != ERR_OK) {
		capos_printf("[netstack] netif_add failed\n");
		return 1;
	}
	netif_set_default(&eth.netif);
	netif_set_status_callback(&eth.netif, status_changed);
	capos_printf("[netstack] up: mac %02x:%02x:%02x:%02x:%02x:%02x, lwIP %s, DHCPv4 client started\n",
	             mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], LWIP_VERSION_STRING);
	if (dhcp_start(&eth.netif) != ERR_OK) {
		capos_printf("[netstack] dhcp_start failed\n");
		return 1;
	}
	while (!link.gone) {
		nic_link_flush(&link);
		u32_t ms = sys_timeouts_sleeptime();
		if (ms > POLL_MAX_MS)
			ms = POLL_MAX_MS;
		nic_link_poll(&link, (uint64_t)ms * 1000000u, deliver, &eth);
		netif_poll_all(); /* loopback: what the stack sent to itself */
		sys_check_timeouts();
	}
	capos_printf("[netstack] the Nic is gone; %llu frames in, %llu out, %llu dropped; exiting\n",
	             (unsigned long long)link.stats.rx_frames, (unsigned long long)link.stats.tx_frames,
	             (unsigned long long)link.stats.tx_dropped);
	return 0;
}
