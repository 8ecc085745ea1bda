/* lib/nic_core.c and lib/nic_server.c against the fake virtio-net device:
 * every Nic method through its encoded params, both the IPC path and the
 * shared frame ring, and a hostile client on each. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "capnp/capnp.h"
#include "eth_arp.h"
#include "fake_virtio_net.h"
#include "nic.capnp.h"
#include "nic_server.h"

#define QSIZE 32

static struct fake_net f;
static struct vnet vn;
static struct nic_core core;
static struct nic_srv *srv;
static uint64_t params[8192], result[NIC_RECV_RESULT_MAX / 8];
static struct nic_srv_reply rep;
static struct nic_pending pend;
static void *ring_mem;
static struct nic_ring_ctl *ctl;
static struct fring ctx, crx; /* the client's sides */

static void setup(void)
{
	fake_net_init(&f, vnet_pool_size(QSIZE));
	struct virtio_pci_layout l = fake_net_layout();
	cr_assert_eq(vnet_start(&vn, &f.ops, &l, f.pool, f.pool_len, QSIZE, 0), VIRTIO_OK);
	nic_core_init(&core, &vn);
	srv = calloc(1, sizeof *srv);
	nic_srv_init(srv, &core);
	ring_mem = aligned_alloc(NIC_RING_PAGE, NIC_RING_BYTES);
	memset(ring_mem, 0, NIC_RING_BYTES);
	ctl = ring_mem;
}

static void teardown(void)
{
	free(ring_mem);
	free(srv);
	fake_net_free(&f);
}

TestSuite(nic, .init = setup, .fini = teardown);

static int call(uint16_t method, const void *p, size_t len)
{
	rep = (struct nic_srv_reply){.buf = result, .cap = sizeof result};
	return nic_srv_dispatch(srv, method, p, (uint32_t)len, &pend, &rep);
}

static size_t finish(struct capnp_builder *b)
{
	size_t len = 0;
	cr_assert_eq(capnp_builder_finish(b, &len), CAPNP_OK);
	return len;
}

static size_t empty_params(void)
{
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	capnp_builder_root(&b, 0, 0);
	return finish(&b);
}

static size_t batch_params(unsigned n, const uint8_t *frame, uint32_t len)
{
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	struct capnp_list_builder l =
		nic_Nic_sendBatch_Params_init_frames(nic_Nic_sendBatch_Params_init_root(&b), n);
	for (unsigned i = 0; i < n; i++)
		capnp_lb_set_data(l, i, frame, len);
	return finish(&b);
}

static size_t receive_params(uint32_t max, uint64_t timeout)
{
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	nic_Nic_receive_Params_builder q = nic_Nic_receive_Params_init_root(&b);
	nic_Nic_receive_Params_set_maxFrames(q, max);
	nic_Nic_receive_Params_set_timeoutNs(q, timeout);
	return finish(&b);
}

static size_t kick_params(uint32_t producer)
{
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	nic_Nic_txKick_Params_set_producer(nic_Nic_txKick_Params_init_root(&b), producer);
	return finish(&b);
}

static size_t wait_params(uint32_t consumer, uint64_t timeout)
{
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	nic_Nic_rxWait_Params_builder q = nic_Nic_rxWait_Params_init_root(&b);
	nic_Nic_rxWait_Params_set_consumer(q, consumer);
	nic_Nic_rxWait_Params_set_timeoutNs(q, timeout);
	return finish(&b);
}

/* A reader points into itself: initialise it where it is used. */
static void reply_reader(struct capnp_reader *in)
{
	cr_assert_eq(capnp_reader_init(in, rep.buf, rep.len), CAPNP_OK);
}

static uint32_t arp(uint8_t *buf)
{
	return (uint32_t)arp_build_request(buf, ETH_MIN_FRAME, vn.mac, IPV4(10, 0, 2, 15),
	                                   IPV4(10, 0, 2, 2));
}

static void attach_ring(void)
{
	cr_assert_eq(call(nic_Nic_frameRing_METHOD, params, empty_params()), NIC_SRV_RING);
	cr_assert_eq(nic_ring_attach(&core, ring_mem, NIC_RING_BYTES), NIC_OK);
	uint8_t *m = ring_mem;
	cr_assert_eq(fring_init(&ctx, m + NIC_RING_TX_OFFSET, NIC_RING_SLOTS, NIC_SLOT_SIZE,
	                        &ctl->tx_prod, &ctl->tx_cons, true),
	             FRING_OK);
	cr_assert_eq(fring_init(&crx, m + NIC_RING_RX_OFFSET, NIC_RING_SLOTS, NIC_SLOT_SIZE,
	                        &ctl->rx_prod, &ctl->rx_cons, false),
	             FRING_OK);
}

static void counters(struct nic_counters *c)
{
	cr_assert_eq(call(nic_Nic_counters_METHOD, params, empty_params()), NIC_SRV_REPLY);
	struct capnp_reader in;
	reply_reader(&in);
	nic_NicCounters_reader r =
		nic_Nic_counters_Results_get_counters(nic_Nic_counters_Results_read_root(&in));
	c->tx_frames = nic_NicCounters_get_txFrames(r);
	c->tx_errors = nic_NicCounters_get_txErrors(r);
	c->rx_frames = nic_NicCounters_get_rxFrames(r);
	c->device_errors = nic_NicCounters_get_deviceErrors(r);
}

Test(nic, mac_and_link)
{
	cr_assert_eq(call(nic_Nic_macAddress_METHOD, params, empty_params()), NIC_SRV_REPLY);
	struct capnp_reader in;
	reply_reader(&in);
	struct capnp_data mac =
		nic_Nic_macAddress_Results_get_mac(nic_Nic_macAddress_Results_read_root(&in));
	cr_assert_eq(mac.len, 6);
	cr_expect_arr_eq(mac.ptr, f.mac, 6);
	cr_assert_eq(call(nic_Nic_linkStatus_METHOD, params, empty_params()), NIC_SRV_REPLY);
	reply_reader(&in);
	nic_Nic_linkStatus_Results_reader l = nic_Nic_linkStatus_Results_read_root(&in);
	cr_expect(nic_Nic_linkStatus_Results_get_up(l));
	cr_expect_eq(nic_Nic_linkStatus_Results_get_mtu(l), 1500);
}

Test(nic, send_batch_reaches_the_device_with_one_notify)
{
	uint8_t fr[ETH_MIN_FRAME];
	uint32_t len = arp(fr);
	unsigned before = f.notifies[VNET_TXQ];
	cr_assert_eq(call(nic_Nic_sendBatch_METHOD, params, batch_params(8, fr, len)), NIC_SRV_REPLY);
	struct capnp_reader in;
	reply_reader(&in);
	cr_expect_eq(nic_Nic_sendBatch_Results_get_accepted(nic_Nic_sendBatch_Results_read_root(&in)), 8);
	cr_expect_eq(f.tx_count, 8);
	cr_expect_arr_eq(f.tx[7], fr, len);
	cr_expect_eq(f.notifies[VNET_TXQ], before + 1);
	struct nic_counters c;
	counters(&c);
	cr_expect_eq(c.tx_frames, 8);
}

Test(nic, send_batch_hostile)
{
	uint8_t fr[ETH_MIN_FRAME];
	uint32_t len = arp(fr);
	cr_expect_eq(call(nic_Nic_sendBatch_METHOD, params, batch_params(65, fr, len)), NIC_SRV_EXCEPTION);
	cr_expect_eq(rep.exc_type, NIC_EXC_INVALID_ARGUMENT);
	cr_expect_eq(f.tx_count, 0, "nothing sent from a refused batch");
	/* runts and an oversized frame: skipped, counted, reported taken */
	cr_assert_eq(call(nic_Nic_sendBatch_METHOD, params, batch_params(3, fr, 13)), NIC_SRV_REPLY);
	static uint8_t big[1600];
	cr_assert_eq(call(nic_Nic_sendBatch_METHOD, params, batch_params(1, big, sizeof big)),
	             NIC_SRV_REPLY);
	struct nic_counters c;
	counters(&c);
	cr_expect_eq(c.tx_errors, 4);
	cr_expect_eq(f.tx_count, 0);
	/* not a message at all, and a message whose root is not a struct */
	memset(params, 0xff, 64);
	cr_expect_eq(call(nic_Nic_sendBatch_METHOD, params, 64), NIC_SRV_EXCEPTION);
	cr_expect_eq(call(nic_Nic_sendBatch_METHOD, params, 3), NIC_SRV_EXCEPTION);
	cr_expect_eq(rep.exc_type, NIC_EXC_INVALID_ARGUMENT);
	cr_expect_eq(call(99, params, empty_params()), NIC_SRV_EXCEPTION);
	cr_expect_eq(rep.exc_type, NIC_EXC_UNIMPLEMENTED);
	cr_expect_geq(srv->refused, 3);
}

Test(nic, receive_polls_defers_and_completes)
{
	cr_assert_eq(call(nic_Nic_receive_METHOD, params, receive_params(4, 0)), NIC_SRV_REPLY,
	             "timeout 0 polls: empty answer at once");
	struct capnp_reader in;
	reply_reader(&in);
	cr_expect_eq(capnp_list_len(nic_Nic_receive_Results_get_frames(
			     nic_Nic_receive_Results_read_root(&in))),
	             0);
	cr_assert_eq(call(nic_Nic_receive_METHOD, params, receive_params(4, 1000000)), NIC_SRV_DEFER);
	cr_expect_eq(pend.max_frames, 4);
	cr_expect_eq(nic_srv_retry(srv, &pend, false, &rep), NIC_SRV_DEFER);
	uint8_t fr[ETH_MIN_FRAME];
	uint32_t len = arp(fr);
	cr_assert(fake_net_rx(&f, fr, len));
	cr_assert(fake_net_rx(&f, fr, len));
	rep = (struct nic_srv_reply){.buf = result, .cap = sizeof result};
	cr_assert_eq(nic_srv_retry(srv, &pend, false, &rep), NIC_SRV_REPLY);
	reply_reader(&in);
	struct capnp_list l = nic_Nic_receive_Results_get_frames(nic_Nic_receive_Results_read_root(&in));
	cr_assert_eq(capnp_list_len(l), 2);
	struct capnp_data d = capnp_list_get_data(l, 1);
	cr_assert_eq(d.len, len);
	cr_expect_arr_eq(d.ptr, fr, len);
	cr_expect_leq(rep.len, NIC_RECV_RESULT_BYTES(4));
	cr_assert_eq(call(nic_Nic_receive_METHOD, params, receive_params(4, 1000000)), NIC_SRV_DEFER);
	rep = (struct nic_srv_reply){.buf = result, .cap = sizeof result};
	cr_expect_eq(nic_srv_retry(srv, &pend, true, &rep), NIC_SRV_REPLY, "deadline: empty answer");
}

Test(nic, receive_hostile_counts)
{
	cr_expect_eq(call(nic_Nic_receive_METHOD, params, receive_params(0, 0)), NIC_SRV_EXCEPTION);
	cr_expect_eq(call(nic_Nic_receive_METHOD, params, receive_params(65, 0)), NIC_SRV_EXCEPTION);
	cr_expect_eq(rep.exc_type, NIC_EXC_INVALID_ARGUMENT);
	cr_expect_eq(srv->refused, 2);
}

Test(nic, receive_result_fits_the_bound)
{
	static uint8_t big[VNET_FRAME_MAX];
	memset(big, 0xab, sizeof big);
	for (int i = 0; i < 30; i++)
		cr_assert(fake_net_rx(&f, big, sizeof big));
	cr_assert_eq(call(nic_Nic_receive_METHOD, params, receive_params(64, 0)), NIC_SRV_REPLY);
	cr_expect_leq(rep.len, NIC_RECV_RESULT_BYTES(64));
	struct capnp_reader in;
	reply_reader(&in);
	cr_expect_eq(capnp_list_len(nic_Nic_receive_Results_get_frames(
			     nic_Nic_receive_Results_read_root(&in))),
	             30);
}

Test(nic, ring_tx_and_rx)
{
	attach_ring();
	uint8_t fr[ETH_MIN_FRAME], out[VNET_FRAME_MAX];
	uint32_t len = arp(fr), got;
	for (int i = 0; i < 40; i++)
		cr_assert_eq(fring_put(&ctx, fr, len), FRING_OK);
	fring_publish(&ctx);
	cr_assert_eq(call(nic_Nic_txKick_METHOD, params, kick_params(ctx.mine)), NIC_SRV_REPLY);
	struct capnp_reader in;
	reply_reader(&in);
	uint32_t cons = nic_Nic_txKick_Results_get_consumer(nic_Nic_txKick_Results_read_root(&in));
	/* 32 TX buffers: the device keeps none (the fake consumes on notify) */
	cr_expect_eq(cons, 40);
	cr_expect_eq(ctl->tx_cons, 40);
	cr_expect_eq(f.tx_count, 40);
	cr_assert(fake_net_rx(&f, fr, len));
	cr_assert_eq(call(nic_Nic_rxWait_METHOD, params, wait_params(0, 1000000)), NIC_SRV_REPLY);
	reply_reader(&in);
	cr_expect_eq(nic_Nic_rxWait_Results_get_producer(nic_Nic_rxWait_Results_read_root(&in)), 1);
	cr_assert_eq(fring_get(&crx, out, sizeof out, &got), FRING_OK);
	cr_expect_eq(got, len);
	cr_expect_arr_eq(out, fr, len);
	fring_publish(&crx);
	cr_expect_eq(call(nic_Nic_rxWait_METHOD, params, wait_params(1, 1000000)), NIC_SRV_DEFER);
	cr_expect_eq(call(nic_Nic_receive_METHOD, params, receive_params(1, 0)), NIC_SRV_EXCEPTION,
	             "the ring owns received frames");
	cr_expect_eq(call(nic_Nic_frameRing_METHOD, params, empty_params()), NIC_SRV_EXCEPTION);
	cr_expect_eq(rep.exc_type, NIC_EXC_OVERLOADED, "one ring per driver");
}

Test(nic, ring_hostile_indices_and_lengths)
{
	attach_ring();
	cr_expect_eq(call(nic_Nic_txKick_METHOD, params, kick_params(NIC_RING_SLOTS + 1)),
	             NIC_SRV_EXCEPTION);
	cr_expect_eq(rep.exc_type, NIC_EXC_INVALID_ARGUMENT);
	cr_expect_eq(call(nic_Nic_txKick_METHOD, params, kick_params(0xffffffffu)), NIC_SRV_EXCEPTION,
	             "behind the consumer");
	cr_expect_eq(call(nic_Nic_rxWait_METHOD, params, wait_params(7, 0)), NIC_SRV_EXCEPTION,
	             "consumer ahead of the producer");
	/* three slots with lengths outside 14..1514, one good frame */
	uint8_t fr[ETH_MIN_FRAME];
	uint32_t len = arp(fr);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(fring_put(&ctx, fr, len), FRING_OK);
	uint8_t *slots = (uint8_t *)ring_mem + NIC_RING_TX_OFFSET;
	uint32_t bad[3] = {0, 13, 0x7fffffffu};
	for (int i = 0; i < 3; i++)
		memcpy(slots + (size_t)i * NIC_SLOT_SIZE, &bad[i], 4);
	fring_publish(&ctx);
	cr_assert_eq(call(nic_Nic_txKick_METHOD, params, kick_params(4)), NIC_SRV_REPLY);
	cr_expect_eq(f.tx_count, 1);
	struct nic_counters c;
	counters(&c);
	cr_expect_eq(c.tx_errors, 3 + 3, "three bad slots and three refused indices");
	cr_expect_eq(c.tx_frames, 1);
	/* a shared producer index that lies breaks the ring for good */
	ctl->tx_prod = 4 + NIC_RING_SLOTS + 1;
	cr_expect_eq(call(nic_Nic_txKick_METHOD, params, kick_params(5)), NIC_SRV_EXCEPTION);
	cr_expect_eq(rep.exc_type, NIC_EXC_FAILED);
	ctl->tx_prod = 5;
	cr_expect_eq(call(nic_Nic_txKick_METHOD, params, kick_params(5)), NIC_SRV_EXCEPTION,
	             "stays broken");
	cr_expect(vnet_accounted(&vn) || vn.tx_nfree + vn.tx.in_flight == QSIZE);
}

Test(nic, ring_rx_full_leaves_frames_in_the_device)
{
	attach_ring();
	uint8_t fr[ETH_MIN_FRAME];
	uint32_t len = arp(fr);
	for (unsigned i = 0; i < QSIZE; i++)
		cr_assert(fake_net_rx(&f, fr, len));
	cr_expect_eq(nic_rx_pump(&core), QSIZE);
	for (unsigned i = 0; i < QSIZE; i++)
		cr_assert(fake_net_rx(&f, fr, len));
	cr_expect_eq(nic_rx_pump(&core), (int)(NIC_RING_SLOTS - QSIZE));
	for (unsigned i = 0; i < 5; i++)
		cr_assert(fake_net_rx(&f, fr, len));
	cr_expect_eq(nic_rx_pump(&core), 0, "ring full: the rest waits in the device");
	uint8_t out[VNET_FRAME_MAX];
	uint32_t got;
	for (unsigned i = 0; i < 3; i++)
		cr_assert_eq(fring_get(&crx, out, sizeof out, &got), FRING_OK);
	fring_publish(&crx);
	cr_expect_eq(nic_rx_pump(&core), 3, "room again: the waiting frames come");
	cr_expect_eq(fring_count(&crx), (int)NIC_RING_SLOTS);
}

Test(nic, ring_attach_checks)
{
	cr_expect_eq(nic_ring_attach(&core, ring_mem, NIC_RING_BYTES - 1), NIC_ERR_ARG);
	cr_expect_eq(nic_ring_attach(&core, (uint8_t *)ring_mem + 8, NIC_RING_BYTES), NIC_ERR_ARG);
	uint32_t cons;
	cr_expect_eq(nic_tx_kick(&core, 1, &cons), NIC_ERR_RING, "no ring yet");
	cr_expect_eq(nic_rx_pump(&core), NIC_ERR_RING);
	cr_expect_eq(nic_ring_attach(&core, ring_mem, NIC_RING_BYTES), NIC_OK);
	cr_expect_eq(nic_ring_attach(&core, ring_mem, NIC_RING_BYTES), NIC_ERR_BUSY);
}
