/*
 * vm_bench: guest cycles (TSC) per VirtualMemory / FrameAllocator call,
 * median and p99 of ROUNDS samples each.  A benchmark, not a test: run it
 * with `make bench-memcaps` (-icount shift=0: one TSC tick per guest
 * instruction, so the figures are instruction counts and repeatable).
 * Every call includes the kernel's log line for the state change.
 *
 * Run by: tests/qemu/manifests/vm_bench.cue (`make bench-memcaps`).
 */
#include "demo.h"
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#define ROUNDS 200u
#define P      CAPOS_PAGE_SIZE
#define RW     (CAPOS_PROT_READ | CAPOS_PROT_WRITE)

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	/* clang-format off */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	/* clang-format on */
	return ((uint64_t)hi << 32) | lo;
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void report(const char *what, uint64_t *v)
{
	sort(v, ROUNDS);
	capos_printf("[vm_bench] %-34s median %6llu  p99 %6llu cycles\n", what,
	             (unsigned long long)v[ROUNDS / 2], (unsigned long long)v[ROUNDS * 99 / 100]);
}

static uint64_t map_[ROUNDS], unmap_[ROUNDS], map16[ROUNDS], unmap16[ROUNDS], prot_[ROUNDS],
	alloc_[ROUNDS], free_[ROUNDS];

int main(void)
{
	struct capos_vm vm;
	struct capos_frame_allocator fa;
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0 ||
	    capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frame_allocator") != 0) {
		capos_printf("[vm_bench] FAIL: no \"virtual_memory\" or \"frame_allocator\" cap "
		             "in the CapSet (tests/qemu/manifests/vm_bench.cue grants both)\n");
		return 1;
	}
	for (unsigned i = 0; i < ROUNDS; i++) {
		uint64_t a = 0, phys = 0;
		uint64_t t0 = rdtsc();
		capos_vm_map(&vm, 0, P, RW, &a, NULL);
		uint64_t t1 = rdtsc();
		capos_vm_protect(&vm, a, P, CAPOS_PROT_READ, NULL);
		uint64_t t2 = rdtsc();
		capos_vm_unmap(&vm, a, P, NULL);
		uint64_t t3 = rdtsc();
		capos_vm_map(&vm, 0, 16 * P, RW, &a, NULL);
		uint64_t t4 = rdtsc();
		capos_vm_unmap(&vm, a, 16 * P, NULL);
		uint64_t t5 = rdtsc();
		capos_frame_alloc(&fa, &phys, NULL);
		uint64_t t6 = rdtsc();
		capos_frame_free(&fa, phys, NULL);
		uint64_t t7 = rdtsc();
		map_[i] = t1 - t0;
		prot_[i] = t2 - t1;
		unmap_[i] = t3 - t2;
		map16[i] = t4 - t3;
		unmap16[i] = t5 - t4;
		alloc_[i] = t6 - t5;
		free_[i] = t7 - t6;
	}
	capos_printf("[vm_bench] %u rounds, TSC cycles per call (incl. the kernel's log line)\n", ROUNDS);
	report("VirtualMemory.map 1 page", map_);
	report("VirtualMemory.protect 1 page", prot_);
	report("VirtualMemory.unmap 1 page", unmap_);
	report("VirtualMemory.map 16 pages", map16);
	report("VirtualMemory.unmap 16 pages", unmap16);
	report("FrameAllocator.allocFrame", alloc_);
	report("FrameAllocator.freeFrame", free_);
	return 0;
}
