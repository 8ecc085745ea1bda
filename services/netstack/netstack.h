/*
 * The netstack service's shared state and its event loop (main.c), the
 * NetworkManager it serves (manager.c) and ICMP echo (ping.c).
 * docs/networking.md, "The netstack service".
 */
#ifndef CAPOS_NETSTACK_H
#define CAPOS_NETSTACK_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/abi.h>
#include <capos/handle.h>

#include "net.capnp.rpc.h"

#include "ethif.h"
#include "nic_link.h"
#include "park.h"
#include "sockets.h"

struct netstack {
	struct nic_link link;
	struct ethif eth;
	uint8_t mac[6];
	bool dhcp;  /* the address comes from DHCP (else static) */
	bool quiet; /* reconfiguring: the steps are not logged, the result is */
	/* NetworkManager on CapSet entry "endpoint" (optional) */
	bool serving;
	struct capos_cap ep;
	uint64_t recv_ud; /* the outstanding RECV; 0: none */
	bool recv_done;   /* its CQE is in recv_cqe, not handled yet */
	struct capos_cqe recv_cqe;
	uint64_t calls, refused; /* calls served, answered with an exception */
	/* the sockets (socksrv.c) */
	struct sock_table socks;
	struct park park;
	uint64_t accepted, released, mint_refused, return_failed;
	uint64_t bytes_sent, bytes_received;
};

extern struct netstack ns;

/*
 * One turn of the event loop: flush TX, make sure a wait for frames is
 * outstanding, sleep in cap_enter until a frame, lwIP's next timer, at
 * most max_ns or (if wake_on_call) a NetworkManager call, then deliver the
 * frames and run lwIP's timers.  A handler that waits for the network
 * (ping) runs turns with wake_on_call false: the next call stays queued.
 */
void netstack_poll(uint64_t max_ns, bool wake_on_call);

/* Logs the interface's addresses (lwIP's status callback, and after a
 * static configuration). */
void netstack_log_address(struct netif *n);

/* NetworkManager (manager.c): its server table; socksrv routes to it. */
struct capos_rpc_ctx;
extern const net_NetworkManager_Server net_manager;

/* The socket capabilities (socksrv.c).  socksrv_handle serves the call
 * (or release message) whose RECV completed, whatever its interface;
 * socksrv_retry answers the parked calls that can finish now or whose
 * timeout passed; socksrv_wait_ns is how long the loop may sleep before
 * the next timeout. */
void socksrv_handle(const struct capos_cqe *cqe, void *recv_buf);
void socksrv_retry(void);
uint64_t socksrv_wait_ns(void);
int socksrv_tcp_connect(struct capos_rpc_ctx *rc, uint32_t addr, uint16_t port, uint64_t timeout);
int socksrv_udp_open(struct capos_rpc_ctx *rc, uint16_t port, uint16_t *index);

/* ICMP echo (ping.c). */
struct ping_reply {
	uint16_t seq;
	uint8_t ttl;
	uint16_t bytes;
	uint64_t rtt_ns;
};
int ping_open(void);
/* One echo request of `payload` bytes to addr (host order); runs the
 * loop until its reply (true) or timeout_ns passes (false). */
bool ping_once(uint32_t addr, uint16_t payload, uint64_t timeout_ns, struct ping_reply *r);

#endif
