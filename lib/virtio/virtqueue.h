/*
 * Split virtqueues (virtio 1.0, 2.4), driver side.  The rings live in
 * memory the caller carves from its DMA pool; the descriptor bookkeeping
 * (free list, per-head token and chain length) lives in this struct, never
 * in shared memory, so a device that scribbles on the rings can only make
 * us refuse its answers, not corrupt our state.
 *
 * Every used-ring entry is checked: the used index may run ahead of what
 * we published by at most the number of buffers in flight, an id must be
 * a head we handed out and have not had back, and a length may not exceed
 * the device-writable bytes of that chain.  A broken index or id breaks
 * the queue (the device must be reset); an overlong length only fails
 * that buffer.
 */
#ifndef CAPOS_LIB_VIRTQUEUE_H
#define CAPOS_LIB_VIRTQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "virtio.h"

#define VIRTQ_MAX_SIZE             256 /* what the bookkeeping arrays hold */
#define VIRTQ_MAX_CHAIN            16  /* segments per buffer */
#define VIRTQ_DESC_F_NEXT          1u
#define VIRTQ_DESC_F_WRITE         2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY     1u
#define VIRTQ_NONE                 0xffffu

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

/* One piece of a buffer: a pointer into the DMA pool. */
struct virtq_seg {
	const void *va;
	uint32_t len;
	bool device_writes; /* RX buffers: the device fills it */
};

struct virtq_counters {
	uint64_t added, used;
	uint64_t notifies, notifies_suppressed;
	uint64_t dma_errors; /* a segment outside the pool */
	uint64_t bad_len;    /* used length larger than the buffer */
	uint64_t bad_id;     /* used id out of range or not in flight */
	uint64_t bad_index;  /* used index ran ahead of what was published */
};

struct virtq {
	const struct virtio_ops *ops;
	uint16_t index;       /* queue number on the device */
	uint16_t size;        /* power of two, <= VIRTQ_MAX_SIZE */
	uint16_t msix_vector; /* MSI-X table entry; VIRTIO_MSI_NO_VECTOR by default */
	bool event_idx;
	bool broken;
	volatile struct virtq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;  /* flags, idx, then elems; avail_event after */
	volatile struct virtq_used_elem *used_ring;
	uint16_t free_head, num_free;
	uint16_t avail_idx; /* our shadow of avail->idx */
	uint16_t published; /* avail->idx at the last publish */
	uint16_t last_used;
	uint16_t in_flight;
	uint8_t notify_bar;
	uint32_t notify_off;                /* byte offset in notify_bar */
	uint16_t next[VIRTQ_MAX_SIZE];      /* free list / chain links */
	uint16_t chain_len[VIRTQ_MAX_SIZE]; /* at heads in flight, else 0 */
	uint32_t writable[VIRTQ_MAX_SIZE];  /* device-writable bytes per head */
	uint32_t token[VIRTQ_MAX_SIZE];
	struct virtq_counters c;
};

/* Bytes of ring memory for a queue of `size` (desc, then avail, then used,
 * each aligned as the spec needs); the memory must be 16-byte aligned. */
size_t virtq_mem_size(uint16_t size);

/* Lays the rings over zeroed `mem` and builds the free list. */
int virtq_init(struct virtq *q, const struct virtio_ops *ops, uint16_t index, uint16_t size,
               void *mem, size_t mem_len, bool event_idx);

/*
 * Programs queue `q->index` on the device: size (the device's maximum must
 * be at least q->size), ring addresses through dma_addr, the notify offset
 * (checked against the notify region), q->msix_vector (set it between
 * virtq_init and this call; read back, refused if the device drops it),
 * then enable.  Between
 * virtio_dev_negotiate and virtio_dev_driver_ok.
 */
int virtio_dev_setup_queue(struct virtio_dev *v, struct virtq *q);

/* Chains segs into descriptors, out segments first, and puts the head on
 * the avail ring (not yet visible: see virtq_publish).  token comes back
 * from virtq_get_used. */
int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n, uint32_t token);

/* Makes everything added visible to the device, notifying it unless it
 * asked not to be (used flags or avail_event). Returns true if notified. */
bool virtq_publish(struct virtq *q);

/*
 * Takes one used buffer: VIRTIO_OK with *token and *len, VIRTIO_ERR_EMPTY
 * if none, VIRTIO_ERR_DEVICE if the device broke the protocol (the queue
 * is then broken until reset).  An overlong length returns VIRTIO_ERR_LEN
 * with *token set and *len = 0: the buffer is back, its contents are not
 * to be trusted, the caller recycles it and counts a drop.
 */
int virtq_get_used(struct virtq *q, uint32_t *token, uint32_t *len);

/* Interrupt suppression.  enable returns false if used buffers arrived
 * while interrupts were off, so the caller polls again before sleeping. */
void virtq_disable_interrupts(struct virtq *q);
bool virtq_enable_interrupts(struct virtq *q);

/* After a reset: hands back one in-flight token at a time so the owner
 * can reclaim its buffers; VIRTIO_ERR_EMPTY when none remain. */
int virtq_detach(struct virtq *q, uint32_t *token);

#endif
