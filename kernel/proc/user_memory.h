/*
 * Per-process memory grants: the frame-grant ledger (FrameAllocator frames
 * and VirtualMemory pages against one limit) and the anonymous mappings.
 * The state lives in a static table parallel to the process table (no heap
 * on the process path); process_destroy() calls proc_memory_teardown()
 * first, which returns everything.  See docs/memory-caps.md.
 */
#ifndef CAPOS_PROC_USER_MEMORY_H
#define CAPOS_PROC_USER_MEMORY_H

#include <stdint.h>

struct process;

#define UMEM_FRAME_LIMIT 4096u /* frames + pages a process may hold (16 MiB) */
#define UMEM_HELD_MAX    512u  /* FrameAllocator frames held at once          */
#define UMEM_RANGES_MAX  64u   /* anonymous mapping ranges                    */
#define UMEM_CONTIG_MAX  512u  /* allocContiguous count limit (schema)         */

/* Outcome of a memory operation: maps to a CapException type. */
enum umem_status {
	UMEM_OK = 0,
	UMEM_INVALID = 1,    /* invalidArgument */
	UMEM_OVERLOADED = 2, /* overloaded: limit, out of frames, table full */
};

struct umem_query {
	uint64_t total_frames, free_frames, held_frames;
};

struct kcap_call;
/* Refuses interface.method for the caller: logs why and writes the
 * CapException (overloaded for limits, invalidArgument otherwise). */
int umem_refuse(struct kcap_call *c, const char *interface, const char *method,
                enum umem_status s, const char *why);

/* VirtualMemory.  *why is set to a reason on failure. */
enum umem_status umem_map(struct process *p, uint64_t hint, uint64_t size, uint32_t prot,
                          uint64_t *addr, const char **why);
enum umem_status umem_unmap(struct process *p, uint64_t addr, uint64_t size, const char **why);
enum umem_status umem_protect(struct process *p, uint64_t addr, uint64_t size, uint32_t prot,
                              const char **why);

/* MemoryObject: maps/unmaps frames the caller does not own (not charged,
 * never freed here); ranges are tagged with the object. */
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

/* Returns every granted frame and mapped page of p; called by
 * process_destroy before it measures what the process returns. */
void proc_memory_teardown(struct process *p);

#endif
