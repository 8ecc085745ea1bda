/*
 * kfuzz: the device capabilities (schema/device.capnp).  Notification on
 * every worker (kfuzz.cue makes one per worker: the kernel makes it when a
 * worker is spawned under its manifest name); DeviceMmio, DMAPool and
 * Interrupt on the worker kfuzz_devices.cue gives a virtio-net's caps.
 * Every method, unknown methods, adversarial values and lying params.
 * A device mapping is never touched here: what the device does with its
 * registers is not the fuzzer's business, the kernel's refusals are.
 */
#include "kfuzz.h"

/* Adversarial 64-bit bit masks: 0, one bit, all, random. */
static uint64_t any_bits(void)
{
	switch (kf_pick(4)) {
	case 0: return 0;
	case 1: return 1ull << kf_pick(64);
	case 2: return ~0ull;
	default: return kf_rand();
	}
}

/* A wait deadline: none, short, or junk (a huge one never fires in time:
 * the kernel drops the wait when the worker exits). */
static uint64_t any_timeout(void)
{
	switch (kf_pick(4)) {
	case 0: return 0;
	case 1: return (1 + kf_pick(5)) * KF_MS;
	case 2: return 1;
	default: return kf_rand();
	}
}

void op_notify(void)
{
	uint16_t m = (uint16_t)kf_pick(5); /* 4: unknown */
	int slot = kf_slot(m == device_Notification_wait_METHOD);
	if (slot < 0)
		return;
	size_t len;
	switch (m) {
	case device_Notification_signal_METHOD: {
		BUILD(device_Notification_signal_Params, p);
		device_Notification_signal_Params_set_bits(p, any_bits());
		len = kf_finish(&b);
		break;
	}
	case device_Notification_wait_METHOD: {
		BUILD(device_Notification_wait_Params, p);
		device_Notification_wait_Params_set_mask(p, any_bits());
		device_Notification_wait_Params_set_timeoutNs(p, any_timeout());
		len = kf_finish(&b);
		break;
	}
	case device_Notification_poll_METHOD: {
		BUILD(device_Notification_poll_Params, p);
		device_Notification_poll_Params_set_mask(p, any_bits());
		len = kf_finish(&b);
		break;
	}
	default: { /* sender, unknown: no params */
		BUILD(device_Notification_sender_Params, p);
		len = kf_finish(&b);
		break;
	}
	}
	bool lied = lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, cap_of(device_Notification_ID), m, len);
	uint8_t rk = result_choice(&s);
	kf_submit(slot, &s, lied ? K_ANY : rk, m == device_Notification_wait_METHOD);
}

/* An offset or length in a BAR: page multiples near the ends, junk. */
static uint64_t any_bar_offset(void)
{
	switch (kf_pick(5)) {
	case 0: return 0;
	case 1: return kf_pick(8) * P;
	case 2: return 0x4000 - P * kf_pick(2);
	case 3: return kf_pick(P);
	default: return kf_rand();
	}
}

static void op_mmio(void)
{
	int slot = kf_slot(false);
	uint16_t m = (uint16_t)kf_pick(4);
	size_t len;
	if (m == device_DeviceMmio_map_METHOD) {
		BUILD(device_DeviceMmio_map_Params, p);
		device_DeviceMmio_map_Params_set_offset(p, any_bar_offset());
		device_DeviceMmio_map_Params_set_length(p, kf_chance(2) ? P : any_bar_offset());
		device_DeviceMmio_map_Params_set_hint(p, kf_chance(2) ? 0 : any_addr());
		len = kf_finish(&b);
	} else if (m == device_DeviceMmio_unmap_METHOD) {
		BUILD(device_DeviceMmio_unmap_Params, p);
		device_DeviceMmio_unmap_Params_set_addr(p, kf_chance(2) ? kf_devmaps[kf_pick(8)] : any_addr());
		len = kf_finish(&b);
	} else {
		BUILD(device_DeviceMmio_info_Params, p);
		len = kf_finish(&b);
	}
	bool lied = lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, cap_of(device_DeviceMmio_ID), m, len);
	uint8_t rk = result_choice(&s);
	if (rk == K_ANY && m == device_DeviceMmio_map_METHOD && holds(s.cap_id, device_DeviceMmio_ID))
		rk = K_DEVMAP;
	kf_submit(slot, &s, lied ? K_ANY : rk, false);
}

static void op_pool(void)
{
	int slot = kf_slot(false);
	uint16_t m = (uint16_t)kf_pick(4);
	size_t len;
	if (m == device_DMAPool_map_METHOD) {
		BUILD(device_DMAPool_map_Params, p);
		device_DMAPool_map_Params_set_hint(p, kf_chance(2) ? 0 : any_addr());
		len = kf_finish(&b);
	} else if (m == device_DMAPool_unmap_METHOD) {
		BUILD(device_DMAPool_unmap_Params, p);
		device_DMAPool_unmap_Params_set_addr(p, kf_chance(2) ? kf_devmaps[kf_pick(8)] : any_addr());
		len = kf_finish(&b);
	} else {
		BUILD(device_DMAPool_deviceAddress_Params, p);
		len = kf_finish(&b);
	}
	bool lied = lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, cap_of(device_DMAPool_ID), m, len);
	uint8_t rk = result_choice(&s);
	if (rk == K_ANY && m == device_DMAPool_map_METHOD && holds(s.cap_id, device_DMAPool_ID))
		rk = K_DEVMAP;
	kf_submit(slot, &s, lied ? K_ANY : rk, false);
}

static void op_irq(void)
{
	int slot = kf_slot(false);
	uint16_t m = (uint16_t)kf_pick(4);
	size_t len;
	if (m == device_Interrupt_bind_METHOD) {
		BUILD(device_Interrupt_bind_Params, p);
		uint32_t note = kf_chance(2) ? cap_of(device_Notification_ID) : any_cap();
		device_Interrupt_bind_Params_set_notification(p, note);
		device_Interrupt_bind_Params_set_bit(p, (uint8_t)kf_pick(kf_chance(4) ? 256 : 64));
		len = kf_finish(&b);
	} else {
		BUILD(device_Interrupt_info_Params, p);
		len = kf_finish(&b);
	}
	bool lied = lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, cap_of(device_Interrupt_ID), m, len);
	uint8_t rk = result_choice(&s);
	kf_submit(slot, &s, lied ? K_ANY : rk, false);
}

void op_device(void)
{
	switch (kf_pick(3)) {
	case 0: op_mmio(); break;
	case 1: op_pool(); break;
	default: op_irq(); break;
	}
}
