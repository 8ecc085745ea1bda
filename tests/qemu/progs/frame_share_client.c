/*
 * frame_share_client: shared memory through a transferred MemoryObject.
 * Creates a 2-page object, maps it, writes a greeting, passes a copy of
 * the cap to frame_share_server in a CALL, then reads the server's answer
 * out of the shared page.  It unmaps, releases its handle and exits while
 * the server still holds the object: the object outlives its creator.
 *
 * Run by: smoke frame_share (tests/qemu/manifests/frame_share.cue).
 */
#include "demo.h"
#include "echo_proto.h"
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#define NAME  "frame_share_client"
#define SHARE 200 /* this demo's method ordinal */

int main(void)
{
	struct capos_frame_allocator fa;
	struct capos_cap ep;
	struct capos_memory_object mo;
	struct capos_call_error err = {0};
	/* clang-format off */
	DEMO_CHECK(NAME, capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frame_allocator") == 0 &&
	                         capos_endpoint_open(&capos_rt.capset, "frame_share_server", &ep) == 0,
	           "FrameAllocator and the server's endpoint\n");
	/* clang-format on */
	int e = capos_frame_alloc_memory(&fa, 2, &mo, &err);
	uint64_t a = 0;
	if (e == 0)
		e = capos_memory_object_map(&mo, 0, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &a, &err);
	DEMO_CHECK(NAME, e == 0, "2-page MemoryObject mapped at %#lx\n", (unsigned long)a);
	if (e != 0)
		return demo_finish(NAME);
	char *page0 = (char *)(uintptr_t)a;
	volatile uint64_t *page1 = (volatile uint64_t *)(uintptr_t)(a + CAPOS_PAGE_SIZE);
	memcpy(page0, "hello through shared memory", sizeof "hello through shared memory");

	struct capos_xfer_desc d = capos_xfer_copy(mo.cap.cap_id);
	char out[64];
	e = echo_call(&ep, SHARE, "look at the object", &d, 1, out, sizeof out, NULL, &err);
	DEMO_CHECK(NAME, e == 0 && strcmp(out, "seen") == 0, "server: %s\n",
	           e == 0 ? out : capos_strerror(e));
	DEMO_CHECK(NAME, page1[0] == 0x5e5e5e5e5e5e5e5eull, "the server's write shows here: %#llx\n",
	           (unsigned long long)page1[0]);

	e = capos_memory_object_unmap(&mo, a, &err);
	capos_memory_object_drop(&mo);
	capos_flush_releases();
	DEMO_CHECK(NAME, e == 0, "unmapped and released; exiting while the server holds the object\n");
	return demo_finish(NAME);
}
