/* lib/vm_ranges.c: VirtualMemory argument checks and the range table. */
#include <criterion/criterion.h>
#include <string.h>

#include "vm_ranges.h"

#define P  VM_PAGE
#define LO 0x200000000000ull
#define HI 0x600000000000ull

static struct vm_range store[6];
static struct vm_ranges v;

static void setup(void) { vm_ranges_init(&v, store, 6); }

TestSuite(vm_ranges, .init = setup);

Test(vm_ranges, prot_rules)
{
	cr_assert_eq(vm_check_prot(VM_PROT_READ), VM_OK);
	cr_assert_eq(vm_check_prot(VM_PROT_READ | VM_PROT_WRITE), VM_OK);
	cr_assert_eq(vm_check_prot(VM_PROT_READ | VM_PROT_EXEC), VM_OK);
	cr_assert_eq(vm_check_prot(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC), VM_BAD_PROT);
	cr_assert_eq(vm_check_prot(VM_PROT_WRITE | VM_PROT_EXEC), VM_BAD_PROT);
	cr_assert_eq(vm_check_prot(0), VM_BAD_PROT);
	cr_assert_eq(vm_check_prot(VM_PROT_WRITE), VM_BAD_PROT);
	cr_assert_eq(vm_check_prot(VM_PROT_READ | 8), VM_BAD_PROT);
}

Test(vm_ranges, range_checks)
{
	cr_assert_eq(vm_check_range(LO, P, LO, HI), VM_OK);
	cr_assert_eq(vm_check_range(LO, 0, LO, HI), VM_ZERO);
	cr_assert_eq(vm_check_range(LO + 1, P, LO, HI), VM_UNALIGNED);
	cr_assert_eq(vm_check_range(LO, P + 8, LO, HI), VM_UNALIGNED);
	cr_assert_eq(vm_check_range(0xfffffffffffff000ull, 2 * P, LO, HI), VM_OVERFLOW);
	cr_assert_eq(vm_check_range(0xffff800000000000ull, P, LO, HI), VM_OUTSIDE);
	cr_assert_eq(vm_check_range(LO - P, P, LO, HI), VM_OUTSIDE);
	cr_assert_eq(vm_check_range(HI - P, 2 * P, LO, HI), VM_OUTSIDE);
	cr_assert_eq(vm_check_range(HI - P, P, LO, HI), VM_OK);
}

Test(vm_ranges, find_free_fills_lowest_hole)
{
	uint64_t a;
	cr_assert_eq(vm_ranges_find_free(&v, 2 * P, LO, HI, &a), VM_OK);
	cr_assert_eq(a, LO);
	cr_assert_eq(vm_ranges_insert(&v, a, 2 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_insert(&v, LO + 4 * P, P, 1), VM_OK);
	cr_assert_eq(vm_ranges_find_free(&v, 2 * P, LO, HI, &a), VM_OK);
	cr_assert_eq(a, LO + 2 * P);
	cr_assert_eq(vm_ranges_find_free(&v, 3 * P, LO, HI, &a), VM_OK);
	cr_assert_eq(a, LO + 5 * P);
	cr_assert_eq(vm_ranges_find_free(&v, 4 * P, LO, LO + 8 * P, &a), VM_NO_SPACE);
	cr_assert_eq(vm_ranges_find_free(&v, 3 * P, LO, LO + 8 * P, &a), VM_OK);
	cr_assert_eq(vm_ranges_find_free(&v, 0, LO, HI, &a), VM_ZERO);
	cr_assert_eq(v.pages, 3);
}

Test(vm_ranges, find_free_ignores_ranges_below_window)
{
	uint64_t a;
	cr_assert_eq(vm_ranges_insert(&v, 0x400000, 4 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_find_free(&v, P, LO, HI, &a), VM_OK);
	cr_assert_eq(a, LO);
}

Test(vm_ranges, overlap_refused_and_sorted)
{
	cr_assert_eq(vm_ranges_insert(&v, LO + 4 * P, 2 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_insert(&v, LO, 2 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_insert(&v, LO + 5 * P, P, 3), VM_OVERLAP);
	cr_assert_eq(vm_ranges_insert(&v, LO + P, 4 * P, 3), VM_OVERLAP);
	cr_assert(vm_ranges_overlaps(&v, LO + 3 * P, 2 * P));
	cr_assert_not(vm_ranges_overlaps(&v, LO + 2 * P, 2 * P));
	cr_assert_eq(v.r[0].start, LO);
	cr_assert_eq(v.r[1].start, LO + 4 * P);
}

/* Found by the vm_ranges property test: an empty range inside a mapping
 * was said to overlap it. */
Test(vm_ranges, empty_range_overlaps_nothing)
{
	cr_assert_eq(vm_ranges_insert(&v, LO, 2 * P, 3), VM_OK);
	cr_assert_not(vm_ranges_overlaps(&v, LO + P, 0));
	cr_assert_not(vm_ranges_overlaps(&v, LO, 0));
	cr_assert(vm_ranges_overlaps(&v, LO + P, P));
}

Test(vm_ranges, covers_needs_every_page)
{
	cr_assert_eq(vm_ranges_insert(&v, LO, 2 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_insert(&v, LO + 2 * P, 2 * P, 1), VM_OK);
	cr_assert_eq(vm_ranges_insert(&v, LO + 5 * P, P, 1), VM_OK);
	cr_assert(vm_ranges_covers(&v, LO, 4 * P));
	cr_assert(vm_ranges_covers(&v, LO + P, 2 * P));
	cr_assert_not(vm_ranges_covers(&v, LO, 5 * P));
	cr_assert_not(vm_ranges_covers(&v, LO + 3 * P, 3 * P));
	cr_assert_not(vm_ranges_covers(&v, LO - P, 2 * P));
}

Test(vm_ranges, remove_middle_splits)
{
	cr_assert_eq(vm_ranges_insert(&v, LO, 8 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_splits_needed(&v, LO + 2 * P, 2 * P), 2);
	cr_assert_eq(vm_ranges_remove(&v, LO + 2 * P, 2 * P), VM_OK);
	cr_assert_eq(v.count, 2);
	cr_assert_eq(v.pages, 6);
	cr_assert_eq(v.r[0].pages, 2);
	cr_assert_eq(v.r[1].start, LO + 4 * P);
	cr_assert_eq(v.r[1].pages, 4);
	cr_assert_eq(vm_ranges_remove(&v, LO + 2 * P, P), VM_NOT_MAPPED);
	cr_assert_eq(vm_ranges_remove(&v, LO, 8 * P), VM_NOT_MAPPED);
	cr_assert_eq(vm_ranges_remove(&v, LO, 2 * P), VM_OK);
	cr_assert_eq(vm_ranges_remove(&v, LO + 4 * P, 4 * P), VM_OK);
	cr_assert_eq(v.count, 0);
	cr_assert_eq(v.pages, 0);
}

Test(vm_ranges, protect_splits_and_sets)
{
	cr_assert_eq(vm_ranges_insert(&v, LO, 4 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_protect(&v, LO + P, P, 1), VM_OK);
	cr_assert_eq(v.count, 3);
	cr_assert_eq(v.r[0].prot, 3);
	cr_assert_eq(v.r[1].prot, 1);
	cr_assert_eq(v.r[1].start, LO + P);
	cr_assert_eq(v.r[2].prot, 3);
	cr_assert_eq(v.pages, 4);
	cr_assert_eq(vm_ranges_protect(&v, LO + 4 * P, P, 1), VM_NOT_MAPPED);
}

Test(vm_ranges, table_full_changes_nothing)
{
	for (uint64_t i = 0; i < 6; i++)
		cr_assert_eq(vm_ranges_insert(&v, LO + i * 4 * P, 3 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_insert(&v, LO + 100 * P, P, 3), VM_TABLE_FULL);
	cr_assert_eq(vm_ranges_protect(&v, LO + P, P, 1), VM_TABLE_FULL);
	cr_assert_eq(vm_ranges_remove(&v, LO + P, P), VM_TABLE_FULL);
	cr_assert_eq(v.count, 6);
	cr_assert_eq(v.pages, 18);
	cr_assert_eq(v.r[0].prot, 3);
	/* whole-range operations need no split */
	cr_assert_eq(vm_ranges_remove(&v, LO, 3 * P), VM_OK);
	cr_assert_eq(v.count, 5);
}

Test(vm_ranges, tags_survive_splits_and_gate_coverage)
{
	cr_assert_eq(vm_ranges_insert(&v, LO, 2 * P, 3), VM_OK);
	cr_assert_eq(vm_ranges_insert_tagged(&v, LO + 2 * P, 4 * P, 3, 0xabc, 1), VM_OK);
	cr_assert(vm_ranges_covers(&v, LO, 6 * P));
	cr_assert(vm_ranges_covers_tag(&v, LO, 2 * P, 0));
	cr_assert_not(vm_ranges_covers_tag(&v, LO, 3 * P, 0));
	cr_assert(vm_ranges_covers_tag(&v, LO + 2 * P, 4 * P, 0xabc));
	cr_assert_not(vm_ranges_covers_tag(&v, LO + 2 * P, 4 * P, 0xabd));
	cr_assert_eq(vm_ranges_protect(&v, LO + 3 * P, P, 1), VM_OK);
	cr_assert_eq(v.count, 4);
	for (uint32_t i = 1; i < 4; i++)
		cr_assert_eq(v.r[i].tag, 0xabc);
	cr_assert(vm_ranges_covers_tag(&v, LO + 2 * P, 4 * P, 0xabc));
	cr_assert_eq(vm_ranges_remove(&v, LO + 2 * P, 4 * P), VM_OK);
	cr_assert_eq(v.count, 1);
	cr_assert_eq(v.pages, 2);
}

Test(vm_ranges, whole_mapping_only)
{
	/* Two adjacent mappings of the same object, the first split by protect. */
	cr_assert_eq(vm_ranges_insert_tagged(&v, LO, 2 * P, 3, 0xabc, 1), VM_OK);
	cr_assert_eq(vm_ranges_insert_tagged(&v, LO + 2 * P, 2 * P, 3, 0xabc, 2), VM_OK);
	cr_assert_eq(vm_ranges_protect(&v, LO + P, P, 1), VM_OK);
	cr_assert(vm_ranges_is_mapping(&v, LO, 2 * P, 0xabc));
	cr_assert(vm_ranges_is_mapping(&v, LO + 2 * P, 2 * P, 0xabc));
	cr_assert_not(vm_ranges_is_mapping(&v, LO + P, 2 * P, 0xabc)); /* straddles both */
	cr_assert_not(vm_ranges_is_mapping(&v, LO, P, 0xabc));         /* part of one */
	cr_assert_not(vm_ranges_is_mapping(&v, LO, 4 * P, 0xabc));     /* two mappings */
	cr_assert_not(vm_ranges_is_mapping(&v, LO, 2 * P, 0xabd));     /* other object */
	cr_assert_not(vm_ranges_is_mapping(&v, LO + 8 * P, 2 * P, 0xabc));
	cr_assert_not(vm_ranges_is_mapping(&v, LO, 0, 0xabc));
}

Test(vm_ranges, strerror_names)
{
	cr_assert_str_eq(vm_strerror(VM_NOT_MAPPED), "range not entirely mapped by VirtualMemory.map");
	cr_assert_str_eq(vm_strerror(99), "unknown VM error");
}

#define R VM_PROT_READ
#define W VM_PROT_WRITE
#define X VM_PROT_EXEC

Test(vm_ranges, wx_writable_blocks_exec_until_unmapped)
{
	struct vm_wx w = {0, 0};
	cr_assert_eq(vm_wx_check(&w, R | W), VM_OK);
	vm_wx_add(&w, R | W);
	vm_wx_add(&w, R | W); /* two writable mappings */
	cr_assert_eq(vm_wx_check(&w, R | X), VM_WX_SHARED);
	cr_assert_eq(vm_wx_check(&w, R), VM_OK);
	cr_assert_eq(vm_wx_check(&w, R | W), VM_OK);
	vm_wx_remove(&w, R | W);
	cr_assert_eq(vm_wx_check(&w, R | X), VM_WX_SHARED); /* one left */
	vm_wx_remove(&w, R | W);
	cr_assert_eq(vm_wx_check(&w, R | X), VM_OK);
}

Test(vm_ranges, wx_exec_blocks_writable_until_unmapped)
{
	struct vm_wx w = {0, 0};
	vm_wx_add(&w, R | X);
	vm_wx_add(&w, R);
	cr_assert_eq(vm_wx_check(&w, R | W), VM_WX_SHARED);
	cr_assert_eq(vm_wx_check(&w, R | X), VM_OK);
	cr_assert_eq(vm_wx_check(&w, R), VM_OK);
	vm_wx_remove(&w, R);
	cr_assert_eq(vm_wx_check(&w, R | W), VM_WX_SHARED);
	vm_wx_remove(&w, R | X);
	cr_assert_eq(vm_wx_check(&w, R | W), VM_OK);
	/* Removing what was never added does not wrap the counts. */
	vm_wx_remove(&w, R | X);
	vm_wx_remove(&w, R | W);
	cr_assert_eq(w.writable, 0);
	cr_assert_eq(w.exec, 0);
}

Test(vm_ranges, prot_at_names_the_range_protection)
{
	cr_assert_eq(vm_ranges_insert(&v, LO, 2 * P, R | W), VM_OK);
	cr_assert_eq(vm_ranges_insert_tagged(&v, LO + 4 * P, 2 * P, R | X, 0x1234, 1), VM_OK);
	cr_assert_eq(vm_ranges_prot_at(&v, LO + P), R | W);
	cr_assert_eq(vm_ranges_prot_at(&v, LO + 5 * P), R | X);
	cr_assert_eq(vm_ranges_prot_at(&v, LO + 3 * P), 0);
	cr_assert_not(vm_ranges_covers_tag(&v, LO + 4 * P, P, 0)); /* protect refuses it */
}

/* ---- a table that grows (the kernel's: kernel/mem/user_memory.c) ---- */

static struct vm_range pool[2][64]; /* alternate: the new storage is never the old */
static unsigned allocs, frees, fail_after;
static uint32_t live; /* entries handed out and not yet freed */

static struct vm_range *pool_alloc(void *ctx, uint32_t entries)
{
	cr_assert_eq(ctx, &allocs);
	cr_assert_leq(entries, 64);
	if (allocs == fail_after)
		return 0;
	live += entries;
	return pool[allocs++ % 2];
}

static void pool_free(void *ctx, struct vm_range *r, uint32_t entries)
{
	cr_assert_eq(ctx, &allocs);
	cr_assert(r == pool[0] || r == pool[1]);
	frees++;
	live -= entries;
}

static const struct vm_ranges_ops pool_ops = {pool_alloc, pool_free};

static void grow_setup(uint32_t limit, unsigned fail)
{
	allocs = frees = live = 0;
	fail_after = fail;
	vm_ranges_set_growth(&v, &pool_ops, &allocs, limit);
}

Test(vm_ranges, a_growing_table_doubles_up_to_its_limit)
{
	grow_setup(20, 99);
	for (uint64_t i = 0; i < 20; i++)
		cr_assert_eq(vm_ranges_insert(&v, LO + i * 4 * P, 3 * P, 3), VM_OK, "range %lu", i);
	cr_assert_eq(v.grown, 2, "6 -> 12 -> 20 (the limit)");
	cr_assert_eq(v.cap, 20);
	cr_assert_eq(frees, 1, "the 12-entry storage went back");
	for (uint64_t i = 0; i < 20; i++)
		cr_assert_eq(v.r[i].start, LO + i * 4 * P, "range %lu moved with the table", i);
	cr_assert_eq(vm_ranges_insert(&v, LO + 100 * 4 * P, P, 3), VM_TABLE_FULL);
	cr_assert_eq(vm_ranges_protect(&v, LO + P, P, 1), VM_TABLE_FULL, "a split needs room too");
	cr_assert_eq(v.refused_quota, 2);
	cr_assert_eq(v.count, 20, "a refused growth changes nothing");
	cr_assert_eq(v.pages, 60);
	cr_assert_eq(vm_ranges_remove(&v, LO, 3 * P), VM_OK, "removing whole ranges needs none");
}

Test(vm_ranges, release_gives_the_grown_storage_back)
{
	grow_setup(64, 99);
	cr_assert_eq(vm_ranges_insert(&v, LO, 64 * P, 3), VM_OK);
	for (uint64_t i = 0; i < 30; i++)
		cr_assert_eq(vm_ranges_protect(&v, LO + (2 * i + 1) * P, P, 1), VM_OK, "split %lu", i);
	cr_assert_eq(v.count, 61);
	cr_assert_eq(v.pages, 64);
	cr_assert_eq(v.cap, 64, "6 -> 12 -> 24 -> 48 -> 64");
	cr_assert_eq(live, 64, "only the current storage is held");
	vm_ranges_release(&v);
	cr_assert_eq(live, 0);
	cr_assert_eq(v.r, store);
	cr_assert_eq(v.cap, 6);
	cr_assert_eq(v.count, 0);
	cr_assert_eq(v.pages, 0);
	cr_assert_eq(vm_ranges_insert(&v, LO, P, 3), VM_OK, "usable again");
	vm_ranges_release(&v);
	cr_assert_eq(frees, allocs, "every storage came back");
}

Test(vm_ranges, a_failed_allocation_mid_growth_leaves_the_table_intact)
{
	grow_setup(64, 1); /* the second growth fails */
	for (uint64_t i = 0; i < 12; i++)
		cr_assert_eq(vm_ranges_insert(&v, LO + i * 4 * P, 3 * P, 3), VM_OK, "range %lu", i);
	cr_assert_eq(v.cap, 12);
	struct vm_range before[12];
	for (unsigned i = 0; i < 12; i++)
		before[i] = v.r[i];
	const struct vm_range *r = v.r;
	cr_assert_eq(vm_ranges_insert(&v, LO + 100 * 4 * P, P, 3), VM_TABLE_FULL);
	cr_assert_eq(vm_ranges_protect(&v, LO + P, P, 1), VM_TABLE_FULL);
	cr_assert_eq(v.refused_memory, 2);
	cr_assert_eq(v.refused_quota, 0);
	cr_assert_eq(v.r, r, "same storage");
	cr_assert_eq(v.cap, 12);
	cr_assert_eq(v.count, 12);
	cr_assert_eq(v.pages, 36);
	for (unsigned i = 0; i < 12; i++)
		cr_assert_eq(memcmp(&before[i], &v.r[i], sizeof(before[i])), 0, "range %u", i);
	fail_after = 99; /* memory came back: growth works again */
	cr_assert_eq(vm_ranges_protect(&v, LO + P, P, 1), VM_OK);
	cr_assert_eq(v.count, 14);
	vm_ranges_release(&v);
	cr_assert_eq(live, 0);
}

Test(vm_ranges, without_growth_the_first_storage_is_all)
{
	for (uint64_t i = 0; i < 6; i++)
		cr_assert_eq(vm_ranges_insert(&v, LO + i * 4 * P, P, 3), VM_OK);
	cr_assert_eq(vm_ranges_insert(&v, LO + 50 * P, P, 3), VM_TABLE_FULL);
	cr_assert_not(vm_ranges_reserve(&v, 7));
	cr_assert(vm_ranges_reserve(&v, 6));
	vm_ranges_release(&v); /* nothing grown: nothing to give back */
	cr_assert_eq(v.count, 0);
}

Test(vm_ranges, a_quota_below_the_first_storage_holds)
{
	grow_setup(3, 99);
	for (uint64_t i = 0; i < 3; i++) {
		cr_assert(vm_ranges_reserve(&v, v.count + 1), "range %lu", i);
		cr_assert_eq(vm_ranges_insert(&v, LO + i * 4 * P, P, 3), VM_OK, "range %lu", i);
	}
	cr_assert_not(vm_ranges_reserve(&v, v.count + 1), "the quota of 3, below the 6 entries");
	cr_assert_eq(v.refused_quota, 1);
	cr_assert_eq(v.grown, 0);
	cr_assert_eq(allocs, 0);
}
