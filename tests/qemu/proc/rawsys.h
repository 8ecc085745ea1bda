/*
 * Raw ABI helpers for the kernel-side smoke programs in tests/qemu/proc/.
 * These programs deliberately do not use the runtime: they poke the ring
 * and the syscalls directly to test the kernel's ABI behaviour, including
 * what a well-behaved runtime would never do.  They report through their
 * exit code (the kernel logs it): 0 = every check passed, otherwise the
 * number of the first failed check.
 */
#ifndef CAPOS_TESTS_RAWSYS_H
#define CAPOS_TESTS_RAWSYS_H

#include <capos/abi.h>
#include <stdint.h>

#define RING   ((volatile struct capos_ring_page *)CAPOS_RING_VADDR)
#define CAPSET ((const volatile struct capos_capset_header *)CAPOS_CAPSET_VADDR)

static inline int64_t raw_syscall(uint64_t n, uint64_t a, uint64_t b)
{
	int64_t r;
	/* clang-format off */
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b) : "rcx", "r11", "memory");
	/* clang-format on */
	return r;
}

static inline int64_t raw_cap_enter(uint32_t min, uint64_t timeout)
{
	return raw_syscall(CAPOS_SYS_CAP_ENTER, min, timeout);
}

static inline _Noreturn void raw_exit(int code)
{
	raw_syscall(CAPOS_SYS_EXIT, (uint64_t)(int64_t)code, 0);
	for (;;)
		;
}

/* Queues one SQE at sq_tail. */
static inline void raw_submit(struct capos_sqe s)
{
	uint32_t t = RING->header.sq_tail;
	RING->sq[t & (CAPOS_SQ_ENTRIES - 1)] = s;
	/* clang-format off */
	__asm__ volatile("" ::: "memory");
	/* clang-format on */
	RING->header.sq_tail = t + 1;
}

/* Pops the CQE at cq_head (caller knows one is there). */
static inline struct capos_cqe raw_pop(void)
{
	uint32_t h = RING->header.cq_head;
	struct capos_cqe c = RING->cq[h & (CAPOS_CQ_ENTRIES - 1)];
	RING->header.cq_head = h + 1;
	return c;
}

/* First cap id of the CapSet (the console). */
static inline uint32_t raw_console_cap(void)
{
	const volatile struct capos_capset_entry *e =
		(const volatile struct capos_capset_entry *)(CAPSET + 1);
	return e[0].cap_id;
}

/* Console.writeLine(text) encoded by hand into msg (no runtime, no
 * generated code): segment table (one segment), root struct pointer (0
 * data words, 1 pointer), text list pointer (byte elements: the len
 * characters and a NUL), then the text padded to whole words.  msg must
 * hold 3 + (len + 8) / 8 words; returns the message's length in bytes. */
static inline uint32_t raw_write_line_msg(uint64_t *msg, const char *text, uint32_t len)
{
	uint32_t words = (len + 1 + 7) / 8;
	msg[0] = (uint64_t)(2 + words) << 32;
	msg[1] = 0x0001000000000000ull;
	msg[2] = ((uint64_t)((len + 1) << 3 | 2) << 32) | 1;
	char *t = (char *)&msg[3];
	for (uint32_t i = 0; i < words * 8; i++)
		t[i] = i < len ? text[i] : 0;
	return (3 + words) * 8;
}

#define CHECK(n, cond)               \
	do {                         \
		if (!(cond))         \
			raw_exit(n); \
	} while (0)

#define ENTRY                                                                \
	void _start(void) __attribute__((section(".text.start"), noreturn)); \
	void _start(void)

#endif
