/*
 * SHA-256 (FIPS 180-4): the conditioner of the kernel's jitter entropy
 * fallback (kernel/cap/entropy_source.c).  Freestanding; host-tested with
 * the FIPS example vectors (tests/host/test_sha256.c).
 */
#ifndef CAPOS_LIB_SHA256_H
#define CAPOS_LIB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32u

struct sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed */
	uint8_t buf[64];
	uint32_t used; /* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_BYTES]);

#endif
