/*
 * The little protocol of facet_server and facet_client (smoke
 * endpoint_facets): raw 8-byte words, no Cap'n Proto.
 */
#ifndef FACET_PROTO_H
#define FACET_PROTO_H

#include "capos.capnp.h"

#define FACET_WHOAMI 0 /* () -> (badge, message flags) as the server saw them */
#define FACET_SEEN   1 /* (badge) -> (release messages of it the server had) */

#define FACET_BADGE_FIRST 101u
#define FACET_BADGES      5u            /* 101 alpha, 102 beta, 103 gamma(2), 104 hostile, 105 check */
#define FACET_BADGE_CHECK 105u          /* beta's second facet: minted without notify */
#define FACET_IFACE       capos_Echo_ID /* the label the facets carry */

#endif
