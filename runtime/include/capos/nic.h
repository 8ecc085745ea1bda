/*
 * Nic client (schema/nic.capnp): what a network stack uses to send and
 * receive Ethernet frames through a NIC driver service such as
 * services/virtio_net.  Two paths, usable one at a time for receiving:
 *
 *  - IPC: capos_nic_send (one call per batch of up to 64 frames, one
 *    device notify) and capos_nic_receive (up to 64 frames, blocking up
 *    to a timeout).  Each frame is copied into the call and again into
 *    the device's buffer.
 *  - Frame ring: capos_nic_ring_open maps a MemoryObject shared with the
 *    driver (64 TX + 64 RX slots of 2 KiB).  Put frames with
 *    capos_nic_ring_put, hand them over with capos_nic_ring_kick (one
 *    call for however many were put); take received frames with
 *    capos_nic_ring_get and sleep for more with capos_nic_ring_wait.
 *    Once the ring is open the driver delivers every received frame to
 *    it (capos_nic_receive then fails).
 *
 * Frames are whole Ethernet frames without FCS, 14..1514 bytes.  Every
 * call returns 0 or a negative code (details in err, capos/call.h); the
 * ring's local operations return FRING_* codes (frame_ring.h).
 * docs/networking.md has an example.
 */
#ifndef CAPOS_RT_NIC_H
#define CAPOS_RT_NIC_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/call.h>
#include <capos/capset.h>
#include <capos/frame_allocator.h>
#include <capos/handle.h>
#include <capos/ring.h>

#include "frame_ring.h"

#define CAPOS_NIC_BATCH_MAX 64u
#define CAPOS_NIC_FRAME_MAX 1514u

struct capos_nic_counters {
	uint64_t rx_frames, rx_bytes, rx_drops, rx_errors;
	uint64_t tx_frames, tx_bytes, tx_drops, tx_errors;
	uint64_t device_errors;
};

struct capos_nic {
	struct capos_ring *ring;
	struct capos_cap cap;
	/* the frame ring, once open */
	bool has_ring;
	struct capos_memory_object mo;
	uint64_t ring_addr;
	struct fring tx, rx;  /* we produce TX and consume RX */
	uint32_t rx_producer; /* the driver's RX index as rxWait last said */
};

/* Opens CapSet entry `name` as a Nic (the manifest must say the endpoint
 * serves Nic): 0, CAPOS_ERR_BAD_CAP or CAPOS_ERR_NOT_PERMITTED. */
int capos_nic_open(struct capos_nic *n, struct capos_ring *r, const struct capos_capset *cs,
                   const char *name);

int capos_nic_mac(const struct capos_nic *n, uint8_t mac[6], struct capos_call_error *err);
int capos_nic_link(const struct capos_nic *n, bool *up, uint16_t *mtu,
                   struct capos_call_error *err);
int capos_nic_counters(const struct capos_nic *n, struct capos_nic_counters *c,
                       struct capos_call_error *err);

/* Queues count (<= 64) frames with one device notify; *accepted < count
 * when the driver's TX buffers ran out (send the rest again later). */
int capos_nic_send(const struct capos_nic *n, const void *const frames[], const uint32_t lens[],
                   unsigned count, uint32_t *accepted, struct capos_call_error *err);

/* Called once per received frame (valid only during the call). */
typedef void (*capos_nic_frame_fn)(void *ctx, const uint8_t *frame, uint32_t len);

/* Up to max (1..64) frames, waiting up to timeout_ns (0: do not wait) for
 * the first; *got frames were passed to fn. */
int capos_nic_receive(const struct capos_nic *n, unsigned max, uint64_t timeout_ns,
                      capos_nic_frame_fn fn, void *ctx, unsigned *got,
                      struct capos_call_error *err);

/* Maps the driver's frame ring (checking its geometry). */
int capos_nic_ring_open(struct capos_nic *n, struct capos_call_error *err);
/* Copies a frame into the next TX slot (FRING_ERR_FULL: kick and retry). */
int capos_nic_ring_put(struct capos_nic *n, const void *frame, uint32_t len);
/* Publishes what was put and asks the driver to send it; *pending: frames
 * the driver has not taken yet (TX buffers full; kick again later). */
int capos_nic_ring_kick(struct capos_nic *n, uint32_t *pending, struct capos_call_error *err);
/* Copies out the next received frame: FRING_OK, FRING_ERR_EMPTY, or
 * FRING_ERR_LEN (a bad slot skipped: call again). */
int capos_nic_ring_get(struct capos_nic *n, void *buf, uint32_t cap, uint32_t *len);
/* Hands back the consumed RX slots and sleeps until more frames are in
 * the ring or timeout_ns passes (0: just publish and check). */
int capos_nic_ring_wait(struct capos_nic *n, uint64_t timeout_ns, struct capos_call_error *err);

#endif
