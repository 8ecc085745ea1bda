/*
 * The CapException message (schema/capos.capnp): what a kernel capability
 * (kernel/cap/registry.c, kcap_exception) and a userspace server
 * (runtime/server.c, capos_server_exception) answer a call with when the
 * call itself failed.  One builder for both, so the two cannot drift.
 */
#ifndef CAPOS_LIB_CAP_EXCEPTION_H
#define CAPOS_LIB_CAP_EXCEPTION_H

#include <stddef.h>
#include <stdint.h>

/* Writes a CapException of type (a capos_CapException_Type) and message
 * into buf (cap bytes, 8-byte aligned); returns its length in bytes, 0
 * when it does not fit. */
uint32_t cap_exception_build(void *buf, size_t cap, unsigned type, const char *message);

#endif
