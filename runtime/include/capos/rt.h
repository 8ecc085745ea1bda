/*
 * The capOS userspace runtime: include this one header in a program.
 *
 * A program defines `int main(void)`.  Before main runs, the runtime
 * (runtime/entry.c):
 *   1. binds the ring client to the ring page the kernel passed in rdi,
 *   2. gives the heap its static arena (malloc/free/calloc/realloc work),
 *   3. parses the CapSet page (rdx) and opens the CapSet's Console, if any,
 *      as the default console (capos_printf, capos_puts, capos_panic),
 *   4. checks the TLS thread pointer (%fs:0 must hold its own address).
 * main's return value becomes the exit code, after queued releases are
 * flushed.
 */
#ifndef CAPOS_RT_H
#define CAPOS_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capos/abi.h>
#include <capos/call.h>
#include <capos/capset.h>
#include <capos/console.h>
#include <capos/fmt.h>
#include <capos/handle.h>
#include <capos/heap.h>
#include <capos/ring.h>
#include <capos/string.h>
#include <capos/syscall.h>
#include <capos/timer.h>

/* Exit codes the runtime itself uses. */
#define CAPOS_RT_EXIT_PANIC    101 /* capos_panic()                         */
#define CAPOS_RT_EXIT_BAD_RING 102 /* the ring page did not look like one   */

struct capos_rt_info {
	uint64_t pid;
	void *ring_addr;
	const void *capset_addr;
	struct capos_capset capset;
	int capset_status; /* CAPOS_CAPSET_OK or an error       */
	bool has_console;
	struct capos_console console; /* the CapSet's Console, if any      */
	uint64_t tls_pointer;         /* %fs:0 as found at start           */
};

extern struct capos_rt_info capos_rt;

int main(void);

/* Formats and writes to the default console (one Console.write call).
 * Returns 0 or a negative CAPOS_ERR_* (CAPOS_ERR_BAD_CAP: no console). */
int capos_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Console.writeLine on the default console. */
int capos_puts(const char *line);

/* Prints "[panic] pid N: message" on the default console (if any) and
 * exits with CAPOS_RT_EXIT_PANIC. */
_Noreturn void capos_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CAPOS_ASSERT(cond)                                                   \
	do {                                                                 \
		if (!(cond))                                                 \
			capos_panic("%s:%d: assertion failed: %s", __FILE__, \
			            __LINE__, #cond);                        \
	} while (0)

/* The thread pointer (%fs:0). */
static inline uint64_t capos_tls_pointer(void)
{
	uint64_t tp;
	/* clang-format off */
	__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
	/* clang-format on */
	return tp;
}

#endif /* CAPOS_RT_H */
