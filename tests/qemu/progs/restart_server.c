/*
 * restart_server: a service init restarts (manifest `restart:
 * "onFailure"`, docs/init.md "Restart").  It answers method 0 (ping) with
 * 8 bytes and crashes on method 1: it writes to address 0, so the kernel
 * kills it while the caller's call is in flight (the caller gets
 * DISCONNECTED).  It exits 0 when its endpoint has no client left.
 *
 * Run by: smoke init_restart (tests/qemu/manifests/init_restart.cue).
 */
#include "demo.h"

#include <capos/endpoint.h>

#include "echo_proto.h"

#define PING  0
#define CRASH 1

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("restart_server", capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) == 0,
	           "owns its endpoint\n");
	static uint64_t buf[64];
	for (;;) {
		struct capos_cqe cqe = echo_recv(&ep, buf, sizeof buf);
		if (cqe.result == CAPOS_ERR_DISCONNECTED)
			break; /* no client left */
		if (cqe.result < 0) {
			capos_printf("[restart_server] FAIL: RECV: %s\n", capos_strerror(cqe.result));
			return 1;
		}
		const struct capos_endpoint_message *h = (const void *)buf;
		if (h->method_id == CRASH) {
			capos_printf("[restart_server] crashing on request\n");
			*(volatile uint64_t *)(uintptr_t)capos_rt.pid = 0; /* below the user range: killed */
		}
		static const uint64_t pong = 0x706f6e67;
		struct capos_sqe sqe = {0};
		sqe.opcode = CAPOS_OP_RETURN;
		sqe.cap_id = ep.cap_id;
		sqe.call_id = h->call_id;
		sqe.addr = (uint64_t)(uintptr_t)&pong;
		sqe.len = sizeof pong;
		capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	}
	capos_printf("[restart_server] no client left: exiting\n");
	return 0;
}
