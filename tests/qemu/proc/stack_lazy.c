/* The stack's pages are mapped on first touch (kernel/proc/process.c,
 * setup_stack): a page the kernel reads or writes first through a call's
 * buffers is mapped as if the program had touched it, every page reads
 * zero at first touch and keeps what is written, and a buffer reaching
 * into the guard page below is still refused.  Exits with the number of
 * the first failed check (0 = all passed). */
#include "rawsys.h"

#define STACK_BOTTOM (CAPOS_USER_STACK_TOP - CAPOS_USER_STACK_SIZE)
#define PAGE_WORDS   512u

static uint64_t msg[7];

/* Console.writeLine("[stack_lazy] result"), encoded by hand (rawsys.h). */
static uint32_t build_write_line(void)
{
	static const char text[] = "[stack_lazy] result";
	return raw_write_line_msg(msg, text, sizeof text - 1);
}

ENTRY
{
	volatile uint64_t *deep = (volatile uint64_t *)STACK_BOTTOM; /* never touched yet */
	volatile uint64_t *next = deep + PAGE_WORDS;
	uint32_t con = raw_console_cap();
	uint32_t len = build_write_line();
	/* clang-format off */
	/* The kernel reads a page first: zeroes, so a bad message, not a bad buffer. */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 1,
	                              .addr = STACK_BOTTOM, .len = 16, .user_data = 1});
	/* The kernel writes a result into another page first. */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 1,
	                              .addr = (uint64_t)msg, .len = len,
	                              .result_addr = (uint64_t)next, .result_len = 64,
	                              .user_data = 2});
	/* Params starting in the guard page below the stack. */
	raw_submit((struct capos_sqe){.opcode = CAPOS_OP_CALL, .cap_id = con, .method_id = 1,
	                              .addr = STACK_BOTTOM - 16, .len = 32, .user_data = 3});
	/* clang-format on */
	CHECK(1, raw_cap_enter(3, CAPOS_WAIT_FOREVER) == 3);
	struct capos_cqe c = raw_pop();
	CHECK(2, c.user_data == 1 && c.result == CAPOS_ERR_BAD_MESSAGE);
	c = raw_pop();
	CHECK(3, c.user_data == 2 && c.result > 0 && c.result <= 64);
	CHECK(4, (next[0] & 0xffffffff) == 0); /* one segment */
	c = raw_pop();
	CHECK(5, c.user_data == 3 && c.result == CAPOS_ERR_BAD_BUFFER);
	CHECK(6, deep[0] == 0 && deep[PAGE_WORDS - 1] == 0);
	/* Every other page below the entry page: zero at first touch, then ours. */
	for (uint64_t va = STACK_BOTTOM + 2 * 4096; va < CAPOS_USER_STACK_TOP - 4096; va += 4096) {
		volatile uint64_t *w = (volatile uint64_t *)va;
		CHECK(7, w[0] == 0 && w[PAGE_WORDS - 1] == 0);
		w[0] = va;
		w[PAGE_WORDS - 1] = ~va;
	}
	for (uint64_t va = STACK_BOTTOM + 2 * 4096; va < CAPOS_USER_STACK_TOP - 4096; va += 4096) {
		volatile uint64_t *w = (volatile uint64_t *)va;
		CHECK(8, w[0] == va && w[PAGE_WORDS - 1] == ~va);
	}
	raw_exit(0);
}
