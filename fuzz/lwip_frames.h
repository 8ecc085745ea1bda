/*
 * Builders for the Ethernet frames the lwIP tests and fuzz seeds need
 * (ARP, ICMP echo, UDP, TCP SYN, DHCP offer and ack), with correct
 * checksums, so a hand-made frame reaches the code behind the checks.
 * Used on the host (the fuzzer) and in the guest (the fake NIC of the
 * netstack smoke, with services/netstack/port/libc for <string.h>).
 */
#ifndef CAPOS_FUZZ_LWIP_FRAMES_H
#define CAPOS_FUZZ_LWIP_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define LF_MAX 1514

/* Addresses in host order (10.0.2.15 = 0x0a00020f). */
struct lf_ends {
	uint8_t src_mac[6], dst_mac[6];
	uint32_t src_ip, dst_ip;
};

/* Each writes one frame into out (LF_MAX bytes) and returns its length. */
size_t lf_arp_request(uint8_t *out, const struct lf_ends *e);
size_t lf_icmp_echo(uint8_t *out, const struct lf_ends *e, uint16_t id, uint16_t seq,
                    const void *data, size_t len);
size_t lf_udp(uint8_t *out, const struct lf_ends *e, uint16_t sport, uint16_t dport,
              const void *data, size_t len);
size_t lf_tcp(uint8_t *out, const struct lf_ends *e, uint16_t sport, uint16_t dport,
              uint32_t seq, uint32_t ack, uint8_t flags, const void *data, size_t len);
/* A DHCP reply (type LF_DHCP_OFFER or LF_DHCP_ACK) for transaction xid
 * to chaddr = e->dst_mac, giving yiaddr from the server e->src_ip (router
 * and DNS = the server, lease 1 day). */
size_t lf_dhcp_reply(uint8_t *out, const struct lf_ends *e, uint8_t type, uint32_t xid,
                     uint32_t yiaddr);
#define LF_DHCP_OFFER 2
#define LF_DHCP_ACK   5

#define LF_TCP_FIN 0x01
#define LF_TCP_SYN 0x02
#define LF_TCP_RST 0x04
#define LF_TCP_PSH 0x08
#define LF_TCP_ACK 0x10

#endif
