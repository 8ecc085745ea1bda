/* Nic calls decoded and answered: see nic_server.h. */
#include "nic_server.h"

#include "capnp/capnp.h"
#include "kstring.h"
#include "nic.capnp.h"

void nic_srv_init(struct nic_srv *s, struct nic_core *core)
{
	s->core = core;
	s->calls = s->refused = 0;
}

static int exception(struct nic_srv *s, struct nic_srv_reply *r, int type, const char *msg)
{
	if (type == NIC_EXC_INVALID_ARGUMENT)
		s->refused++;
	r->exc_type = type;
	r->exc_msg = msg;
	return NIC_SRV_EXCEPTION;
}

/* Maps a nic_core error to the exception the client sees. */
static int core_error(struct nic_srv *s, struct nic_srv_reply *r, int err)
{
	switch (err) {
	case NIC_ERR_ARG:
		return exception(s, r, NIC_EXC_INVALID_ARGUMENT, "Nic: index out of range");
	case NIC_ERR_RING:
		return exception(s, r, NIC_EXC_FAILED, "Nic: no usable frame ring");
	case NIC_ERR_BUSY:
		return exception(s, r, NIC_EXC_OVERLOADED, "Nic: the frame ring is taken");
	default:
		return exception(s, r, NIC_EXC_FAILED, "Nic: device error");
	}
}

static int finish(struct capnp_builder *b, struct nic_srv_reply *r)
{
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return -1;
	r->len = (uint32_t)len;
	return NIC_SRV_REPLY;
}

static int reply_mac(struct nic_srv *s, struct nic_srv_reply *r)
{
	struct capnp_builder b;
	capnp_builder_init(&b, r->buf, r->cap);
	nic_Nic_macAddress_Results_set_mac(nic_Nic_macAddress_Results_init_root(&b),
	                                   s->core->vn->mac, 6);
	return finish(&b, r);
}

static int reply_link(struct nic_srv *s, struct nic_srv_reply *r)
{
	struct capnp_builder b;
	capnp_builder_init(&b, r->buf, r->cap);
	nic_Nic_linkStatus_Results_builder res = nic_Nic_linkStatus_Results_init_root(&b);
	nic_Nic_linkStatus_Results_set_up(res, vnet_link_up(s->core->vn));
	nic_Nic_linkStatus_Results_set_mtu(res, NIC_MTU);
	return finish(&b, r);
}

static int reply_counters(struct nic_srv *s, struct nic_srv_reply *r)
{
	struct nic_counters c;
	nic_get_counters(s->core, &c);
	struct capnp_builder b;
	capnp_builder_init(&b, r->buf, r->cap);
	nic_NicCounters_builder o =
		nic_Nic_counters_Results_init_counters(nic_Nic_counters_Results_init_root(&b));
	nic_NicCounters_set_rxFrames(o, c.rx_frames);
	nic_NicCounters_set_rxBytes(o, c.rx_bytes);
	nic_NicCounters_set_rxDrops(o, c.rx_drops);
	nic_NicCounters_set_rxErrors(o, c.rx_errors);
	nic_NicCounters_set_txFrames(o, c.tx_frames);
	nic_NicCounters_set_txBytes(o, c.tx_bytes);
	nic_NicCounters_set_txDrops(o, c.tx_drops);
	nic_NicCounters_set_txErrors(o, c.tx_errors);
	nic_NicCounters_set_deviceErrors(o, c.device_errors);
	return finish(&b, r);
}

static int reply_u32(struct nic_srv_reply *r, uint16_t method, uint32_t v)
{
	struct capnp_builder b;
	capnp_builder_init(&b, r->buf, r->cap);
	if (method == nic_Nic_sendBatch_METHOD)
		nic_Nic_sendBatch_Results_set_accepted(nic_Nic_sendBatch_Results_init_root(&b), v);
	else if (method == nic_Nic_txKick_METHOD)
		nic_Nic_txKick_Results_set_consumer(nic_Nic_txKick_Results_init_root(&b), v);
	else
		nic_Nic_rxWait_Results_set_producer(nic_Nic_rxWait_Results_init_root(&b), v);
	return finish(&b, r);
}

static int send_batch(struct nic_srv *s, struct capnp_reader *in, struct nic_srv_reply *r)
{
	struct capnp_list l = nic_Nic_sendBatch_Params_get_frames(nic_Nic_sendBatch_Params_read_root(in));
	if (capnp_reader_error(in) != CAPNP_OK)
		return exception(s, r, NIC_EXC_INVALID_ARGUMENT, "Nic.sendBatch: bad params");
	uint32_t n = capnp_list_len(l);
	if (n > NIC_BATCH_MAX)
		return exception(s, r, NIC_EXC_INVALID_ARGUMENT, "Nic.sendBatch: more than 64 frames");
	const void *frames[NIC_BATCH_MAX];
	uint32_t lens[NIC_BATCH_MAX];
	for (uint32_t i = 0; i < n; i++) {
		struct capnp_data d = capnp_list_get_data(l, i);
		frames[i] = d.ptr;
		lens[i] = d.ptr ? d.len : 0; /* a bad element is a bad length: counted */
	}
	if (capnp_reader_error(in) != CAPNP_OK)
		return exception(s, r, NIC_EXC_INVALID_ARGUMENT, "Nic.sendBatch: bad frame list");
	uint32_t accepted = 0;
	int err = nic_send(s->core, frames, lens, n, &accepted);
	if (err)
		return core_error(s, r, err);
	return reply_u32(r, nic_Nic_sendBatch_METHOD, accepted);
}

/* Stages up to max frames; returns how many, or a nic_core error. */
static int stage_frames(struct nic_srv *s, uint32_t max, uint32_t lens[], uint32_t budget)
{
	uint32_t n = 0, off = 0, used = 64;
	while (n < max) {
		/* a full-size frame must still fit the client's buffer */
		if (used + 8u + 1520u > budget)
			break;
		uint32_t len;
		int err = nic_recv(s->core, s->stage + off, VNET_FRAME_MAX, &len);
		if (err == NIC_ERR_EMPTY)
			break;
		if (err)
			return err;
		lens[n++] = len;
		off += (len + 7u) & ~7u;
		used += 8u + ((len + 7u) & ~7u);
	}
	return (int)n;
}

static int receive(struct nic_srv *s, const struct nic_pending *p, bool expired,
                   struct nic_srv_reply *r)
{
	uint32_t lens[NIC_BATCH_MAX] = {0};
	int n = stage_frames(s, p->max_frames, lens, NIC_RECV_RESULT_BYTES(p->max_frames));
	if (n < 0)
		return core_error(s, r, n);
	if (n == 0 && p->timeout_ns != 0 && !expired)
		return NIC_SRV_DEFER;
	struct capnp_builder b;
	capnp_builder_init(&b, r->buf, r->cap);
	struct capnp_list_builder l =
		nic_Nic_receive_Results_init_frames(nic_Nic_receive_Results_init_root(&b), (uint32_t)n);
	uint32_t off = 0;
	for (int i = 0; i < n; i++) {
		capnp_lb_set_data(l, (uint32_t)i, s->stage + off, lens[i]);
		off += (lens[i] + 7u) & ~7u;
	}
	return finish(&b, r);
}

static int rx_wait(struct nic_srv *s, const struct nic_pending *p, bool expired,
                   struct nic_srv_reply *r)
{
	int moved = nic_rx_pump(s->core);
	if (moved < 0)
		return core_error(s, r, moved);
	bool ready = false;
	uint32_t producer = 0;
	int err = nic_rx_ready(s->core, p->consumer, &ready, &producer);
	if (err)
		return core_error(s, r, err);
	if (!ready && p->timeout_ns != 0 && !expired)
		return NIC_SRV_DEFER;
	return reply_u32(r, nic_Nic_rxWait_METHOD, producer);
}

int nic_srv_retry(struct nic_srv *s, const struct nic_pending *p, bool expired,
                  struct nic_srv_reply *r)
{
	int res = p->method == nic_Nic_receive_METHOD ? receive(s, p, expired, r)
	                                              : rx_wait(s, p, expired, r);
	if (res < 0)
		return exception(s, r, NIC_EXC_FAILED, "Nic: reply too long");
	return res;
}

static int tx_kick(struct nic_srv *s, struct capnp_reader *in, struct nic_srv_reply *r)
{
	uint32_t producer = nic_Nic_txKick_Params_get_producer(nic_Nic_txKick_Params_read_root(in));
	if (capnp_reader_error(in) != CAPNP_OK)
		return exception(s, r, NIC_EXC_INVALID_ARGUMENT, "Nic.txKick: bad params");
	uint32_t consumer = 0;
	int err = nic_tx_kick(s->core, producer, &consumer);
	if (err)
		return core_error(s, r, err);
	return reply_u32(r, nic_Nic_txKick_METHOD, consumer);
}

/* receive and rxWait: decode into *p, then try once. */
static int blocking(struct nic_srv *s, uint16_t method, struct capnp_reader *in,
                    struct nic_pending *p, struct nic_srv_reply *r)
{
	*p = (struct nic_pending){.method = method};
	if (method == nic_Nic_receive_METHOD) {
		nic_Nic_receive_Params_reader q = nic_Nic_receive_Params_read_root(in);
		p->max_frames = nic_Nic_receive_Params_get_maxFrames(q);
		p->timeout_ns = nic_Nic_receive_Params_get_timeoutNs(q);
		if (capnp_reader_error(in) != CAPNP_OK || p->max_frames == 0 ||
		    p->max_frames > NIC_BATCH_MAX)
			return exception(s, r, NIC_EXC_INVALID_ARGUMENT,
			                 "Nic.receive: maxFrames must be 1..64");
	} else {
		nic_Nic_rxWait_Params_reader q = nic_Nic_rxWait_Params_read_root(in);
		p->consumer = nic_Nic_rxWait_Params_get_consumer(q);
		p->timeout_ns = nic_Nic_rxWait_Params_get_timeoutNs(q);
		if (capnp_reader_error(in) != CAPNP_OK)
			return exception(s, r, NIC_EXC_INVALID_ARGUMENT, "Nic.rxWait: bad params");
	}
	return nic_srv_retry(s, p, false, r);
}

int nic_srv_dispatch(struct nic_srv *s, uint16_t method, const void *params, uint32_t len,
                     struct nic_pending *pending, struct nic_srv_reply *r)
{
	s->calls++;
	r->len = 0;
	struct capnp_reader in;
	if (capnp_reader_init(&in, params, len) != CAPNP_OK)
		return exception(s, r, NIC_EXC_INVALID_ARGUMENT, "Nic: params are not a message");
	int res;
	switch (method) {
	case nic_Nic_macAddress_METHOD: res = reply_mac(s, r); break;
	case nic_Nic_linkStatus_METHOD: res = reply_link(s, r); break;
	case nic_Nic_counters_METHOD: res = reply_counters(s, r); break;
	case nic_Nic_sendBatch_METHOD: res = send_batch(s, &in, r); break;
	case nic_Nic_receive_METHOD:
	case nic_Nic_rxWait_METHOD: res = blocking(s, method, &in, pending, r); break;
	case nic_Nic_frameRing_METHOD:
		if (s->core->ring_attached)
			return core_error(s, r, NIC_ERR_BUSY);
		return NIC_SRV_RING;
	case nic_Nic_txKick_METHOD: res = tx_kick(s, &in, r); break;
	default: return exception(s, r, NIC_EXC_UNIMPLEMENTED, "Nic: no such method");
	}
	if (res < 0)
		return exception(s, r, NIC_EXC_FAILED, "Nic: reply too long");
	return res;
}

int nic_srv_ring_reply(struct nic_srv_reply *r, uint16_t memory_index)
{
	struct capnp_builder b;
	capnp_builder_init(&b, r->buf, r->cap);
	nic_Nic_frameRing_Results_builder res = nic_Nic_frameRing_Results_init_root(&b);
	nic_Nic_frameRing_Results_set_memoryIndex(res, memory_index);
	nic_FrameRingInfo_builder i = nic_Nic_frameRing_Results_init_info(res);
	nic_FrameRingInfo_set_slotSize(i, NIC_SLOT_SIZE);
	nic_FrameRingInfo_set_txSlots(i, NIC_RING_SLOTS);
	nic_FrameRingInfo_set_rxSlots(i, NIC_RING_SLOTS);
	nic_FrameRingInfo_set_txOffset(i, NIC_RING_TX_OFFSET);
	nic_FrameRingInfo_set_rxOffset(i, NIC_RING_RX_OFFSET);
	return finish(&b, r) < 0 ? -1 : NIC_SRV_REPLY;
}
