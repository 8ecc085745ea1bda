/*
 * vm_heap smoke: malloc far past the runtime's static arena; the heap grows
 * through VirtualMemory.  Every block is written, checked and freed.
 *
 * Run by: smoke vm_heap (tests/qemu/manifests/vm_heap.cue).
 */
#include "demo.h"
#include <capos/heap.h>
#include <capos/virtual_memory.h>

#define CHUNK  (96u * 1024u)
#define CHUNKS 16u /* 1.5 MiB, six times the arena */

int main(void)
{
	uint8_t *blocks[CHUNKS];
	bool ok = true;
	for (unsigned i = 0; i < CHUNKS; i++) {
		blocks[i] = malloc(CHUNK);
		if (blocks[i] == NULL) {
			ok = false;
			break;
		}
		for (unsigned j = 0; j < CHUNK; j += 512)
			blocks[i][j] = (uint8_t)(i * 7 + j / 512);
	}
	DEMO_CHECK("vm_heap", ok, "%u mallocs of %u KiB (%u KiB, arena %u KiB)\n", CHUNKS,
	           CHUNK / 1024, CHUNKS * CHUNK / 1024, CAPOS_RT_ARENA_SIZE / 1024);
	if (!ok)
		return demo_finish("vm_heap");
	for (unsigned i = 0; i < CHUNKS; i++)
		for (unsigned j = 0; j < CHUNK; j += 512)
			ok &= blocks[i][j] == (uint8_t)(i * 7 + j / 512);
	DEMO_CHECK("vm_heap", ok, "every block kept its contents\n");
	DEMO_CHECK("vm_heap", capos_vm_heap_mapped >= CHUNKS * CHUNK - CAPOS_RT_ARENA_SIZE,
	           "heap mapped %lu KiB through VirtualMemory\n",
	           (unsigned long)(capos_vm_heap_mapped / 1024));
	bool grown_high = false;
	for (unsigned i = 0; i < CHUNKS; i++)
		grown_high |= (uintptr_t)blocks[i] >= CAPOS_USER_ANON_BASE;
	DEMO_CHECK("vm_heap", grown_high, "blocks live in the anonymous area\n");
	for (unsigned i = 0; i < CHUNKS; i++)
		free(blocks[i]);
	/* clang-format off */
	DEMO_CHECK("vm_heap", capos_heap_check(&capos_rt_heap) == 0 &&
	                              capos_rt_heap.stats.live_blocks == 0,
	           "heap consistent, no live blocks (%lu regions)\n",
	           (unsigned long)capos_rt_heap.stats.regions);
	/* clang-format on */
	return demo_finish("vm_heap");
}
