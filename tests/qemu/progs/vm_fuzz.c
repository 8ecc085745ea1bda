/*
 * vm_fuzz smoke: thousands of random VirtualMemory, FrameAllocator and
 * MemoryObject calls with hostile and plausible arguments (addresses near
 * every interesting area, odd sizes, every prot bit, frames never granted).
 * The kernel must answer each with a result or an exception, never fault;
 * pages it maps read-write must work; whatever is left at exit comes back
 * (the smoke checks the run's frame accounting).
 *
 * Run by: smoke vm_fuzz (tests/qemu/manifests/vm_fuzz.cue).
 */
#include "demo.h"
#include "capos.capnp.h"
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#define NAME   "vm_fuzz"
#define P      CAPOS_PAGE_SIZE
#define ROUNDS 1500u

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick(unsigned n) { return next() % n; }

static uint64_t recent[16]; /* addresses the kernel handed out */

static uint64_t addr(void)
{
	static const uint64_t bases[] = {
		0,
		CAPOS_USER_ANON_BASE,
		0x100000000000ull,
		0x400000,
		CAPOS_RING_VADDR,
		CAPOS_CAPSET_VADDR,
		CAPOS_USER_STACK_TOP - P,
		CAPOS_USER_ANON_END - P,
		0xffff800000000000ull,
		0xfffffffffffff000ull,
		CAPOS_USER_END - P,
		0x7ffffffff000ull,
	};
	uint64_t a = pick(3) == 0 ? recent[pick(16)] : bases[pick(sizeof bases / sizeof bases[0])];
	switch (pick(5)) {
	case 0: return a + pick(8) * P;
	case 1: return a - pick(4) * P;
	case 2: return a + pick(P);
	case 3: return next();
	default: return a;
	}
}

static uint64_t size(void)
{
	switch (pick(6)) {
	case 0: return 0;
	case 1: return pick(3 * P);
	case 2: return next();
	case 3: return (uint64_t)pick(64) << 20;
	default: return (1 + pick(8)) * P;
	}
}

static uint32_t prot(void) { return pick(8) == 0 ? (uint32_t)next() : (uint32_t)pick(8); }

int main(void)
{
	struct capos_vm vm;
	struct capos_frame_allocator fa;
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0 ||
	    capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frame_allocator") != 0) {
		capos_printf("[" NAME "] FAIL: caps missing\n");
		return 1;
	}
	struct capos_memory_object mo[4] = {0};
	unsigned ok = 0, refused = 0, transport = 0, writes = 0;
	for (unsigned i = 0; i < ROUNDS; i++) {
		struct capos_call_error e = {0};
		uint64_t out = 0;
		int ret = 0;
		uint32_t pr;
		switch (pick(9)) {
		case 0:
		case 1:
			pr = prot();
			ret = capos_vm_map(&vm, pick(2) ? 0 : addr(), size(), pr, &out, &e);
			if (ret == 0) {
				recent[pick(16)] = out;
				if ((pr & 3) == 3) { /* read-write: it must work */
					*(volatile uint64_t *)(uintptr_t)out = i;
					writes += *(volatile uint64_t *)(uintptr_t)out == i;
				}
			}
			break;
		case 2: /* half of them on pages handed out, so some succeed */
			if (pick(2))
				ret = capos_vm_unmap(&vm, recent[pick(16)], (1 + pick(3)) * P, &e);
			else
				ret = capos_vm_unmap(&vm, addr(), size(), &e);
			break;
		case 3:
			if (pick(2))
				ret = capos_vm_protect(&vm, recent[pick(16)] + pick(2) * P, (1 + pick(3)) * P,
				                       prot(), &e);
			else
				ret = capos_vm_protect(&vm, addr(), size(), prot(), &e);
			break;
		case 4:
			ret = capos_frame_alloc(&fa, &out, &e);
			if (ret == 0)
				recent[pick(16)] = out;
			break;
		case 5:
			ret = capos_frame_free(&fa, pick(2) ? recent[pick(16)] : addr(), &e);
			break;
		case 6:
			ret = capos_frame_alloc_contiguous(&fa, (uint32_t)(pick(3) ? pick(40) : next()), &out, &e);
			break;
		case 7: {
			struct capos_memory_object *m = &mo[pick(4)];
			if (m->cap.valid)
				capos_memory_object_drop(m);
			ret = capos_frame_alloc_memory(&fa, (uint32_t)(pick(3) ? pick(12) : next()), m, &e);
			break;
		}
		default: {
			struct capos_memory_object *m = &mo[pick(4)];
			if (!m->cap.valid)
				break;
			if (pick(2)) {
				ret = capos_memory_object_map(m, pick(2) ? 0 : addr(), prot(), &out, &e);
				if (ret == 0)
					recent[pick(16)] = out;
			} else {
				ret = capos_memory_object_unmap(m, addr(), &e);
			}
			break;
		}
		}
		if (ret == 0)
			ok++;
		else if (e.kind == CAPOS_ERROR_EXCEPTION)
			refused++;
		else
			transport++;
	}
	capos_printf("[" NAME "] %u calls: %u accepted, %u exceptions, %u other errors; %u rw pages written\n",
	             ROUNDS, ok, refused, transport, writes);
	DEMO_CHECK(NAME, ok > 0 && refused > 0, "both accepted and refused calls\n");
	DEMO_CHECK(NAME, transport == 0, "every refusal was an exception (no transport error)\n");
	struct capos_frame_stats s = {0};
	capos_frame_query(&fa, &s, NULL);
	capos_printf("[" NAME "] exiting holding %lu frames/pages\n", (unsigned long)s.held_frames);
	return demo_finish(NAME);
}
