/*
 * Shared by the network demos (ping, netinfo): waits until the netstack's
 * interface has an address (DHCP can take a moment after boot), asking
 * NetworkManager.interfaceInfo every 100 ms for at most 60 s.  The bound
 * only limits a failure; nothing depends on how long it takes.
 */
#ifndef CAPOS_DEMO_NET_WAIT_H
#define CAPOS_DEMO_NET_WAIT_H

#include <capos/rt.h>
#include <capos/timer.h>
#include "net.capnp.rpc.h"

#define NET_WAIT_TRIES 600
#define NET_WAIT_STEP  100000000ull /* 100 ms */

/* 0 once bound (r holds the info), else the last error or -1. */
static inline int net_wait_bound(const net_NetworkManager_Client *nm,
                                 net_NetworkManager_interfaceInfo_Reply *r,
                                 struct capos_call_error *err)
{
	for (int i = 0; i < NET_WAIT_TRIES; i++) {
		int e = net_NetworkManager_interfaceInfo(nm, r, err);
		if (e != 0)
			return e;
		if (net_InterfaceInfo_get_bound(net_NetworkManager_interfaceInfo_Results_get_info(r->results)))
			return 0;
		if (capos_nanosleep(NET_WAIT_STEP) != 0)
			return -1;
	}
	return -1;
}

static inline void net_format_ip(char *buf, size_t n, uint32_t a)
{
	capos_snprintf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255u, (a >> 8) & 255u, a & 255u);
}

#endif
