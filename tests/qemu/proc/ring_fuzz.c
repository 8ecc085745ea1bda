/*
 * Garbage in the ring, many times over: random opcodes, flags, reserved
 * fields, cap ids, addresses (own buffers, unmapped, kernel half, the
 * read-only CapSet, the ring itself), lengths and methods, plus occasional
 * corrupt indices.  The kernel must complete every SQE with a result in the
 * ABI's range, echo user_data, never lose or invent a completion, and never
 * crash.  Result buffers are only ever our scratch buffer or addresses the
 * kernel must refuse, so the program cannot corrupt itself.
 * Exit code: 0, or the number of the failed check.
 */
#include "rawsys.h"

#define ROUNDS 20000

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint8_t params_buf[256] __attribute__((aligned(8)));
static uint8_t result_buf[256] __attribute__((aligned(8)));

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick_addr(int result)
{
	switch (next() % (result ? 5 : 7)) {
	case 0: return result ? (uint64_t)result_buf : (uint64_t)params_buf;
	case 1: return 0x10000000;            /* unmapped */
	case 2: return 0xffffffff80000000ull; /* kernel half */
	case 3: return CAPOS_CAPSET_VADDR;    /* read-only */
	case 4: return next();                /* anything (refused: see result rule) */
	case 5: return CAPOS_RING_VADDR;      /* params from the ring itself */
	default: return 0;
	}
}

static struct capos_sqe random_sqe(uint64_t ud, uint32_t console)
{
	struct capos_sqe s;
	uint64_t *w = (uint64_t *)&s;
	for (unsigned i = 0; i < sizeof(s) / 8; i++)
		w[i] = next();
	s.user_data = ud;
	if (next() % 4) { /* mostly well-formed, so the deep paths run too */
		s.opcode = (uint8_t)(next() % 7);
		s.flags = 0;
		s.reserved0 = s.reserved1 = 0;
		s.pipeline_dep = 0;
		s.pipeline_field = 0;
		s.xfer_cap_count = (next() % 8) ? 0 : (uint8_t)(next() % 10);
	}
	switch (next() % 4) {
	case 0: s.cap_id = console; break;
	case 1: s.cap_id = console + (1u << 10); break;
	case 2: s.cap_id = (uint32_t)(next() % 8); break;
	default: break;
	}
	s.method_id = (uint16_t)(next() % 3);
	s.addr = pick_addr(0);
	s.len = (next() % 8) ? (uint32_t)(next() % 300) : (uint32_t)next();
	s.result_addr = pick_addr(1);
	/* Never a random address with a plausible length: it could be our own
	 * stack.  Our scratch buffer, or addresses the kernel must refuse. */
	if (s.result_addr != (uint64_t)result_buf && s.result_addr != 0x10000000 &&
	    s.result_addr != 0xffffffff80000000ull && s.result_addr != CAPOS_CAPSET_VADDR)
		s.result_addr = 0xffff900000000000ull;
	s.result_len = (uint32_t)(next() % 300);
	if (s.result_addr == (uint64_t)result_buf && s.result_len > sizeof(result_buf))
		s.result_len = sizeof(result_buf);
	return s;
}

ENTRY
{
	uint32_t console = raw_console_cap();
	uint64_t ud = 1;
	for (int round = 0; round < ROUNDS; round++) {
		for (unsigned i = 0; i < sizeof(params_buf); i++)
			params_buf[i] = (uint8_t)next();
		if (next() % 64 == 0) { /* corrupt, check refusal, repair */
			uint32_t t = RING->header.sq_tail;
			RING->header.sq_tail = t + 17 + (uint32_t)(next() % 1000);
			CHECK(1, raw_cap_enter(0, CAPOS_NO_WAIT) == CAPOS_ERR_RING_CORRUPT);
			RING->header.sq_tail = t;
		}
		unsigned n = 1 + (unsigned)(next() % CAPOS_SQ_ENTRIES);
		uint64_t first = ud;
		for (unsigned i = 0; i < n; i++)
			raw_submit(random_sqe(ud++, console));
		CHECK(2, raw_cap_enter(n, CAPOS_WAIT_FOREVER) == (int64_t)n);
		for (unsigned i = 0; i < n; i++) {
			struct capos_cqe c = raw_pop();
			CHECK(3, c.user_data == first + i);
			CHECK(4, c.result >= CAPOS_ERR_MIN && c.result <= (int32_t)sizeof(result_buf));
		}
		CHECK(5, RING->header.cq_tail == RING->header.cq_head);
		CHECK(6, RING->header.cq_overflow == 0);
	}
	raw_exit(0);
}
