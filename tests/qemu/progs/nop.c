/*
 * nop smoke: NOP completes at once with result 0 and its user_data echoed,
 * alone and in batches; more NOPs than the CQ holds are all completed
 * (the kernel consumes only as many SQEs as there are free CQ slots, the
 * client frees slots as it reads them).
 *
 * Run by: smoke ring_nop (tests/qemu/manifests/ring_nop.cue);
 * tests/qemu/manifests/rt_panic_hlt.cue (smoke rt_panic_hlt);
 * selftests.cue (smoke
 * boot_selftests).
 */
#include "demo.h"

#define NAME  "nop"
#define TOTAL 64u

static int submit_nop(uint64_t ud)
{
	return capos_ring_nop(&capos_rt_ring, ud);
}

int main(void)
{
	struct capos_cqe cqe;

	/* One NOP, one cap_enter. */
	uint64_t ud = 0xfeedfacecafebeefull & ~CAPOS_RT_USER_DATA_INTERNAL;
	int e = submit_nop(ud);
	int64_t avail = capos_cap_enter(1, CAPOS_WAIT_FOREVER);
	DEMO_CHECK(NAME, e == 0 && avail == 1, "single NOP: cap_enter returned %ld\n", (long)avail);
	e = capos_ring_wait(&capos_rt_ring, ud, CAPOS_WAIT_FOREVER, &cqe);
	DEMO_CHECK(NAME, e == 0 && cqe.result == 0 && cqe.user_data == ud,
	           "single NOP: result %d, user_data %#llx\n", (int)cqe.result,
	           (unsigned long long)cqe.user_data);

	/* 64 NOPs in batches of 16, each batch drained by one cap_enter. */
	unsigned ok = 0;
	for (unsigned batch = 0; batch < TOTAL / CAPOS_SQ_ENTRIES; batch++) {
		for (unsigned i = 0; i < CAPOS_SQ_ENTRIES; i++)
			submit_nop(1000 + batch * CAPOS_SQ_ENTRIES + i);
		avail = capos_cap_enter(CAPOS_SQ_ENTRIES, CAPOS_WAIT_FOREVER);
		if (avail != CAPOS_SQ_ENTRIES)
			capos_printf("[" NAME "] batch %u: cap_enter returned %ld\n", batch, (long)avail);
		/* Read them newest first: matching is by user_data, not order. */
		for (int i = CAPOS_SQ_ENTRIES - 1; i >= 0; i--) {
			uint64_t want = 1000 + batch * CAPOS_SQ_ENTRIES + (unsigned)i;
			if (capos_ring_wait(&capos_rt_ring, want, CAPOS_WAIT_FOREVER, &cqe) == 0 &&
			    cqe.result == 0 && cqe.user_data == want)
				ok++;
		}
	}
	DEMO_CHECK(NAME, ok == TOTAL, "%u NOPs completed, user_data echoed\n", ok);

	/* Fill the CQ without reading it: 48 NOPs, 32 CQ slots. */
	for (unsigned i = 0; i < CAPOS_SQ_ENTRIES; i++)
		submit_nop(5000 + i);
	capos_cap_enter(0, CAPOS_NO_WAIT);
	for (unsigned i = CAPOS_SQ_ENTRIES; i < 2 * CAPOS_SQ_ENTRIES; i++)
		submit_nop(5000 + i);
	capos_cap_enter(0, CAPOS_NO_WAIT);
	for (unsigned i = 2 * CAPOS_SQ_ENTRIES; i < 3 * CAPOS_SQ_ENTRIES; i++)
		submit_nop(5000 + i);
	avail = capos_cap_enter(0, CAPOS_NO_WAIT);
	volatile struct capos_ring_header *h = &capos_rt_ring.page->header;
	DEMO_CHECK(NAME, avail == CAPOS_CQ_ENTRIES && h->sq_tail - h->sq_head == CAPOS_SQ_ENTRIES,
	           "full CQ: %ld completions posted, %u SQEs left queued\n", (long)avail,
	           h->sq_tail - h->sq_head);
	ok = 0;
	for (unsigned i = 0; i < 3 * CAPOS_SQ_ENTRIES; i++)
		if (capos_ring_wait(&capos_rt_ring, 5000 + i, CAPOS_WAIT_FOREVER, &cqe) == 0 &&
		    cqe.result == 0)
			ok++;
	DEMO_CHECK(NAME, ok == 3 * CAPOS_SQ_ENTRIES,
	           "%u NOPs completed past a full CQ, none lost (cq_overflow %u)\n", ok,
	           h->cq_overflow);
	return demo_finish(NAME);
}
