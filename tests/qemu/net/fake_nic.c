/*
 * fake_nic: a Nic (schema/nic.capnp) with no device behind it, so the
 * netstack service runs in QEMU before the virtio-net driver exists
 * (smoke netstack_fake_nic, tests/qemu/net/netstack_fake_nic.cue).
 *
 * It offers no frame ring (frameRing is `unimplemented`), so the netstack
 * uses sendBatch/receive.  It plays a DHCP server: a DISCOVER is answered
 * with an OFFER of 10.0.2.15 from 10.0.2.2, a REQUEST with an ACK, each
 * handed out by the next receive.  The first call after the ACK went out
 * is answered and fake_nic exits: the netstack then finds the Nic gone
 * and exits too.  receive never blocks (no timer here): it answers an
 * empty list at once, and after MAX_IDLE empty answers fake_nic gives up.
 *
 * The first receive also hands out GARBAGE_FRAMES hostile frames before
 * the real one: a runt and an oversized frame (the netstack must refuse
 * and count both), and three that reach lwIP (random bytes as IPv4, a
 * broadcast ARP of random bytes, an IPv4 header claiming 60 bytes in a
 * 40-byte frame), which it must drop.  The DHCP exchange must still work.
 *
 * Exit code 0 when DISCOVER, REQUEST and the ACK's delivery all happened.
 */
#include <capos/endpoint.h>
#include <capos/rt.h>
#include <capos/server.h>

#include "capnp/capnp.h"
#include "lwip_frames.h"
#include "nic.capnp.h"

#define MAX_IDLE       200000u
#define GARBAGE_FRAMES 5u
#define GARBAGE_BYTES  (13u + 1600u + 1514u + 60u + 40u)

static const uint8_t our_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t server_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

static struct {
	uint8_t pending[LF_MAX];
	size_t pending_len;
	bool discover, request, ack_sent, done, garbage_sent;
	uint32_t idle, frames;
} st;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The DHCP message type of a client frame (UDP 68 -> 67), or 0. */
static int dhcp_type(const uint8_t *f, size_t len, uint32_t *xid)
{
	const size_t bootp = 14 + 20 + 8;
	if (len < bootp + 240 || f[12] != 0x08 || f[13] != 0x00 || f[14] != 0x45 || f[23] != 17 ||
	    f[34] != 0 || f[35] != 68 || f[36] != 0 || f[37] != 67)
		return 0;
	*xid = get32(f + bootp + 4);
	for (size_t o = bootp + 240; o + 2 <= len && f[o] != 255;) {
		if (f[o] == 0) {
			o++;
			continue;
		}
		if (f[o] == 53 && f[o + 1] == 1 && o + 2 < len)
			return f[o + 2];
		o += 2u + f[o + 1];
	}
	return 0;
}

static void answer(const uint8_t *f, uint8_t type, uint32_t xid)
{
	struct lf_ends e = {.src_ip = 0x0a000202, .dst_ip = 0x0a00020f};
	memcpy(e.src_mac, server_mac, 6);
	memcpy(e.dst_mac, f + 6, 6);
	st.pending_len = lf_dhcp_reply(st.pending, &e, type, xid, 0x0a00020f);
}

static void take_frame(const uint8_t *f, size_t len)
{
	uint32_t xid = 0;
	st.frames++;
	switch (dhcp_type(f, len, &xid)) {
	case 1:
		capos_printf("[fake_nic] DHCP DISCOVER (xid 0x%08x): offering 10.0.2.15\n", xid);
		st.discover = true;
		answer(f, LF_DHCP_OFFER, xid);
		break;
	case 3:
		capos_printf("[fake_nic] DHCP REQUEST (xid 0x%08x): acknowledging\n", xid);
		st.request = true;
		answer(f, LF_DHCP_ACK, xid);
		break;
	default:
		break;
	}
}

static int reply_ok(struct capos_server_reply *reply, struct capnp_builder *b)
{
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return capos_server_exception(reply, capos_CapException_Type_failed, "reply too long");
	reply->len = (uint32_t)len;
	return CAPOS_SERVER_REPLY;
}

static int send_batch(const struct capos_server_call *call, struct capos_server_reply *reply,
                      struct capnp_builder *b)
{
	struct capnp_reader in;
	if (capnp_reader_init(&in, call->params, call->params_len) != CAPNP_OK)
		return capos_server_exception(reply, capos_CapException_Type_invalidArgument, "bad params");
	struct capnp_list frames = nic_Nic_sendBatch_Params_get_frames(nic_Nic_sendBatch_Params_read_root(&in));
	uint32_t n = capnp_list_len(frames);
	for (uint32_t i = 0; i < n; i++) {
		struct capnp_data d = capnp_list_get_data(frames, i);
		if (d.ptr && d.len >= 14 && d.len <= 1514)
			take_frame(d.ptr, d.len);
	}
	nic_Nic_sendBatch_Results_set_accepted(nic_Nic_sendBatch_Results_init_root(b), n);
	return reply_ok(reply, b);
}

/* The hostile frames (see the top), filled with xorshift bytes. */
static void fill_garbage(uint8_t *g, uint32_t lens[GARBAGE_FRAMES])
{
	static const uint32_t len[GARBAGE_FRAMES] = {13, 1600, 1514, 60, 40};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (uint32_t i = 0; i < GARBAGE_BYTES; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		g[i] = (uint8_t)x;
	}
	uint8_t *ip = g + 13 + 1600, *arp = ip + 1514, *trunc = arp + 60;
	memcpy(ip, our_mac, 6);
	ip[12] = 0x08, ip[13] = 0x00;
	memset(arp, 0xff, 6);
	arp[12] = 0x08, arp[13] = 0x06;
	memcpy(trunc, our_mac, 6);
	trunc[12] = 0x08, trunc[13] = 0x00, trunc[14] = 0x4f; /* IPv4, IHL 15 */
	memcpy(lens, len, sizeof len);
}

static int receive(struct capos_server_reply *reply, struct capnp_builder *b)
{
	nic_Nic_receive_Results_builder r = nic_Nic_receive_Results_init_root(b);
	if (!st.garbage_sent) {
		static uint8_t g[GARBAGE_BYTES];
		uint32_t lens[GARBAGE_FRAMES], at = 0;
		fill_garbage(g, lens);
		st.garbage_sent = true;
		struct capnp_list_builder l =
			nic_Nic_receive_Results_init_frames(r, GARBAGE_FRAMES + (st.pending_len ? 1u : 0u));
		for (uint32_t i = 0; i < GARBAGE_FRAMES; at += lens[i++])
			capnp_lb_set_data(l, i, g + at, lens[i]);
		if (st.pending_len)
			capnp_lb_set_data(l, GARBAGE_FRAMES, st.pending, st.pending_len);
		st.ack_sent = st.request && st.pending_len;
		st.pending_len = 0;
		capos_printf("[fake_nic] handed out %u hostile frames\n", GARBAGE_FRAMES);
	} else if (st.pending_len) {
		capnp_lb_set_data(nic_Nic_receive_Results_init_frames(r, 1), 0, st.pending, st.pending_len);
		st.ack_sent = st.request;
		st.pending_len = 0;
		st.idle = 0;
	} else {
		nic_Nic_receive_Results_init_frames(r, 0);
		if (++st.idle > MAX_IDLE) {
			capos_printf("[fake_nic] FAIL: %u empty receives and no DHCP exchange\n", MAX_IDLE);
			st.done = true;
		}
	}
	return reply_ok(reply, b);
}

static int handle(void *ctx, const struct capos_server_call *call, struct capos_server_reply *reply)
{
	(void)ctx;
	bool last = st.ack_sent; /* the netstack has had the ACK: answer this, then stop */
	struct capnp_builder b;
	capnp_builder_init(&b, reply->buf, reply->cap);
	int r;
	switch (call->method_id) {
	case nic_Nic_macAddress_METHOD:
		nic_Nic_macAddress_Results_set_mac(nic_Nic_macAddress_Results_init_root(&b), our_mac, 6);
		r = reply_ok(reply, &b);
		break;
	case nic_Nic_linkStatus_METHOD: {
		nic_Nic_linkStatus_Results_builder l = nic_Nic_linkStatus_Results_init_root(&b);
		nic_Nic_linkStatus_Results_set_up(l, true);
		nic_Nic_linkStatus_Results_set_mtu(l, 1500);
		r = reply_ok(reply, &b);
		break;
	}
	case nic_Nic_sendBatch_METHOD:
		r = send_batch(call, reply, &b);
		break;
	case nic_Nic_receive_METHOD:
		r = receive(reply, &b);
		break;
	default:
		r = capos_server_exception(reply, capos_CapException_Type_unimplemented,
		                           "fake_nic: no frame ring, messages only");
		break;
	}
	return last || st.done ? CAPOS_SERVER_STOP : r;
}

int main(void)
{
	struct capos_cap ep;
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) != 0) {
		capos_printf("[fake_nic] no endpoint\n");
		return 1;
	}
	struct capos_server_stats stats;
	int e = capos_server_run(&capos_rt_ring, ep.cap_id, handle, NULL, &stats);
	bool ok = e == 0 && st.discover && st.request && st.ack_sent;
	capos_printf("[fake_nic] %s: %llu calls, %u frames from the netstack\n",
	             ok ? "done, DHCP lease handed out" : "FAIL", (unsigned long long)stats.calls,
	             st.frames);
	return ok ? 0 : 1;
}
