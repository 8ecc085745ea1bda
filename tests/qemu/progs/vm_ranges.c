/*
 * vm_ranges smoke: a process's mapping ranges are not a fixed table.  It
 * maps 3000 one-page ranges (alternating protections, so no two could be
 * one range), splits a larger mapping with protects, then unmaps every
 * range one call at a time and exits.  The kernel logs each growth of the
 * table (64 entries in the process record, then whole frames, doubling)
 * and at teardown gives the table's frames back: the boot-end accounting
 * must be exact.
 *
 * Run by: smoke vm_ranges (tests/qemu/manifests/vm_ranges.cue).
 */
#include <capos/virtual_memory.h>

#include "demo.h"

#define NAME  "vm_ranges"
#define P     CAPOS_PAGE_SIZE
#define COUNT 3000u
#define RW    (CAPOS_PROT_READ | CAPOS_PROT_WRITE)

static uint64_t addrs[COUNT];

static unsigned map_pages(const struct capos_vm *vm, struct capos_call_error *err)
{
	unsigned n = 0;
	while (n < COUNT && capos_vm_map(vm, 0, P, n % 2 ? CAPOS_PROT_READ : RW, &addrs[n], err) == 0)
		n++;
	return n;
}

static unsigned unmap_pages(const struct capos_vm *vm, unsigned n)
{
	unsigned done = 0;
	for (unsigned i = 0; i < n; i++)
		done += capos_vm_unmap(vm, addrs[i], P, NULL) == 0;
	return done;
}

/* Protects every other page of a 64-page mapping: 63 ranges from one. */
static int split_one(const struct capos_vm *vm, uint64_t *addr)
{
	if (capos_vm_map(vm, 0, 64 * P, RW, addr, NULL) != 0)
		return -1;
	for (unsigned i = 1; i < 64; i += 2)
		if (capos_vm_protect(vm, *addr + i * P, P, CAPOS_PROT_READ, NULL) != 0)
			return -1;
	return 0;
}

int main(void)
{
	struct capos_vm vm;
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0) {
		capos_printf("[" NAME "] FAIL: no virtual_memory cap\n");
		return 1;
	}
	struct capos_call_error err = {0};
	unsigned n = map_pages(&vm, &err);
	DEMO_CHECK(NAME, n == COUNT, "mapped %u one-page ranges (%s)\n", n,
	           n == COUNT ? "all" : err.message);
	unsigned written = 0;
	for (unsigned i = 0; i < n; i += 2) {
		*(volatile uint64_t *)addrs[i] = i;
		written += *(volatile uint64_t *)addrs[i] == i;
	}
	DEMO_CHECK(NAME, written == (n + 1) / 2, "every writable one holds what was written\n");
	uint64_t big = 0;
	DEMO_CHECK(NAME, split_one(&vm, &big) == 0, "a 64-page mapping split into 64 ranges\n");
	DEMO_CHECK(NAME, capos_vm_unmap(&vm, big, 64 * P, NULL) == 0,
	           "unmapped the split mapping in one call\n");
	unsigned done = unmap_pages(&vm, n);
	DEMO_CHECK(NAME, done == n, "unmapped %u of %u ranges one at a time\n", done, n);
	DEMO_CHECK(NAME, split_one(&vm, &big) == 0, "after it: map and splitting protects work\n");
	return demo_finish(NAME);
}
