/* The netstack's Nic client: see nic_link.h. */
#include "nic_link.h"

#include <capos/endpoint.h>
#include <capos/rt.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "nic.capnp.h"

#define MSG_BYTES   (64u * 1024u)
#define SMALL_WORDS 32u

/* A failed call on the Nic: logged and counted; the driver is gone when
 * the endpoint is. */
static void call_failed(struct nic_link *l, uint16_t method, int e, struct capos_call_error *err)
{
	char why[160];
	capos_error_format(err, why, sizeof why);
	capos_printf("[netstack] Nic method %u failed: %s\n", (unsigned)method, why);
	l->stats.calls_failed++;
	if (e == CAPOS_ERR_DISCONNECTED || e == CAPOS_ERR_BAD_CAP)
		l->gone = true;
}

/* One call on the Nic; on success *r reads the results. */
static int nic_call(struct nic_link *l, uint16_t method, struct capnp_builder *b, void *result,
                    uint32_t result_cap, struct capnp_reader *r, struct capos_reply *reply)
{
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	struct capos_endpoint_call c = {
		.method_id = method,
		.params = b->arena,
		.params_len = (uint32_t)len,
		.result = result,
		.result_cap = result_cap,
	};
	struct capos_call_error err;
	int e = capos_endpoint_call(&l->nic, &c, reply, &err);
	if (e != 0) {
		call_failed(l, method, e, &err);
		return e;
	}
	if (capnp_reader_init(r, result, reply->result_len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	return 0;
}

static int read_mac(struct nic_link *l, uint8_t mac[6])
{
	uint64_t params[SMALL_WORDS], result[SMALL_WORDS];
	struct capnp_builder b;
	struct capnp_reader r;
	struct capos_reply reply;
	capnp_builder_init(&b, params, sizeof params);
	nic_Nic_macAddress_Params_init_root(&b);
	int e = nic_call(l, nic_Nic_macAddress_METHOD, &b, result, sizeof result, &r, &reply);
	if (e != 0)
		return e;
	struct capnp_data d = nic_Nic_macAddress_Results_get_mac(nic_Nic_macAddress_Results_read_root(&r));
	if (capnp_reader_error(&r) != CAPNP_OK || d.len != 6) {
		capos_printf("[netstack] Nic.macAddress: %u bytes, not 6\n", (unsigned)d.len);
		return CAPOS_ERR_BAD_MESSAGE;
	}
	memcpy(mac, d.ptr, 6);
	return 0;
}

/* Asks for the frame ring and maps it.  Returns 0, or an error when the
 * driver does not offer one (the message path is used then). */
static int open_ring(struct nic_link *l)
{
	uint64_t params[SMALL_WORDS], result[SMALL_WORDS * 2];
	struct capnp_builder b;
	struct capnp_reader r;
	struct capos_reply reply;
	capnp_builder_init(&b, params, sizeof params);
	nic_Nic_frameRing_Params_init_root(&b);
	int e = nic_call(l, nic_Nic_frameRing_METHOD, &b, result, sizeof result, &r, &reply);
	if (e != 0)
		return e;
	nic_Nic_frameRing_Results_reader fr = nic_Nic_frameRing_Results_read_root(&r);
	uint16_t idx = nic_Nic_frameRing_Results_get_memoryIndex(fr);
	nic_FrameRingInfo_reader info = nic_Nic_frameRing_Results_get_info(fr);
	if (capnp_reader_error(&r) != CAPNP_OK || idx >= reply.cap_count)
		return CAPOS_ERR_BAD_MESSAGE;
	struct capos_cap mem;
	e = capos_cap_adopt(&reply.caps[idx], capos_MemoryObject_ID, &mem);
	if (e != 0)
		return e;
	l->ring_mem = (struct capos_memory_object){.ring = &capos_rt_ring, .cap = mem};
	uint32_t pages = 0;
	uint64_t size = 0, addr = 0;
	e = capos_memory_object_info(&l->ring_mem, &pages, &size, NULL);
	if (e == 0)
		e = capos_memory_object_map(&l->ring_mem, 0, capos_protRead | capos_protWrite, &addr, NULL);
	if (e != 0)
		return e;
	uint32_t slot = nic_FrameRingInfo_get_slotSize(info);
	uint32_t txn = nic_FrameRingInfo_get_txSlots(info), rxn = nic_FrameRingInfo_get_rxSlots(info);
	uint64_t txo = nic_FrameRingInfo_get_txOffset(info), rxo = nic_FrameRingInfo_get_rxOffset(info);
	/* The geometry comes from the driver: every slot must lie in the object. */
	if (txo < sizeof(struct nic_ring_ctrl) || rxo < sizeof(struct nic_ring_ctrl) ||
	    txo + (uint64_t)txn * slot > size || rxo + (uint64_t)rxn * slot > size)
		return CAPOS_ERR_BAD_MESSAGE;
	uint8_t *base = (uint8_t *)(uintptr_t)addr;
	struct nic_ring_ctrl *ctl = (struct nic_ring_ctrl *)base;
	if (fring_init(&l->tx, base + txo, txn, slot, &ctl->tx_prod, &ctl->tx_cons, true) != FRING_OK ||
	    fring_init(&l->rx, base + rxo, rxn, slot, &ctl->rx_prod, &ctl->rx_cons, false) != FRING_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	capos_printf("[netstack] Nic frame ring: %u TX + %u RX slots of %u bytes (%u pages)\n", txn,
	             rxn, slot, pages);
	return 0;
}

int nic_link_open(struct nic_link *l, struct capos_cap nic, uint8_t mac[6])
{
	memset(l, 0, sizeof *l);
	l->nic = nic;
	l->tx_msg = malloc(MSG_BYTES);
	l->rx_msg = malloc(MSG_BYTES);
	l->batch = malloc(NIC_LINK_BATCH * FRING_FRAME_MAX);
	if (!l->tx_msg || !l->rx_msg || !l->batch)
		return CAPOS_ERR_NO_RESOURCES;
	int e = read_mac(l, mac);
	if (e != 0)
		return e;
	l->ring = open_ring(l) == 0;
	if (!l->ring)
		capos_printf("[netstack] Nic: no frame ring; using sendBatch/receive messages\n");
	return 0;
}

/* Submits txKick(producer) without waiting; false when every kick is in
 * flight or the SQ refused it (the frames wait for the next flush). */
static bool kick(struct nic_link *l, uint32_t producer)
{
	struct nic_kick *k = NULL;
	for (uint32_t i = 0; i < NIC_LINK_KICKS && !k; i++)
		if (!l->kick[i].ud)
			k = &l->kick[i];
	if (!k) {
		l->stats.deferred++;
		return false;
	}
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, k->params, sizeof k->params);
	nic_Nic_txKick_Params_set_producer(nic_Nic_txKick_Params_init_root(&b), producer);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return false;
	struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL,
	                        .cap_id = l->nic.cap_id,
	                        .method_id = nic_Nic_txKick_METHOD,
	                        .addr = (uintptr_t)k->params,
	                        .len = (uint32_t)len,
	                        .result_addr = (uintptr_t)k->result,
	                        .result_len = sizeof k->result,
	                        .user_data = capos_ring_next_user_data(&capos_rt_ring)};
	int e = capos_ring_submit(&capos_rt_ring, &sqe);
	if (e != 0) {
		capos_printf("[netstack] cannot submit a txKick: %s\n", capos_strerror(e));
		l->stats.calls_failed++;
		return false;
	}
	k->ud = sqe.user_data;
	l->stats.kicks++;
	return true;
}

/* A kick's completion: only a failure matters (the driver's consumer
 * index is in the shared control page anyway). */
static void kick_done(struct nic_link *l, struct nic_kick *k, const struct capos_cqe *c)
{
	struct capos_reply reply;
	struct capos_call_error err;
	k->ud = 0;
	int e = capos_call_classify(c, k->result, sizeof k->result, &reply, &err);
	if (e != 0)
		call_failed(l, nic_Nic_txKick_METHOD, e, &err);
}

static void send_batch(struct nic_link *l)
{
	struct capnp_builder b;
	struct capnp_reader r;
	struct capos_reply reply;
	capnp_builder_init(&b, l->tx_msg, MSG_BYTES);
	struct capnp_list_builder lb =
		nic_Nic_sendBatch_Params_init_frames(nic_Nic_sendBatch_Params_init_root(&b), l->batch_count);
	for (uint32_t i = 0; i < l->batch_count; i++)
		capnp_lb_set_data(lb, i, l->batch + i * FRING_FRAME_MAX, l->batch_len[i]);
	uint64_t result[SMALL_WORDS];
	uint32_t accepted = 0;
	if (nic_call(l, nic_Nic_sendBatch_METHOD, &b, result, sizeof result, &r, &reply) == 0)
		accepted = nic_Nic_sendBatch_Results_get_accepted(nic_Nic_sendBatch_Results_read_root(&r));
	if (accepted > l->batch_count)
		accepted = l->batch_count;
	/* TCP retransmits what the driver could not take; count it. */
	l->stats.tx_dropped += l->batch_count - accepted;
	l->batch_count = 0;
}

/* Waits for every kick in flight: the TX ring is full, and only the
 * driver taking frames out of it makes room. */
static void wait_kicks(struct nic_link *l)
{
	for (uint32_t i = 0; i < NIC_LINK_KICKS; i++) {
		struct capos_cqe c;
		if (!l->kick[i].ud)
			continue;
		if (capos_ring_wait(&capos_rt_ring, l->kick[i].ud, CAPOS_WAIT_FOREVER, &c) == 0)
			kick_done(l, &l->kick[i], &c);
		else
			l->kick[i].ud = 0;
	}
}

void nic_link_flush(struct nic_link *l)
{
	if (l->ring && l->tx_unkicked) {
		fring_publish(&l->tx);
		if (kick(l, l->tx.mine))
			l->tx_unkicked = 0;
	} else if (!l->ring && l->batch_count) {
		send_batch(l);
	}
}

int nic_link_send(void *link, const uint8_t *frame, size_t len)
{
	struct nic_link *l = link;
	if (len < FRING_FRAME_MIN || len > FRING_FRAME_MAX) {
		l->stats.tx_dropped++;
		return -1;
	}
	if (l->ring) {
		if (fring_put(&l->tx, frame, (uint32_t)len) == FRING_ERR_FULL) {
			nic_link_flush(l);
			wait_kicks(l); /* the driver has taken what it can */
			if (fring_put(&l->tx, frame, (uint32_t)len) != FRING_OK) {
				l->stats.tx_dropped++;
				return -1;
			}
		}
		l->tx_unkicked++;
	} else {
		if (l->batch_count == NIC_LINK_BATCH)
			nic_link_flush(l);
		memcpy(l->batch + l->batch_count * FRING_FRAME_MAX, frame, len);
		l->batch_len[l->batch_count++] = (uint16_t)len;
	}
	l->stats.tx_frames++;
	return 1;
}

void nic_link_arm(struct nic_link *l, uint64_t timeout_ns)
{
	if (l->wait_ud || l->wait_done || l->gone)
		return;
	struct capnp_builder b;
	capnp_builder_init(&b, l->wait_params, sizeof l->wait_params);
	struct capos_sqe sqe = {.opcode = CAPOS_OP_CALL, .cap_id = l->nic.cap_id};
	if (l->ring) {
		fring_publish(&l->rx); /* the consumer index the driver is told */
		nic_Nic_rxWait_Params_builder p = nic_Nic_rxWait_Params_init_root(&b);
		nic_Nic_rxWait_Params_set_consumer(p, l->rx.mine);
		nic_Nic_rxWait_Params_set_timeoutNs(p, timeout_ns);
		sqe.method_id = l->wait_method = nic_Nic_rxWait_METHOD;
		sqe.result_addr = (uintptr_t)l->wait_result;
		sqe.result_len = sizeof l->wait_result;
	} else {
		nic_Nic_receive_Params_builder p = nic_Nic_receive_Params_init_root(&b);
		nic_Nic_receive_Params_set_maxFrames(p, NIC_LINK_BATCH);
		nic_Nic_receive_Params_set_timeoutNs(p, timeout_ns);
		sqe.method_id = l->wait_method = nic_Nic_receive_METHOD;
		sqe.result_addr = (uintptr_t)l->rx_msg;
		sqe.result_len = MSG_BYTES;
	}
	size_t len = 0;
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return;
	sqe.addr = (uintptr_t)l->wait_params;
	sqe.len = (uint32_t)len;
	sqe.user_data = capos_ring_next_user_data(&capos_rt_ring);
	int e = capos_ring_submit(&capos_rt_ring, &sqe);
	if (e != 0) {
		capos_printf("[netstack] cannot submit the Nic wait: %s\n", capos_strerror(e));
		l->stats.calls_failed++;
		return;
	}
	l->wait_ud = sqe.user_data;
}

static void drain_ring(struct nic_link *l, nic_link_deliver_fn deliver, void *ctx)
{
	uint8_t frame[FRING_FRAME_MAX];
	uint32_t len;
	for (;;) {
		int e = fring_get(&l->rx, frame, sizeof frame, &len);
		if (e == FRING_ERR_LEN) {
			l->stats.rx_bad++;
			continue;
		}
		if (e != FRING_OK)
			break;
		l->stats.rx_frames++;
		deliver(ctx, frame, len);
	}
	fring_publish(&l->rx);
}

/* The frames a receive answered with (in rx_msg, len bytes). */
static void deliver_message(struct nic_link *l, uint32_t len, nic_link_deliver_fn deliver,
                            void *ctx)
{
	struct capnp_reader r;
	if (capnp_reader_init(&r, l->rx_msg, len) != CAPNP_OK) {
		l->stats.rx_bad++;
		return;
	}
	struct capnp_list frames = nic_Nic_receive_Results_get_frames(nic_Nic_receive_Results_read_root(&r));
	for (uint32_t i = 0; i < capnp_list_len(frames); i++) {
		struct capnp_data d = capnp_list_get_data(frames, i);
		if (capnp_reader_error(&r) != CAPNP_OK || d.len < FRING_FRAME_MIN || d.len > FRING_FRAME_MAX) {
			l->stats.rx_bad++;
			continue;
		}
		l->stats.rx_frames++;
		deliver(ctx, d.ptr, d.len);
	}
}

bool nic_link_complete(struct nic_link *l, const struct capos_cqe *cqe)
{
	if (l->wait_ud && cqe->user_data == l->wait_ud) {
		l->wait_ud = 0;
		l->wait_done = true;
		l->wait_cqe = *cqe;
		return true;
	}
	for (uint32_t i = 0; i < NIC_LINK_KICKS; i++) {
		if (l->kick[i].ud && cqe->user_data == l->kick[i].ud) {
			kick_done(l, &l->kick[i], cqe);
			return true;
		}
	}
	return false;
}

bool nic_link_collect(struct nic_link *l, nic_link_deliver_fn deliver, void *ctx)
{
	bool done = l->wait_done;
	if (done) {
		l->wait_done = false;
		l->stats.waits++;
		void *result = l->ring ? (void *)l->wait_result : l->rx_msg;
		uint32_t cap = l->ring ? sizeof l->wait_result : MSG_BYTES;
		struct capos_reply reply;
		struct capos_call_error err;
		int e = capos_call_classify(&l->wait_cqe, result, cap, &reply, &err);
		if (e != 0)
			call_failed(l, l->wait_method, e, &err);
		else if (!l->ring)
			deliver_message(l, reply.result_len, deliver, ctx);
	}
	if (l->ring)
		drain_ring(l, deliver, ctx);
	return done;
}
