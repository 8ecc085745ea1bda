/*
 * nic_arp: the Nic's first client.  Through the Nic capability it was
 * granted ("nic") it asks QEMU's user-network gateway for its MAC, by
 * ARP (10.0.2.15 asking who has 10.0.2.2), twice: once over IPC
 * (sendBatch/receive), once over the shared frame ring (txKick/rxWait).
 * No network stack: one broadcast request, and only the gateway answers.
 * Then it tries the ring the way a hostile client would (an impossible
 * producer index, a slot with a bad length) and checks both are refused
 * and counted.  Every wait is bounded (ATTEMPTS tries of one second).
 *
 * Run by: system-net.cue (`make run-net`), smoke net_arp.
 */
#include <capos/nic.h>
#include <capos/rt.h>

#include "demo.h"
#include "eth_arp.h"

#define NAME     "nic_arp"
#define ATTEMPTS 5
#define WAIT_NS  1000000000ull
#define GATEWAY  IPV4(10, 0, 2, 2)
#define ME       IPV4(10, 0, 2, 15)

static struct capos_nic nic;
static uint8_t mac[6];

struct found {
	bool seen;
	uint8_t mac[6];
};

static void check_frame(void *ctx, const uint8_t *frame, uint32_t len)
{
	struct found *f = ctx;
	struct arp_packet a;
	if (arp_parse_reply(frame, len, &a) == ARP_OK && a.sender_ip == GATEWAY &&
	    a.target_ip == ME) {
		f->seen = true;
		memcpy(f->mac, a.sender_mac, 6);
	}
}

static void print_gateway(const char *path, const struct found *f)
{
	const uint8_t *m = f->mac;
	DEMO_CHECK(NAME, f->seen, "%s: ARP reply: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n",
	           path, m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void arp_over_ipc(void)
{
	uint8_t req[ETH_MIN_FRAME];
	uint32_t len = (uint32_t)arp_build_request(req, sizeof req, mac, ME, GATEWAY);
	struct found f = {0};
	for (int i = 0; i < ATTEMPTS && !f.seen; i++) {
		const void *frames[1] = {req};
		uint32_t accepted = 0;
		struct capos_call_error err;
		if (capos_nic_send(&nic, frames, &len, 1, &accepted, &err) != 0 || accepted != 1)
			continue;
		unsigned got = 0;
		for (int j = 0; j < 4 && !f.seen; j++)
			if (capos_nic_receive(&nic, 8, WAIT_NS / 4, check_frame, &f, &got, &err) != 0)
				break;
	}
	print_gateway("IPC", &f);
}

static void arp_over_ring(void)
{
	struct capos_call_error err;
	int e = capos_nic_ring_open(&nic, &err);
	DEMO_CHECK(NAME, e == 0, "frame ring mapped (%s)\n", e ? err.message : "64 + 64 slots");
	if (e)
		return;
	uint8_t req[ETH_MIN_FRAME], buf[CAPOS_NIC_FRAME_MAX];
	uint32_t len = (uint32_t)arp_build_request(req, sizeof req, mac, ME, GATEWAY);
	struct found f = {0};
	for (int i = 0; i < ATTEMPTS && !f.seen; i++) {
		uint32_t pending = 0;
		if (capos_nic_ring_put(&nic, req, len) != FRING_OK ||
		    capos_nic_ring_kick(&nic, &pending, &err) != 0)
			break;
		for (int j = 0; j < 4 && !f.seen; j++) {
			if (capos_nic_ring_wait(&nic, WAIT_NS / 4, &err) != 0)
				break;
			uint32_t got;
			int r;
			while ((r = capos_nic_ring_get(&nic, buf, sizeof buf, &got)) != FRING_ERR_EMPTY)
				if (r == FRING_OK)
					check_frame(&f, buf, got);
		}
	}
	print_gateway("frame ring", &f);
}

/* A client that lies: the driver must refuse and count, not crash. */
static void hostile_ring(void)
{
	struct capos_nic_counters before, after;
	struct capos_call_error err;
	if (capos_nic_counters(&nic, &before, &err) != 0)
		return;
	/* a producer index far beyond what the ring holds */
	nic.tx.mine += 1000;
	int e = capos_nic_ring_kick(&nic, NULL, &err);
	nic.tx.mine -= 1000;
	DEMO_CHECK(NAME, e != 0 && err.kind == CAPOS_ERROR_EXCEPTION,
	           "txKick with an impossible producer index refused (%s)\n",
	           e ? err.message : "accepted!");
	/* the published index goes back; then a slot whose length is 9000 */
	uint8_t req[ETH_MIN_FRAME];
	uint32_t len = (uint32_t)arp_build_request(req, sizeof req, mac, ME, GATEWAY);
	uint8_t *slot = nic.tx.slots_base + (size_t)(nic.tx.mine & (nic.tx.slots - 1)) * nic.tx.slot_size;
	(void)capos_nic_ring_put(&nic, req, len);
	uint32_t bad = 9000;
	memcpy(slot, &bad, 4);
	e = capos_nic_ring_kick(&nic, NULL, &err);
	DEMO_CHECK(NAME, e == 0, "a slot with length 9000 is skipped, the ring goes on\n");
	e = capos_nic_counters(&nic, &after, &err);
	DEMO_CHECK(NAME, e == 0 && after.tx_errors >= before.tx_errors + 2,
	           "both counted as TX errors (%lu -> %lu)\n", (unsigned long)before.tx_errors,
	           (unsigned long)after.tx_errors);
}

int main(void)
{
	struct capos_call_error err;
	int e = capos_nic_open(&nic, &capos_rt_ring, &capos_rt.capset, "nic");
	DEMO_CHECK(NAME, e == 0, "holds a Nic ('nic')\n");
	if (e)
		return demo_finish(NAME);
	e = capos_nic_mac(&nic, mac, &err);
	DEMO_CHECK(NAME, e == 0, "MAC %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2],
	           mac[3], mac[4], mac[5]);
	bool up = false;
	uint16_t mtu = 0;
	e = capos_nic_link(&nic, &up, &mtu, &err);
	DEMO_CHECK(NAME, e == 0 && up, "link %s, MTU %u\n", up ? "up" : "down", mtu);
	arp_over_ipc();
	arp_over_ring();
	hostile_ring();
	struct capos_nic_counters c;
	if (capos_nic_counters(&nic, &c, &err) == 0)
		capos_printf("[%s] counters: RX %lu frames %lu bytes, TX %lu frames %lu bytes, "
		             "TX errors %lu, device errors %lu\n",
		             demo_name(NAME),
		             (unsigned long)c.rx_frames, (unsigned long)c.rx_bytes,
		             (unsigned long)c.tx_frames, (unsigned long)c.tx_bytes,
		             (unsigned long)c.tx_errors, (unsigned long)c.device_errors);
	return demo_finish(NAME);
}
