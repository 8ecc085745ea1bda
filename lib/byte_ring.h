/*
 * A byte ring of fixed capacity (a power of two) for a producer that may
 * not wait: the serial receive interrupt.  A byte that finds the ring full
 * is dropped and counted, never overwrites what the reader has not taken.
 *
 * Freestanding; shared by the kernel (kernel/cap/terminal.c) and
 * tests/host/test_byte_ring.c.
 */
#ifndef CAPOS_LIB_BYTE_RING_H
#define CAPOS_LIB_BYTE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byte_ring {
	uint8_t *buf;
	uint32_t cap;      /* a power of two */
	uint32_t head;     /* next byte to take (free-running) */
	uint32_t tail;     /* next free place (free-running)   */
	uint64_t received; /* bytes offered */
	uint64_t overruns; /* bytes dropped: the ring was full */
};

void byte_ring_init(struct byte_ring *r, uint8_t *buf, uint32_t cap);
/* Stores c, or counts an overrun; false when dropped. */
bool byte_ring_put(struct byte_ring *r, uint8_t c);
uint32_t byte_ring_count(const struct byte_ring *r);
/* Moves up to max bytes into dst; returns how many. */
uint32_t byte_ring_take(struct byte_ring *r, uint8_t *dst, uint32_t max);
/* Bytes up to and including the first "\n" or "\r" within the first max,
 * or 0 when there is no line end there. */
uint32_t byte_ring_line(const struct byte_ring *r, uint32_t max);

#endif
