/*
 * The capOS port of lwIP: what the stack needs from its host process,
 * behind plain hooks so the same configuration runs in a capOS program,
 * in host unit tests and under the fuzzer.
 *
 * Time (sys_now) comes from a clock hook; the netstack service sets one
 * from whatever clock it holds (a Timer capability's `now`, or the TSC at
 * a rate it was told).  Without a hook, time is a counter that advances
 * one millisecond per call: monotonic and deterministic, which is what
 * the fuzzer wants, and never a crash.
 *
 * The stack runs with NO_SYS=1 (the raw API from one event loop): no
 * threads, no semaphores, no mailboxes, so there is no sys_arch beyond
 * the clock, randomness and diagnostics below.
 */
#ifndef CAPOS_LWIP_PORT_H
#define CAPOS_LWIP_PORT_H

#include <stdint.h>

/* Milliseconds on a monotonic clock (wraps at 2^32 like lwIP expects). */
typedef uint32_t (*lwip_port_clock_fn)(void *ctx);

/* Sets the clock hook (NULL: back to the counter); logs the change. */
void lwip_port_set_clock(lwip_port_clock_fn fn, void *ctx, const char *name);
/* Seeds lwip_port_rand (xorshift64*; 0 is replaced by a fixed odd value). */
void lwip_port_seed_rand(uint64_t seed);

/* Hooks lwIP's macros call (arch/cc.h). */
uint32_t lwip_port_rand(void);
void lwip_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void lwip_port_assert_failed(const char *what, const char *file, int line);

#endif /* CAPOS_LWIP_PORT_H */
