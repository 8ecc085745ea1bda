/*
 * What regcall_server answers (smoke ipc_register): register calls
 * (labels RC_*) and ring calls (methods RCR_*) on one endpoint.
 */
#ifndef REGCALL_PROTO_H
#define REGCALL_PROTO_H

#include "capos.capnp.h"

/* Register calls: the label says what. */
#define RC_ECHO   1 /* label + 1, each word w -> ~w ^ badge */
#define RC_WHOAMI 2 /* w0 = badge, w1 = flags the call came with */
#define RC_HOLD   3 /* held while the server calls the victim's facet back */
#define RC_STATE  4 /* w0 = 1 once the victim's part is over */
#define RC_DIE    5 /* the server exits without answering */

/* Ring calls: method ids. */
#define RCR_ECHO 0 /* params back, byte for byte */
#define RCR_MINT 1 /* a facet with badge RC_BADGE, moved to the caller */
#define RCR_GIVE 2 /* the call carries a facet the server calls later */

#define RC_BADGE 77

static inline uint64_t rc_echo_word(uint64_t w, uint64_t badge) { return ~w ^ badge; }

#endif
