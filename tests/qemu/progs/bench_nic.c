/*
 * bench_nic: the cost of moving frames through the Nic capability
 * (`make bench-nic`, docs/networking.md).  Under QEMU's -icount shift=0
 * the TSC counts guest instructions (one per ns of guest time), so every
 * figure is guest instructions, and frames per second are in guest time.
 *
 *  - TX, IPC path: sendBatch of 1 and of 32 frames.
 *  - TX, frame ring: 1 or 32 frames put, then one txKick.
 *  - Round trip: an ARP request for 10.0.2.2 and its reply, over IPC
 *    (sendBatch + receive) and over the ring (kick + rxWait).
 *
 * TX frames go to the gateway's MAC with the local experimental EtherType
 * 0x88b5, which QEMU's user network drops: nothing else is addressed,
 * nothing comes back, and the count is bounded (FRAMES per case).
 *
 * Run by: `make bench-nic` (services/virtio_net/bench-nic.cue).
 */
#include <capos/nic.h>
#include <capos/rt.h>

#include "eth_arp.h"

#define NAME    "bench_nic"
#define FRAMES  1024u
#define ROUNDS  64u
#define WAIT_NS 1000000000ull

static struct capos_nic nic;
static uint8_t mac[6];
static uint8_t frame[ETH_MIN_FRAME];
static const uint8_t gateway_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	/* clang-format on */
	return (uint64_t)hi << 32 | lo;
}

/* calls: more than frames/batch when the driver's TX buffers were full
 * (QEMU had not yet processed the earlier frames) and a call was repeated. */
static void report(const char *what, unsigned batch, uint64_t ticks, unsigned n, unsigned calls)
{
	uint64_t per = ticks / n;
	capos_printf("[%s] %s batch %u: %u frames in %u calls, %lu instructions/frame, "
	             "%lu frames/s (guest time)\n",
	             NAME, what, batch, n, calls, (unsigned long)per,
	             (unsigned long)(per ? 1000000000ull / per : 0));
}

static int tx_ipc(unsigned batch)
{
	const void *frames[32];
	uint32_t lens[32];
	for (unsigned i = 0; i < batch; i++) {
		frames[i] = frame;
		lens[i] = sizeof frame;
	}
	unsigned sent = 0, tries = 0;
	uint64_t t0 = rdtsc();
	while (sent < FRAMES && tries++ < 8 * FRAMES) {
		uint32_t acc = 0;
		if (capos_nic_send(&nic, frames, lens, batch, &acc, NULL) != 0)
			return -1;
		sent += acc;
	}
	report("TX IPC", batch, rdtsc() - t0, sent, tries);
	return 0;
}

static int tx_ring(unsigned batch)
{
	unsigned sent = 0, tries = 0;
	uint64_t t0 = rdtsc(), in_put = 0;
	while (sent < FRAMES && tries++ < 8 * FRAMES) {
		unsigned put = 0;
		uint64_t p0 = rdtsc();
		while (put < batch && capos_nic_ring_put(&nic, frame, sizeof frame) == FRING_OK)
			put++;
		in_put += rdtsc() - p0;
		uint32_t pending = 0;
		if (capos_nic_ring_kick(&nic, &pending, NULL) != 0)
			return -1;
		sent += put;
	}
	report("TX ring", batch, rdtsc() - t0, sent, tries);
	capos_printf("[%s] TX ring batch %u: of which %lu instructions/frame filling slots\n", NAME,
	             batch, (unsigned long)(sent ? in_put / sent : 0));
	return 0;
}

static bool is_reply(const uint8_t *f, uint32_t len)
{
	struct arp_packet a;
	return arp_parse_reply(f, len, &a) == ARP_OK && a.sender_ip == IPV4(10, 0, 2, 2);
}

static void on_frame(void *ctx, const uint8_t *f, uint32_t len)
{
	if (is_reply(f, len))
		*(bool *)ctx = true;
}

static void rtt(bool ring)
{
	uint8_t req[ETH_MIN_FRAME], buf[CAPOS_NIC_FRAME_MAX];
	uint32_t len = (uint32_t)arp_build_request(req, sizeof req, mac, IPV4(10, 0, 2, 15),
	                                           IPV4(10, 0, 2, 2));
	unsigned done = 0;
	uint64_t t0 = rdtsc();
	for (unsigned r = 0; r < ROUNDS; r++) {
		bool seen = false;
		if (ring) {
			if (capos_nic_ring_put(&nic, req, len) != FRING_OK ||
			    capos_nic_ring_kick(&nic, NULL, NULL) != 0)
				break;
			for (int w = 0; w < 4 && !seen; w++) {
				if (capos_nic_ring_wait(&nic, WAIT_NS, NULL) != 0)
					break;
				uint32_t got;
				int e;
				while ((e = capos_nic_ring_get(&nic, buf, sizeof buf, &got)) != FRING_ERR_EMPTY)
					if (e == FRING_OK && is_reply(buf, got))
						seen = true;
			}
		} else {
			const void *frames[1] = {req};
			uint32_t acc;
			unsigned got;
			if (capos_nic_send(&nic, frames, &len, 1, &acc, NULL) != 0)
				break;
			for (int w = 0; w < 4 && !seen; w++)
				if (capos_nic_receive(&nic, 8, WAIT_NS, on_frame, &seen, &got, NULL) != 0)
					break;
		}
		if (!seen)
			break;
		done++;
	}
	uint64_t ticks = rdtsc() - t0;
	capos_printf("[%s] ARP round trip %s: %u of %u rounds, %lu instructions/round\n", NAME,
	             ring ? "ring" : "IPC", done, ROUNDS, (unsigned long)(done ? ticks / done : 0));
}

int main(void)
{
	if (capos_nic_open(&nic, &capos_rt_ring, &capos_rt.capset, "nic") != 0 ||
	    capos_nic_mac(&nic, mac, NULL) != 0) {
		capos_printf("[%s] no Nic\n", NAME);
		return 1;
	}
	memcpy(frame, gateway_mac, 6);
	memcpy(frame + 6, mac, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	int err = tx_ipc(1) || tx_ipc(32);
	rtt(false);
	struct capos_call_error e;
	if (err == 0 && capos_nic_ring_open(&nic, &e) != 0) {
		capos_printf("[%s] frame ring refused: %s\n", NAME, e.message);
		return 1;
	}
	err = err || tx_ring(1) || tx_ring(32);
	rtt(true);
	capos_printf("[%s] %s\n", NAME, err ? "FAILED" : "done");
	return err ? 1 : 0;
}
