/* lib/virtio/virtio_net.c against the fake device: bring-up, batches,
 * receive, hostile answers and buffer accounting; ARP end to end. */
#include <criterion/criterion.h>
#include <string.h>

#include "eth_arp.h"
#include "fake_virtio_net.h"
#include "virtio/virtio_net.h"

#define QSIZE 32

static struct fake_net f;
static struct vnet n;

static int start(void)
{
	struct virtio_pci_layout l = fake_net_layout();
	return vnet_start(&n, &f.ops, &l, f.pool, f.pool_len, QSIZE, 0);
}

static void setup(void)
{
	fake_net_init(&f, vnet_pool_size(QSIZE));
}

static void teardown(void)
{
	fake_net_free(&f);
}

TestSuite(vnet, .init = setup, .fini = teardown);

static void frame(uint8_t *buf, uint32_t len, uint8_t tag)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(tag + i);
}

Test(vnet, start_negotiates_reads_mac_and_fills_rx)
{
	cr_assert_eq(start(), VIRTIO_OK);
	cr_expect_arr_eq(n.mac, f.mac, 6);
	cr_expect(vnet_link_up(&n));
	/* clang-format off */
	cr_expect_eq(n.dev.features, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
	             VIRTIO_BIT(VIRTIO_NET_F_STATUS), "event idx offered but not asked for");
	/* clang-format on */
	cr_expect(f.status & VIRTIO_STATUS_DRIVER_OK);
	cr_expect_eq(n.rx.in_flight, QSIZE, "every RX buffer posted");
	cr_expect_eq(f.notifies[VNET_RXQ], 1, "one notify for the whole refill");
	cr_expect(f.q[0].enabled && f.q[1].enabled);
	cr_expect_eq(f.dma_faults, 0);
	cr_expect_eq(f.q[0].msix, 0);
	cr_expect_eq(f.q[1].msix, 0);
	cr_expect_eq(f.config_msix, 0);
}

Test(vnet, access_platform_accepted_when_offered)
{
	f.offered |= VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
	cr_assert_eq(start(), VIRTIO_OK);
	cr_expect(n.dev.features & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM));
}

Test(vnet, vector_the_device_cannot_keep_refused)
{
	struct virtio_pci_layout l = fake_net_layout();
	cr_expect_eq(vnet_start(&n, &f.ops, &l, f.pool, f.pool_len, QSIZE, 5), VIRTIO_ERR_QUEUE);
	cr_expect(f.status & VIRTIO_STATUS_FAILED);
	fake_net_free(&f);
	setup();
	cr_expect_eq(vnet_start(&n, &f.ops, &l, f.pool, f.pool_len, QSIZE, VIRTIO_MSI_NO_VECTOR),
	             VIRTIO_OK, "no vector: polled operation");
}

Test(vnet, link_status)
{
	f.net_status = 0;
	cr_assert_eq(start(), VIRTIO_OK);
	cr_expect_not(vnet_link_up(&n));
	f.net_status = VIRTIO_NET_S_LINK_UP;
	cr_expect(vnet_link_up(&n));
}

Test(vnet, link_assumed_up_without_status_feature)
{
	f.offered &= ~VIRTIO_BIT(VIRTIO_NET_F_STATUS);
	f.net_status = 0;
	cr_assert_eq(start(), VIRTIO_OK);
	cr_expect(vnet_link_up(&n));
}

Test(vnet, refuses_device_without_mac_or_queues)
{
	f.offered &= ~VIRTIO_BIT(VIRTIO_NET_F_MAC);
	cr_expect_eq(start(), VIRTIO_ERR_FEATURES);
	cr_expect(f.status & VIRTIO_STATUS_FAILED);
	fake_net_free(&f);
	setup();
	f.num_queues = 1;
	cr_expect_eq(start(), VIRTIO_ERR_QUEUE);
	cr_expect(f.status & VIRTIO_STATUS_FAILED);
	cr_expect_not(f.q[0].enabled);
}

Test(vnet, refuses_bad_pool)
{
	struct virtio_pci_layout l = fake_net_layout();
	cr_expect_eq(vnet_start(&n, &f.ops, &l, f.pool, f.pool_len - 1, QSIZE, 0), VIRTIO_ERR_ARG);
	cr_expect_eq(vnet_start(&n, &f.ops, &l, f.pool + 8, f.pool_len - 8, 8, 0), VIRTIO_ERR_ARG);
	cr_expect_eq(vnet_start(&n, &f.ops, &l, f.pool, f.pool_len, 24, 0), VIRTIO_ERR_ARG,
	             "not a power of two");
	cr_expect_eq(f.status, 0, "device untouched");
}

Test(vnet, batch_of_32_is_one_notify)
{
	cr_assert_eq(start(), VIRTIO_OK);
	static uint8_t bufs[32][1514];
	const void *frames[32];
	uint32_t lens[32];
	for (unsigned i = 0; i < 32; i++) {
		lens[i] = 60 + i * 40;
		frame(bufs[i], lens[i], (uint8_t)i);
		frames[i] = bufs[i];
	}
	cr_assert_eq(vnet_send_batch(&n, frames, lens, 32), 32);
	cr_expect_eq(f.notifies[VNET_TXQ], 1);
	cr_assert_eq(f.tx_count, 32);
	uint64_t bytes = 0;
	for (unsigned i = 0; i < 32; i++) {
		cr_assert_eq(f.tx_len[i], lens[i]);
		cr_assert_arr_eq(f.tx[i], bufs[i], lens[i]);
		bytes += lens[i];
	}
	cr_expect_eq(vnet_reclaim_tx(&n), VIRTIO_OK);
	cr_expect_eq(n.c.tx_frames, 32);
	cr_expect_eq(n.c.tx_bytes, bytes);
	cr_expect_eq(n.tx_nfree, QSIZE);
}

Test(vnet, batch_stops_when_tx_buffers_run_out)
{
	cr_assert_eq(start(), VIRTIO_OK);
	f.hold_tx = true;
	static uint8_t buf[64];
	const void *frames[40];
	uint32_t lens[40];
	for (unsigned i = 0; i < 40; i++) {
		frames[i] = buf;
		lens[i] = sizeof buf;
	}
	cr_expect_eq(vnet_send_batch(&n, frames, lens, 40), QSIZE);
	cr_expect_eq(vnet_send_batch(&n, frames, lens, 8), 0, "all in flight");
	fake_net_tx(&f);
	cr_expect_eq(vnet_send_batch(&n, frames, lens, 8), 8, "completions free buffers");
	cr_expect_eq(n.c.tx_frames, QSIZE);
	cr_expect_eq(n.c.tx_drops, 0);
}

Test(vnet, bad_frame_lengths_counted)
{
	cr_assert_eq(start(), VIRTIO_OK);
	static uint8_t buf[2000];
	const void *frames[3] = {buf, buf, buf};
	uint32_t lens[3] = {13, 1515, 60};
	cr_expect_eq(vnet_send_batch(&n, frames, lens, 3), 3);
	cr_expect_eq(n.c.tx_errors, 2);
	cr_expect_eq(f.tx_count, 1);
}

Test(vnet, receive_copies_and_reposts)
{
	cr_assert_eq(start(), VIRTIO_OK);
	uint8_t in[100], out[1514];
	frame(in, sizeof in, 7);
	uint32_t len = 0;
	cr_expect_eq(vnet_receive(&n, out, sizeof out, &len), VIRTIO_ERR_EMPTY);
	for (unsigned round = 0; round < 3 * QSIZE; round++) {
		cr_assert(fake_net_rx(&f, in, sizeof in), "a posted buffer at round %u", round);
		cr_assert_eq(vnet_receive(&n, out, sizeof out, &len), VIRTIO_OK);
		cr_assert_eq(len, sizeof in);
		cr_assert_arr_eq(out, in, sizeof in);
	}
	cr_expect_eq(n.c.rx_frames, 3 * QSIZE);
	cr_expect_eq(n.c.rx_bytes, 3 * QSIZE * sizeof in);
	cr_expect_eq(n.rx.in_flight, QSIZE, "buffers go straight back to the device");
}

Test(vnet, receive_drops_frame_larger_than_caller_buffer)
{
	cr_assert_eq(start(), VIRTIO_OK);
	uint8_t in[200] = {0}, out[100];
	uint32_t len;
	cr_assert(fake_net_rx(&f, in, sizeof in));
	cr_expect_eq(vnet_receive(&n, out, sizeof out, &len), VIRTIO_ERR_EMPTY);
	cr_expect_eq(n.c.rx_drops, 1);
	cr_expect_eq(n.rx.in_flight, QSIZE, "the dropped frame's buffer is posted again");
}

Test(vnet, hostile_lengths_dropped_not_copied)
{
	cr_assert_eq(start(), VIRTIO_OK);
	int h1 = fake_net_take_avail(&f, VNET_RXQ);
	int h2 = fake_net_take_avail(&f, VNET_RXQ);
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)h1, VNET_BUF_SIZE + 1, 1); /* past the buffer */
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)h2, 5, 1);                 /* runt */
	uint8_t out[VNET_BUF_SIZE];
	uint32_t len;
	cr_expect_eq(vnet_receive(&n, out, sizeof out, &len), VIRTIO_ERR_EMPTY);
	cr_expect_eq(n.c.rx_errors, 2);
	cr_expect_eq(n.c.rx_frames, 0);
	cr_expect_eq(n.rx.in_flight, QSIZE, "both buffers posted again");
	cr_expect_eq(vnet_stop(&n), VIRTIO_OK);
	cr_expect(vnet_accounted(&n));
}

Test(vnet, hostile_id_breaks_and_stop_recovers_every_buffer)
{
	cr_assert_eq(start(), VIRTIO_OK);
	f.hold_tx = true;
	static uint8_t buf[64];
	const void *frames[4] = {buf, buf, buf, buf};
	uint32_t lens[4] = {64, 64, 64, 64};
	cr_assert_eq(vnet_send_batch(&n, frames, lens, 4), 4);
	fake_net_push_used(&f, VNET_RXQ, 0xdeadbeef, 100, 1);
	uint8_t out[1514];
	uint32_t len;
	cr_expect_eq(vnet_receive(&n, out, sizeof out, &len), VIRTIO_ERR_DEVICE);
	cr_expect_eq(n.c.rx_errors, 1);
	cr_expect_not(vnet_accounted(&n));
	/* killed mid-transfer: reset first, then the buffers come back */
	cr_expect_eq(vnet_stop(&n), VIRTIO_OK);
	cr_expect_eq(f.status, 0);
	cr_expect(vnet_accounted(&n));
	cr_expect_eq(n.c.tx_drops, 4, "frames in flight at the reset are counted as dropped");
}

Test(vnet, stop_refuses_to_reclaim_when_reset_fails)
{
	cr_assert_eq(start(), VIRTIO_OK);
	f.stuck_reset = true;
	cr_expect_eq(vnet_stop(&n), VIRTIO_ERR_RESET);
	cr_expect_not(vnet_accounted(&n), "the device may still write: buffers stay out");
}

Test(vnet, used_index_jump_on_tx_breaks_queue)
{
	cr_assert_eq(start(), VIRTIO_OK);
	f.hold_tx = true;
	static uint8_t buf[64];
	const void *frames[1] = {buf};
	uint32_t lens[1] = {64};
	cr_assert_eq(vnet_send_batch(&n, frames, lens, 1), 1);
	int head = fake_net_take_avail(&f, VNET_TXQ);
	fake_net_push_used(&f, VNET_TXQ, (uint32_t)head, 0, 40);
	cr_expect_eq(vnet_send_batch(&n, frames, lens, 1), VIRTIO_ERR_DEVICE);
	cr_expect_eq(n.tx.c.bad_index, 1);
	cr_expect_eq(vnet_stop(&n), VIRTIO_OK);
	cr_expect(vnet_accounted(&n));
}

Test(vnet, tx_length_quirk_tolerated)
{
	cr_assert_eq(start(), VIRTIO_OK);
	f.tx_used_len = 76; /* some devices report bytes read */
	static uint8_t buf[64];
	const void *frames[1] = {buf};
	uint32_t lens[1] = {64};
	cr_assert_eq(vnet_send_batch(&n, frames, lens, 1), 1);
	cr_expect_eq(vnet_reclaim_tx(&n), VIRTIO_OK);
	cr_expect_eq(n.c.tx_frames, 1);
	cr_expect_eq(n.tx.c.bad_len, 1);
	cr_expect_eq(n.tx_nfree, QSIZE);
}

Test(vnet, arp_request_and_reply_through_the_driver)
{
	static const uint8_t gw_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
	cr_assert_eq(start(), VIRTIO_OK);
	uint8_t req[ETH_MIN_FRAME];
	size_t rlen = arp_build_request(req, sizeof req, n.mac, IPV4(10, 0, 2, 15), IPV4(10, 0, 2, 2));
	const void *frames[1] = {req};
	uint32_t lens[1] = {(uint32_t)rlen};
	cr_assert_eq(vnet_send_batch(&n, frames, lens, 1), 1);
	cr_assert_eq(f.tx_count, 1);

	/* The gateway's side: parse the request, answer it. */
	struct arp_packet a;
	cr_assert_eq(arp_parse(f.tx[0], f.tx_len[0], &a), ARP_OK);
	cr_assert_eq(a.op, ARP_OP_REQUEST);
	cr_assert_eq(a.target_ip, IPV4(10, 0, 2, 2));
	uint8_t reply[ETH_MIN_FRAME] = {0};
	memcpy(reply, a.sender_mac, 6);
	memcpy(reply + 6, gw_mac, 6);
	reply[12] = 0x08, reply[13] = 0x06;
	static const uint8_t arp_hdr[8] = {0, 1, 8, 0, 6, 4, 0, 2};
	memcpy(reply + 14, arp_hdr, 8);
	memcpy(reply + 22, gw_mac, 6);
	memcpy(reply + 28, (uint8_t[]){10, 0, 2, 2}, 4);
	memcpy(reply + 32, a.sender_mac, 6);
	memcpy(reply + 38, (uint8_t[]){10, 0, 2, 15}, 4);
	cr_assert(fake_net_rx(&f, reply, sizeof reply));

	uint8_t got[1514];
	uint32_t glen;
	cr_assert_eq(vnet_receive(&n, got, sizeof got, &glen), VIRTIO_OK);
	struct arp_packet r;
	cr_assert_eq(arp_parse_reply(got, glen, &r), ARP_OK);
	cr_expect_arr_eq(r.sender_mac, gw_mac, 6);
	cr_expect_eq(r.sender_ip, IPV4(10, 0, 2, 2));
	cr_expect_arr_eq(r.target_mac, n.mac, 6);
}
