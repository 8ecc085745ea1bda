/*
 * Per-process memory grants: the frame-grant ledger (FrameAllocator frames
 * and VirtualMemory pages against one limit) and the anonymous mappings.
 * The state lives in a static table parallel to the process table (no heap
 * on the process path); process_destroy() calls proc_memory_teardown()
 * first, which returns everything.  See docs/memory-caps.md.
 */
#ifndef CAPOS_MEM_USER_MEMORY_H
#define CAPOS_MEM_USER_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

struct process;

/* The root's defaults (proc_quota_root); a process's own limits are its
 * quota (struct proc_quota), set by its spawner. */
#define UMEM_FRAME_LIMIT   4096u /* frames + pages a process may hold (16 MiB) */
#define UMEM_HELD_INLINE   32u   /* FrameAllocator frames before the list grows */
#define UMEM_RANGES_INLINE 64u   /* mapping ranges before the table grows       */
#define UMEM_RANGES_QUOTA  4096u /* mapping ranges at most: one per page held   */
#define UMEM_CONTIG_MAX    512u  /* allocContiguous count limit (schema)         */

/* Outcome of a memory operation: maps to a CapException type. */
enum umem_status {
	UMEM_OK = 0,
	UMEM_INVALID = 1,    /* invalidArgument */
	UMEM_OVERLOADED = 2, /* overloaded: limit, out of frames, table full */
};

struct umem_query {
	uint64_t total_frames, free_frames, held_frames;
};

/* VirtualMemory.  *why is set to a reason on failure. */
enum umem_status umem_map(struct process *p, uint64_t hint, uint64_t size, uint32_t prot,
                          uint64_t *addr, const char **why);
enum umem_status umem_unmap(struct process *p, uint64_t addr, uint64_t size, const char **why);
enum umem_status umem_protect(struct process *p, uint64_t addr, uint64_t size, uint32_t prot,
                              const char **why);

/* MemoryObject: maps/unmaps frames the caller does not own (not charged,
 * never freed here); ranges are tagged with the object.  Device memory
 * (DeviceMmio BAR pages, DMAPool frames) too, with a device tag
 * (dev/device_claim.h) and, for BAR pages, UMEM_PROT_UNCACHED in prot. */
#define UMEM_PROT_UNCACHED 0x100u
enum umem_status umem_map_frames(struct process *p, uint64_t hint, const uint64_t *frames,
                                 uint32_t pages, uint32_t prot, uint64_t tag, uint64_t *addr,
                                 const char **why);
/* *prot: the protection the removed mapping had. */
enum umem_status umem_unmap_frames(struct process *p, uint64_t addr, uint32_t pages,
                                   uint64_t tag, uint32_t *prot, const char **why);

/* A MemoryObject of `pages` frames created by p: charged to p's ledger
 * while p lives.  The object may outlive p (transfer): its frames belong
 * to no process, only to the object.  umem_object_freed uncharges the
 * creator and, when the object dies inside some process_destroy's cap
 * release, counts the frames as taken by that process (they are in what
 * its destroy returns). */
enum umem_status umem_object_charge(struct process *p, uint32_t pages, const char **why);
void umem_object_freed(struct process *p, uint32_t pid, uint32_t pages);

/* FrameAllocator. */
enum umem_status umem_frame_alloc(struct process *p, uint32_t count, uint64_t *phys,
                                  const char **why);
enum umem_status umem_frame_free(struct process *p, uint64_t phys, const char **why);
void umem_frame_query(struct process *p, struct umem_query *q);

/* count (1..UMEM_CONTIG_MAX) physically contiguous zeroed frames charged
 * to nobody (a DMAPool's); the first one's address, 0 when there is no
 * such run. */
uint64_t umem_alloc_contiguous(uint32_t count);

/* Returns every granted frame and mapped page of p; called by
 * process_destroy before it measures what the process returns. */
void proc_memory_teardown(struct process *p);

/* The process table grew to `slots`: state for each (kept with the slot).
 * False when out of memory. */
bool proc_memory_grow(unsigned slots);

#endif
