/*
 * Ethernet framing and ARP (RFC 826) for IPv4 over Ethernet: enough to ask
 * QEMU's user-network gateway for its MAC without a network stack.
 * IPv4 addresses are host-order uint32_t (10.0.2.15 = IPV4(10,0,2,15)).
 */
#ifndef CAPOS_LIB_ETH_ARP_H
#define CAPOS_LIB_ETH_ARP_H

#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN         6
#define ETH_HLEN         14
#define ETH_MIN_FRAME    60 /* without FCS: short frames are padded */
#define ETH_TYPE_IPV4    0x0800
#define ETH_TYPE_ARP     0x0806
#define ARP_LEN          28
#define ARP_OP_REQUEST   1
#define ARP_OP_REPLY     2
#define IPV4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

enum arp_err {
	ARP_OK = 0,
	ARP_ERR_SHORT = -1,   /* frame too short for Ethernet + ARP */
	ARP_ERR_NOT_ARP = -2, /* another EtherType */
	ARP_ERR_FORMAT = -3,  /* not Ethernet/IPv4 (htype, ptype, hlen, plen) */
	ARP_ERR_OP = -4,      /* not the operation asked for */
};

struct arp_packet {
	uint16_t op;
	uint8_t sender_mac[ETH_ALEN];
	uint32_t sender_ip;
	uint8_t target_mac[ETH_ALEN];
	uint32_t target_ip;
};

/* Broadcast "who has target_ip, tell src_ip" into buf; returns the frame
 * length (ETH_MIN_FRAME, zero padded) or 0 if cap is too small. */
size_t arp_build_request(uint8_t *buf, size_t cap, const uint8_t src_mac[ETH_ALEN],
                         uint32_t src_ip, uint32_t target_ip);

/* Decodes any ARP frame for IPv4 over Ethernet. */
int arp_parse(const uint8_t *frame, size_t len, struct arp_packet *out);

/* arp_parse, then insists on a reply. */
int arp_parse_reply(const uint8_t *frame, size_t len, struct arp_packet *out);

const char *arp_strerror(int err);

#endif
