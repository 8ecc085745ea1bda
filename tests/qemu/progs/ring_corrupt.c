/*
 * ring_corrupt smoke: a process that damages its own ring gets specific
 * errors, never a kernel crash, and keeps working afterwards.
 *   - garbage indices (sq_tail far ahead / behind sq_head, cq_head past
 *     cq_tail): cap_enter returns CAPOS_ERR_RING_CORRUPT, the process
 *     repairs the index and the ring works again;
 *   - malformed SQEs: unknown flags, the pipelining flag, non-zero reserved
 *     and pipeline fields (CAPOS_ERR_INVALID_SQE), transfer counts where
 *     none are allowed (CAPOS_ERR_BAD_TRANSFER);
 *   - bad buffers: kernel-half, non-canonical, unmapped, wrapping, huge,
 *     read-only result (CAPOS_ERR_BAD_BUFFER);
 *   - bad cap ids (CAPOS_ERR_BAD_CAP) and garbage params
 *     (CAPOS_ERR_BAD_MESSAGE).
 *
 * Run by: smokes proc_smap_smep, ring_corrupt
 * (tests/qemu/manifests/NAME.cue); selftests.cue (smoke
 * boot_selftests).
 */
#include "demo.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"

#define NAME "ring_corrupt"

static volatile struct capos_ring_header *hdr(void)
{
	return &capos_rt_ring.page->header;
}

/* Submits sqe (user_data assigned here) and returns its CQE result. */
static int32_t run(struct capos_sqe *sqe)
{
	struct capos_cqe cqe;
	int e = capos_ring_submit_wait(&capos_rt_ring, sqe, &cqe);
	if (e < 0)
		return 1000 + e; /* cannot be mistaken for a CQE result */
	if (cqe.user_data != sqe->user_data)
		return 2000;
	return cqe.result;
}

static struct capos_sqe nop(void)
{
	struct capos_sqe s;
	memset(&s, 0, sizeof(s));
	s.opcode = CAPOS_OP_NOP;
	return s;
}

static uint64_t params[8];
static uint32_t params_len;
static uint64_t result[32];

/* A valid Console.writeLine CALL; each test breaks one field. */
static struct capos_sqe good_call(void)
{
	struct capos_sqe s;
	memset(&s, 0, sizeof(s));
	s.opcode = CAPOS_OP_CALL;
	s.cap_id = capos_rt.console.cap.cap_id;
	s.method_id = capos_Console_writeLine_METHOD;
	s.addr = (uintptr_t)params;
	s.len = params_len;
	s.result_addr = (uintptr_t)result;
	s.result_len = sizeof(result);
	return s;
}

static void expect(const char *what, struct capos_sqe s, int32_t want)
{
	int32_t got = run(&s);
	DEMO_CHECK(NAME, got == want, "%s -> %s (%d)\n", what, capos_strerror(got), (int)got);
}

/* A successful CALL returns the size of its result message. */
static void expect_ok(const char *what, struct capos_sqe s)
{
	int32_t got = run(&s);
	DEMO_CHECK(NAME, got >= 0, "%s -> %d bytes of result\n", what, (int)got);
}

static bool nop_works(void)
{
	struct capos_sqe s = nop();
	return run(&s) == 0;
}

/* Damages one index, checks cap_enter refuses the ring, repairs it. */
static void corrupt_index(const char *what, volatile uint32_t *field, uint32_t bad)
{
	uint32_t saved = *field;
	*field = bad;
	int64_t r = capos_cap_enter(0, CAPOS_NO_WAIT);
	*field = saved;
	DEMO_CHECK(NAME, r == CAPOS_ERR_RING_CORRUPT, "%s: cap_enter -> %s (%ld)\n", what,
	           capos_strerror((int)r), (long)r);
	DEMO_CHECK(NAME, nop_works(), "ring works again after repairing %s\n", what);
}

int main(void)
{
	if (!capos_rt.has_console)
		return 1;
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof(params));
	capos_Console_writeLine_Params_set_text(capos_Console_writeLine_Params_init_root(&b),
	                                        "[ring_corrupt] valid call", 25);
	size_t len = 0;
	capnp_builder_finish(&b, &len);
	params_len = (uint32_t)len;

	expect_ok("valid Console.writeLine", good_call());

	/* Index corruption. */
	corrupt_index("sq_tail 1000 ahead", &hdr()->sq_tail, hdr()->sq_head + 1000);
	corrupt_index("sq_tail behind sq_head", &hdr()->sq_tail, hdr()->sq_head - 1);
	corrupt_index("cq_head past cq_tail", &hdr()->cq_head, hdr()->cq_tail + 5);
	corrupt_index("cq_head 1000 behind", &hdr()->cq_head, hdr()->cq_tail - 1000);

	/* Malformed SQEs. */
	struct capos_sqe s;
	s = nop();
	s.flags = 0x8000;
	expect("unknown SQE flag", s, CAPOS_ERR_INVALID_SQE);
	s = nop();
	s.flags = CAPOS_SQE_PIPELINE;
	expect("pipeline flag", s, CAPOS_ERR_INVALID_SQE);
	s = nop();
	s.reserved0 = 1;
	expect("reserved0 != 0", s, CAPOS_ERR_INVALID_SQE);
	s = nop();
	s.reserved1 = 0xffff;
	expect("reserved1 != 0", s, CAPOS_ERR_INVALID_SQE);
	s = nop();
	s.pipeline_dep = 7;
	expect("pipeline_dep != 0", s, CAPOS_ERR_INVALID_SQE);
	s = nop();
	s.pipeline_field = 3;
	expect("pipeline_field != 0", s, CAPOS_ERR_INVALID_SQE);
	s = nop();
	s.xfer_cap_count = 1;
	expect("NOP with a transfer", s, CAPOS_ERR_BAD_TRANSFER);
	s = good_call();
	s.xfer_cap_count = 200;
	expect("CALL with 200 transfers", s, CAPOS_ERR_BAD_TRANSFER);

	/* Bad buffers. */
	s = good_call();
	s.addr = 0xffff800000000000ull;
	expect("params in the kernel half", s, CAPOS_ERR_BAD_BUFFER);
	s = good_call();
	s.addr = 0x0000800000000000ull;
	expect("params at a non-canonical address", s, CAPOS_ERR_BAD_BUFFER);
	s = good_call();
	s.addr = 0x0000000500000000ull;
	expect("params unmapped", s, CAPOS_ERR_BAD_BUFFER);
	s = good_call();
	s.addr = 0xfffffffffffff000ull;
	s.len = 0x2000;
	expect("params wrapping the address space", s, CAPOS_ERR_BAD_BUFFER);
	s = good_call();
	s.len = 0xffffffffu;
	expect("params length 4 GiB", s, CAPOS_ERR_BAD_BUFFER);
	s = good_call();
	s.result_addr = 0xffffffff80000000ull;
	expect("result in the kernel half", s, CAPOS_ERR_BAD_BUFFER);
	s = good_call();
	s.result_addr = CAPOS_CAPSET_VADDR;
	s.result_len = 64;
	expect("result in the read-only CapSet page", s, CAPOS_ERR_BAD_BUFFER);
	s = good_call();
	s.result_len = 0x7fffffffu;
	expect("result length 2 GiB", s, CAPOS_ERR_BAD_BUFFER);

	/* Bad targets and bad messages. */
	s = good_call();
	s.cap_id = 0xdeadbeefu;
	expect("unknown cap id", s, CAPOS_ERR_BAD_CAP);
	static uint64_t garbage[8] = {0x4141414141414141ull, 0x4242424242424242ull, 0xffffffffffffffffull};
	s = good_call();
	s.addr = (uintptr_t)garbage;
	s.len = sizeof(garbage);
	expect("garbage params message", s, CAPOS_ERR_BAD_MESSAGE);

	/* The counter of refused SQEs moved, and the process still works. */
	DEMO_CHECK(NAME, hdr()->sq_dropped >= 16, "sq_dropped = %u\n", hdr()->sq_dropped);
	expect_ok("valid Console.writeLine after all that", good_call());
	DEMO_CHECK(NAME, nop_works(), "NOP still completes\n");
	return demo_finish(NAME);
}
