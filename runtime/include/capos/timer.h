/*
 * Timer and EntropySource clients (schema/time.capnp, schema/entropy.capnp)
 * and the process-wide calls over the caps named "timer" and
 * "entropySource" in the CapSet (else the first of that interface):
 *   capos_clock_ns()        monotonic ns (clock_gettime(CLOCK_MONOTONIC))
 *   capos_nanosleep(ns)     sleeps in cap_enter until the kernel completes it
 *   capos_getentropy(b, n)  n random bytes, any n (256 per kernel call)
 * Functions return 0 or a negative code (details in err, capos/call.h).
 */
#ifndef CAPOS_RT_TIMER_H
#define CAPOS_RT_TIMER_H

#include <stddef.h>
#include <stdint.h>
#include <capos/call.h>
#include <capos/capset.h>
#include <capos/handle.h>
#include <capos/ring.h>

/* The most one EntropySource.getBytes returns (the kernel refuses more). */
#define CAPOS_ENTROPY_MAX_BYTES 256u

struct capos_timer {
	struct capos_ring *ring;
	struct capos_cap cap;
};

struct capos_entropy {
	struct capos_ring *ring;
	struct capos_cap cap;
};

int capos_timer_from_cap(struct capos_timer *t, struct capos_ring *r, struct capos_cap cap);
int capos_timer_now(const struct capos_timer *t, uint64_t *ns, struct capos_call_error *err);
int capos_timer_sleep(const struct capos_timer *t, uint64_t ns, struct capos_call_error *err);
int capos_timer_resolution(const struct capos_timer *t, uint64_t *ns,
                           struct capos_call_error *err);

int capos_entropy_from_cap(struct capos_entropy *e, struct capos_ring *r, struct capos_cap cap);
/* One kernel call: count is passed on as it is (more than 256 is refused
 * by the kernel with invalidArgument); buf receives count bytes. */
int capos_entropy_get_bytes(const struct capos_entropy *e, void *buf, uint32_t count,
                            struct capos_call_error *err);

/* Over this process's default caps (opened on first use; CAPOS_ERR_BAD_CAP
 * without one). */
int64_t capos_clock_ns(void); /* ns, or a negative code */
int capos_nanosleep(uint64_t ns);
int capos_getentropy(void *buf, size_t n);
/* The default caps themselves (NULL without one). */
const struct capos_timer *capos_default_timer(void);
const struct capos_entropy *capos_default_entropy(void);

#endif
