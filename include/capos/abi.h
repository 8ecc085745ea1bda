/*
 * The capOS user/kernel ABI, in one place.
 *
 * Everything a process shares with the kernel is defined here: the two
 * syscalls, the fixed virtual addresses of the ring and CapSet pages, the
 * ring layout (header, submission entries, completion entries), opcodes,
 * flags, transport error codes, transfer descriptors, result-cap records,
 * the endpoint message header and the CapSet bootstrap page.
 *
 * Layouts are fixed-size and little-endian; every offset is checked by a
 * static assertion at the end of this file.  Changing a value here is an
 * ABI change: the kernel, the runtime and the tests all include this file.
 *
 * This header must stay freestanding: it is used by the kernel, userspace
 * and host tests alike.
 */
#ifndef CAPOS_ABI_H
#define CAPOS_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Syscalls.  `syscall` with the number in rax, arguments in rdi,    */
/* rsi (and rdx, r10, r8, r9 for the register calls); the result      */
/* comes back in rax; rcx and r11 are clobbered.                      */
/* ------------------------------------------------------------------ */

#define CAPOS_SYS_CAP_ENTER      0 /* cap_enter(min_complete, timeout_ns) */
#define CAPOS_SYS_EXIT           1 /* exit(code): never returns */
#define CAPOS_SYS_THREAD_EXIT    2 /* thread_exit(status, clear_word): never returns */
#define CAPOS_SYS_IPC_CALL       3 /* ipc_call(cap, label, w0, w1, w2, w3) */
#define CAPOS_SYS_IPC_RECV       4 /* ipc_recv(cap) */
#define CAPOS_SYS_IPC_REPLY_RECV 5 /* ipc_reply_recv(cap, label, w0, w1, w2, w3) */
/* thread_exit's clear_word (rsi), when not 0, is a 32-bit user word the
 * kernel zeroes as the thread ends, then wakes one thread parked on it
 * (ParkSpace): a joiner may then free the thread's stack and TLS, which
 * the thread no longer touches (Linux's CLONE_CHILD_CLEARTID; musl's
 * pthreads, libc/threads.c).  A bad word is skipped, never an error. */

/*
 * Register calls (docs/ipc.md "Register calls"): a label and
 * CAPOS_IPC_WORDS words travel between two threads in their registers,
 * with no ring, no record and no buffer.  Registers in: rdi = cap id, rsi
 * = label, rdx, r10, r8, r9 = words 0..3.
 *   ipc_call: cap is an Endpoint (owner side, client facet or minted
 *     facet).  Blocks until the reply: rax = 0, rsi = label, rdx, r10, r8,
 *     r9 = the reply's words; or rax = a CAPOS_ERR_* (DISCONNECTED: the
 *     server went away before it replied).
 *   ipc_recv: cap is an Endpoint's owner side.  rax >= 0: a call, rax =
 *     its CAPOS_MSG_F_* flags (MINTED), rdi = badge, rsi = label, rdx,
 *     r10, r8, r9 = words; the thread now holds that call's reply.  rax =
 *     CAPOS_IPC_RING_WORK: no register call, but ring calls or release
 *     messages wait for a ring RECV.  Negative: CAPOS_ERR_* (DISCONNECTED:
 *     no client left; INVALID_ARGUMENT: the thread still holds a call).
 *   ipc_reply_recv: replies to the call the thread holds with rsi and
 *     the words (CAPOS_ERR_BAD_CALL_ID: none held; DISCONNECTED: its
 *     caller is gone; either way nothing is received), then ipc_recv(cap).
 * Refused arguments: BAD_CAP (no such capability), NOT_PERMITTED (not an
 * Endpoint, or recv on a client facet).  Ring calls and register calls
 * are queued apart, each first come first served.
 */
#define CAPOS_IPC_WORDS     4u
#define CAPOS_IPC_RING_WORK 0x10000 /* ipc_recv: ring work waits, no call */

/* cap_enter timeout values. */
#define CAPOS_WAIT_FOREVER UINT64_MAX /* block until min_complete CQEs */
#define CAPOS_NO_WAIT      0          /* drain submissions, never block */

/*
 * cap_enter returns the number of completions available (cq_tail - cq_head)
 * or a negative CAPOS_ERR_* when the call itself was refused.
 */

/* ------------------------------------------------------------------ */
/* Fixed user virtual addresses (all in the lower, user half).        */
/* ------------------------------------------------------------------ */

#define CAPOS_PAGE_SIZE       4096u
#define CAPOS_USER_MIN        0x0000000000400000ull /* lowest ELF load address */
#define CAPOS_USER_IMAGE_END  0x0000100000000000ull /* ELF segments end below  */
#define CAPOS_USER_ANON_BASE  0x0000200000000000ull /* VirtualMemory.map with hint 0 */
#define CAPOS_USER_ANON_END   0x0000600000000000ull
#define CAPOS_THREAD_AREA     0x0000700000000000ull /* spawned threads' slots */
#define CAPOS_THREAD_SLOT     0x0000000001000000ull /* 16 MiB per thread      */
#define CAPOS_THREAD_AREA_END 0x00007e0000000000ull
#define CAPOS_RING_VADDR      0x00007f0000000000ull /* one page, RW           */
#define CAPOS_CAPSET_VADDR    0x00007f0000001000ull /* one page, read-only    */
#define CAPOS_TLS_VADDR       0x00007f0000100000ull /* TLS block + TCB        */
#define CAPOS_USER_STACK_TOP  0x00007f0001000000ull /* grows down             */
#define CAPOS_USER_STACK_SIZE (256u * 1024u)        /* guard page below it    */
#define CAPOS_USER_END        0x0000800000000000ull /* first non-user address */

/*
 * Threads (ThreadSpawner.spawn, schema/thread.capnp): thread slot i of a
 * process (lowest free, i >= 0) is the 16 MiB at CAPOS_THREAD_AREA +
 * i * CAPOS_THREAD_SLOT: its ring page at offset 0, its TLS area from
 * offset 64 KiB, its stack ending at the slot's end with an unmapped
 * guard page below.  Thread entry state: rip = entry, rsp = stack top - 8,
 * rdi = its own ring page, rsi = arg, rdx = its thread id, fs base = its
 * thread pointer.  Every thread has its own ring: cap_enter drains and
 * waits on the calling thread's SQ/CQ only, and a completion goes to the
 * ring of the thread that submitted the SQE.  The first thread's ring is
 * CAPOS_RING_VADDR as before, so single-threaded programs see no change.
 * thread_exit(status) ends the calling thread (the process ends with that
 * status when it was the last); exit(code) ends every thread.
 */
#define CAPOS_THREAD_TLS_OFFSET    0x10000ull
#define CAPOS_THREAD_STACK_MAX     (8u * 1024u * 1024u)
#define CAPOS_THREAD_STACK_DEFAULT (64u * 1024u)
#define CAPOS_THREAD_TLS_MAX       (64u * 1024u)

/* A stack of the caller's own (ThreadSpawner.spawn stackBase): 16-byte
 * aligned, from 1 KiB (what is left of PTHREAD_STACK_MIN once musl has
 * put its start arguments on it) to 1 GiB, mapped user-writable. */
#define CAPOS_THREAD_USER_STACK_MIN   1024u
#define CAPOS_THREAD_USER_STACK_MAX   (1024ull * 1024u * 1024u)
#define CAPOS_THREAD_USER_STACK_ALIGN 16u

/*
 * Process entry state: rip = ELF entry, rsp = CAPOS_USER_STACK_TOP - 8 (so
 * the stack is aligned as after a call), rdi = ring address, rsi = process
 * id, rdx = CapSet address (0 if none), fs base = TLS thread pointer
 * (%fs:0 holds its own address, x86_64 TLS variant II).
 */

/* ------------------------------------------------------------------ */
/* The capability ring: one 4 KiB page at CAPOS_RING_VADDR.            */
/* ------------------------------------------------------------------ */

#define CAPOS_SQ_ENTRIES 16u
#define CAPOS_CQ_ENTRIES 32u

/*
 * Indices are free-running 32-bit counters; the slot is index & mask.
 * Userspace produces sq_tail and consumes cq_head; the kernel produces
 * cq_tail and consumes sq_head.  The kernel never trusts any of them: an
 * sq_tail more than sq_entries ahead of sq_head is corruption.
 */
struct capos_ring_header {
	uint32_t sq_head;     /* kernel-written: next SQE the kernel reads   */
	uint32_t sq_tail;     /* user-written: next SQE slot userspace fills */
	uint32_t cq_head;     /* user-written: next CQE userspace reads      */
	uint32_t cq_tail;     /* kernel-written: next CQE slot               */
	uint32_t sq_entries;  /* CAPOS_SQ_ENTRIES (read-only by contract)    */
	uint32_t cq_entries;  /* CAPOS_CQ_ENTRIES                            */
	uint32_t sq_mask;     /* sq_entries - 1                              */
	uint32_t cq_mask;     /* cq_entries - 1                              */
	uint32_t flags;       /* CAPOS_RING_F_*                              */
	uint32_t cq_overflow; /* completions the kernel had to hold back     */
	uint32_t sq_dropped;  /* malformed SQEs completed with an error      */
	uint32_t reserved[5];
};

/* Set by the kernel while completions wait in the kernel because the CQ was
 * full; they are posted as userspace frees CQ slots, never dropped. */
#define CAPOS_RING_F_CQ_BACKLOG 0x1u

enum capos_opcode {
	CAPOS_OP_NOP = 0,     /* completes at once; result 0, user_data echoed */
	CAPOS_OP_CALL = 1,    /* invoke method_id on cap_id                     */
	CAPOS_OP_RECV = 2,    /* endpoint owner: wait for the next call         */
	CAPOS_OP_RETURN = 3,  /* endpoint owner: answer call_id                 */
	CAPOS_OP_RELEASE = 4, /* drop local slot cap_id                         */
};
/* Opcodes 5..255 are reserved: they complete with CAPOS_ERR_RESERVED_OPCODE. */
#define CAPOS_OP_FIRST_RESERVED 5u

/* SQE flags. */
#define CAPOS_SQE_PIPELINE  0x1u /* reserved for promise pipelining: refused */
#define CAPOS_SQE_EXCEPTION 0x2u /* RETURN only: the reply is a CapException  */
/* CALL only: the call is for the capability's own kernel interface, not
 * for the process serving it: on an Endpoint's owner side, the schema's
 * Endpoint methods (mintClient); on a client facet it is NOT_PERMITTED.
 * A CALL to any other kernel object is the kernel's anyway. */
#define CAPOS_SQE_KERNEL    0x4u
#define CAPOS_SQE_F_KNOWN   0x0u /* flags accepted on every opcode (none)     */

struct capos_sqe {
	uint8_t opcode;          /* enum capos_opcode                           */
	uint8_t xfer_cap_count;  /* transfer descriptors after the params       */
	uint16_t flags;          /* CAPOS_SQE_*; unknown bits are refused       */
	uint32_t cap_id;         /* target local capability id                  */
	uint64_t user_data;      /* echoed in the CQE                           */
	uint64_t addr;           /* params (Cap'n Proto message) user address   */
	uint64_t result_addr;    /* result buffer user address                  */
	uint32_t len;            /* params length in bytes                      */
	uint32_t result_len;     /* result buffer capacity in bytes             */
	uint16_t method_id;      /* Cap'n Proto method ordinal                  */
	uint16_t reserved0;      /* must be 0                                   */
	uint32_t call_id;        /* RETURN: the call being answered             */
	uint32_t pipeline_dep;   /* reserved for pipelining: must be 0          */
	uint16_t pipeline_field; /* reserved for pipelining: must be 0          */
	uint16_t reserved1;      /* must be 0                                   */
	uint64_t timeout_ns;     /* CALL/RECV: 0 = none; else give up after it  */
};

struct capos_cqe {
	uint64_t user_data; /* from the SQE                                     */
	int32_t result;     /* >= 0: opcode-specific success; < 0: CAPOS_ERR_*  */
	uint32_t flags;     /* CAPOS_CQE_F_*                                    */
	uint32_t cap_count; /* result-cap records after the result message      */
	uint32_t call_id;   /* RECV: the call id to RETURN with                 */
	uint64_t reserved;
};

#define CAPOS_CQE_F_EXCEPTION 0x1u /* result buffer holds a CapException   */

/*
 * Result values on success:
 *   NOP, RELEASE: 0.
 *   CALL: bytes of the result message written at result_addr; cap_count
 *         result-cap records follow at result_addr + capos_align8(result).
 *   RECV: bytes written at result_addr: a struct capos_endpoint_message,
 *         then the params, then cap_count result-cap records (each part
 *         8-byte aligned).
 *   RETURN: 0.
 */

/* ------------------------------------------------------------------ */
/* Transport errors: negative CQE results (and cap_enter returns).     */
/* ------------------------------------------------------------------ */

enum capos_error {
	CAPOS_OK = 0,
	CAPOS_ERR_INVALID_SQE = -1,           /* reserved fields, bad flags         */
	CAPOS_ERR_RESERVED_OPCODE = -2,       /* opcode >= CAPOS_OP_FIRST_RESERVED  */
	CAPOS_ERR_BAD_CAP = -3,               /* no such slot or stale generation   */
	CAPOS_ERR_BAD_BUFFER = -4,            /* user pointer/length not valid      */
	CAPOS_ERR_RESULT_TOO_SMALL = -5,      /* result does not fit result_len     */
	CAPOS_ERR_BAD_TRANSFER = -6,          /* malformed transfer descriptor      */
	CAPOS_ERR_NO_RESOURCES = -7,          /* table full, quota, out of memory   */
	CAPOS_ERR_NOT_PERMITTED = -8,         /* wrong interface/facet for the op   */
	CAPOS_ERR_APPLICATION_EXCEPTION = -9, /* CapException in result buffer  */
	CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED = -10,
	CAPOS_ERR_BAD_MESSAGE = -11,      /* params are not a valid message     */
	CAPOS_ERR_UNKNOWN_METHOD = -12,   /* method_id not on this interface    */
	CAPOS_ERR_DISCONNECTED = -13,     /* peer gone (server exited...)       */
	CAPOS_ERR_TIMED_OUT = -14,        /* SQE timeout_ns expired             */
	CAPOS_ERR_BAD_CALL_ID = -15,      /* RETURN to unknown/answered call    */
	CAPOS_ERR_RING_CORRUPT = -16,     /* cap_enter: ring indices invalid    */
	CAPOS_ERR_INVALID_ARGUMENT = -17, /* syscall argument out of range      */
};
#define CAPOS_ERR_MIN (-17)

/* ------------------------------------------------------------------ */
/* Capability transfer (sideband, CALL and RETURN).                    */
/* ------------------------------------------------------------------ */

/*
 * xfer_cap_count descriptors follow the params message at
 * addr + capos_align8(len); they are not counted in len.
 */
struct capos_xfer_desc {
	uint32_t cap_id; /* sender's local slot                      */
	uint32_t mode;   /* CAPOS_XFER_COPY or CAPOS_XFER_MOVE        */
	uint64_t badge;  /* reserved, must be 0                       */
};
#define CAPOS_XFER_COPY 0u
#define CAPOS_XFER_MOVE 1u
#define CAPOS_XFER_MAX  8u /* more descriptors per SQE is CAPOS_ERR_BAD_TRANSFER */

/* ProcessHandle.wait: a kill reason is at most this long (NUL included), so
 * a wait's result buffer must hold CAPOS_WAIT_RESULT_BYTES: framing, root
 * pointer, 2 data words, 1 pointer, and the padded reason. */
#define CAPOS_KILL_REASON_MAX   160u
#define CAPOS_WAIT_RESULT_BYTES (16u + 8u * 3u + CAPOS_KILL_REASON_MAX)

/* A capability delivered to this process (result caps, received caps). */
struct capos_cap_record {
	uint32_t cap_id; /* new local slot in the receiver's table */
	uint32_t reserved;
	uint64_t interface_id; /* Cap'n Proto interface id of the object */
};

/* What RECV writes first into the server's result buffer. */
struct capos_endpoint_message {
	uint32_t call_id;    /* pass to RETURN                          */
	uint16_t method_id;  /* from the caller's SQE                   */
	uint16_t flags;      /* CAPOS_MSG_F_*                           */
	uint64_t badge;      /* badge of the caller's capability        */
	uint32_t params_len; /* bytes of params after this header       */
	uint32_t cap_count;  /* capability records after the params     */
	uint64_t reserved;
};

/* The badge was minted by the endpoint's owner (Endpoint.mintClient):
 * no client can have chosen it.  A badge without this flag was set by
 * whoever granted the caller an unbadged facet (a spawn grant). */
#define CAPOS_MSG_F_MINTED   0x1u
/* Not a call: the last copy of the minted facet with this badge is gone
 * (Endpoint.mintClient notifyOnRelease).  call_id, method_id, params and
 * caps are 0; the message is not RETURNed.  Sent once per facet. */
#define CAPOS_MSG_F_RELEASED 0x2u

/* ------------------------------------------------------------------ */
/* CapSet bootstrap page: read-only, at CAPOS_CAPSET_VADDR.           */
/* ------------------------------------------------------------------ */

#define CAPOS_CAPSET_MAGIC   0x54455343u /* "CSET" */
#define CAPOS_CAPSET_VERSION 2u          /* 2: the header carries the process name */
#define CAPOS_CAP_NAME_MAX   32u         /* NUL-padded; at most 31 bytes of name */

struct capos_capset_entry {
	char name[CAPOS_CAP_NAME_MAX];
	uint64_t interface_id;
	uint32_t cap_id;
	uint32_t flags; /* reserved */
};

struct capos_capset_header {
	uint32_t magic;
	uint16_t version;
	uint16_t count;
	uint32_t entry_size; /* sizeof(struct capos_capset_entry) */
	uint32_t reserved;
	/* The process's own name (its service name in the manifest, or the
	 * name its spawner gave), NUL-padded: programs run as several
	 * instances print it so their output tells the instances apart. */
	char process_name[CAPOS_CAP_NAME_MAX];
	/* struct capos_capset_entry entries[count]; */
};
#define CAPOS_CAPSET_MAX_ENTRIES                                  \
	((CAPOS_PAGE_SIZE - sizeof(struct capos_capset_header)) / \
	 sizeof(struct capos_capset_entry))

/* ------------------------------------------------------------------ */
/* Ring page layout.                                                  */
/* ------------------------------------------------------------------ */

#define CAPOS_RING_SQ_OFFSET 0x400u
#define CAPOS_RING_CQ_OFFSET 0x800u

struct capos_ring_page {
	struct capos_ring_header header;
	uint8_t pad0[CAPOS_RING_SQ_OFFSET - sizeof(struct capos_ring_header)];
	struct capos_sqe sq[CAPOS_SQ_ENTRIES];
	struct capos_cqe cq[CAPOS_CQ_ENTRIES];
	uint8_t pad1[CAPOS_PAGE_SIZE - CAPOS_RING_CQ_OFFSET -
	             CAPOS_CQ_ENTRIES * sizeof(struct capos_cqe)];
};

static inline uint64_t capos_align8(uint64_t n) { return (n + 7u) & ~(uint64_t)7u; }

/* ------------------------------------------------------------------ */
/* Layout checks.                                                     */
/* ------------------------------------------------------------------ */

_Static_assert(sizeof(struct capos_ring_header) == 64, "ring header is 64 B");
_Static_assert(sizeof(struct capos_sqe) == 64, "SQE is 64 B");
_Static_assert(offsetof(struct capos_sqe, opcode) == 0, "sqe.opcode");
_Static_assert(offsetof(struct capos_sqe, xfer_cap_count) == 1, "sqe.xfer_cap_count");
_Static_assert(offsetof(struct capos_sqe, flags) == 2, "sqe.flags");
_Static_assert(offsetof(struct capos_sqe, cap_id) == 4, "sqe.cap_id");
_Static_assert(offsetof(struct capos_sqe, user_data) == 8, "sqe.user_data");
_Static_assert(offsetof(struct capos_sqe, addr) == 16, "sqe.addr");
_Static_assert(offsetof(struct capos_sqe, result_addr) == 24, "sqe.result_addr");
_Static_assert(offsetof(struct capos_sqe, len) == 32, "sqe.len");
_Static_assert(offsetof(struct capos_sqe, result_len) == 36, "sqe.result_len");
_Static_assert(offsetof(struct capos_sqe, method_id) == 40, "sqe.method_id");
_Static_assert(offsetof(struct capos_sqe, call_id) == 44, "sqe.call_id");
_Static_assert(offsetof(struct capos_sqe, pipeline_dep) == 48, "sqe.pipeline_dep");
_Static_assert(offsetof(struct capos_sqe, pipeline_field) == 52, "sqe.pipeline_field");
_Static_assert(offsetof(struct capos_sqe, timeout_ns) == 56, "sqe.timeout_ns");
_Static_assert(sizeof(struct capos_cqe) == 32, "CQE is 32 B");
_Static_assert(offsetof(struct capos_cqe, result) == 8, "cqe.result");
_Static_assert(offsetof(struct capos_cqe, flags) == 12, "cqe.flags");
_Static_assert(offsetof(struct capos_cqe, cap_count) == 16, "cqe.cap_count");
_Static_assert(offsetof(struct capos_cqe, call_id) == 20, "cqe.call_id");
_Static_assert(sizeof(struct capos_ring_page) == CAPOS_PAGE_SIZE, "ring is one page");
_Static_assert(offsetof(struct capos_ring_page, sq) == CAPOS_RING_SQ_OFFSET, "sq offset");
_Static_assert(offsetof(struct capos_ring_page, cq) == CAPOS_RING_CQ_OFFSET, "cq offset");
_Static_assert(sizeof(struct capos_xfer_desc) == 16, "xfer desc is 16 B");
_Static_assert(sizeof(struct capos_cap_record) == 16, "cap record is 16 B");
_Static_assert(sizeof(struct capos_endpoint_message) == 32, "endpoint message is 32 B");
_Static_assert(sizeof(struct capos_capset_entry) == 48, "capset entry is 48 B");
_Static_assert(sizeof(struct capos_capset_header) == 48, "capset header is 48 B");
_Static_assert((CAPOS_SQ_ENTRIES & (CAPOS_SQ_ENTRIES - 1)) == 0, "SQ power of two");
_Static_assert((CAPOS_CQ_ENTRIES & (CAPOS_CQ_ENTRIES - 1)) == 0, "CQ power of two");

#endif /* CAPOS_ABI_H */
