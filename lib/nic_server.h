/*
 * Nic calls (schema/nic.capnp) decoded and answered over a nic_core, with
 * no IPC: the service's loop (services/virtio_net) hands in the method and
 * params of each call and sends back what comes out.  Every params
 * message is checked here (host-tested with hostile ones): a bad message
 * or a value out of range is an invalidArgument exception, counted.
 *
 * receive and rxWait block: when nothing is there yet and the timeout is
 * not 0, dispatch says NIC_SRV_DEFER and fills a struct nic_pending; the
 * loop keeps it (one per call, with its deadline) and calls
 * nic_srv_retry after each interrupt and when the deadline passes.
 * frameRing needs a MemoryObject, which only the service can make:
 * dispatch says NIC_SRV_RING and the service calls nic_ring_attach and
 * nic_srv_ring_reply.
 */
#ifndef CAPOS_LIB_NIC_SERVER_H
#define CAPOS_LIB_NIC_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "nic_core.h"

/* Result buffer a receive of up to n frames needs (the client sizes its
 * buffer with this; the reply never exceeds it): framing, the list's
 * pointers, each frame padded to 8 bytes.  Capped at NIC_RECV_RESULT_MAX,
 * the kernel's largest result, so a batch of full-size frames may come
 * back shorter than asked. */
#define NIC_RECV_RESULT_MAX (64u * 1024u)
#define NIC_RECV_RESULT_BYTES(n)                                                       \
	((64u + (n) * (8u + 1520u)) < NIC_RECV_RESULT_MAX ? (64u + (n) * (8u + 1520u)) \
	                                                  : NIC_RECV_RESULT_MAX)

enum nic_srv_result {
	NIC_SRV_REPLY = 0,     /* reply->buf holds reply->len bytes */
	NIC_SRV_EXCEPTION = 1, /* reply->exc_type / exc_msg: send a CapException */
	NIC_SRV_DEFER = 2,     /* keep *pending and retry later */
	NIC_SRV_RING = 3,      /* frameRing: the service makes the MemoryObject */
};

/* capos.capnp CapException.Type ordinals used here. */
#define NIC_EXC_FAILED           0
#define NIC_EXC_OVERLOADED       1
#define NIC_EXC_UNIMPLEMENTED    3
#define NIC_EXC_INVALID_ARGUMENT 4

struct nic_srv_reply {
	void *buf; /* 8-byte aligned */
	uint32_t cap;
	uint32_t len;
	int exc_type;
	const char *exc_msg;
};

struct nic_pending {
	uint16_t method;     /* receive or rxWait */
	uint32_t max_frames; /* receive */
	uint32_t consumer;   /* rxWait */
	uint64_t timeout_ns; /* from the call; the service turns it into a deadline */
};

struct nic_srv {
	struct nic_core *core;
	uint64_t calls, refused;
	uint8_t stage[NIC_RECV_RESULT_MAX]; /* frames of one receive */
};

void nic_srv_init(struct nic_srv *s, struct nic_core *core);

int nic_srv_dispatch(struct nic_srv *s, uint16_t method, const void *params, uint32_t len,
                     struct nic_pending *pending, struct nic_srv_reply *reply);

/* Tries a deferred call again: NIC_SRV_REPLY (frames came, or `expired`:
 * the deadline passed and the answer is empty / the current producer),
 * NIC_SRV_DEFER (still nothing), or NIC_SRV_EXCEPTION. */
int nic_srv_retry(struct nic_srv *s, const struct nic_pending *p, bool expired,
                  struct nic_srv_reply *reply);

/* The frameRing answer: result-cap record index and the ring geometry. */
int nic_srv_ring_reply(struct nic_srv_reply *reply, uint16_t memory_index);

#endif
