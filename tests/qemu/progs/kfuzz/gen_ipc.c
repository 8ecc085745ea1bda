/*
 * kfuzz: endpoint operations between the fuzzing processes: CALL with
 * transfers and timeouts, RECV, RETURN, RELEASE, and the kernel's own
 * Endpoint.mintClient (CAPOS_SQE_KERNEL).
 */
#include "kfuzz.h"

/* Transfer descriptors after the params at kf_pbuf[slot] + align8(len). */
static uint8_t add_xfers(int slot, uint32_t len, uint32_t target)
{
	uint8_t n = kf_chance(3) ? (uint8_t)(1 + kf_pick(3)) : 0;
	struct capos_xfer_desc *d = (void *)(kf_pbuf[slot] + capos_align8(len));
	for (uint8_t i = 0; i < n; i++) {
		uint32_t held = kf_npool && kf_chance(2) ? kf_pool[kf_pick(kf_npool)].id
		                                         : kf_keep[kf_pick(kf_nkeep)].id;
		d[i] = (struct capos_xfer_desc){.cap_id = kf_chance(4) ? any_cap() : held,
		                                .mode = CAPOS_XFER_COPY};
		if (kf_chance(3)) { /* move: only what we may lose */
			d[i].mode = CAPOS_XFER_MOVE;
			d[i].cap_id = kf_chance(4) ? any_cap() : pool_take();
			if (is_kept(d[i].cap_id))
				d[i].cap_id = 0;
		}
		if (kf_chance(12))
			d[i].mode = (uint32_t)kf_rand();
		if (kf_chance(12))
			d[i].badge = kf_rand();
		/* An endpoint's owner cap carried in a call to that endpoint. */
		if ((kf_cfg.off & OFF_SELFCOPY) && (d[i].cap_id == c_ctl || d[i].cap_id == target))
			d[i].cap_id = 0;
	}
	return n;
}

void op_call(void)
{
	int slot = kf_slot(true);
	if (slot < 0)
		return;
	uint32_t len = (uint32_t)kf_pick(200);
	for (uint32_t i = 0; i < len; i++)
		kf_pbuf[slot][i] = (uint8_t)kf_rand();
	uint32_t target = kf_chance(3) && c_ctl ? c_ctl : cap_of(capos_Endpoint_ID);
	struct capos_sqe s = {
		.opcode = CAPOS_OP_CALL,
		.cap_id = target,
		.method_id = (uint16_t)kf_rand(),
		.addr = (uint64_t)(uintptr_t)kf_pbuf[slot],
		.len = len,
		.result_addr = (uint64_t)(uintptr_t)kf_rbuf[slot],
		.result_len = KF_BUF,
		.timeout_ns = kf_chance(6) ? 0 : (1 + kf_pick(20)) * KF_MS,
	};
	s.xfer_cap_count = add_xfers(slot, len, target);
	uint8_t rk = result_choice(&s);
	kf_submit(slot, &s, rk == K_ANY ? K_CAPS : rk, true);
}

void op_recv(void)
{
	int slot = kf_slot(true);
	if (slot < 0)
		return;
	struct capos_sqe s = {
		.opcode = CAPOS_OP_RECV,
		.cap_id = kf_chance(4) ? cap_of(capos_Endpoint_ID) : c_ctl,
		.result_addr = (uint64_t)(uintptr_t)kf_rbuf[slot],
		.result_len = KF_BUF,
		.timeout_ns = kf_chance(8) ? 0 : (1 + kf_pick(20)) * KF_MS,
	};
	if (s.cap_id == 0)
		s.cap_id = any_cap();
	uint8_t rk = result_choice(&s);
	kf_submit(slot, &s, rk == K_ANY ? K_RECV : rk, true);
}

/* Mostly the oldest call received and not answered yet (so the callers'
 * queues drain); sometimes one answered before or an invented id. */
static uint32_t next_call(void)
{
	if (kf_ncalls == 0 || kf_chance(8))
		return kf_chance(2) ? (uint32_t)kf_rand() : kf_answered[kf_pick(16)];
	return kf_calls[0];
}

void op_return(void)
{
	int slot = kf_slot(false);
	uint32_t len = (uint32_t)kf_pick(120);
	for (uint32_t i = 0; i < len; i++)
		kf_pbuf[slot][i] = (uint8_t)kf_rand();
	struct capos_sqe s = {
		.opcode = CAPOS_OP_RETURN,
		.cap_id = kf_chance(6) ? cap_of(capos_Endpoint_ID) : c_ctl,
		.addr = (uint64_t)(uintptr_t)kf_pbuf[slot],
		.len = len,
		.call_id = next_call(),
		.flags = kf_chance(4) ? CAPOS_SQE_EXCEPTION : 0,
	};
	if (s.cap_id == 0)
		s.cap_id = any_cap();
	s.xfer_cap_count = add_xfers(slot, len, 0);
	kf_submit(slot, &s, K_ANY, false);
	kf_ops[slot].arg = s.call_id; /* settled by its completion (kf_check) */
}

/*
 * Endpoint.mintClient, mostly on the worker's own endpoint (the owner
 * side: a badged facet in KF_MINT_BADGE's range, often notifying, that
 * then travels, calls and is released like any cap), else on any
 * endpoint cap (a facet: NOT_PERMITTED), with badge 0, foreign labels,
 * an unknown method or lying params.
 */
void op_mint(void)
{
	/* Without an endpoint of its own the flag reaches any kernel object,
	 * whose call may complete later (Notification.wait, Timer.sleep). */
	uint32_t target = kf_chance(4) || c_ctl == 0 ? cap_of(capos_Endpoint_ID) : c_ctl;
	bool later = !kernel_object(target);
	int slot = kf_slot(later);
	if (slot < 0)
		return;
	uint16_t m = kf_chance(8) ? (uint16_t)kf_pick(4) : capos_Endpoint_mintClient_METHOD;
	BUILD(capos_Endpoint_mintClient_Params, p);
	uint64_t badge = kf_chance(10) ? 0 : KF_MINT_BADGE + kf_pick(64);
	bool labelled = kf_chance(4);
	capos_Endpoint_mintClient_Params_set_badge(p, badge);
	/* Labels the workers know (adopted records are checked against them). */
	capos_Endpoint_mintClient_Params_set_interfaceId(p, labelled ? kf_labels[kf_pick(KF_LABELS)]
	                                                             : 0);
	capos_Endpoint_mintClient_Params_set_notifyOnRelease(p, kf_chance(2) != 0);
	size_t len = kf_finish(&b);
	bool lied = lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, target, m, len);
	s.flags = CAPOS_SQE_KERNEL;
	uint8_t rk = result_choice(&s);
	/* Lying params reach decode; a facet they made could carry any
	 * label, so no result room: the check refuses before perform. */
	if (lied)
		s.result_len = 0;
	kf_submit(slot, &s, lied ? K_ANY : rk == K_ANY ? K_CAPS
	                                               : rk,
	          later);
}

void op_release(void)
{
	int slot = kf_slot(false);
	struct capos_sqe s = {.opcode = CAPOS_OP_RELEASE};
	uint8_t kind = K_ANY;
	if (kf_nevicted) {
		s.cap_id = kf_evicted[--kf_nevicted];
		kind = K_RELEASE;
	} else if (kf_chance(3) && kf_stale[0]) { /* an id released before: stale for good */
		s.cap_id = kf_stale[kf_pick(16)];
		kind = s.cap_id ? K_EXPECT : K_ANY;
	} else if (kf_npool) {
		s.cap_id = pool_take();
		kind = K_RELEASE;
	} else {
		s.cap_id = (uint32_t)kf_rand() | 1u << 31;
	}
	if (is_kept(s.cap_id))
		return; /* never ours to drop */
	kf_submit(slot, &s, kind, false);
	kf_ops[slot].expect = CAPOS_ERR_BAD_CAP;
	kf_ops[slot].arg = s.cap_id;
}

/*
 * The end of a worker's run: calls to its own endpoint carrying copies of
 * the endpoint's owner cap are queued with short timeouts, then every cap
 * but the console is released, in random order, while they and whatever
 * else is in flight are still pending.  Drops then happen while their
 * objects are busy; an endpoint's last owner cap may be travelling in a
 * call to that endpoint (kfuzz.off=selfcopy leaves the copies out).
 */
void op_endgame(void)
{
	unsigned calls = 1 + (unsigned)kf_pick(3);
	for (unsigned k = 0; k < calls; k++) {
		int slot = kf_slot(true);
		if (slot < 0)
			break;
		struct capos_sqe s = {
			.opcode = CAPOS_OP_CALL,
			.cap_id = c_ctl,
			.addr = (uint64_t)(uintptr_t)kf_pbuf[slot],
			.result_addr = (uint64_t)(uintptr_t)kf_rbuf[slot],
			.result_len = KF_BUF,
			.timeout_ns = (1 + kf_pick(5)) * KF_MS,
		};
		if (!(kf_cfg.off & OFF_SELFCOPY)) {
			struct capos_xfer_desc *d = (void *)kf_pbuf[slot];
			d[0] = (struct capos_xfer_desc){.cap_id = c_ctl, .mode = CAPOS_XFER_COPY};
			s.xfer_cap_count = 1;
		}
		kf_submit(slot, &s, K_ANY, true);
	}
	kf_enter(0, CAPOS_NO_WAIT);
	uint32_t ids[KF_KEEP + KF_POOL];
	unsigned n = 0;
	/* Half the time the device caps stay held to the exit, so their
	 * mappings go with the process's memory teardown, not with the cap. */
	bool keep_dev = kf_chance(2);
	for (unsigned i = 0; i < kf_nkeep; i++) {
		bool dev = kf_keep[i].iface == device_DeviceMmio_ID || kf_keep[i].iface == device_DMAPool_ID;
		if (kf_keep[i].id != c_console && !(dev && keep_dev))
			ids[n++] = kf_keep[i].id;
	}
	for (unsigned i = 0; i < kf_npool; i++)
		ids[n++] = kf_pool[i].id;
	kf_npool = 0;
	kf_nkeep = 0;
	keep_add(c_console, capos_Console_ID);
	for (unsigned i = n; i > 1; i--) { /* shuffle */
		unsigned k = (unsigned)kf_pick(i);
		uint32_t t = ids[i - 1];
		ids[i - 1] = ids[k];
		ids[k] = t;
	}
	for (unsigned i = 0; i < n; i++) {
		struct capos_sqe s = {.opcode = CAPOS_OP_RELEASE, .cap_id = ids[i]};
		kf_submit(kf_slot(false), &s, K_ANY, false);
	}
	for (unsigned i = 0; i < 40 && kf_blocking(); i++)
		kf_enter(1, 5 * KF_MS);
}
