/*
 * Private helpers of the capnp runtime: word loads/stores and pointer
 * field decoding.  Not part of the API.
 */
#ifndef CAPNP_WIRE_H
#define CAPNP_WIRE_H

#include "capnp/capnp.h"

#define CAPNP_KIND_STRUCT 0u
#define CAPNP_KIND_LIST   1u
#define CAPNP_KIND_FAR    2u
#define CAPNP_KIND_OTHER  3u

/* Largest element count / word count a list pointer can carry (29 bits). */
#define CAPNP_LIST_MAX 0x1fffffffu

static inline uint64_t capnp_ld64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline uint32_t capnp_ld32(const uint8_t *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, 4);
	return v;
}

static inline void capnp_st64(uint8_t *p, uint64_t v) { __builtin_memcpy(p, &v, 8); }
static inline void capnp_st32(uint8_t *p, uint32_t v) { __builtin_memcpy(p, &v, 4); }

/* Signed 30-bit word offset of a struct or list pointer. */
static inline int64_t capnp_ptr_offset(uint64_t w) { return (int64_t)((int32_t)(uint32_t)w >> 2); }

/* Bits per element for element size codes 0..6 (composite is per tag). */
static inline uint32_t capnp_elem_bits(uint32_t code)
{
	static const uint8_t bits[8] = {0, 1, 8, 16, 32, 64, 64, 0};
	return bits[code & 7];
}

#endif
