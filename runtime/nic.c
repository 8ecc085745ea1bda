/*
 * Nic client over the generated Cap'n Proto code (capos/nic.h).
 */
#include <capos/endpoint.h>
#include <capos/nic.h>
#include <capos/string.h>
#include <capos/virtual_memory.h>
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "nic.capnp.h"
#include "nic_server.h" /* NIC_RECV_RESULT_BYTES, the ring's layout */

#define SMALL_BYTES 512u /* results of the small calls, or a CapException */

/* Big enough for 64 full-size frames each way is more than the kernel
 * carries (64 KiB): batches are bounded by that. */
static uint64_t batch_params[NIC_RECV_RESULT_MAX / 8];
static uint64_t batch_result[NIC_RECV_RESULT_MAX / 8];

int capos_nic_open(struct capos_nic *n, struct capos_ring *r, const struct capos_capset *cs,
                   const char *name)
{
	memset(n, 0, sizeof *n);
	int e = capos_endpoint_open_as(cs, name, nic_Nic_ID, &n->cap);
	n->ring = r;
	return e;
}

/* One call with params in b; the result is read into *m over result[]. */
static int nic_call(const struct capos_nic *n, uint16_t method, struct capnp_builder *b,
                    void *result, uint32_t result_cap, struct capnp_reader *m,
                    struct capos_reply *reply, struct capos_call_error *err)
{
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	/* clang-format off */
	struct capos_endpoint_call c = { .method_id = method, .params = b->arena,
	                                 .params_len = (uint32_t)len, .result = result,
	                                 .result_cap = result_cap };
	struct capos_reply rep = { 0 };
	/* clang-format on */
	int e = capos_endpoint_call_in(n->ring, n->cap.cap_id, &c, &rep, err);
	if (e)
		return e;
	if (reply)
		*reply = rep;
	if (capnp_reader_init(m, result, rep.result_len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	return 0;
}

static int empty_call(const struct capos_nic *n, uint16_t method, uint64_t *result,
                      struct capnp_reader *m, struct capos_reply *reply,
                      struct capos_call_error *err)
{
	uint64_t arena[4];
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	capnp_builder_root(&b, 0, 0);
	return nic_call(n, method, &b, result, SMALL_BYTES, m, reply, err);
}

int capos_nic_mac(const struct capos_nic *n, uint8_t mac[6], struct capos_call_error *err)
{
	uint64_t result[SMALL_BYTES / 8];
	struct capnp_reader m;
	int e = empty_call(n, nic_Nic_macAddress_METHOD, result, &m, NULL, err);
	if (e)
		return e;
	struct capnp_data d = nic_Nic_macAddress_Results_get_mac(nic_Nic_macAddress_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK || d.len != 6)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	memcpy(mac, d.ptr, 6);
	return 0;
}

int capos_nic_link(const struct capos_nic *n, bool *up, uint16_t *mtu,
                   struct capos_call_error *err)
{
	uint64_t result[SMALL_BYTES / 8];
	struct capnp_reader m;
	int e = empty_call(n, nic_Nic_linkStatus_METHOD, result, &m, NULL, err);
	if (e)
		return e;
	nic_Nic_linkStatus_Results_reader r = nic_Nic_linkStatus_Results_read_root(&m);
	*up = nic_Nic_linkStatus_Results_get_up(r);
	*mtu = nic_Nic_linkStatus_Results_get_mtu(r);
	return capnp_reader_error(&m) == CAPNP_OK ? 0 : capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
}

int capos_nic_counters(const struct capos_nic *n, struct capos_nic_counters *c,
                       struct capos_call_error *err)
{
	uint64_t result[SMALL_BYTES / 8];
	struct capnp_reader m;
	int e = empty_call(n, nic_Nic_counters_METHOD, result, &m, NULL, err);
	if (e)
		return e;
	nic_NicCounters_reader r = nic_Nic_counters_Results_get_counters(nic_Nic_counters_Results_read_root(&m));
	*c = (struct capos_nic_counters){
		nic_NicCounters_get_rxFrames(r),
		nic_NicCounters_get_rxBytes(r),
		nic_NicCounters_get_rxDrops(r),
		nic_NicCounters_get_rxErrors(r),
		nic_NicCounters_get_txFrames(r),
		nic_NicCounters_get_txBytes(r),
		nic_NicCounters_get_txDrops(r),
		nic_NicCounters_get_txErrors(r),
		nic_NicCounters_get_deviceErrors(r),
	};
	return capnp_reader_error(&m) == CAPNP_OK ? 0 : capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
}

int capos_nic_send(const struct capos_nic *n, const void *const frames[], const uint32_t lens[],
                   unsigned count, uint32_t *accepted, struct capos_call_error *err)
{
	*accepted = 0;
	if (count > CAPOS_NIC_BATCH_MAX)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT);
	struct capnp_builder b;
	capnp_builder_init(&b, batch_params, sizeof batch_params);
	struct capnp_list_builder l =
		nic_Nic_sendBatch_Params_init_frames(nic_Nic_sendBatch_Params_init_root(&b), count);
	for (unsigned i = 0; i < count; i++)
		capnp_lb_set_data(l, i, frames[i], lens[i]);
	uint64_t result[SMALL_BYTES / 8];
	struct capnp_reader m;
	int e = nic_call(n, nic_Nic_sendBatch_METHOD, &b, result, SMALL_BYTES, &m, NULL, err);
	if (e)
		return e;
	*accepted = nic_Nic_sendBatch_Results_get_accepted(nic_Nic_sendBatch_Results_read_root(&m));
	return 0;
}

int capos_nic_receive(const struct capos_nic *n, unsigned max, uint64_t timeout_ns,
                      capos_nic_frame_fn fn, void *ctx, unsigned *got,
                      struct capos_call_error *err)
{
	*got = 0;
	if (max == 0 || max > CAPOS_NIC_BATCH_MAX)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT);
	uint64_t arena[8];
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	nic_Nic_receive_Params_builder p = nic_Nic_receive_Params_init_root(&b);
	nic_Nic_receive_Params_set_maxFrames(p, max);
	nic_Nic_receive_Params_set_timeoutNs(p, timeout_ns);
	struct capnp_reader m;
	int e = nic_call(n, nic_Nic_receive_METHOD, &b, batch_result, NIC_RECV_RESULT_BYTES(max), &m,
	                 NULL, err);
	if (e)
		return e;
	struct capnp_list l = nic_Nic_receive_Results_get_frames(nic_Nic_receive_Results_read_root(&m));
	for (uint32_t i = 0; i < capnp_list_len(l) && i < max; i++) {
		struct capnp_data d = capnp_list_get_data(l, i);
		if (capnp_reader_error(&m) != CAPNP_OK)
			return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
		fn(ctx, d.ptr, d.len);
		(*got)++;
	}
	return 0;
}

int capos_nic_ring_open(struct capos_nic *n, struct capos_call_error *err)
{
	if (n->has_ring)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT);
	uint64_t result[SMALL_BYTES / 8];
	struct capnp_reader m;
	struct capos_reply rep = {0};
	int e = empty_call(n, nic_Nic_frameRing_METHOD, result, &m, &rep, err);
	if (e)
		return e;
	nic_Nic_frameRing_Results_reader r = nic_Nic_frameRing_Results_read_root(&m);
	uint16_t idx = nic_Nic_frameRing_Results_get_memoryIndex(r);
	nic_FrameRingInfo_reader info = nic_Nic_frameRing_Results_get_info(r);
	uint32_t slot = nic_FrameRingInfo_get_slotSize(info);
	uint32_t txs = nic_FrameRingInfo_get_txSlots(info), rxs = nic_FrameRingInfo_get_rxSlots(info);
	uint32_t txo = nic_FrameRingInfo_get_txOffset(info), rxo = nic_FrameRingInfo_get_rxOffset(info);
	if (capnp_reader_error(&m) != CAPNP_OK || idx >= rep.cap_count ||
	    capos_cap_adopt(&rep.caps[idx], capos_MemoryObject_ID, &n->mo.cap) != 0)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	n->mo.ring = n->ring;
	uint64_t size = 0;
	e = capos_memory_object_info(&n->mo, NULL, &size, err);
	/* the geometry must fit the object: the driver is not trusted either */
	if (e == 0 && (txo < sizeof(struct nic_ring_ctl) || (uint64_t)txo + (uint64_t)txs * slot > size ||
	               (uint64_t)rxo + (uint64_t)rxs * slot > size ||
	               (rxo < txo + (uint64_t)txs * slot && txo < rxo + (uint64_t)rxs * slot)))
		e = capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	if (e == 0)
		e = capos_memory_object_map(&n->mo, 0, CAPOS_PROT_READ | CAPOS_PROT_WRITE,
		                            &n->ring_addr, err);
	if (e) {
		capos_memory_object_drop(&n->mo);
		return e;
	}
	uint8_t *base = (uint8_t *)(uintptr_t)n->ring_addr;
	struct nic_ring_ctl *ctl = (struct nic_ring_ctl *)base;
	if (fring_init(&n->tx, base + txo, txs, slot, &ctl->tx_prod, &ctl->tx_cons, true) ||
	    fring_init(&n->rx, base + rxo, rxs, slot, &ctl->rx_prod, &ctl->rx_cons, false))
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	n->has_ring = true;
	return 0;
}

int capos_nic_ring_put(struct capos_nic *n, const void *frame, uint32_t len)
{
	return n->has_ring ? fring_put(&n->tx, frame, len) : FRING_ERR_ARG;
}

int capos_nic_ring_get(struct capos_nic *n, void *buf, uint32_t cap, uint32_t *len)
{
	return n->has_ring ? fring_get(&n->rx, buf, cap, len) : FRING_ERR_ARG;
}

int capos_nic_ring_kick(struct capos_nic *n, uint32_t *pending, struct capos_call_error *err)
{
	if (!n->has_ring)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT);
	fring_publish(&n->tx);
	uint64_t arena[4], result[SMALL_BYTES / 8];
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	nic_Nic_txKick_Params_set_producer(nic_Nic_txKick_Params_init_root(&b), n->tx.mine);
	struct capnp_reader m;
	int e = nic_call(n, nic_Nic_txKick_METHOD, &b, result, SMALL_BYTES, &m, NULL, err);
	if (e)
		return e;
	uint32_t consumer = nic_Nic_txKick_Results_get_consumer(nic_Nic_txKick_Results_read_root(&m));
	if (pending)
		*pending = n->tx.mine - consumer;
	return 0;
}

int capos_nic_ring_wait(struct capos_nic *n, uint64_t timeout_ns, struct capos_call_error *err)
{
	if (!n->has_ring)
		return capos_error_local(err, CAPOS_ERR_INVALID_ARGUMENT);
	fring_publish(&n->rx);
	uint64_t arena[6], result[SMALL_BYTES / 8];
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	nic_Nic_rxWait_Params_builder p = nic_Nic_rxWait_Params_init_root(&b);
	nic_Nic_rxWait_Params_set_consumer(p, n->rx.mine);
	nic_Nic_rxWait_Params_set_timeoutNs(p, timeout_ns);
	struct capnp_reader m;
	int e = nic_call(n, nic_Nic_rxWait_METHOD, &b, result, SMALL_BYTES, &m, NULL, err);
	if (e)
		return e;
	n->rx_producer = nic_Nic_rxWait_Results_get_producer(nic_Nic_rxWait_Results_read_root(&m));
	return 0;
}
