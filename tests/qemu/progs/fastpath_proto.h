/*
 * The methods fastpath_server answers (smoke ipc_fastpath): echo (the
 * endpoint fast path both ways, or the slow path when the call carries a
 * capability), a badged facet minted for the caller (a reply with a
 * capability: the slow path), whoami through that facet, and die (the
 * server exits with the call in flight).
 */
#ifndef FASTPATH_PROTO_H
#define FASTPATH_PROTO_H

#include "capos.capnp.h"

#define FP_ECHO   0 /* params back, byte for byte */
#define FP_MINT   1 /* a facet with badge FP_BADGE, moved to the caller */
#define FP_WHOAMI 2 /* 16 bytes: the badge and flags the call came with */
#define FP_DIE    3 /* the server exits without answering */

#define FP_BADGE 77

#endif
