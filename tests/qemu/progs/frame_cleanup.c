/*
 * frame_cleanup smoke: FrameAllocator grants (single and contiguous),
 * frees, the refusals (double free, frames never granted, bad counts, the
 * per-process limit) and query; then the process exits still holding
 * frames and an anonymous mapping: the kernel returns all of them (its
 * "mem: ... exit: returned" line) and the run's free-frame count is back
 * to baseline.
 *
 * Run by: smoke frame_cleanup (tests/qemu/manifests/frame_cleanup.cue);
 * selftests.cue (smoke
 * boot_selftests); system-spawn.cue
 * (`make run-spawn`; smoke spawn_smoke).
 */
#include "demo.h"
#include "capos.capnp.h"
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#define NAME "frame_cleanup"

static bool refused(int ret, const struct capos_call_error *e, int type)
{
	return ret != 0 && e->kind == CAPOS_ERROR_EXCEPTION && e->exception_type == type;
}

int main(void)
{
	struct capos_frame_allocator fa;
	struct capos_call_error e = {0};
	struct capos_frame_stats s0 = {0}, s = {0};
	DEMO_CHECK(NAME, capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frame_allocator") == 0,
	           "FrameAllocator from the CapSet\n");
	/* clang-format off */
	DEMO_CHECK(NAME, capos_frame_query(&fa, &s0, NULL) == 0 && s0.total_frames > 0 &&
	                         s0.free_frames <= s0.total_frames,
	           "query: %lu total, %lu free, %lu held\n", (unsigned long)s0.total_frames,
	           (unsigned long)s0.free_frames, (unsigned long)s0.held_frames);
	/* clang-format on */

	uint64_t f[8];
	bool ok = true;
	for (unsigned i = 0; i < 8; i++) {
		ok &= capos_frame_alloc(&fa, &f[i], NULL) == 0 && f[i] != 0 && (f[i] & 0xfff) == 0;
		for (unsigned j = 0; j < i; j++)
			ok &= f[j] != f[i];
	}
	DEMO_CHECK(NAME, ok, "8 distinct page-aligned frames\n");
	uint64_t run = 0;
	DEMO_CHECK(NAME, capos_frame_alloc_contiguous(&fa, 16, &run, NULL) == 0 && run != 0,
	           "16 contiguous frames at %#lx\n", (unsigned long)run);
	capos_frame_query(&fa, &s, NULL);
	/* The system-wide free count is only logged: other services allocate
	 * and exit concurrently, so it says nothing about this process. */
	DEMO_CHECK(NAME, s.held_frames == s0.held_frames + 24,
	           "query: holds %lu (+24), system free %lu\n", (unsigned long)s.held_frames,
	           (unsigned long)s.free_frames);

	DEMO_CHECK(NAME, capos_frame_free(&fa, f[0], NULL) == 0, "free one frame\n");
	DEMO_CHECK(NAME, refused(capos_frame_free(&fa, f[0], &e), &e, capos_CapException_Type_invalidArgument),
	           "double free refused: %s\n", e.message);
	DEMO_CHECK(NAME, capos_frame_free(&fa, run + 5 * CAPOS_PAGE_SIZE, NULL) == 0,
	           "free one frame of the contiguous run\n");
	DEMO_CHECK(NAME, refused(capos_frame_free(&fa, 0x100000, &e), &e, capos_CapException_Type_invalidArgument),
	           "free of a frame never granted refused: %s\n", e.message);
	DEMO_CHECK(NAME, refused(capos_frame_free(&fa, f[1] + 8, &e), &e, capos_CapException_Type_invalidArgument),
	           "free of an unaligned address refused: %s\n", e.message);
	/* clang-format off */
	DEMO_CHECK(NAME, refused(capos_frame_alloc_contiguous(&fa, 0, &run, &e), &e,
	                         capos_CapException_Type_invalidArgument),
	           "allocContiguous(0) refused: %s\n", e.message);
	DEMO_CHECK(NAME, refused(capos_frame_alloc_contiguous(&fa, 513, &run, &e), &e,
	                         capos_CapException_Type_invalidArgument),
	           "allocContiguous(513) refused: %s\n", e.message);
	/* clang-format on */

	/* Up to the process's frame quota (the held list grows): then overloaded. */
	unsigned granted = 0;
	int ret;
	uint64_t p;
	while ((ret = capos_frame_alloc_contiguous(&fa, 64, &p, &e)) == 0)
		granted += 64;
	DEMO_CHECK(NAME, refused(ret, &e, capos_CapException_Type_overloaded) && granted >= 256,
	           "limit reached after %u more frames: %s\n", granted, e.message);
	capos_frame_query(&fa, &s, NULL);
	capos_printf("[" NAME "] holding %lu frames\n", (unsigned long)s.held_frames);

	/* And an anonymous mapping, also left for the kernel to reclaim. */
	struct capos_vm vm;
	uint64_t a = 0;
	/* clang-format off */
	DEMO_CHECK(NAME, capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") == 0 &&
	                         capos_vm_map(&vm, 0, 8 * CAPOS_PAGE_SIZE,
	                                      CAPOS_PROT_READ | CAPOS_PROT_WRITE, &a, NULL) == 0,
	           "8 pages mapped at %#lx\n", (unsigned long)a);
	/* clang-format on */
	capos_printf("[" NAME "] exiting while holding them\n");
	return demo_finish(NAME);
}
