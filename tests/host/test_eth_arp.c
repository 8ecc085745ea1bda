/* lib/eth_arp.c: the request's exact bytes, replies, hostile frames. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "eth_arp.h"

static const uint8_t our_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t gw_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

Test(eth_arp, request_bytes)
{
	uint8_t buf[128];
	memset(buf, 0xee, sizeof buf);
	cr_assert_eq(arp_build_request(buf, sizeof buf, our_mac, IPV4(10, 0, 2, 15),
	                               IPV4(10, 0, 2, 2)),
	             60);
	static const uint8_t want[42] = {
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0x52,
		0x54,
		0x00,
		0x12,
		0x34,
		0x56,
		0x08,
		0x06,
		0x00,
		0x01,
		0x08,
		0x00,
		6,
		4,
		0x00,
		0x01,
		0x52,
		0x54,
		0x00,
		0x12,
		0x34,
		0x56,
		10,
		0,
		2,
		15,
		0,
		0,
		0,
		0,
		0,
		0,
		10,
		0,
		2,
		2,
	};
	cr_expect_arr_eq(buf, want, sizeof want);
	for (unsigned i = 42; i < 60; i++)
		cr_expect_eq(buf[i], 0, "padding byte %u", i);
	cr_expect_eq(buf[60], 0xee, "nothing written past the frame");
}

Test(eth_arp, request_needs_room)
{
	uint8_t buf[59];
	cr_expect_eq(arp_build_request(buf, sizeof buf, our_mac, 1, 2), 0);
}

static size_t reply(uint8_t *b, uint16_t op)
{
	memset(b, 0, 60);
	memcpy(b, our_mac, 6);
	memcpy(b + 6, gw_mac, 6);
	b[12] = 0x08, b[13] = 0x06;
	b[14] = 0, b[15] = 1, b[16] = 8, b[17] = 0, b[18] = 6, b[19] = 4;
	b[20] = (uint8_t)(op >> 8), b[21] = (uint8_t)op;
	memcpy(b + 22, gw_mac, 6);
	memcpy(b + 28, (uint8_t[]){10, 0, 2, 2}, 4);
	memcpy(b + 32, our_mac, 6);
	memcpy(b + 38, (uint8_t[]){10, 0, 2, 15}, 4);
	return 60;
}

Test(eth_arp, reply_gives_sender_mac)
{
	uint8_t b[60];
	struct arp_packet p;
	cr_assert_eq(arp_parse_reply(b, reply(b, ARP_OP_REPLY), &p), ARP_OK);
	cr_expect_arr_eq(p.sender_mac, gw_mac, 6);
	cr_expect_eq(p.sender_ip, IPV4(10, 0, 2, 2));
	cr_expect_eq(p.target_ip, IPV4(10, 0, 2, 15));
	cr_expect_arr_eq(p.target_mac, our_mac, 6);
}

Test(eth_arp, request_is_not_a_reply)
{
	uint8_t b[60];
	struct arp_packet p;
	cr_expect_eq(arp_parse_reply(b, reply(b, ARP_OP_REQUEST), &p), ARP_ERR_OP);
	cr_expect_eq(arp_parse(b, 60, &p), ARP_OK);
}

Test(eth_arp, hostile_frames_refused)
{
	uint8_t b[60];
	struct arp_packet p;
	reply(b, ARP_OP_REPLY);
	for (size_t len = 0; len < 42; len++) {
		/* each truncation read from an exact-size heap copy: ASan sees overreads */
		uint8_t *t = malloc(len ? len : 1);
		memcpy(t, b, len);
		cr_assert_eq(arp_parse_reply(t, len, &p), ARP_ERR_SHORT, "len %zu", len);
		free(t);
	}
	b[13] = 0x00; /* IPv4 EtherType */
	cr_expect_eq(arp_parse_reply(b, 60, &p), ARP_ERR_NOT_ARP);
	reply(b, ARP_OP_REPLY);
	b[18] = 8; /* hardware address length */
	cr_expect_eq(arp_parse_reply(b, 60, &p), ARP_ERR_FORMAT);
	reply(b, ARP_OP_REPLY);
	b[17] = 0xdd; /* protocol 0x86dd */
	cr_expect_eq(arp_parse_reply(b, 60, &p), ARP_ERR_FORMAT);
	for (int e = 0; e >= ARP_ERR_OP; e--)
		cr_expect_str_neq(arp_strerror(e), "unknown ARP error");
}
