/*
 * Register calls (include/capos/abi.h "Register calls", docs/ipc.md): a
 * label and CAPOS_IPC_WORDS words to an Endpoint and back, in registers,
 * with no ring, no message buffer and no Cap'n Proto.  For short,
 * frequent calls; anything larger, with capabilities or with a timeout
 * goes through the ring (capos/endpoint.h).
 */
#ifndef CAPOS_RT_IPC_H
#define CAPOS_RT_IPC_H

#include <capos/abi.h>
#include <stdint.h>

struct capos_ipc_msg {
	uint64_t label;
	uint64_t w[CAPOS_IPC_WORDS];
};

/* The three system calls; m in: what is sent, out: what came back (only
 * when the result says a message came).  badge may be NULL. */
static inline int64_t capos_ipc_sys(uint64_t nr, uint32_t cap, uint64_t *badge,
                                    struct capos_ipc_msg *m)
{
	uint64_t rax = nr, rdi = cap, rsi = m->label, rdx = m->w[0];
	/* cppcheck-suppress constStatement ; a register variable, bound to r10 for the syscall */
	register uint64_t r10 __asm__("r10") = m->w[1];
	/* cppcheck-suppress constStatement ; the same, r8 */
	register uint64_t r8 __asm__("r8") = m->w[2];
	/* cppcheck-suppress constStatement ; the same, r9 */
	register uint64_t r9 __asm__("r9") = m->w[3];
	/* clang-format off */
	__asm__ volatile("syscall"
	                 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
	                 :
	                 : "rcx", "r11", "memory");
	/* clang-format on */
	if ((int64_t)rax >= 0 && rax != CAPOS_IPC_RING_WORK) {
		m->label = rsi;
		m->w[0] = rdx;
		m->w[1] = r10;
		m->w[2] = r8;
		m->w[3] = r9;
		if (badge)
			*badge = rdi;
	}
	return (int64_t)rax;
}

/* Calls the Endpoint (owner side, client facet or minted facet) cap with
 * *m and waits for the reply, which replaces *m.  0, or a CAPOS_ERR_*
 * (DISCONNECTED: the server went away before it replied). */
static inline int64_t capos_ipc_call(uint32_t cap, struct capos_ipc_msg *m)
{
	return capos_ipc_sys(CAPOS_SYS_IPC_CALL, cap, 0, m);
}

/* Waits on the owner side cap for a register call: >= 0 and not
 * CAPOS_IPC_RING_WORK: a call in *m and *badge, the result its
 * CAPOS_MSG_F_* flags, and this thread now owes its reply.
 * CAPOS_IPC_RING_WORK: ring calls or release messages wait (RECV them
 * through the ring).  Negative: CAPOS_ERR_* (DISCONNECTED: no client
 * left). */
static inline int64_t capos_ipc_recv(uint32_t cap, uint64_t *badge, struct capos_ipc_msg *m)
{
	return capos_ipc_sys(CAPOS_SYS_IPC_RECV, cap, badge, m);
}

/* Replies *m to the call this thread holds, then capos_ipc_recv(cap).
 * CAPOS_ERR_BAD_CALL_ID (none held) means nothing was received;
 * DISCONNECTED, that its caller is gone (nothing received either) or
 * that no client is left: a capos_ipc_recv tells which. */
static inline int64_t capos_ipc_reply_recv(uint32_t cap, uint64_t *badge, struct capos_ipc_msg *m)
{
	return capos_ipc_sys(CAPOS_SYS_IPC_REPLY_RECV, cap, badge, m);
}

/* A server loop's handler: the call in *m, the reply written over it. */
typedef void (*capos_ipc_handler)(void *ctx, uint64_t badge, uint16_t flags,
                                  struct capos_ipc_msg *m);

struct capos_ipc_stats {
	uint64_t calls;     /* handled */
	uint64_t ring_work; /* times ring work was reported */
};

/* Serves register calls on the owner side cap until there is ring work
 * (returns CAPOS_IPC_RING_WORK: serve the ring, then call again), no
 * client is left (returns 0) or an error (returned). */
int64_t capos_ipc_serve(uint32_t cap, capos_ipc_handler h, void *ctx,
                        struct capos_ipc_stats *st);

#endif /* CAPOS_RT_IPC_H */
