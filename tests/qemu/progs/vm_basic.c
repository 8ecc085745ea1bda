/*
 * vm_basic smoke: VirtualMemory map (kernel-chosen and fixed addresses),
 * zeroed pages, write/read, protect read-only, unmap, and every hostile
 * argument refused with invalidArgument (or overloaded past the limit)
 * without harming the process.  The frame-grant ledger (FrameAllocator
 * query heldFrames) is back to its starting value at the end.
 *
 * Run by: smoke vm_basic (tests/qemu/manifests/vm_basic.cue); selftests.cue (smoke
 * boot_selftests); system-spawn.cue (`make
 * run-spawn`; smoke spawn_smoke).
 */
#include "demo.h"
#include "capos.capnp.h"
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#define P  CAPOS_PAGE_SIZE
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)

static struct capos_vm vm;

static bool refused(int ret, const struct capos_call_error *e, int type)
{
	return ret != 0 && e->kind == CAPOS_ERROR_EXCEPTION && e->exception_type == type;
}

/* One hostile map/unmap/protect: must fail with the given exception type. */
#define HOSTILE(what, call, type)                                                         \
	do {                                                                              \
		struct capos_call_error e_ = {0};                                         \
		int r_ = (call);                                                          \
		char msg_[160];                                                           \
		capos_error_format(&e_, msg_, sizeof msg_);                               \
		DEMO_CHECK("vm_basic", refused(r_, &e_, type), "%s refused (%s)\n", what, \
		           r_ ? msg_ : "accepted!");                                      \
	} while (0)

static uint64_t held(const struct capos_frame_allocator *fa)
{
	struct capos_frame_stats s = {0};
	capos_frame_query(fa, &s, NULL);
	return s.held_frames;
}

int main(void)
{
	const int INVALID = capos_CapException_Type_invalidArgument;
	const int OVERLOADED = capos_CapException_Type_overloaded;
	struct capos_frame_allocator fa;
	DEMO_CHECK("vm_basic", capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") == 0,
	           "VirtualMemory from the CapSet\n");
	DEMO_CHECK("vm_basic",
	           capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frame_allocator") == 0,
	           "FrameAllocator from the CapSet\n");
	uint64_t held0 = held(&fa);
	capos_printf("[vm_basic] baseline: %lu frames charged\n", (unsigned long)held0);

	/* Kernel-chosen address, zeroed, writable. */
	uint64_t a = 0;
	int ret = capos_vm_map(&vm, 0, 4 * P, RW, &a, NULL);
	DEMO_CHECK("vm_basic", ret == 0 && a >= CAPOS_USER_ANON_BASE && a < CAPOS_USER_ANON_END,
	           "map 4 pages rw at %#lx\n", (unsigned long)a);
	if (ret != 0)
		return demo_finish("vm_basic");
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)a;
	bool zero = true;
	for (uint64_t i = 0; i < 4 * P / 8; i++)
		zero &= w[i] == 0;
	DEMO_CHECK("vm_basic", zero, "fresh pages read as zero\n");
	for (uint64_t i = 0; i < 4 * P / 8; i++)
		w[i] = i * 0x9e3779b97f4a7c15ull;
	bool same = true;
	for (uint64_t i = 0; i < 4 * P / 8; i++)
		same &= w[i] == i * 0x9e3779b97f4a7c15ull;
	DEMO_CHECK("vm_basic", same, "wrote and read back 16 KiB\n");
	DEMO_CHECK("vm_basic", held(&fa) == held0 + 4, "ledger charged 4 pages (%lu)\n",
	           (unsigned long)held(&fa));

	/* Fixed address below the ring area. */
	uint64_t fixed = 0x100000000000ull, b = 0;
	ret = capos_vm_map(&vm, fixed, 2 * P, CAPOS_PROT_READ, &b, NULL);
	DEMO_CHECK("vm_basic", ret == 0 && b == fixed, "map at fixed hint %#lx read-only\n",
	           (unsigned long)b);

	/* Protect the middle page of the first mapping read-only: reads work. */
	ret = capos_vm_protect(&vm, a + P, P, CAPOS_PROT_READ, NULL);
	DEMO_CHECK("vm_basic", ret == 0 && w[P / 8] == (P / 8) * 0x9e3779b97f4a7c15ull,
	           "protect page 2 read-only, still readable\n");

	/* Hostile arguments. */
	uint64_t x;
	uint64_t text = (uint64_t)(uintptr_t)&main & ~(uint64_t)(P - 1);
	uint64_t stack = (uint64_t)(uintptr_t)&x & ~(uint64_t)(P - 1);
	HOSTILE("map size 0", capos_vm_map(&vm, 0, 0, RW, &x, &e_), INVALID);
	HOSTILE("map unaligned size", capos_vm_map(&vm, 0, P + 1, RW, &x, &e_), INVALID);
	HOSTILE("map unaligned hint", capos_vm_map(&vm, fixed + 0x10000 + 8, P, RW, &x, &e_), INVALID);
	HOSTILE("map wrapping range", capos_vm_map(&vm, 0xfffffffffffff000ull, 2 * P, RW, &x, &e_), INVALID);
	HOSTILE("map in the kernel half", capos_vm_map(&vm, 0xffff800000000000ull, P, RW, &x, &e_), INVALID);
	HOSTILE("map over the ELF text", capos_vm_map(&vm, text, P, RW, &x, &e_), INVALID);
	HOSTILE("map over the stack", capos_vm_map(&vm, stack, P, RW, &x, &e_), INVALID);
	HOSTILE("map over the ring", capos_vm_map(&vm, CAPOS_RING_VADDR, P, RW, &x, &e_), INVALID);
	HOSTILE("map over the CapSet", capos_vm_map(&vm, CAPOS_CAPSET_VADDR, P, RW, &x, &e_), INVALID);
	HOSTILE("map below the user minimum", capos_vm_map(&vm, 0x1000, P, RW, &x, &e_), INVALID);
	HOSTILE("map over an existing mapping", capos_vm_map(&vm, fixed + P, 2 * P, RW, &x, &e_), INVALID);
	HOSTILE("map write+exec", capos_vm_map(&vm, 0, P, RW | CAPOS_PROT_EXEC, &x, &e_), INVALID);
	HOSTILE("map without read", capos_vm_map(&vm, 0, P, CAPOS_PROT_WRITE, &x, &e_), INVALID);
	HOSTILE("map unknown prot bits", capos_vm_map(&vm, 0, P, RW | 0x100, &x, &e_), INVALID);
	HOSTILE("map 64 MiB (over the frame limit)", capos_vm_map(&vm, 0, 64ull << 20, RW, &x, &e_), OVERLOADED);
	HOSTILE("unmap pages never mapped", capos_vm_unmap(&vm, a + 64 * P, P, &e_), INVALID);
	HOSTILE("unmap past the end of a mapping", capos_vm_unmap(&vm, a + 3 * P, 2 * P, &e_), INVALID);
	HOSTILE("unmap the ELF text", capos_vm_unmap(&vm, text, P, &e_), INVALID);
	HOSTILE("unmap the stack", capos_vm_unmap(&vm, stack, P, &e_), INVALID);
	HOSTILE("unmap the ring", capos_vm_unmap(&vm, CAPOS_RING_VADDR, P, &e_), INVALID);
	HOSTILE("unmap in the kernel half", capos_vm_unmap(&vm, 0xffffffff80000000ull, P, &e_), INVALID);
	HOSTILE("unmap unaligned", capos_vm_unmap(&vm, a + 1, P, &e_), INVALID);
	HOSTILE("unmap size 0", capos_vm_unmap(&vm, a, 0, &e_), INVALID);
	HOSTILE("protect write+exec", capos_vm_protect(&vm, a, P, RW | CAPOS_PROT_EXEC, &e_), INVALID);
	HOSTILE("protect the ELF text writable", capos_vm_protect(&vm, text, P, RW, &e_), INVALID);
	HOSTILE("protect the CapSet writable", capos_vm_protect(&vm, CAPOS_CAPSET_VADDR, P, RW, &e_), INVALID);
	HOSTILE("protect unmapped pages", capos_vm_protect(&vm, a + 8 * P, P, CAPOS_PROT_READ, &e_), INVALID);
	DEMO_CHECK("vm_basic", held(&fa) == held0 + 6, "refusals charged nothing (%lu)\n",
	           (unsigned long)held(&fa));

	/* The pages are still intact after all that. */
	DEMO_CHECK("vm_basic", w[3 * P / 8] == (3 * P / 8) * 0x9e3779b97f4a7c15ull,
	           "mapping intact after the hostile calls\n");

	/* Unmap the middle (splits the range), then the rest. */
	ret = capos_vm_unmap(&vm, a + P, 2 * P, NULL);
	DEMO_CHECK("vm_basic", ret == 0, "unmap the middle 2 pages\n");
	HOSTILE("unmap the same pages twice", capos_vm_unmap(&vm, a + P, P, &e_), INVALID);
	ret = capos_vm_unmap(&vm, a, P, NULL) | capos_vm_unmap(&vm, a + 3 * P, P, NULL) |
	      capos_vm_unmap(&vm, fixed, 2 * P, NULL);
	DEMO_CHECK("vm_basic", ret == 0, "unmap the remaining pieces\n");
	DEMO_CHECK("vm_basic", held(&fa) == held0, "ledger back to baseline (%lu)\n",
	           (unsigned long)held(&fa));

	/* The kernel reuses the lowest free address. */
	uint64_t c = 0;
	ret = capos_vm_map(&vm, 0, P, RW, &c, NULL);
	DEMO_CHECK("vm_basic", ret == 0 && c == a, "address %#lx reused\n", (unsigned long)c);
	capos_vm_unmap(&vm, c, P, NULL);
	return demo_finish("vm_basic");
}
