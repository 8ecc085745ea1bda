/* Shared by the files of kernel/proc only. */
#ifndef CAPOS_PROC_INTERNAL_H
#define CAPOS_PROC_INTERNAL_H

#include <stdint.h>

#include "process.h"

/* boot_services.c: a teardown found frames missing. */
void proc_note_leak(uint64_t frames);
uint64_t proc_leaked_frames(void);

/* proc_table.c: a free slot (the table grows if none; NULL when it
 * cannot), and the kernel stack of p's slot: maps fresh frames (sets
 * p->kstack_top) or frees them.  Map: CAPOS_OK or a CAPOS_ERR_*. */
struct process *process_slot_alloc(void);
int process_kstack_map(struct process *p);
void process_kstack_unmap(struct process *p);

#endif
