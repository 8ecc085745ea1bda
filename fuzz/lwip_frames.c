/* Frame builders for the lwIP fuzz seeds: see lwip_frames.h. */
#include "lwip_frames.h"

#include <string.h>

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

static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t eth(uint8_t *out, const struct lf_ends *e, uint16_t type)
{
	memcpy(out, e->dst_mac, 6);
	memcpy(out + 6, e->src_mac, 6);
	put16(out + 12, type);
	return 14;
}

/* IPv4 header at out (20 bytes, checksummed); payload length len. */
static void ip4(uint8_t *out, const struct lf_ends *e, uint8_t proto, size_t len)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	put16(out + 2, (uint16_t)(20 + len));
	put16(out + 4, 0x1234);
	out[8] = 64;
	out[9] = proto;
	put32(out + 12, e->src_ip);
	put32(out + 16, e->dst_ip);
	put16(out + 10, fold(sum_bytes(0, out, 20)));
}

static uint32_t pseudo(const struct lf_ends *e, uint8_t proto, size_t len)
{
	return (e->src_ip >> 16) + (e->src_ip & 0xffff) + (e->dst_ip >> 16) +
	       (e->dst_ip & 0xffff) + proto + (uint32_t)len;
}

size_t lf_arp_request(uint8_t *out, const struct lf_ends *e)
{
	size_t n = eth(out, e, 0x0806);
	uint8_t *a = out + n;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, e->src_mac, 6);
	put32(a + 14, e->src_ip);
	memset(a + 18, 0, 6);
	put32(a + 24, e->dst_ip);
	return n + 28;
}

size_t lf_icmp_echo(uint8_t *out, const struct lf_ends *e, uint16_t id, uint16_t seq,
                    const void *data, size_t len)
{
	size_t n = eth(out, e, 0x0800);
	uint8_t *ic = out + n + 20;
	ic[0] = 8;
	ic[1] = 0;
	put16(ic + 2, 0);
	put16(ic + 4, id);
	put16(ic + 6, seq);
	memcpy(ic + 8, data, len);
	put16(ic + 2, fold(sum_bytes(0, ic, 8 + len)));
	ip4(out + n, e, 1, 8 + len);
	return n + 20 + 8 + len;
}

size_t lf_udp(uint8_t *out, const struct lf_ends *e, uint16_t sport, uint16_t dport,
              const void *data, size_t len)
{
	size_t n = eth(out, e, 0x0800);
	uint8_t *u = out + n + 20;
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + len));
	put16(u + 6, 0);
	memcpy(u + 8, data, len);
	uint16_t c = fold(sum_bytes(pseudo(e, 17, 8 + len), u, 8 + len));
	put16(u + 6, c ? c : 0xffff);
	ip4(out + n, e, 17, 8 + len);
	return n + 20 + 8 + len;
}

size_t lf_tcp(uint8_t *out, const struct lf_ends *e, uint16_t sport, uint16_t dport,
              uint32_t seq, uint32_t ack, uint8_t flags, const void *data, size_t len)
{
	size_t n = eth(out, e, 0x0800);
	uint8_t *t = out + n + 20;
	memset(t, 0, 24);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 6 << 4; /* 24-byte header: one MSS option */
	t[13] = flags;
	put16(t + 14, 8192);
	t[20] = 2;
	t[21] = 4;
	put16(t + 22, 1460);
	if (len)
		memcpy(t + 24, data, len);
	put16(t + 16, fold(sum_bytes(pseudo(e, 6, 24 + len), t, 24 + len)));
	ip4(out + n, e, 6, 24 + len);
	return n + 20 + 24 + len;
}

size_t lf_dhcp_reply(uint8_t *out, const struct lf_ends *e, uint8_t type, uint32_t xid,
                     uint32_t yiaddr)
{
	uint8_t b[300];
	memset(b, 0, sizeof b);
	b[0] = 2; /* BOOTREPLY */
	b[1] = 1;
	b[2] = 6;
	put32(b + 4, xid);
	put32(b + 16, yiaddr);
	put32(b + 20, e->src_ip);
	memcpy(b + 28, e->dst_mac, 6);
	put32(b + 236, 0x63825363); /* magic cookie */
	uint8_t *o = b + 240;
	/* One DHCP option a line. */
	/* clang-format off */
	*o++ = 53; *o++ = 1; *o++ = type;                        /* OFFER or ACK */
	*o++ = 54; *o++ = 4; put32(o, e->src_ip); o += 4;        /* server id */
	*o++ = 51; *o++ = 4; put32(o, 86400); o += 4;            /* lease */
	*o++ = 1; *o++ = 4; put32(o, 0xffffff00); o += 4;        /* netmask */
	*o++ = 3; *o++ = 4; put32(o, e->src_ip); o += 4;         /* router */
	*o++ = 6; *o++ = 4; put32(o, e->src_ip); o += 4;         /* DNS */
	/* clang-format on */
	*o++ = 255;
	struct lf_ends bc = *e;
	bc.dst_ip = 0xffffffff;
	return lf_udp(out, &bc, 67, 68, b, (size_t)(o - b));
}
