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

/*
 * RECVs posted on the endpoint at once: calls that arrive together (a
 * client's send and its next receive, several clients' calls) are taken
 * in one cap_enter instead of one each.  Each has a buffer of the
 * kernel's largest message.
 */
#define NETSTACK_RECVS 4u

struct recv_slot {
	uint64_t ud; /* the posted RECV; 0: none */
	bool done;   /* its CQE is in cqe, not served yet */
	uint64_t seq;
	struct capos_cqe cqe;
};

struct netstack {
	struct nic_link link;
	struct ethif eth;
	uint8_t mac[6];
	bool dhcp;  /* the address comes from DHCP (else static) */
	bool quiet; /* reconfiguring: the steps are not logged, the result is */
	/* NetworkManager on CapSet entry "endpoint" (optional) */
	bool serving;
	struct capos_cap ep;
	struct recv_slot recv[NETSTACK_RECVS];
	uint64_t recv_seq;       /* completions so far: the order calls are served in */
	uint64_t calls, refused; /* calls served, answered with an exception */
	/* the sockets (socksrv.c) */
	struct sock_table socks;
	struct park park;
	uint64_t accepted, released, mint_refused, return_failed;
	uint64_t returns_queued, arena_flushes; /* RETURNs sent without waiting */
	uint64_t turns;                         /* of the event loop */
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

/* Hands the kernel every queued SQE now (cap_enter without waiting) and
 * routes what completes; for when queued RETURNs must be consumed before
 * their bytes are reused. */
void netstack_submit_all(void);
/* A completion of a RETURN the stack queued (socksrv.c counts failures). */
void netstack_reaped_return(const struct capos_cqe *cqe);

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
