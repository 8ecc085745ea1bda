/* Shared by the files of kernel/proc only. */
#ifndef CAPOS_PROC_INTERNAL_H
#define CAPOS_PROC_INTERNAL_H

#include <stdint.h>

#include "process.h"

/* boot_services.c: a teardown found frames missing. */
void proc_note_leak(uint64_t frames);
uint64_t proc_leaked_frames(void);

/* process.c, for thread.c: the next pid, a first kernel context
 * entering user mode at rip, a ring page at va, and unmapping p's
 * regions from its (shared) address space. */
uint32_t proc_next_pid(void);
void proc_setup_context(struct process *p, uint64_t rip, uint64_t rsp, uint64_t rdi,
                        uint64_t rsi, uint64_t rdx);
int proc_setup_ring(struct process *p, uint64_t va);
void proc_unmap_regions(struct process *p);
/* proc_table.c: a free slot (the table grows if none; NULL when it
 * cannot), and the kernel stack of p's slot: maps fresh frames (sets
 * p->kstack_top) or frees them.  Map: CAPOS_OK or a CAPOS_ERR_*. */
struct process *process_slot_alloc(void);
int process_kstack_map(struct process *p);
void process_kstack_unmap(struct process *p);

#endif
