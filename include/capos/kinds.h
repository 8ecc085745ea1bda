/*
 * The kernel capability kinds: the one table.  The kernel's enum
 * kcap_kind and its name/interface table (kernel/cap/registry.h), the
 * manifest's kernel cap kinds, their spellings and interface ids
 * (lib/manifest/), the boot code's grants (kernel/proc/manifest_boot.c)
 * and what a spawn may pass on (kernel/cap/process_spawner.c) all derive
 * from CAPOS_KINDS.  cue/manifest.cue keeps its own literal list of the
 * grantable spellings; tools/check-cue-kinds.sh (run by make test) proves
 * it equals this table.
 *
 * X(ENUM, name, kind, interface, boot, stateless):
 *   ENUM       suffix of KCAP_<ENUM> (kernel) and MF_KCAP_<ENUM> (manifest)
 *   name       CapSet, log and manifest spelling; for a boot kind also the
 *              enumerator of KernelCap in schema/manifest.capnp, whose
 *              value is the manifest's number for it
 *   kind       the kernel's number (cap_entry.type)
 *   interface  the Cap'n Proto interface id (generated/capos.capnp.h,
 *              device.capnp.h, time.capnp.h, entropy.capnp.h or thread.capnp.h)
 *   boot       1: boot code may grant it (a manifest `kernel:` source)
 *   stateless  1: a static object whose state lives in the calling
 *              process, so a spawn may pass a copy on (the child gets its
 *              own allocator, not the parent's)
 */
#ifndef CAPOS_KINDS_H
#define CAPOS_KINDS_H

#define CAPOS_KINDS(X)                                                        \
	X(CONSOLE, console, 1, capos_Console_ID, 1, 1)                        \
	X(FRAME_ALLOCATOR, frameAllocator, 2, capos_FrameAllocator_ID, 1, 1)  \
	X(VIRTUAL_MEMORY, virtualMemory, 3, capos_VirtualMemory_ID, 1, 1)     \
	X(MEMORY_OBJECT, memoryObject, 4, capos_MemoryObject_ID, 0, 0)        \
	X(ENDPOINT, endpoint, 16, capos_Endpoint_ID, 1, 0)                    \
	X(ENDPOINT_CLIENT, endpointClient, 17, capos_Endpoint_ID, 0, 0)       \
	X(BOOT_PACKAGE, bootPackage, 32, capos_BootPackage_ID, 1, 0)          \
	X(PROCESS_SPAWNER, processSpawner, 33, capos_ProcessSpawner_ID, 1, 0) \
	X(PROCESS_HANDLE, processHandle, 34, capos_ProcessHandle_ID, 0, 0)    \
	X(NOTIFICATION, notification, 48, device_Notification_ID, 1, 0)       \
	X(INTERRUPT, interrupt, 49, device_Interrupt_ID, 1, 0)                \
	X(DEVICE_MMIO, deviceMmio, 50, device_DeviceMmio_ID, 1, 0)            \
	X(DMA_POOL, dmaPool, 51, device_DMAPool_ID, 1, 0)                     \
	X(TIMER, timer, 52, time_Timer_ID, 1, 1)                              \
	X(ENTROPY_SOURCE, entropySource, 53, entropy_EntropySource_ID, 1, 1)  \
	X(THREAD_SPAWNER, threadSpawner, 54, thread_ThreadSpawner_ID, 1, 1)   \
	X(THREAD_HANDLE, threadHandle, 55, thread_ThreadHandle_ID, 0, 0)      \
	X(PARK_SPACE, parkSpace, 56, thread_ParkSpace_ID, 1, 1)               \
	X(TERMINAL, terminal, 57, capos_Terminal_ID, 1, 0)                    \
	X(SYSTEM_MONITOR, systemMonitor, 58, capos_SystemMonitor_ID, 1, 1)    \
	X(ENDPOINT_FACET, endpointFacet, 59, capos_Endpoint_ID, 0, 0)

/* CAPOS_KIND_IF(flag, ...): the rest when flag is the literal 1, nothing
 * when 0. */
#define CAPOS_KIND_IF(flag, ...) CAPOS_KIND_IF_##flag(__VA_ARGS__)
#define CAPOS_KIND_IF_0(...)
#define CAPOS_KIND_IF_1(...) __VA_ARGS__

#endif
