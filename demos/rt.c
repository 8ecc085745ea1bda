/*
 * rt smoke (capos-rt-smoke): the runtime end to end: entry ABI (ring,
 * pid, CapSet, TLS), heap, formatting, the ring client with out-of-order
 * completions, typed Console client, owned handles with queued release.
 *
 * The last step drops an owned handle to the process's own Console slot
 * and flushes the release queue; afterwards the slot is stale and the
 * process can no longer print.  It proves that by exiting with code 0 only
 * if a call on the released slot fails with CAPOS_ERR_BAD_CAP (the kernel
 * logs the exit code).
 *
 * Run by: smoke proc_rt (tests/qemu/manifests/proc_rt.cue).
 */
#include "demo.h"

#define NAME "rt"

int main(void)
{
	DEMO_CHECK(NAME, capos_rt.ring_addr == (void *)CAPOS_RING_VADDR, "ring at %p, pid %lu\n",
	           capos_rt.ring_addr, (unsigned long)capos_rt.pid);

	/* Heap: many blocks, freed in a different order, heap consistent. */
	void *blocks[100];
	unsigned got = 0;
	for (int i = 0; i < 100; i++) {
		blocks[i] = malloc((size_t)(i * 37 % 1000) + 1);
		if (blocks[i] != NULL) {
			memset(blocks[i], i, (size_t)(i * 37 % 1000) + 1);
			got++;
		}
	}
	for (int i = 0; i < 100; i += 2)
		free(blocks[i]);
	for (int i = 1; i < 100; i += 2)
		free(blocks[i]);
	/* clang-format off */
	DEMO_CHECK(NAME, got == 100 && capos_heap_check(&capos_rt_heap) == 0 &&
	                     capos_rt_heap.stats.live_blocks == 0,
	           "heap: 100 allocations freed, %zu free block(s), consistent\n",
	           capos_rt_heap.stats.free_blocks);
	/* clang-format on */
	char *big = calloc(64, 1024);
	DEMO_CHECK(NAME, big != NULL && big[65535] == 0, "calloc(64 KiB)\n");
	free(big);

	/* Out-of-order matching: submit 3 NOPs, wait for them last to first. */
	for (uint64_t u = 701; u <= 703; u++)
		capos_ring_nop(&capos_rt_ring, u);
	struct capos_cqe cqe;
	int order_ok = 1;
	for (uint64_t u = 703; u >= 701; u--)
		if (capos_ring_wait(&capos_rt_ring, u, CAPOS_WAIT_FOREVER, &cqe) != 0 ||
		    cqe.user_data != u)
			order_ok = 0;
	DEMO_CHECK(NAME, order_ok, "completions matched by user_data in reverse order\n");

	/* Owned handle over the console slot: drop queues, flush releases. */
	struct capos_cap owned = capos_rt.console.cap;
	owned.owned = true;
	uint64_t before = capos_rt_releases.released;
	capos_printf("[" NAME "] releasing the console slot %u; exit code 0 = stale slot refused\n",
	             owned.cap_id);
	capos_cap_drop(&owned);
	if (capos_rt_releases.count != 1 || owned.valid)
		return 2; /* drop did not queue */
	int failures = capos_flush_releases();
	if (failures != 0 || capos_rt_releases.released != before + 1)
		return 3;
	struct capos_call_error err;
	int r = capos_console_write_line(&capos_rt.console, "[rt] FAIL: released slot still works", &err);
	if (r != CAPOS_ERR_BAD_CAP || err.kind != CAPOS_ERROR_TRANSPORT)
		return 4;
	return demo_failures == 0 ? 0 : 1;
}
