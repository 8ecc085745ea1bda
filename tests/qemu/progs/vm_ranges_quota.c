/*
 * vm_ranges_quota smoke: the per-process quota of mapping ranges
 * (UMEM_RANGES_QUOTA, 4096).  Anonymous ranges are bounded by the frame
 * limit anyway; mappings of a MemoryObject are not charged to the mapper,
 * so one page mapped again and again is what the quota stops.  The map
 * past the quota is refused (overloaded, the process's quota), every
 * mapping is then unmapped and the object dropped; accounting exact.
 *
 * Run by: smoke vm_ranges_quota (tests/qemu/manifests/vm_ranges_quota.cue).
 */
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#include "capos.capnp.h"
#include "demo.h"

#define NAME  "vm_ranges_quota"
#define QUOTA 4096u /* kernel/mem/user_memory.h UMEM_RANGES_QUOTA */

static uint64_t addrs[QUOTA + 1];

int main(void)
{
	struct capos_frame_allocator fa;
	if (capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frame_allocator") !=
	    0) {
		capos_printf("[" NAME "] FAIL: no frame_allocator cap\n");
		return 1;
	}
	struct capos_memory_object mo;
	struct capos_call_error err = {0};
	DEMO_CHECK(NAME, capos_frame_alloc_memory(&fa, 1, &mo, &err) == 0, "a one-page MemoryObject\n");
	unsigned n = 0;
	while (n <= QUOTA && capos_memory_object_map(&mo, 0, CAPOS_PROT_READ, &addrs[n], &err) == 0)
		n++;
	bool overloaded = err.exception_type == capos_CapException_Type_overloaded;
	DEMO_CHECK(NAME, n > QUOTA - 16 && n <= QUOTA && overloaded,
	           "mapped it %s times, then refused (overloaded): %s\n",
	           n == QUOTA ? "4096" : "a wrong number of", err.message);
	unsigned done = 0;
	for (unsigned i = 0; i < n; i++)
		done += capos_memory_object_unmap(&mo, addrs[i], NULL) == 0;
	DEMO_CHECK(NAME, done == n, "unmapped all %u mappings\n", n);
	DEMO_CHECK(NAME, capos_memory_object_map(&mo, 0, CAPOS_PROT_READ, &addrs[0], NULL) == 0,
	           "below the quota again: map works\n");
	capos_memory_object_drop(&mo);
	return demo_finish(NAME);
}
