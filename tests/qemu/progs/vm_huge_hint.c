/*
 * vm_huge_hint smoke: VirtualMemory.map at a fixed address with sizes up to
 * the whole user window.  The kernel must refuse what the caller could
 * never hold (its frame limit) before looking at a single page, so each
 * refusal is immediate; before, the free-page probe walked every page of
 * the range (2^35 lookups) with interrupts off and the machine hung.  A
 * fixed map the caller can hold still works and reads back zero.
 *
 * Run by: smoke vm_huge_hint (tests/qemu/manifests/vm_huge_hint.cue).
 */
#include "demo.h"
#include <capos/virtual_memory.h>

#define NAME      "vm_huge_hint"
#define P         CAPOS_PAGE_SIZE
#define FREE_HINT 0x100000000000ull /* below the ring area, above the ELF */

static void refused(const struct capos_vm *vm, uint64_t hint, uint64_t size, const char *what)
{
	struct capos_call_error e = {0};
	uint64_t addr = 0;
	int r = capos_vm_map(vm, hint, size, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr, &e);
	DEMO_CHECK(NAME, r != 0 && e.kind == CAPOS_ERROR_EXCEPTION, "%s refused (%s)\n", what,
	           r ? e.message : "mapped!");
}

int main(void)
{
	struct capos_vm vm;
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0) {
		capos_printf("[" NAME "] FAIL: cap missing\n");
		return 1;
	}
	/* The original input: from the lowest user address to the ring. */
	refused(&vm, CAPOS_USER_MIN, CAPOS_RING_VADDR - CAPOS_USER_MIN, "whole window at USER_MIN");
	refused(&vm, FREE_HINT, CAPOS_RING_VADDR - FREE_HINT, "free hint to the ring");
	refused(&vm, CAPOS_USER_ANON_BASE, CAPOS_USER_ANON_END - CAPOS_USER_ANON_BASE,
	        "whole anonymous window");
	refused(&vm, FREE_HINT, 4097ull * P, "one page over the frame limit");
	refused(&vm, 0, CAPOS_USER_ANON_END - CAPOS_USER_ANON_BASE, "hint 0, whole window");

	struct capos_call_error e = {0};
	uint64_t addr = 0;
	int r = capos_vm_map(&vm, FREE_HINT, 16 * P, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr, &e);
	DEMO_CHECK(NAME, r == 0 && addr == FREE_HINT, "16 pages at a free fixed hint mapped\n");
	if (r == 0) {
		volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)addr;
		uint64_t nonzero = 0;
		for (uint64_t i = 0; i < 16 * P / 8; i++)
			nonzero |= w[i];
		DEMO_CHECK(NAME, nonzero == 0, "fresh pages read zero\n");
		w[0] = 42;
		DEMO_CHECK(NAME, w[0] == 42, "fresh pages are writable\n");
		r = capos_vm_unmap(&vm, addr, 16 * P, &e);
		DEMO_CHECK(NAME, r == 0, "unmapped again\n");
	}
	return demo_finish(NAME);
}
