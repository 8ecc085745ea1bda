/*
 * Fixed sizes of the kernel's static tables that a boot manifest can
 * exceed.  The kernel sizes its tables with these, and mkmanifest
 * (lib/manifest/limits.c) refuses a system that would not fit them, so
 * "passes mkmanifest" means "fits the kernel it was built with".
 *
 * Freestanding: plain integer constants only.
 */
#ifndef CAPOS_LIMITS_H
#define CAPOS_LIMITS_H

/* Services mkmanifest lets a manifest start, init included.  The kernel's
 * process table grows past it on demand (kernel/proc/proc_table.c). */
#define CAPOS_PROC_MAX 32u

/* Capabilities a process is started with (the grants of a spawn, the
 * CapSet page), and what mkmanifest allows init to hold while it starts
 * the services.  A process's table itself grows past this on demand. */
#define CAPOS_PROC_CAP_SLOTS 64u

/* Capabilities one process may hold at once (kernel/proc/process.h): its
 * table grows a 4 KiB frame (64 slots) at a time up to this quota, the
 * whole id space (lib/cap_table.h, CAP_TABLE_MAX_SLOTS), or until memory
 * runs out; then an insert fails with CAPOS_ERR_NO_RESOURCES. */
#define CAPOS_PROC_CAP_QUOTA 16384u

/* New endpoints one ProcessSpawner.spawn may create: result caps of a
 * call (16) less the ProcessHandle (kernel/cap/process_spawner.h). */
#define CAPOS_SPAWN_MAX_NEW_ENDPOINTS 15u

/*
 * What init holds per service it starts (init/main.c): the ProcessHandle
 * the spawn returns (kept until the service exits, to wait for it) and
 * the client facet of each endpoint the service owns (kept until every
 * service has started).  With its own caps this must fit
 * CAPOS_PROC_CAP_SLOTS.
 */
#define CAPOS_INIT_CAPS_PER_SERVICE 1u /* + 1 per `endpoint` cap of the service */

#endif /* CAPOS_LIMITS_H */
