/*
 * virtio_net: the virtio-net driver service (docs/devices.md, "virtio-net
 * driver").  Its manifest entry grants exactly the device's caps (mmio,
 * dma, irq), a Notification (events), a FrameAllocator for the Nic's frame
 * ring (frames) and the endpoint it serves Nic on (endpoint).  It starts
 * the device, serves its one client until that client is gone, then
 * resets the device and checks every DMA buffer came back.
 *
 * Run by: system-net.cue (`make run-net`), smokes net_arp, net_* and
 * `make bench-nic`.
 */
#include <capos/endpoint.h>
#include <capos/rt.h>
#include <capos/string.h>

#include "vnet_svc.h"

int main(void)
{
	static struct vnet_svc s;
	s.name = capos_rt.capset.process_name[0] ? capos_rt.capset.process_name : "virtio_net";
	s.crash_test = strcmp(s.name, "vnet_crash") == 0;
	struct capos_cap ep;
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) != 0) {
		capos_printf("[%s] no 'endpoint' to serve Nic on\n", s.name);
		return 1;
	}
	s.ep = ep.cap_id;
	capos_printf("[%s] starting: virtio-net driver, Nic on 'endpoint'\n", s.name);
	if (vnet_svc_start(&s) != 0)
		return 1;
	int err = vnet_svc_serve(&s);
	if (err)
		capos_printf("[%s] serving stopped: %s\n", s.name, capos_strerror(err));
	int stop = vnet_svc_stop(&s);
	return err || stop ? 1 : 0;
}
