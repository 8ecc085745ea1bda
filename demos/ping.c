/*
 * ping: ICMP echo to QEMU's gateway 10.0.2.2 through the netstack's
 * NetworkManager.ping (CapSet entry "net"; the program holds no other
 * network authority).  Waits for the interface's address, then sends
 * PING_COUNT requests, one call each, and prints a line per reply and a
 * summary the way ping(8) does.  Exits 0 when at least one reply came.
 */
#include <capos/rt.h>

#include "demo.h"
#include "net_wait.h"

#define PING_COUNT   4u
#define PING_PAYLOAD 56u
#define PING_TARGET  0x0a000202u   /* 10.0.2.2: the only address pinged */
#define PING_TIMEOUT 5000000000ull /* 5 s per request: a loaded host is slow, not lossy */

/* "1.234": milliseconds with three decimals (one printf per line: lines
 * of concurrent processes must not split). */
static const char *ms(char buf[24], uint64_t ns)
{
	capos_snprintf(buf, 24, "%lu.%03lu", (unsigned long)(ns / 1000000u),
	               (unsigned long)(ns / 1000u % 1000u));
	return buf;
}

int main(void)
{
	const char *me = demo_name("ping");
	net_NetworkManager_Client nm;
	struct capos_call_error err;
	net_NetworkManager_interfaceInfo_Reply info;
	if (net_NetworkManager_Client_open(&nm, "net") != 0) {
		capos_printf("[%s] no NetworkManager named 'net'\n", me);
		return 1;
	}
	if (net_wait_bound(&nm, &info, &err) != 0) {
		capos_printf("[%s] the interface got no address: %s\n", me, err.message);
		return 1;
	}
	char target[16];
	net_format_ip(target, sizeof target, PING_TARGET);
	capos_printf("[%s] PING %s: %u data bytes\n", me, target, PING_PAYLOAD);
	uint32_t got = 0;
	uint64_t min = UINT64_MAX, max = 0, sum = 0;
	for (uint32_t i = 0; i < PING_COUNT; i++) {
		net_NetworkManager_ping_Reply r;
		if (net_NetworkManager_ping(&nm, PING_TARGET, 1, PING_PAYLOAD, PING_TIMEOUT, &r, &err)) {
			capos_printf("[%s] ping failed: %s\n", me, err.message);
			continue;
		}
		struct capnp_list l = net_NetworkManager_ping_Results_get_replies(r.results);
		if (capnp_list_len(l) == 0) {
			capos_printf("[%s] no answer from %s within 5 s\n", me, target);
			continue;
		}
		net_PingReply_reader p = net_PingReply_list_get(l, 0);
		uint64_t rtt = net_PingReply_get_rttNs(p);
		char t[24];
		capos_printf("[%s] %u bytes from %s: icmp_seq=%u ttl=%u time=%s ms\n", me,
		             net_PingReply_get_bytes(p) + 8u, target, net_PingReply_get_seq(p),
		             net_PingReply_get_ttl(p), ms(t, rtt));
		got++;
		sum += rtt;
		min = rtt < min ? rtt : min;
		max = rtt > max ? rtt : max;
	}
	capos_printf("[%s] --- %s ping statistics ---\n", me, target);
	capos_printf("[%s] %u packets transmitted, %u received, %u%% packet loss\n", me, PING_COUNT,
	             got, (PING_COUNT - got) * 100u / PING_COUNT);
	if (got == 0)
		return 1;
	char a[24], b[24], c[24];
	capos_printf("[%s] rtt min/avg/max = %s/%s/%s ms\n", me, ms(a, min), ms(b, sum / got),
	             ms(c, max));
	return 0;
}
