/*
 * init's wiring of a service's capabilities (docs/init.md): which cap init
 * passes for each cap the manifest grants a service.  Pure logic over the
 * decoded manifest, so it runs on the host (tests/host/test_init_grants.c).
 *
 *   kernel source K (not endpoint)  a copy of init's own cap of kind K, with
 *                                    the manifest's badge
 *   notification, interrupt,        nothing: the kernel makes them for the
 *   deviceMmio, dmaPool              service when the root spawner starts it
 *                                    (kernel_made; not in the spawn's grants)
 *   kernel source endpoint          a new endpoint (CapGrant.newEndpoint):
 *                                    the service owns it, init keeps the
 *                                    client facet the spawn returns, which
 *                                    carries the declared `interface` id;
 *                                    for a service with a restart policy
 *                                    init also keeps a copy of the owner
 *                                    side (keep_owner), which each new
 *                                    instance gets (docs/init.md)
 *   service source S.E               what init holds for S's cap E (for an
 *                                    endpoint: that facet), with the
 *                                    importer's badge
 */
#ifndef CAPOS_INIT_GRANTS_H
#define CAPOS_INIT_GRANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"

/* One grant of a spawn: a cap init holds (copied), or a new endpoint. */
struct init_grant {
	struct mf_str name;
	uint32_t cap_id;
	uint64_t badge;
	uint64_t interface_id;
	int new_endpoint;
	int kernel_made; /* made by the kernel at spawn: not passed */
	uint64_t serves; /* new endpoint: the interface its clients see (0: Endpoint) */
	int keep_owner;  /* new endpoint of a restartable service: init keeps the owner side */
};

/* What init holds: its kernel caps by kind, and per started service the
 * cap init holds for each of that service's caps (exports resolve here). */
struct init_wiring {
	uint32_t kernel_cap[MF_KCAP_COUNT]; /* 0 = init holds none */
	bool started[MF_MAX_SERVICES];
	uint32_t cap_ids[MF_MAX_SERVICES][MF_MAX_CAPS];
};

/* Fills out[0..cap_count) for service s; returns the count, or -1 with a
 * message naming the service and the cap in why (the service cannot start:
 * init lacks the kernel kind, or the exporter did not start). */
int init_grants_for(const struct mf_manifest *m, const struct init_wiring *w, uint32_t s,
                    struct init_grant *out, char *why, size_t why_len);

/* After s was spawned with grants g[0..n): records init's cap for each of
 * s's caps; facets[k] is the client facet of the k-th new endpoint. */
void init_wiring_record(struct init_wiring *w, uint32_t s, const struct init_grant *g, uint32_t n,
                        const uint32_t *facets);

#endif
