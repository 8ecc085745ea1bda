/*
 * notify_test smoke: a Notification's signal, poll and wait (bits taken
 * by mask, a wait that times out, a wait a signal already satisfied), the
 * sender facet (signals; may not wait or poll), hostile arguments refused,
 * and a process that exits with a wait pending (the kernel drops the wait
 * and the notification comes back).
 *
 * Run by: smoke notify_basic (tests/qemu/manifests/notify_basic.cue).
 */
#include "demo.h"
#include "capos.capnp.h"
#include "device.capnp.h"
#include <capos/capset.h>
#include <capos/device.h>

#define NAME "notify_test"
#define MS   1000000ull

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return (uint64_t)hi << 32 | lo;
}

static bool exception(int ret, const struct capos_call_error *e, int type)
{
	return ret != 0 && e->kind == CAPOS_ERROR_EXCEPTION && e->exception_type == type;
}

/* Notification.poll(all) with a result buffer too small for its answer. */
static int poll_small(uint32_t note)
{
	static uint64_t params[8], result[1];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	device_Notification_poll_Params_init_root(&b);
	capnp_builder_finish(&b, &len);
	/* clang-format off */
	struct capos_call c = {.cap_id = note, .method_id = device_Notification_poll_METHOD,
	                       .params = params, .params_len = (uint32_t)len,
	                       .result = result, .result_cap = sizeof result};
	/* clang-format on */
	return capos_call(&capos_rt_ring, &c, 0, 0);
}

/* Submits a wait with no deadline and lets the kernel take it, without
 * waiting for its completion: the process then exits with it pending. */
static void leave_wait_pending(uint32_t note)
{
	static uint64_t params[8], result[8];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	device_Notification_wait_Params_builder p = device_Notification_wait_Params_init_root(&b);
	device_Notification_wait_Params_set_mask(p, 0x100);
	capnp_builder_finish(&b, &len);
	struct capos_sqe sqe = {
		.opcode = CAPOS_OP_CALL,
		.cap_id = note,
		.user_data = capos_ring_next_user_data(&capos_rt_ring),
		.addr = (uint64_t)(uintptr_t)params,
		.len = (uint32_t)len,
		.result_addr = (uint64_t)(uintptr_t)result,
		.result_len = sizeof result,
		.method_id = device_Notification_wait_METHOD,
	};
	int ret = capos_ring_submit(&capos_rt_ring, &sqe);
	if (ret == 0)
		ret = (int)capos_ring_enter(&capos_rt_ring, 0, 0);
	DEMO_CHECK(NAME, ret >= 0, "a wait for bit 8 is pending; exiting with it\n");
}

int main(void)
{
	const int INVALID = capos_CapException_Type_invalidArgument;
	const int OVERLOADED = capos_CapException_Type_overloaded;
	struct capos_ring *r = &capos_rt_ring;
	const struct capos_capset_entry *e =
		capos_capset_find(&capos_rt.capset, "events", device_Notification_ID);
	DEMO_CHECK(NAME, e != 0, "Notification 'events' in the CapSet\n");
	if (e == 0)
		return demo_finish(NAME);
	uint32_t note = e->cap_id;
	uint64_t bits = 99;
	struct capos_call_error err;

	int ret = capos_notification_poll(r, note, 0, &bits, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == 0, "poll of a new notification: %lx\n",
	           (unsigned long)bits);
	ret = capos_notification_signal(r, note, 0, &err);
	DEMO_CHECK(NAME, exception(ret, &err, INVALID), "signal(0) refused: %s\n", err.message);
	ret = capos_notification_signal(r, note, 0x5, &err);
	DEMO_CHECK(NAME, ret == 0, "signal(0x5)\n");
	ret = capos_notification_poll(r, note, 0x1, &bits, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == 0x1, "poll(mask 0x1) took %lx\n", (unsigned long)bits);
	ret = capos_notification_poll(r, note, 0, &bits, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == 0x4, "poll(all) took %lx\n", (unsigned long)bits);
	ret = capos_notification_signal(r, note, 0x2, &err);
	ret |= capos_notification_wait(r, note, 0x2, 0, &bits, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == 0x2, "wait on a pending bit returns at once: %lx\n",
	           (unsigned long)bits);
	ret = capos_notification_wait(r, note, 0, 20 * MS, &bits, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == 0, "wait with nothing pending times out after 20 ms\n");

	uint32_t sender = 0;
	ret = capos_notification_sender(r, note, &sender, &err);
	DEMO_CHECK(NAME, ret == 0 && sender != 0, "sender facet made\n");
	ret = capos_notification_signal(r, sender, 0x8, &err);
	DEMO_CHECK(NAME, ret == 0, "signal(0x8) through the sender facet\n");
	ret = capos_notification_poll(r, sender, 0, &bits, &err);
	DEMO_CHECK(NAME, ret == CAPOS_ERR_NOT_PERMITTED, "poll on the sender facet refused: %s\n",
	           capos_strerror(ret));
	ret = capos_notification_wait(r, sender, 0, 0, &bits, &err);
	DEMO_CHECK(NAME, ret == CAPOS_ERR_NOT_PERMITTED, "wait on the sender facet refused: %s\n",
	           capos_strerror(ret));
	uint32_t again = 0;
	ret = capos_notification_sender(r, sender, &again, &err);
	DEMO_CHECK(NAME, ret == CAPOS_ERR_NOT_PERMITTED, "sender of the sender facet refused: %s\n",
	           capos_strerror(ret));
	ret = capos_notification_wait(r, note, 0x8, 1000 * MS, &bits, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == 0x8, "wait got the sender's bit: %lx\n",
	           (unsigned long)bits);
	ret = capos_notification_signal(r, note, ~0ull, &err);
	ret |= capos_notification_poll(r, note, 0, &bits, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == ~0ull, "all 64 bits signalled and taken\n");
	(void)OVERLOADED;

	/* docs/invocation.md: a call that reports an error had no effect. */
	capos_notification_signal(r, note, 0x10, &err);
	ret = poll_small(note);
	DEMO_CHECK(NAME, ret == CAPOS_ERR_RESULT_TOO_SMALL, "poll with an 8-byte result buffer: %s\n",
	           capos_strerror(ret));
	ret = capos_notification_poll(r, note, 0, &bits, &err);
	DEMO_CHECK(NAME, ret == 0 && bits == 0x10, "the refused poll took nothing: %lx still pending\n",
	           (unsigned long)bits);

	/* Informational only (no check depends on it): what a call costs. */
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < 1000; i++) {
		capos_notification_signal(r, note, 1, &err);
		capos_notification_poll(r, note, 1, &bits, &err);
	}
	uint64_t t1 = rdtsc();
	capos_printf("[%s] measured: 1000 signal+poll pairs, %lu TSC ticks per call\n",
	             demo_name(NAME), (unsigned long)((t1 - t0) / 2000));

	leave_wait_pending(note);
	return demo_finish(NAME);
}
