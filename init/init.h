/*
 * init: the one process the kernel starts from the boot manifest
 * (docs/init.md).  It reads the manifest through BootPackage, validates it
 * with lib/manifest (the same code as mkmanifest), spawns every service in
 * dependency order with exactly the capabilities the manifest grants, logs
 * each start and exit, and exits when every service has exited.
 */
#ifndef CAPOS_INIT_H
#define CAPOS_INIT_H

#include <capos/rt.h>
#include <stdint.h>

#include "grants.h"
#include "manifest/manifest.h"

/* The manifest (binaries included) is read into .bss: pages are only
 * touched as far as the manifest reaches, but the mapping is this size. */
#define INIT_MANIFEST_MAX (4u * 1024u * 1024u)
/* Bytes asked for per BootPackage.readManifest. */
#define INIT_READ_CHUNK   65536u /* the kernel sends at most 65472 at a time */
/* A kill reason as the kernel reports it (its PROC_REASON_MAX). */
#define INIT_REASON_MAX   CAPOS_KILL_REASON_MAX

/* boot_package.c: reads the whole manifest through the BootPackage cap
 * into buf; returns its size or a negative CAPOS_ERR_* (logged). */
int64_t init_read_manifest(uint32_t cap_id, uint8_t *buf, uint64_t cap);

/* What spawning a service gave init. */
struct init_spawned {
	uint32_t pid;
	uint32_t handle;              /* ProcessHandle cap id            */
	uint32_t facets[MF_MAX_CAPS]; /* client facet per newEndpoint cap */
	uint32_t owners[MF_MAX_CAPS]; /* owner side per newEndpoint cap kept (keep_owner), or 0 */
};

/* Waits init can have had: every service once, plus restarts. */
#define INIT_WAITS_MAX (2u * MF_MAX_SERVICES)

/* spawner.c: ProcessSpawner.spawn; facets[k] gets the client facet of the
 * k-th new-endpoint grant, owners[k] its owner side if the grant kept it.  0 or a negative CAPOS_ERR_* (logged, with the
 * exception message). */
int init_spawn(uint32_t spawner, struct mf_str name, struct mf_str binary,
               const struct init_grant *grants, uint32_t count, struct init_spawned *out);

/* How a service ended, from ProcessHandle.wait. */
struct init_end {
	bool known;   /* false: the wait itself failed (logged)          */
	bool killed;  /* the kernel killed it; reason says why           */
	int64_t code; /* exit code (-1 when killed)                      */
	char reason[INIT_REASON_MAX];
};

/* spawner.c: ProcessHandle.wait for every started service, submitted as
 * each starts (init_wait_add, which also reports exits so far), then
 * init_wait_all until every one has exited.  done(i, end) is called once
 * per handle, i in init_wait_add order, as each exit is seen. */
int init_wait_begin(void (*done)(uint32_t i, const struct init_end *end));
int init_wait_add(uint32_t handle);
/* between() runs after each batch of exits is reported (init's restarts). */
int init_wait_all(void (*between)(void));

#endif
