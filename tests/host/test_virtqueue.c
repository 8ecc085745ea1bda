/* lib/virtio/virtqueue.c against the fake device, hostile device included. */
#include <criterion/criterion.h>
#include <string.h>

#include "fake_virtio_net.h"
#include "virtio/virtqueue.h"
#include "virtio/virtio_net.h"

static struct fake_net f;
static struct virtio_dev dev;
static struct virtq q;  /* the TX queue: device reads */
static struct virtq rq; /* the RX queue: device writes */

#define POOL        (64 * 1024)
#define RING_MEM    0
#define RX_RING_MEM 8192
#define DATA        16384

static uint8_t *data(unsigned i)
{
	return f.pool + DATA + i * 256;
}

static void setup_sized(uint16_t size, bool event_idx)
{
	struct virtio_pci_layout l = fake_net_layout();
	fake_net_init(&f, POOL);
	f.hold_tx = true;
	virtio_dev_init(&dev, &f.ops, &l);
	cr_assert_eq(virtio_dev_begin(&dev), VIRTIO_OK);
	uint64_t want = event_idx ? VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) : 0;
	cr_assert_eq(virtio_dev_negotiate(&dev, want, 0), VIRTIO_OK);
	cr_assert_eq(virtq_init(&q, &f.ops, VNET_TXQ, size, f.pool + RING_MEM, 8192, event_idx), 0);
	cr_assert_eq(virtq_init(&rq, &f.ops, VNET_RXQ, size, f.pool + RX_RING_MEM, 8192, event_idx), 0);
	cr_assert_eq(virtio_dev_setup_queue(&dev, &q), VIRTIO_OK);
	cr_assert_eq(virtio_dev_setup_queue(&dev, &rq), VIRTIO_OK);
	cr_assert_eq(virtio_dev_driver_ok(&dev), VIRTIO_OK);
}

static void setup(void)
{
	setup_sized(8, false);
}

static void teardown(void)
{
	fake_net_free(&f);
}

static int add_out(struct virtq *vq, unsigned i, uint32_t len, uint32_t token)
{
	struct virtq_seg s = {data(i), len, false};
	return virtq_add(vq, &s, 1, token);
}

static int add_in(struct virtq *vq, unsigned i, uint32_t len, uint32_t token)
{
	struct virtq_seg s = {data(i), len, true};
	return virtq_add(vq, &s, 1, token);
}

Test(virtqueue, init_refuses_bad_geometry)
{
	static _Alignas(16) uint8_t mem[8192];
	struct virtq v;
	cr_expect_eq(virtq_init(&v, NULL, 0, 6, mem, sizeof mem, false), VIRTIO_ERR_ARG);
	cr_expect_eq(virtq_init(&v, NULL, 0, 0, mem, sizeof mem, false), VIRTIO_ERR_ARG);
	cr_expect_eq(virtq_init(&v, NULL, 0, 512, mem, sizeof mem, false), VIRTIO_ERR_ARG);
	cr_expect_eq(virtq_init(&v, NULL, 0, 8, mem + 4, sizeof mem - 4, false), VIRTIO_ERR_ARG);
	cr_expect_eq(virtq_init(&v, NULL, 0, 256, mem, virtq_mem_size(256) - 1, false), VIRTIO_ERR_ARG);
	cr_expect_eq(virtq_init(&v, NULL, 0, 256, mem, sizeof mem, false), VIRTIO_OK);
	/* 16*256 desc, 6+512 avail, aligned to 4, then 6+2048 used */
	cr_expect_eq(virtq_mem_size(256), 4096 + 520 + 6 + 2048);
}

Test(virtqueue, chain_round_trip, .init = setup, .fini = teardown)
{
	memcpy(data(0), "hello ", 6);
	memcpy(data(1), "world", 5);
	struct virtq_seg s[2] = {{data(0), 6, false}, {data(1), 5, false}};
	cr_assert_eq(virtq_add(&q, s, 2, 77), VIRTIO_OK);
	cr_expect_eq(q.num_free, 6);
	cr_expect(virtq_publish(&q), "device asked to be notified");
	cr_expect_eq(f.notifies[VNET_TXQ], 1);
	cr_expect_eq(virtq_publish(&q), false, "nothing new: no second notify");
	f.tx_used_len = 0;
	int head = fake_net_take_avail(&f, VNET_TXQ);
	cr_assert_geq(head, 0);
	fake_net_push_used(&f, VNET_TXQ, (uint32_t)head, 0, 1);
	uint32_t tok = 0, len = 1;
	cr_assert_eq(virtq_get_used(&q, &tok, &len), VIRTIO_OK);
	cr_expect_eq(tok, 77);
	cr_expect_eq(len, 0);
	cr_expect_eq(q.num_free, 8);
	cr_expect_eq(q.in_flight, 0);
	cr_expect_eq(virtq_get_used(&q, &tok, &len), VIRTIO_ERR_EMPTY);
	cr_expect_geq(f.barriers, 3, "publish and consume go through the barrier op");
}

Test(virtqueue, indices_wrap_past_65535, .init = setup, .fini = teardown)
{
	/* 70000 buffers through an 8-entry ring: both 16-bit indices wrap. */
	for (uint32_t i = 0; i < 70000; i++) {
		cr_assert_eq(add_in(&rq, i % 8, 64, i), VIRTIO_OK);
		virtq_publish(&rq);
		int head = fake_net_take_avail(&f, VNET_RXQ);
		cr_assert_geq(head, 0);
		fake_net_push_used(&f, VNET_RXQ, (uint32_t)head, 64, 1);
		uint32_t tok, len;
		cr_assert_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_OK, "at %u", i);
		cr_assert_eq(tok, i);
		cr_assert_eq(len, 64);
	}
	cr_expect_eq(rq.num_free, 8);
	cr_expect_eq(rq.c.used, 70000);
}

Test(virtqueue, full_and_bad_arguments, .init = setup, .fini = teardown)
{
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(add_out(&q, i, 10, i), VIRTIO_OK);
	cr_expect_eq(add_out(&q, 0, 10, 9), VIRTIO_ERR_FULL);
	fake_net_free(&f);
	setup_sized(8, false); /* a fresh, empty queue */
	struct virtq_seg mixed[2] = {{data(0), 4, true}, {data(1), 4, false}};
	cr_expect_eq(virtq_add(&q, mixed, 2, 0), VIRTIO_ERR_ARG, "out segment after an in segment");
	cr_expect_eq(add_out(&q, 0, 0, 0), VIRTIO_ERR_ARG, "empty segment");
	cr_expect_eq(virtq_add(&q, mixed, 0, 0), VIRTIO_ERR_ARG);
	cr_expect_eq(q.num_free, 8, "refused adds take nothing");
}

Test(virtqueue, address_outside_pool_refused, .init = setup, .fini = teardown)
{
	static uint8_t elsewhere[64];
	struct virtq_seg s[2] = {{data(0), 8, false}, {elsewhere, 8, false}};
	cr_expect_eq(virtq_add(&q, s, 2, 0), VIRTIO_ERR_DMA);
	struct virtq_seg tail = {f.pool + POOL - 4, 8, false};
	cr_expect_eq(virtq_add(&q, &tail, 1, 0), VIRTIO_ERR_DMA, "straddles the pool end");
	cr_expect_eq(q.c.dma_errors, 2);
	cr_expect_eq(q.num_free, 8);
	cr_expect_eq(q.avail_idx, 0);
}

Test(virtqueue, used_id_out_of_range_breaks_queue, .init = setup, .fini = teardown)
{
	cr_assert_eq(add_in(&rq, 0, 64, 5), VIRTIO_OK);
	virtq_publish(&rq);
	fake_net_push_used(&f, VNET_RXQ, 1000, 10, 1);
	uint32_t tok, len;
	cr_expect_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_ERR_DEVICE);
	cr_expect_eq(rq.c.bad_id, 1);
	cr_expect(rq.broken);
	cr_expect_eq(add_in(&rq, 1, 64, 6), VIRTIO_ERR_DEVICE, "a broken queue takes nothing");
	cr_expect_eq(virtq_detach(&rq, &tok), VIRTIO_OK, "the buffer is still recoverable");
	cr_expect_eq(tok, 5);
	cr_expect_eq(virtq_detach(&rq, &tok), VIRTIO_ERR_EMPTY);
	cr_expect_eq(rq.num_free, 8);
}

Test(virtqueue, duplicate_used_id_refused, .init = setup, .fini = teardown)
{
	cr_assert_eq(add_in(&rq, 0, 64, 1), VIRTIO_OK);
	cr_assert_eq(add_in(&rq, 1, 64, 2), VIRTIO_OK);
	virtq_publish(&rq);
	int head = fake_net_take_avail(&f, VNET_RXQ);
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)head, 10, 1);
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)head, 10, 1);
	uint32_t tok, len;
	cr_expect_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_OK);
	cr_expect_eq(tok, 1);
	cr_expect_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_ERR_DEVICE);
	cr_expect_eq(rq.c.bad_id, 1);
	cr_expect_eq(rq.num_free, 7, "the second buffer is still in flight, not freed twice");
}

Test(virtqueue, non_head_id_refused, .init = setup, .fini = teardown)
{
	struct virtq_seg s[2] = {{data(0), 12, true}, {data(1), 100, true}};
	cr_assert_eq(virtq_add(&rq, s, 2, 3), VIRTIO_OK);
	virtq_publish(&rq);
	fake_net_push_used(&f, VNET_RXQ, rq.next[0], 10, 1); /* the chain's second descriptor */
	uint32_t tok, len;
	cr_expect_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_ERR_DEVICE);
	cr_expect_eq(rq.c.bad_id, 1);
}

Test(virtqueue, used_index_jump_refused, .init = setup, .fini = teardown)
{
	cr_assert_eq(add_in(&rq, 0, 64, 1), VIRTIO_OK);
	virtq_publish(&rq);
	int head = fake_net_take_avail(&f, VNET_RXQ);
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)head, 10, 9); /* more than the queue size */
	uint32_t tok, len;
	cr_expect_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_ERR_DEVICE);
	cr_expect_eq(rq.c.bad_index, 1);
	cr_expect_eq(rq.num_free, 7);
}

Test(virtqueue, used_index_ahead_of_in_flight_refused, .init = setup, .fini = teardown)
{
	/* Within the queue size but more than we ever handed out. */
	cr_assert_eq(add_in(&rq, 0, 64, 1), VIRTIO_OK);
	virtq_publish(&rq);
	int head = fake_net_take_avail(&f, VNET_RXQ);
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)head, 10, 2);
	uint32_t tok, len;
	cr_expect_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_ERR_DEVICE);
	cr_expect_eq(rq.c.bad_index, 1);
}

Test(virtqueue, overlong_length_fails_only_that_buffer, .init = setup, .fini = teardown)
{
	struct virtq_seg s[2] = {{data(0), 12, false}, {data(1), 100, true}};
	cr_assert_eq(virtq_add(&rq, s, 2, 4), VIRTIO_OK);
	cr_assert_eq(add_in(&rq, 2, 64, 5), VIRTIO_OK);
	virtq_publish(&rq);
	int h1 = fake_net_take_avail(&f, VNET_RXQ);
	int h2 = fake_net_take_avail(&f, VNET_RXQ);
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)h1, 101, 1); /* only 100 writable */
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)h2, 64, 1);
	uint32_t tok, len = 99;
	cr_expect_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_ERR_LEN);
	cr_expect_eq(tok, 4);
	cr_expect_eq(len, 0);
	cr_expect_eq(rq.c.bad_len, 1);
	cr_expect_not(rq.broken);
	cr_expect_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_OK);
	cr_expect_eq(tok, 5);
	cr_expect_eq(len, 64);
	cr_expect_eq(rq.num_free, 8);
}

Test(virtqueue, device_can_suppress_notify, .init = setup, .fini = teardown)
{
	rq.used[0] = VIRTQ_USED_F_NO_NOTIFY;
	cr_assert_eq(add_in(&rq, 0, 64, 1), VIRTIO_OK);
	cr_expect_not(virtq_publish(&rq));
	cr_expect_eq(f.notifies[VNET_RXQ], 0);
	cr_expect_eq(rq.c.notifies_suppressed, 1);
}

Test(virtqueue, event_idx_notifies_only_when_crossing, .fini = teardown)
{
	setup_sized(8, true);
	uint16_t *avail_event = (uint16_t *)&rq.used[2 + 4 * 8];
	*avail_event = 0; /* notify when avail idx passes 0 */
	cr_assert_eq(add_in(&rq, 0, 64, 1), VIRTIO_OK);
	cr_expect(virtq_publish(&rq));
	cr_assert_eq(add_in(&rq, 1, 64, 2), VIRTIO_OK);
	cr_expect_not(virtq_publish(&rq), "device wants a kick only after idx 0");
	*avail_event = 2;
	cr_assert_eq(add_in(&rq, 2, 64, 3), VIRTIO_OK);
	cr_assert_eq(add_in(&rq, 3, 64, 4), VIRTIO_OK);
	cr_expect(virtq_publish(&rq), "idx moved 2 -> 4 past event 2");
	/* consuming writes used_event for the device */
	int head = fake_net_take_avail(&f, VNET_RXQ);
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)head, 1, 1);
	uint32_t tok, len;
	cr_assert_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_OK);
	cr_expect_eq(rq.avail[2 + 8], 1);
}

Test(virtqueue, enable_interrupts_reports_missed_work, .init = setup, .fini = teardown)
{
	cr_assert_eq(add_in(&rq, 0, 64, 1), VIRTIO_OK);
	virtq_publish(&rq);
	virtq_disable_interrupts(&rq);
	cr_expect_eq(rq.avail[0], VIRTQ_AVAIL_F_NO_INTERRUPT);
	int head = fake_net_take_avail(&f, VNET_RXQ);
	fake_net_push_used(&f, VNET_RXQ, (uint32_t)head, 1, 1);
	cr_expect_not(virtq_enable_interrupts(&rq), "a buffer came back: poll before sleeping");
	cr_expect_eq(rq.avail[0], 0);
	uint32_t tok, len;
	cr_assert_eq(virtq_get_used(&rq, &tok, &len), VIRTIO_OK);
	cr_expect(virtq_enable_interrupts(&rq));
}

Test(virtqueue, setup_refuses_bad_device_answers, .fini = teardown)
{
	struct virtio_pci_layout l = fake_net_layout();
	fake_net_init(&f, POOL);
	virtio_dev_init(&dev, &f.ops, &l);
	cr_assert_eq(virtio_dev_begin(&dev), VIRTIO_OK);
	cr_assert_eq(virtq_init(&q, &f.ops, 0, 8, f.pool, 8192, false), 0);
	cr_expect_eq(virtio_dev_setup_queue(&dev, &q), VIRTIO_ERR_STATE, "before FEATURES_OK");
	cr_assert_eq(virtio_dev_negotiate(&dev, 0, 0), VIRTIO_OK);
	f.q[0].max = 4;
	cr_expect_eq(virtio_dev_setup_queue(&dev, &q), VIRTIO_ERR_QUEUE, "device max below our size");
	f.q[0].max = 0;
	cr_expect_eq(virtio_dev_setup_queue(&dev, &q), VIRTIO_ERR_QUEUE, "queue absent");
	f.q[0].max = 256;
	f.q[0].notify_off = 0x1000 / FAKE_NOTIFY_MULT; /* one past the notify region */
	cr_expect_eq(virtio_dev_setup_queue(&dev, &q), VIRTIO_ERR_QUEUE, "notify offset outside");
	f.q[0].notify_off = 0;
	struct virtq evq;
	cr_assert_eq(virtq_init(&evq, &f.ops, 0, 8, f.pool, 8192, true), 0);
	cr_expect_eq(virtio_dev_setup_queue(&dev, &evq), VIRTIO_ERR_ARG, "event idx not negotiated");
	static _Alignas(16) uint8_t outside[8192];
	struct virtq oq;
	cr_assert_eq(virtq_init(&oq, &f.ops, 0, 8, outside, sizeof outside, false), 0);
	cr_expect_eq(virtio_dev_setup_queue(&dev, &oq), VIRTIO_ERR_DMA, "rings outside the pool");
	cr_expect_eq(virtio_dev_setup_queue(&dev, &q), VIRTIO_OK);
	cr_expect(f.q[0].enabled);
	cr_expect_eq(f.q[0].desc, FAKE_POOL_DEV);
	cr_expect_eq(f.q[0].size, 8);
	cr_expect_eq(dev.errors, 3);
}
