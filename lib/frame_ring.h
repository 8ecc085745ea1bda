/*
 * A single-producer single-consumer ring of Ethernet frames in memory
 * shared between two processes (the Nic's MemoryObject: see
 * docs/devices.md, "virtio-net driver").  Each side keeps its own index
 * privately and only publishes it; the peer's index and every slot length
 * are read once and checked, so a hostile peer can garble frame contents
 * but never make us read or write outside the ring, and each violation is
 * a typed error and a count.
 *
 * Slot layout: a 4-byte little-endian length, then the frame.  Indices are
 * free-running 32-bit counters (slot = index % slots).
 */
#ifndef CAPOS_LIB_FRAME_RING_H
#define CAPOS_LIB_FRAME_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRING_LEN_BYTES 4
#define FRING_FRAME_MIN 14
#define FRING_FRAME_MAX 1514

enum fring_err {
	FRING_OK = 0,
	FRING_ERR_EMPTY = -1, /* nothing to consume */
	FRING_ERR_FULL = -2,  /* no free slot */
	FRING_ERR_PEER = -3,  /* the peer's index is impossible: stop using the ring */
	FRING_ERR_LEN = -4,   /* a length outside the frame bounds (skipped) */
	FRING_ERR_ARG = -5,   /* caller error: geometry, frame size, buffer too small */
};

struct fring {
	uint8_t *slots_base;
	uint32_t slots, slot_size;
	uint32_t *prod, *cons; /* the shared indices */
	bool producer;         /* which one is ours */
	uint32_t mine;         /* our index, published with fring_publish */
	bool broken;
	uint64_t bad_index, bad_len;
};

/*
 * One side of one direction.  slots_base holds slots * slot_size bytes;
 * prod and cons are the shared indices (4-byte aligned, in the shared
 * memory).  slots is a power of two, slot_size a multiple of 4 holding
 * at least FRING_LEN_BYTES + FRING_FRAME_MAX.  Our index starts from its
 * shared value, so both sides attach to a zeroed ring the same way.
 */
int fring_init(struct fring *r, void *slots_base, uint32_t slots, uint32_t slot_size,
               uint32_t *prod, uint32_t *cons, bool producer);

/* Producer: copies one frame into the next slot (not yet visible). */
int fring_put(struct fring *r, const void *frame, uint32_t len);
/* Consumer: copies the next frame out (FRING_ERR_LEN: a bad slot was
 * skipped, call again). */
int fring_get(struct fring *r, void *buf, uint32_t cap, uint32_t *len);
/*
 * Consumer, without a copy: *frame points at the next frame inside its
 * slot and *len is its length, read once and checked as in fring_get
 * (FRING_ERR_LEN: a bad slot was skipped).  The slot stays ours until
 * fring_publish; fring_skip moves past it.  The peer may still scribble on
 * the bytes (garbling only the frame's contents), never on the length used.
 */
int fring_peek(struct fring *r, const uint8_t **frame, uint32_t *len);
void fring_skip(struct fring *r);
/* Makes our index visible to the peer (release order after the slots). */
void fring_publish(struct fring *r);
/* Producer: free slots; consumer: frames waiting.  FRING_ERR_PEER if the
 * peer's index is impossible. */
int fring_count(struct fring *r);

#endif
