/*
 * Cap'n Proto packed encoding: each word becomes a tag byte (bit i set =
 * byte i non-zero) followed by its non-zero bytes; tag 0x00 is followed by
 * a count of further all-zero words, tag 0xff by a count of words copied
 * verbatim.  Same choices as the reference encoder.
 */
#include "capnp/capnp.h"
#include "capnp/wire.h"

static unsigned zero_bytes(const uint8_t *w)
{
	unsigned n = 0;
	for (unsigned i = 0; i < 8; i++)
		n += w[i] == 0;
	return n;
}

int capnp_pack(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	const uint8_t *p = in, *end = p + in_len;
	uint8_t *o = out;
	size_t n = 0;
	*out_len = 0;
	if (in_len % 8)
		return CAPNP_ERR_INVALID_ARG;
#define PUT(byte)                                  \
	do {                                       \
		if (n >= out_cap)                  \
			return CAPNP_ERR_NO_SPACE; \
		o[n++] = (uint8_t)(byte);          \
	} while (0)
	while (p < end) {
		uint8_t tag = 0;
		for (unsigned i = 0; i < 8; i++)
			tag |= (uint8_t)((p[i] != 0) << i);
		PUT(tag);
		for (unsigned i = 0; i < 8; i++)
			if (p[i])
				PUT(p[i]);
		p += 8;
		if (tag == 0) {
			unsigned run = 0;
			while (p < end && run < 255 && capnp_ld64(p) == 0) {
				run++;
				p += 8;
			}
			PUT(run);
		} else if (tag == 0xff) {
			const uint8_t *q = p;
			unsigned run = 0;
			while (q < end && run < 255 && zero_bytes(q) < 2) {
				run++;
				q += 8;
			}
			PUT(run);
			if ((size_t)run * 8 > out_cap - n)
				return CAPNP_ERR_NO_SPACE;
			__builtin_memcpy(o + n, p, (size_t)run * 8);
			n += (size_t)run * 8;
			p = q;
		}
	}
#undef PUT
	*out_len = n;
	return CAPNP_OK;
}

int capnp_unpack(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
	const uint8_t *p = in, *end = p + in_len;
	uint8_t *o = out;
	size_t n = 0;
	*out_len = 0;
	while (p < end) {
		uint8_t tag = *p++;
		if (out_cap - n < 8)
			return CAPNP_ERR_NO_SPACE;
		for (unsigned i = 0; i < 8; i++) {
			if (tag & (1u << i)) {
				if (p >= end)
					return CAPNP_ERR_FRAMING;
				o[n + i] = *p++;
			} else {
				o[n + i] = 0;
			}
		}
		n += 8;
		if (tag == 0 || tag == 0xff) {
			if (p >= end)
				return CAPNP_ERR_FRAMING;
			size_t run = (size_t)*p++ * 8;
			if (run > out_cap - n)
				return CAPNP_ERR_NO_SPACE;
			if (tag == 0) {
				__builtin_memset(o + n, 0, run);
			} else {
				if (run > (size_t)(end - p))
					return CAPNP_ERR_FRAMING;
				__builtin_memcpy(o + n, p, run);
				p += run;
			}
			n += run;
		}
	}
	*out_len = n;
	return CAPNP_OK;
}
