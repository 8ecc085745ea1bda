/* Shared by the files of kernel/proc only. */
#ifndef CAPOS_PROC_INTERNAL_H
#define CAPOS_PROC_INTERNAL_H

#include <stdint.h>

#include "process.h"

/* boot_services.c: a teardown found frames missing. */
void proc_note_leak(uint64_t frames);
uint64_t proc_leaked_frames(void);

#endif
