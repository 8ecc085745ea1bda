/*
 * An lwIP Ethernet netif over any frame transport: frames out through an
 * ops struct (the Nic capability in the netstack service, a wire in the
 * host tests), frames in with ethif_input.  Nothing here knows capOS, so
 * the service, the host integration test and the fuzzer share it.
 */
#ifndef CAPOS_LWIP_ETHIF_H
#define CAPOS_LWIP_ETHIF_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/err.h"
#include "lwip/netif.h"

#define ETHIF_FRAME_MIN 14
#define ETHIF_FRAME_MAX 1514

struct ethif_ops {
	/* Sends one whole Ethernet frame (no FCS); 0 or negative on failure
	 * (the frame is dropped and counted, as a full TX ring would). */
	int (*send)(void *ctx, const uint8_t *frame, size_t len);
};

struct ethif_counters {
	uint64_t rx_frames, rx_bytes, rx_bad_len, rx_no_pbuf, rx_refused;
	uint64_t tx_frames, tx_bytes, tx_too_big, tx_failed;
};

struct ethif {
	struct netif netif;
	const struct ethif_ops *ops;
	void *ctx;
	uint8_t mac[6];
	uint8_t tx_buf[ETHIF_FRAME_MAX];
	struct ethif_counters count;
};

/*
 * Adds the interface to lwIP (netif_add with ethernet_input as its input
 * function) with the given addresses (NULL: 0.0.0.0, e.g. for DHCP).
 * Returns ERR_OK or lwIP's error.  The interface starts up, link up.
 */
err_t ethif_add(struct ethif *e, const uint8_t mac[6], const struct ethif_ops *ops,
                void *ctx, const ip4_addr_t *addr, const ip4_addr_t *mask,
                const ip4_addr_t *gw, const char name[2]);

/*
 * Hands one received frame to the stack (copied into a pool pbuf).  A
 * frame outside 14..1514 bytes is refused and counted, never passed on.
 * Returns ERR_OK, ERR_VAL (bad length), ERR_MEM (no pbuf) or the
 * stack's refusal; every case is counted.
 */
err_t ethif_input(struct ethif *e, const uint8_t *frame, size_t len);

#endif /* CAPOS_LWIP_ETHIF_H */
