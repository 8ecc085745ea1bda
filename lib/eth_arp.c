/* Ethernet + ARP encode/decode, bounds-checked byte by byte (no casts of
 * packet memory to structs: frames arrive unaligned and hostile). */
#include "eth_arp.h"

#include "kstring.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

size_t arp_build_request(uint8_t *buf, size_t cap, const uint8_t src_mac[ETH_ALEN],
                         uint32_t src_ip, uint32_t target_ip)
{
	if (cap < ETH_MIN_FRAME)
		return 0;
	memset(buf, 0, ETH_MIN_FRAME);
	memset(buf, 0xff, ETH_ALEN); /* broadcast */
	memcpy(buf + 6, src_mac, ETH_ALEN);
	put16(buf + 12, ETH_TYPE_ARP);
	uint8_t *a = buf + ETH_HLEN;
	put16(a, 1); /* Ethernet */
	put16(a + 2, ETH_TYPE_IPV4);
	a[4] = ETH_ALEN;
	a[5] = 4;
	put16(a + 6, ARP_OP_REQUEST);
	memcpy(a + 8, src_mac, ETH_ALEN);
	put32(a + 14, src_ip);
	/* target MAC (a + 18) stays zero: it is what we ask for */
	put32(a + 24, target_ip);
	return ETH_MIN_FRAME;
}

int arp_parse(const uint8_t *frame, size_t len, struct arp_packet *out)
{
	if (len < ETH_HLEN + ARP_LEN)
		return ARP_ERR_SHORT;
	if (get16(frame + 12) != ETH_TYPE_ARP)
		return ARP_ERR_NOT_ARP;
	const uint8_t *a = frame + ETH_HLEN;
	if (get16(a) != 1 || get16(a + 2) != ETH_TYPE_IPV4 || a[4] != ETH_ALEN || a[5] != 4)
		return ARP_ERR_FORMAT;
	out->op = get16(a + 6);
	memcpy(out->sender_mac, a + 8, ETH_ALEN);
	out->sender_ip = get32(a + 14);
	memcpy(out->target_mac, a + 18, ETH_ALEN);
	out->target_ip = get32(a + 24);
	return ARP_OK;
}

int arp_parse_reply(const uint8_t *frame, size_t len, struct arp_packet *out)
{
	int err = arp_parse(frame, len, out);
	if (err == ARP_OK && out->op != ARP_OP_REPLY)
		return ARP_ERR_OP;
	return err;
}

const char *arp_strerror(int err)
{
	switch (err) {
	case ARP_OK: return "ok";
	case ARP_ERR_SHORT: return "frame too short for ARP";
	case ARP_ERR_NOT_ARP: return "not an ARP frame";
	case ARP_ERR_FORMAT: return "ARP not for IPv4 over Ethernet";
	case ARP_ERR_OP: return "unexpected ARP operation";
	default: return "unknown ARP error";
	}
}
