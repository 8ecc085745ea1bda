/* Shared between the C side (ours) and the C++ reference side of bench-capnp. */
#ifndef BENCH_CAPNP_H
#define BENCH_CAPNP_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* The realistic manifest: BENCH_BINARIES binaries of BENCH_BINARY_BYTES,
 * BENCH_SERVICES services with BENCH_CAPS caps and two exports each. */
#define BENCH_BINARIES     6
#define BENCH_BINARY_BYTES 2048
#define BENCH_SERVICES     12
#define BENCH_CAPS         4
#define BENCH_GRANTS       3

extern const uint8_t bench_blob[BENCH_BINARY_BYTES];
/* "bin-3", "cap-1", "service-7": formatted once, so that the timed loops
 * measure Cap'n Proto work, not snprintf. */
const char *bench_name(const char *kind, int i);

/* Each returns the framed message length (encode) or a checksum of every
 * value read (decode), identical for both implementations. */
size_t ref_encode_manifest(void *buf, size_t cap);
uint64_t ref_decode_manifest(const void *buf, size_t len);
size_t ref_encode_call(void *buf, size_t cap);
uint64_t ref_decode_call(const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
