/*
 * vm_ranges_lowmem smoke (run in 20 MiB): the mapping-range table cannot
 * grow when memory is gone, and says so with a typed error.
 *
 * A 1100-page mapping is cut into 601 ranges by protecting pages 1..600
 * one at a time (each protect adds one range), which grows the table to
 * 1024 entries (8 frames).  Then every free frame is taken by mappings of
 * halving size until even one page is refused.  Protecting pages 601 on
 * fills the table; the growth to 2048 entries needs 16 contiguous frames
 * the machine no longer has, so that protect is refused (overloaded: too
 * many mapping ranges) and changes nothing.  Everything is unmapped, the
 * same protect then works, and the accounting at exit is exact.
 *
 * Run by: smoke vm_ranges_lowmem (tests/qemu/manifests/vm_ranges_lowmem.cue).
 */
#include <capos/virtual_memory.h>

#include "capos.capnp.h"
#include "demo.h"

#define NAME   "vm_ranges_lowmem"
#define P      CAPOS_PAGE_SIZE
#define RW     (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define BIG    1100u
#define FIRST  600u /* pages protected before memory runs out */
#define CHUNKS 64u

static struct {
	uint64_t addr, pages;
} chunks[CHUNKS];
static unsigned nchunks;

/* Maps 1024, 512, ... 1 pages until each size is refused: no frame left. */
static uint64_t take_all_memory(const struct capos_vm *vm, struct capos_call_error *last)
{
	uint64_t taken = 0;
	for (uint64_t pages = 1024; pages > 0 && nchunks < CHUNKS;) {
		uint64_t addr = 0;
		if (capos_vm_map(vm, 0, pages * P, RW, &addr, last) == 0) {
			chunks[nchunks].addr = addr;
			chunks[nchunks++].pages = pages;
			taken += pages;
		} else {
			pages /= 2;
		}
	}
	return taken;
}

static unsigned give_all_back(const struct capos_vm *vm)
{
	unsigned done = 0;
	for (unsigned i = 0; i < nchunks; i++)
		done += capos_vm_unmap(vm, chunks[i].addr, chunks[i].pages * P, NULL) == 0;
	return done;
}

/* Protects pages from..to-1 one at a time until one is refused. */
static unsigned protect_pages(const struct capos_vm *vm, uint64_t big, unsigned from, unsigned to,
                              struct capos_call_error *err)
{
	unsigned i = from;
	while (i < to && capos_vm_protect(vm, big + i * P, P, CAPOS_PROT_READ, err) == 0)
		i++;
	return i;
}

int main(void)
{
	struct capos_vm vm;
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0) {
		capos_printf("[" NAME "] FAIL: no virtual_memory cap\n");
		return 1;
	}
	struct capos_call_error err = {0}, last = {0};
	uint64_t big = 0;
	int r = capos_vm_map(&vm, 0, BIG * P, RW, &big, &err);
	unsigned at = r == 0 ? protect_pages(&vm, big, 1, FIRST + 1, &err) : 0;
	DEMO_CHECK(NAME, at == FIRST + 1, "a %u-page mapping cut into %u ranges\n", BIG, FIRST + 1);
	uint64_t taken = take_all_memory(&vm, &last);
	DEMO_CHECK(NAME, taken > 0 && last.exception_type == capos_CapException_Type_overloaded,
	           "took the rest of memory: %u mappings, refused (overloaded): %s\n", nchunks,
	           last.message);
	err = (struct capos_call_error){0};
	at = protect_pages(&vm, big, FIRST + 1, BIG, &err);
	DEMO_CHECK(NAME, at < BIG && err.exception_type == capos_CapException_Type_overloaded,
	           "the table could not grow: protect refused (overloaded): %s\n", err.message);
	/* Refused means not applied: the page is still writable (a write to
	 * a read-only page would kill this process). */
	*(volatile uint64_t *)(big + at * P) = at;
	DEMO_CHECK(NAME, *(volatile uint64_t *)(big + at * P) == at,
	           "the refused page is still writable\n");
	unsigned back = give_all_back(&vm);
	DEMO_CHECK(NAME, back == nchunks, "gave back all %u mappings\n", nchunks);
	unsigned end = protect_pages(&vm, big, at, BIG, &err);
	DEMO_CHECK(NAME, end == BIG, "with memory back the table grows: all %u pages protected\n",
	           BIG);
	DEMO_CHECK(NAME, capos_vm_unmap(&vm, big, BIG * P, NULL) == 0,
	           "unmapped the %u ranges in one call\n", BIG);
	return demo_finish(NAME);
}
