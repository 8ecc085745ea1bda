/*
 * frame_memobj smoke: FrameAllocator.allocMemory returns a MemoryObject as
 * a result cap; the runtime adopts it as a typed handle.  The object is
 * mapped twice (both views share the frames), hostile calls are refused,
 * an object unmapped and dropped during the run is freed at once (ledger
 * back to baseline), and one dropped while still mapped stays readable
 * until the process exits, when the kernel unmaps and frees it.
 *
 * Run by: smoke frame_memobj (tests/qemu/manifests/frame_memobj.cue).
 */
#include "demo.h"
#include "capos.capnp.h"
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#define NAME "frame_memobj"
#define P    CAPOS_PAGE_SIZE
#define RW   (CAPOS_PROT_READ | CAPOS_PROT_WRITE)

static bool refused(int ret, const struct capos_call_error *e, int type)
{
	return ret != 0 && e->kind == CAPOS_ERROR_EXCEPTION && e->exception_type == type;
}

static uint64_t held(const struct capos_frame_allocator *fa)
{
	struct capos_frame_stats s = {0};
	capos_frame_query(fa, &s, NULL);
	return s.held_frames;
}

int main(void)
{
	const int INVALID = capos_CapException_Type_invalidArgument;
	struct capos_frame_allocator fa;
	struct capos_vm vm;
	struct capos_call_error e = {0};
	/* clang-format off */
	DEMO_CHECK(NAME, capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frame_allocator") == 0 &&
	                         capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") == 0,
	           "FrameAllocator and VirtualMemory from the CapSet\n");
	/* clang-format on */
	uint64_t held0 = held(&fa);

	/* Object A: two views of the same frames, unmapped and dropped. */
	struct capos_memory_object a;
	int ret = capos_frame_alloc_memory(&fa, 2, &a, &e);
	DEMO_CHECK(NAME, ret == 0 && a.cap.valid && a.cap.interface_id == capos_MemoryObject_ID,
	           "allocMemory(2): MemoryObject handle, cap %u\n", a.cap.cap_id);
	if (ret != 0)
		return demo_finish(NAME);
	uint32_t pages = 0;
	uint64_t size = 0;
	/* clang-format off */
	DEMO_CHECK(NAME, capos_memory_object_info(&a, &pages, &size, NULL) == 0 && pages == 2 &&
	                         size == 2 * P,
	           "info: %u pages, %lu bytes\n", pages, (unsigned long)size);
	/* clang-format on */
	DEMO_CHECK(NAME, held(&fa) == held0 + 3, "charged 2 frames + descriptor (%lu)\n",
	           (unsigned long)held(&fa));
	uint64_t v1 = 0, v2 = 0;
	ret = capos_memory_object_map(&a, 0, RW, &v1, NULL) | capos_memory_object_map(&a, 0, RW, &v2, NULL);
	DEMO_CHECK(NAME, ret == 0 && v1 != v2, "mapped twice at %#lx and %#lx\n", (unsigned long)v1,
	           (unsigned long)v2);
	volatile uint64_t *w1 = (volatile uint64_t *)(uintptr_t)v1;
	volatile uint64_t *w2 = (volatile uint64_t *)(uintptr_t)v2;
	DEMO_CHECK(NAME, w1[0] == 0 && w1[2 * P / 8 - 1] == 0, "fresh object reads as zero\n");
	w1[0] = 0x1234;
	w1[P / 8 + 7] = 0x5678;
	DEMO_CHECK(NAME, w2[0] == 0x1234 && w2[P / 8 + 7] == 0x5678,
	           "a write through one view shows in the other\n");

	ret = capos_vm_unmap(&vm, v1, 2 * P, &e);
	DEMO_CHECK(NAME, refused(ret, &e, INVALID), "VirtualMemory.unmap of an object mapping refused: %s\n",
	           e.message);
	ret = capos_memory_object_unmap(&a, v1 + P, &e);
	DEMO_CHECK(NAME, refused(ret, &e, INVALID), "unmap at a non-mapping address refused: %s\n",
	           e.message);
	ret = capos_memory_object_map(&a, 0, RW | CAPOS_PROT_EXEC, NULL, &e);
	DEMO_CHECK(NAME, refused(ret, &e, INVALID), "map write+exec refused: %s\n", e.message);
	struct capos_memory_object bad;
	ret = capos_frame_alloc_memory(&fa, 0, &bad, &e);
	DEMO_CHECK(NAME, refused(ret, &e, INVALID), "allocMemory(0) refused: %s\n", e.message);
	ret = capos_frame_alloc_memory(&fa, 501, &bad, &e);
	DEMO_CHECK(NAME, refused(ret, &e, INVALID), "allocMemory(501) refused: %s\n", e.message);

	ret = capos_memory_object_unmap(&a, v1, NULL) | capos_memory_object_unmap(&a, v2, NULL);
	DEMO_CHECK(NAME, ret == 0, "both views unmapped\n");
	ret = capos_memory_object_unmap(&a, v1, &e);
	DEMO_CHECK(NAME, refused(ret, &e, INVALID), "second unmap refused: %s\n", e.message);
	capos_memory_object_drop(&a);
	capos_flush_releases();
	DEMO_CHECK(NAME, held(&fa) == held0, "object freed on its last release: ledger back to %lu\n",
	           (unsigned long)held(&fa));

	/* Fill the capability table with objects: the first allocMemory whose
	 * result cap cannot be inserted fails cleanly and its object is freed. */
	static struct capos_memory_object many[80];
	unsigned made = 0;
	while (made < 80 && capos_frame_alloc_memory(&fa, 1, &many[made], &e) == 0)
		made++;
	/* clang-format off */
	DEMO_CHECK(NAME, made > 0 && made < 80 && e.kind == CAPOS_ERROR_TRANSPORT &&
	                         e.code == CAPOS_ERR_NO_RESOURCES,
	           "table full after %u objects: %s\n", made, capos_strerror(e.code));
	/* clang-format on */
	DEMO_CHECK(NAME, held(&fa) == held0 + 2 * made, "only the delivered objects are charged (%lu)\n",
	           (unsigned long)held(&fa));
	for (unsigned i = 0; i < made; i++)
		capos_memory_object_drop(&many[i]);
	capos_flush_releases();
	DEMO_CHECK(NAME, held(&fa) == held0, "all released: ledger back to %lu\n",
	           (unsigned long)held(&fa));

	/* Object B: mapped, handle dropped, still readable; the kernel frees it at exit. */
	struct capos_memory_object b;
	uint64_t vb = 0;
	ret = capos_frame_alloc_memory(&fa, 4, &b, NULL);
	ret |= capos_memory_object_map(&b, 0, RW, &vb, NULL);
	DEMO_CHECK(NAME, ret == 0, "allocMemory(4) mapped at %#lx\n", (unsigned long)vb);
	if (ret != 0)
		return demo_finish(NAME);
	volatile uint32_t *wb = (volatile uint32_t *)(uintptr_t)vb;
	wb[100] = 0xfeed;
	capos_memory_object_drop(&b);
	capos_flush_releases();
	DEMO_CHECK(NAME, wb[100] == 0xfeed, "still mapped and readable after the handle is released\n");
	capos_printf("[" NAME "] exiting with the object mapped\n");
	return demo_finish(NAME);
}
