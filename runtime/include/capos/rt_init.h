/*
 * Process start, shared by the runtime's own entry (runtime/rt_start.c,
 * programs with `int main(void)`) and by musl programs' entry
 * (libc/start.c, `int main(int, char **)`).
 */
#ifndef CAPOS_RT_INIT_H
#define CAPOS_RT_INIT_H

#include <stdint.h>

/*
 * Binds the ring (exits with CAPOS_RT_EXIT_BAD_RING if it is not one),
 * parses the CapSet, opens the default console and checks the TLS thread
 * pointer.  The heap is the caller's business: the runtime's own
 * (runtime/heap.c) or musl's malloc.
 */
void capos_rt_init(void *ring, uint64_t pid, const void *capset);

#endif /* CAPOS_RT_INIT_H */
