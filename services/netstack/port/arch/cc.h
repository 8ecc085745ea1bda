/*
 * lwIP's compiler/platform header for capOS (lwIP 2.1 "arch/cc.h").
 *
 * The same header serves the freestanding userspace build (CAPOS_USER:
 * no C library, so no <inttypes.h>, <ctype.h> or printf) and the host
 * builds of the same configuration (CAPOS_HOST: unit tests and the
 * libFuzzer harness, with the C library).  Everything lwIP asks of the
 * platform that is not a compiler fact goes through lwip_port.h.
 */
#ifndef CAPOS_LWIP_ARCH_CC_H
#define CAPOS_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>
#include "lwip_port.h"

/* x86_64 is little-endian (the host's <endian.h> may have said so). */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

#if !defined(CAPOS_HOST)
/* Freestanding: gcc gives stdint/stddef/limits, not inttypes or ctype. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H    1
#define X8_F               "02x"
#define U16_F              "u"
#define S16_F              "d"
#define X16_F              "x"
#define U32_F              "u"
#define S32_F              "d"
#define X32_F              "x"
#define SZT_F              "lu"
#endif

/* The diagnostics and assertions of the stack go to the port's hooks:
 * capos_printf/capos_panic in a capOS program, stderr/abort on the host
 * (a failed lwIP assertion must stop the fuzzer, not be logged). */
#define LWIP_PLATFORM_DIAG(x)     \
	do {                      \
		lwip_port_diag x; \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert_failed((x), __FILE__, __LINE__)

/* DHCP transaction ids, TCP initial sequence numbers, local ports. */
#define LWIP_RAND() lwip_port_rand()

#endif /* CAPOS_LWIP_ARCH_CC_H */
