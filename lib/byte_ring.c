/* Byte ring (see byte_ring.h). */
#include "byte_ring.h"

void byte_ring_init(struct byte_ring *r, uint8_t *buf, uint32_t cap)
{
	*r = (struct byte_ring){.buf = buf, .cap = cap};
}

uint32_t byte_ring_count(const struct byte_ring *r) { return r->tail - r->head; }

bool byte_ring_put(struct byte_ring *r, uint8_t c)
{
	r->received++;
	if (byte_ring_count(r) >= r->cap) {
		r->overruns++;
		return false;
	}
	r->buf[r->tail++ & (r->cap - 1)] = c;
	return true;
}

uint32_t byte_ring_take(struct byte_ring *r, uint8_t *dst, uint32_t max)
{
	uint32_t n = 0;
	while (n < max && r->head != r->tail)
		dst[n++] = r->buf[r->head++ & (r->cap - 1)];
	return n;
}

uint32_t byte_ring_line(const struct byte_ring *r, uint32_t max)
{
	uint32_t n = byte_ring_count(r);
	if (n > max)
		n = max;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = r->buf[(r->head + i) & (r->cap - 1)];
		if (c == '\n' || c == '\r')
			return i + 1;
	}
	return 0;
}
