/*
 * ProcessSpawner: starts a binary of the boot manifest as a new process
 * with exactly the capabilities the caller grants (schema/capos.capnp).
 *
 *   spawn @0 (name, binaryName, grants :List(CapGrant)) -> (handleIndex)
 *
 * Result caps: record 0 is the child's ProcessHandle, then one client
 * facet per `newEndpoint` grant, in grant order.  All or nothing: a
 * refused spawn changes nothing (no process, no cap moved, no endpoint).
 *
 * Attenuation: a grant's badge may be set on a capability that has none;
 * a badge once set never changes (a different badge is invalidArgument).
 * A ProcessSpawner granted with a badge B is a restricted spawner: at most
 * B children spawned through spawner caps with badge B are alive at once
 * (overloaded beyond), every spawner it passes on carries the same badge
 * (the restriction cannot be shed), and its spawns are logged as such.
 *
 * Refusals (CapException invalidArgument unless said otherwise, message
 * names the field): name/binaryName empty, too long or bad characters;
 * unknown binary; bad ELF; more than SPAWN_MAX_GRANTS grants or more than
 * SPAWN_MAX_NEW_ENDPOINTS new endpoints; grant name bad or duplicate; cap id
 * not held; capability not transferable; interfaceId mismatch; the same
 * slot moved twice (or moved and copied); a different badge; out of
 * processes, frames, endpoints or handles (overloaded).
 */
#ifndef CAPOS_CAP_PROCESS_SPAWNER_H
#define CAPOS_CAP_PROCESS_SPAWNER_H

#include <capos/abi.h>
#include <capos/limits.h>
#include <stdint.h>

#include "cap_table.h"

struct process;
struct mf_manifest;

#define SPAWN_MAX_GRANTS        CAPOS_PROC_CAP_SLOTS          /* and fits the CapSet page */
#define SPAWN_MAX_NEW_ENDPOINTS CAPOS_SPAWN_MAX_NEW_ENDPOINTS /* KCAP_CALL_CAPS_MAX - the handle */

/* One capability of a new process: its CapSet name and the table entry
 * (a reference is taken when it is inserted). */
struct spawn_grant {
	char name[CAPOS_CAP_NAME_MAX];
	struct cap_entry entry;
	uint64_t facet_interface; /* new endpoint: its client facet's interface id */
};

struct spawn_grants {
	unsigned count;
	struct spawn_grant g[SPAWN_MAX_GRANTS];
};

/* process_create_granted callback: inserts every grant of ctx (a struct
 * spawn_grants) into p's table, retaining each object, and writes the
 * CapSet page in grant order. */
int spawn_install_grants(struct process *p, void *ctx);

/* The root spawner over the manifest's binaries (manifest_boot.c). */
void *process_spawner_object(const struct mf_manifest *m);

/* Spawns done / refused (log). */
void process_spawner_log_counts(void);

#endif
