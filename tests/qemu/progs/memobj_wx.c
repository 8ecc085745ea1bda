/*
 * memobj_wx smoke: W^X holds across all mappings of one MemoryObject.
 * Writable first: while a read-write mapping exists, an executable mapping
 * of the same object is refused, and allowed once it is unmapped.  Then
 * the other direction: while an executable mapping exists, a writable one
 * is refused.  Read-only mappings are always allowed, and
 * VirtualMemory.protect cannot change the protection of an object's
 * mapping (it would bypass the rule).  Before the fix the object could be
 * mapped writable and executable at once: write code, run it.
 *
 * Run by: smoke memobj_wx (tests/qemu/manifests/memobj_wx.cue).
 */
#include "demo.h"
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#define NAME "memobj_wx"
#define R    CAPOS_PROT_READ
#define W    CAPOS_PROT_WRITE
#define X    CAPOS_PROT_EXEC

static struct capos_memory_object mo;

static uint64_t map_ok(uint32_t prot, const char *what)
{
	struct capos_call_error e = {0};
	uint64_t a = 0;
	int r = capos_memory_object_map(&mo, 0, prot, &a, &e);
	DEMO_CHECK(NAME, r == 0, "%s mapped\n", what);
	return r == 0 ? a : 0;
}

static void map_refused(uint32_t prot, const char *what)
{
	struct capos_call_error e = {0};
	uint64_t a = 0;
	int r = capos_memory_object_map(&mo, 0, prot, &a, &e);
	DEMO_CHECK(NAME, r != 0 && e.kind == CAPOS_ERROR_EXCEPTION, "%s refused (%s)\n", what,
	           r ? e.message : "mapped!");
	if (r == 0)
		(void)capos_memory_object_unmap(&mo, a, &e);
}

static void unmap(uint64_t a, const char *what)
{
	struct capos_call_error e = {0};
	DEMO_CHECK(NAME, a != 0 && capos_memory_object_unmap(&mo, a, &e) == 0, "%s unmapped\n", what);
}

int main(void)
{
	struct capos_frame_allocator fa;
	struct capos_vm vm;
	struct capos_call_error e = {0};
	if (capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frame_allocator") != 0 ||
	    capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "virtual_memory") != 0 ||
	    capos_frame_alloc_memory(&fa, 2, &mo, &e) != 0) {
		capos_printf("[" NAME "] FAIL: setup\n");
		return 1;
	}
	/* Writable first. */
	uint64_t rw = map_ok(R | W, "rw mapping");
	map_refused(R | X, "rx while rw mapped");
	uint64_t ro = map_ok(R, "r mapping beside rw");
	DEMO_CHECK(NAME, rw && ro && capos_vm_protect(&vm, ro, 2 * CAPOS_PAGE_SIZE, R | X, &e) != 0,
	           "protect of an object mapping refused (%s)\n", e.message);
	unmap(rw, "rw mapping");
	uint64_t rx = map_ok(R | X, "rx after rw unmapped");
	/* Executable first. */
	map_refused(R | W, "rw while rx mapped");
	uint64_t rx2 = map_ok(R | X, "second rx");
	unmap(rx, "first rx");
	map_refused(R | W, "rw while one rx still mapped");
	unmap(rx2, "second rx");
	rw = map_ok(R | W, "rw after every rx unmapped");
	unmap(rw, "rw mapping");
	unmap(ro, "r mapping");
	capos_memory_object_drop(&mo);
	return demo_finish(NAME);
}
