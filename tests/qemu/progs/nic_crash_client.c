/*
 * nic_crash_client: the client of a driver that dies mid-transfer (the
 * "vnet_crash" instance of services/virtio_net faults right after taking
 * a batch).  It sends 32 frames to QEMU's gateway MAC (EtherType 0x88b5,
 * which QEMU drops) and expects the call to fail because the driver is
 * gone, not to hang; the kernel's device teardown must then quiesce the
 * device before the pool's frames come back (the smoke checks the
 * accounting).
 *
 * Run by: smoke net_driver_killed.
 */
#include <capos/nic.h>
#include <capos/rt.h>

#include "demo.h"

#define NAME "nic_crash_client"

int main(void)
{
	static struct capos_nic nic;
	uint8_t mac[6];
	int e = capos_nic_open(&nic, &capos_rt_ring, &capos_rt.capset, "nic");
	DEMO_CHECK(NAME, e == 0 && capos_nic_mac(&nic, mac, NULL) == 0, "holds a Nic\n");
	if (e)
		return demo_finish(NAME);
	static uint8_t frame[60] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
	memcpy(frame + 6, mac, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	const void *frames[32];
	uint32_t lens[32], accepted = 0;
	for (int i = 0; i < 32; i++) {
		frames[i] = frame;
		lens[i] = sizeof frame;
	}
	struct capos_call_error err;
	e = capos_nic_send(&nic, frames, lens, 32, &accepted, &err);
	DEMO_CHECK(NAME, e != 0, "the driver died during sendBatch: %s\n",
	           e ? capos_strerror(err.code) : "it answered");
	return demo_finish(NAME);
}
