/*
 * The capOS syscalls cap_enter and exit (include/capos/abi.h); the
 * register calls are in capos/ipc.h.
 */
#ifndef CAPOS_RT_SYSCALL_H
#define CAPOS_RT_SYSCALL_H

#include <stdint.h>
#include <capos/abi.h>

/*
 * Drains the submission ring and waits until at least min_complete
 * completions are available or timeout_ns passes (CAPOS_WAIT_FOREVER,
 * CAPOS_NO_WAIT).  Returns the number of available completions or a
 * negative CAPOS_ERR_*.
 */
int64_t capos_cap_enter(uint32_t min_complete, uint64_t timeout_ns);

/* Ends the process; never returns. */
_Noreturn void capos_exit(int code);

#endif /* CAPOS_RT_SYSCALL_H */
