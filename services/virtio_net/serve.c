/*
 * The driver's loop: one RECV on the Nic endpoint and one Notification.wait
 * for the interrupt are always outstanding, and the driver sleeps in
 * cap_enter until either completes (no polling while idle).  A receive or
 * rxWait that finds nothing is kept (one at a time) and answered when a
 * frame arrives or when its timeout passes; cap_enter's own timeout wakes
 * the driver for that.  Time comes from the TSC, calibrated at start
 * against a Notification.wait timeout.
 */
#include <capos/device.h>
#include <capos/frame_allocator.h>
#include <capos/rt.h>
#include <capos/server.h>
#include <capos/virtual_memory.h>

#include "capnp/capnp.h"
#include "device.capnp.h"
#include "nic.capnp.h"
#include "nic_server.h"
#include "vnet_svc.h"

#define RECV_BYTES   (64u * 1024u) /* the kernel's largest result: header, params, caps */
#define RETURNS_MAX  8u
#define CALIBRATE_NS 10000000ull /* 10 ms */

static uint64_t recv_buf[RECV_BYTES / 8];
static uint64_t reply_buf[(NIC_RECV_RESULT_MAX + 8 + CAPOS_XFER_MAX * 16) / 8];
static uint64_t wait_params[4], wait_result[8];
static struct nic_srv srv;

struct loop {
	struct vnet_svc *s;
	uint64_t recv_ud, wait_ud;
	bool deferred;
	uint32_t def_call;
	uint64_t def_deadline; /* TSC ticks; 0: none */
	struct nic_pending pend;
	uint64_t ret_ud[RETURNS_MAX]; /* RETURNs whose CQE is not collected */
	unsigned nret;
	uint64_t tsc_per_ms;
	struct capos_memory_object ring_mo;
	uint64_t calls, deferrals, expired, ring_refusals;
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	/* clang-format on */
	return (uint64_t)hi << 32 | lo;
}

/* Submits Notification.wait(mask, timeout) as a plain CALL, not waited for. */
static int submit_wait(struct loop *l, uint64_t mask, uint64_t timeout_ns)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, wait_params, sizeof wait_params);
	device_Notification_wait_Params_builder p = device_Notification_wait_Params_init_root(&b);
	device_Notification_wait_Params_set_mask(p, mask);
	device_Notification_wait_Params_set_timeoutNs(p, timeout_ns);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	l->wait_ud = capos_ring_next_user_data(&capos_rt_ring);
	/* clang-format off */
	struct capos_sqe sqe = { .opcode = CAPOS_OP_CALL, .cap_id = l->s->note,
	                         .user_data = l->wait_ud, .addr = (uintptr_t)wait_params,
	                         .len = (uint32_t)len, .result_addr = (uintptr_t)wait_result,
	                         .result_len = sizeof wait_result,
	                         .method_id = device_Notification_wait_METHOD };
	/* clang-format on */
	return capos_ring_submit(&capos_rt_ring, &sqe);
}

/* The TSC rate: ticks across a wait on a bit nobody signals. */
static int calibrate(struct loop *l)
{
	uint64_t t0 = rdtsc();
	struct capos_cqe cqe;
	int err = submit_wait(l, 1ull << 63, CALIBRATE_NS);
	if (err == 0)
		err = capos_ring_wait(&capos_rt_ring, l->wait_ud, CAPOS_WAIT_FOREVER, &cqe);
	if (err == 0 && cqe.result < 0)
		err = cqe.result;
	uint64_t ticks = rdtsc() - t0;
	l->tsc_per_ms = ticks / (CALIBRATE_NS / 1000000ull);
	if (err || l->tsc_per_ms == 0) {
		capos_printf("[%s] clock calibration failed: %s\n", l->s->name, capos_strerror(err));
		return -1;
	}
	return 0;
}

static int submit_recv(struct loop *l)
{
	l->recv_ud = capos_ring_next_user_data(&capos_rt_ring);
	/* clang-format off */
	struct capos_sqe sqe = { .opcode = CAPOS_OP_RECV, .cap_id = l->s->ep,
	                         .user_data = l->recv_ud, .result_addr = (uintptr_t)recv_buf,
	                         .result_len = sizeof recv_buf };
	/* clang-format on */
	return capos_ring_submit(&capos_rt_ring, &sqe);
}

/* Collects the CQEs of earlier RETURNs (a refused one is only counted:
 * the kernel told the caller). */
static void collect_returns(struct loop *l)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < l->nret; i++) {
		struct capos_cqe c;
		if (!capos_ring_take(&capos_rt_ring, l->ret_ud[i], &c))
			l->ret_ud[kept++] = l->ret_ud[i];
	}
	l->nret = kept;
}

static int submit_return(struct loop *l, uint32_t call_id, const struct capos_server_reply *r,
                         bool wait)
{
	uint8_t *buf = (uint8_t *)reply_buf;
	uint64_t at = capos_align8(r->len);
	if (r->xfer_count)
		memcpy(buf + at, r->xfer, r->xfer_count * sizeof(struct capos_xfer_desc));
	uint64_t ud = capos_ring_next_user_data(&capos_rt_ring);
	struct capos_sqe sqe = {.opcode = CAPOS_OP_RETURN,
	                        .flags = r->exception ? CAPOS_SQE_EXCEPTION : 0,
	                        .xfer_cap_count = (uint8_t)r->xfer_count,
	                        .cap_id = l->s->ep,
	                        .call_id = call_id,
	                        .user_data = ud,
	                        .addr = (uintptr_t)buf,
	                        .len = r->len};
	int err = capos_ring_submit(&capos_rt_ring, &sqe);
	if (err)
		return err;
	if (wait || l->nret == RETURNS_MAX) {
		struct capos_cqe c;
		err = capos_ring_wait(&capos_rt_ring, ud, CAPOS_WAIT_FOREVER, &c);
		return err ? err : (c.result < 0 ? c.result : 0);
	}
	l->ret_ud[l->nret++] = ud;
	return 0;
}

/* Sends what nic_srv produced (a reply or an exception). */
static int answer(struct loop *l, uint32_t call_id, int res, const struct nic_srv_reply *nr)
{
	struct capos_server_reply r = {.buf = reply_buf, .cap = NIC_RECV_RESULT_MAX};
	if (res == NIC_SRV_EXCEPTION)
		capos_server_exception(&r, nr->exc_type, nr->exc_msg);
	else
		r.len = nr->len;
	return submit_return(l, call_id, &r, false);
}

/* frameRing: a MemoryObject for the ring, mapped here, a copy to the client. */
static int give_ring(struct loop *l, uint32_t call_id)
{
	struct capos_server_reply r = {.buf = reply_buf, .cap = NIC_RECV_RESULT_MAX};
	struct capos_frame_allocator fa;
	uint64_t at = 0;
	const char *why = NULL;
	if (capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frames") != 0)
		why = "Nic.frameRing: the driver has no FrameAllocator";
	else if (capos_frame_alloc_memory(&fa, NIC_RING_PAGES, &l->ring_mo, NULL) != 0)
		why = "Nic.frameRing: no memory for the ring";
	else if (capos_memory_object_map(&l->ring_mo, 0, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &at,
	                                 NULL) != 0 ||
	         nic_ring_attach(&l->s->core, (void *)(uintptr_t)at, NIC_RING_BYTES) != NIC_OK)
		why = "Nic.frameRing: cannot map the ring";
	if (why) {
		capos_server_exception(&r, capos_CapException_Type_overloaded, why);
		return submit_return(l, call_id, &r, false);
	}
	struct nic_srv_reply nr = {.buf = reply_buf, .cap = NIC_RECV_RESULT_MAX};
	nic_srv_ring_reply(&nr, 0);
	r.len = nr.len;
	r.xfer[0] = (struct capos_xfer_desc){l->ring_mo.cap.cap_id, CAPOS_XFER_COPY, 0};
	r.xfer_count = 1;
	int err = submit_return(l, call_id, &r, true);
	capos_printf("[%s] frame ring: %u pages, %u TX + %u RX slots of %u bytes%s\n", l->s->name,
	             NIC_RING_PAGES, NIC_RING_SLOTS, NIC_RING_SLOTS, NIC_SLOT_SIZE,
	             err ? " (the client did not take it)" : "");
	return 0;
}

static uint64_t deadline_after(const struct loop *l, uint64_t ns)
{
	uint64_t ms = ns / 1000000ull + 1;
	return rdtsc() + ms * l->tsc_per_ms;
}

/* The crash test (vnet_svc.h): dies with the TX queue in the device's
 * hands; the call is never answered. */
static void crash(struct vnet_svc *s)
{
	capos_printf("[%s] crash test: faulting with %u TX buffers in flight\n", s->name,
	             (unsigned)(VNET_SVC_QSIZE - s->vn.tx_nfree));
	/* clang-format off */
	__asm__ volatile("ud2"); /* an invalid opcode: the kernel kills us */
	/* clang-format on */
}

static int handle_call(struct loop *l, int32_t result)
{
	struct capos_server_call call;
	if (capos_server_parse(recv_buf, (uint32_t)result, &call) != 0)
		return CAPOS_ERR_BAD_MESSAGE;
	l->calls++;
	for (uint32_t i = 0; i < call.cap_count; i++) {
		struct capos_cap c; /* the Nic takes no caps: let them go */
		if (capos_cap_adopt(&call.caps[i], call.caps[i].interface_id, &c) == 0)
			capos_cap_drop(&c);
	}
	struct nic_srv_reply nr = {.buf = reply_buf, .cap = NIC_RECV_RESULT_MAX};
	struct nic_pending p;
	int res = nic_srv_dispatch(&srv, call.method_id, call.params, call.params_len, &p, &nr);
	if (res == NIC_SRV_RING)
		return give_ring(l, call.call_id);
	if (res == NIC_SRV_DEFER) {
		if (l->deferred) {
			nr.exc_type = capos_CapException_Type_overloaded;
			nr.exc_msg = "Nic: one blocking receive/rxWait at a time";
			return answer(l, call.call_id, NIC_SRV_EXCEPTION, &nr);
		}
		l->deferred = true;
		l->deferrals++;
		l->def_call = call.call_id;
		l->pend = p;
		l->def_deadline = deadline_after(l, p.timeout_ns);
		return 0;
	}
	if (l->s->crash_test && call.method_id == nic_Nic_sendBatch_METHOD)
		crash(l->s);
	if (res == NIC_SRV_EXCEPTION && nr.exc_type == capos_CapException_Type_invalidArgument)
		capos_printf("[%s] refused a call: %s (%lu refused so far)\n", l->s->name, nr.exc_msg,
		             (unsigned long)srv.refused);
	return answer(l, call.call_id, res, &nr);
}

/* Answers the kept call if frames came or its time is up. */
static int retry_deferred(struct loop *l, bool expired)
{
	if (!l->deferred)
		return 0;
	struct nic_srv_reply nr = {.buf = reply_buf, .cap = NIC_RECV_RESULT_MAX};
	int res = nic_srv_retry(&srv, &l->pend, expired, &nr);
	if (res == NIC_SRV_DEFER)
		return 0;
	l->deferred = false;
	if (expired)
		l->expired++;
	return answer(l, l->def_call, res, &nr);
}

/* After an interrupt: TX completions, RX into the ring, the kept call. */
static int device_work(struct loop *l)
{
	struct vnet_svc *s = l->s;
	if (vnet_reclaim_tx(&s->vn) != VIRTIO_OK) {
		capos_printf("[%s] the device broke the TX ring protocol\n", s->name);
		return -1;
	}
	if (s->core.ring_attached && nic_rx_pump(&s->core) == NIC_ERR_DEVICE) {
		capos_printf("[%s] the device broke the RX ring protocol\n", s->name);
		return -1;
	}
	return retry_deferred(l, false);
}

/* Someone takes received frames now: a kept receive, or a ring with room.
 * Otherwise they wait in the device's RX queue, without interrupts. */
static bool wants_rx(const struct loop *l)
{
	struct vnet_svc *s = l->s;
	if (s->core.ring_attached)
		return !s->core.rx.broken && fring_count(&s->core.rx) > 0;
	return l->deferred;
}

/* Interrupts on before sleeping; false when work came in meanwhile. */
static bool arm(const struct loop *l)
{
	struct vnet_svc *s = l->s;
	virtq_disable_interrupts(&s->vn.tx); /* TX buffers are reclaimed when sending */
	if (!wants_rx(l)) {
		virtq_disable_interrupts(&s->vn.rx);
		return true;
	}
	return virtq_enable_interrupts(&s->vn.rx);
}

static uint64_t enter_timeout(struct loop *l)
{
	if (!l->deferred || l->pend.timeout_ns == 0)
		return CAPOS_WAIT_FOREVER;
	uint64_t now = rdtsc();
	if (now >= l->def_deadline)
		return 0;
	return (l->def_deadline - now) / l->tsc_per_ms * 1000000ull + 1000000ull;
}

static int on_interrupt(struct loop *l, const struct capos_cqe *c)
{
	struct vnet_svc *s = l->s;
	if (c->result < 0) {
		capos_printf("[%s] Notification.wait failed: %s\n", s->name, capos_strerror(c->result));
		return -1;
	}
	s->interrupts++;
	if (device_work(l))
		return -1;
	struct capos_call_error err;
	if (capos_interrupt_ack(&capos_rt_ring, s->irq, &err)) {
		capos_printf("[%s] Interrupt.ack failed: %s\n", s->name, err.message);
		return -1;
	}
	return 0;
}

static void log_exit(struct loop *l)
{
	struct nic_counters c;
	nic_get_counters(&l->s->core, &c);
	capos_printf("[%s] client gone: %lu calls (%lu refused, %lu waited, %lu timed out), "
	             "%lu interrupts; RX %lu frames, TX %lu frames, %lu TX errors, %lu device errors\n",
	             l->s->name, (unsigned long)l->calls, (unsigned long)srv.refused,
	             (unsigned long)l->deferrals, (unsigned long)l->expired,
	             (unsigned long)l->s->interrupts, (unsigned long)c.rx_frames,
	             (unsigned long)c.tx_frames, (unsigned long)c.tx_errors,
	             (unsigned long)c.device_errors);
}

int vnet_svc_serve(struct vnet_svc *s)
{
	static struct loop l;
	l = (struct loop){.s = s};
	nic_srv_init(&srv, &s->core);
	if (calibrate(&l))
		return -1;
	bool waiting = false, recv_posted = false;
	for (;;) {
		if (!recv_posted && submit_recv(&l) == 0)
			recv_posted = true;
		if (!waiting) {
			if (submit_wait(&l, 1ull << VNET_SVC_IRQ_BIT, 0) != 0)
				return -1;
			waiting = true;
		}
		/* A synchronous call (Interrupt.ack, a RETURN with caps) may have
		 * parked our completions in the runtime's stash: take those first.
		 * Sleep only when nothing is waiting in the device for us. */
		struct capos_cqe wc, c;
		bool have_w = capos_ring_take(&capos_rt_ring, l.wait_ud, &wc);
		bool have_r = capos_ring_take(&capos_rt_ring, l.recv_ud, &c);
		bool idle = arm(&l);
		if (!have_w && !have_r) {
			int64_t n = capos_ring_enter(&capos_rt_ring, idle ? 1 : 0,
			                             idle ? enter_timeout(&l) : CAPOS_NO_WAIT);
			if (n < 0)
				return (int)n;
			have_w = capos_ring_take(&capos_rt_ring, l.wait_ud, &wc);
			have_r = capos_ring_take(&capos_rt_ring, l.recv_ud, &c);
		}
		if (!idle && device_work(&l))
			return -1;
		collect_returns(&l);
		if (have_w) {
			waiting = false;
			if (on_interrupt(&l, &wc))
				return -1;
		}
		if (have_r) {
			recv_posted = false;
			if (c.result == CAPOS_ERR_DISCONNECTED) {
				log_exit(&l);
				return 0;
			}
			if (c.result < 0)
				return c.result;
			if (handle_call(&l, c.result))
				return -1;
		}
		if (l.deferred && l.pend.timeout_ns && rdtsc() >= l.def_deadline &&
		    retry_deferred(&l, true))
			return -1;
	}
}
