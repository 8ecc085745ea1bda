/* lib/frame_ledger.c: per-process frame grants against a limit. */
#include <criterion/criterion.h>

#include "frame_ledger.h"

static uint64_t store[8];
static struct frame_ledger l;

static void setup(void) { frame_ledger_init(&l, store, 8, 10); }

TestSuite(frame_ledger, .init = setup);

Test(frame_ledger, add_remove_counts)
{
	cr_assert_eq(frame_ledger_add(&l, 0x1000), LEDGER_OK);
	cr_assert_eq(frame_ledger_add(&l, 0x5000), LEDGER_OK);
	cr_assert_eq(l.held_count, 2);
	cr_assert_eq(l.charged, 2);
	cr_assert(frame_ledger_holds(&l, 0x5000));
	cr_assert_eq(frame_ledger_remove(&l, 0x1000), LEDGER_OK);
	cr_assert_not(frame_ledger_holds(&l, 0x1000));
	cr_assert(frame_ledger_holds(&l, 0x5000));
	cr_assert_eq(l.charged, 1);
	cr_assert_eq(l.peak, 2);
}

Test(frame_ledger, double_free_and_foreign_frames_refused)
{
	cr_assert_eq(frame_ledger_add(&l, 0x2000), LEDGER_OK);
	cr_assert_eq(frame_ledger_remove(&l, 0x2000), LEDGER_OK);
	cr_assert_eq(frame_ledger_remove(&l, 0x2000), LEDGER_NOT_HELD);
	cr_assert_eq(frame_ledger_remove(&l, 0x3000), LEDGER_NOT_HELD);
	cr_assert_eq(frame_ledger_remove(&l, 0x3001), LEDGER_BAD_ADDR);
	cr_assert_eq(frame_ledger_remove(&l, 0), LEDGER_BAD_ADDR);
	cr_assert_eq(frame_ledger_add(&l, 0x10), LEDGER_BAD_ADDR);
	cr_assert_eq(l.charged, 0);
}

Test(frame_ledger, list_capacity)
{
	for (uint64_t i = 1; i <= 8; i++)
		cr_assert_eq(frame_ledger_add(&l, i * 0x1000), LEDGER_OK);
	cr_assert_eq(frame_ledger_can_hold(&l, 1), LEDGER_FULL);
	cr_assert_eq(frame_ledger_add(&l, 0x9000), LEDGER_FULL);
	cr_assert_eq(l.held_count, 8);
}

Test(frame_ledger, limit_shared_by_anon_charges)
{
	cr_assert_eq(frame_ledger_charge(&l, 7), LEDGER_OK);
	cr_assert_eq(frame_ledger_can_hold(&l, 4), LEDGER_OVER_LIMIT);
	cr_assert_eq(frame_ledger_can_hold(&l, 3), LEDGER_OK);
	cr_assert_eq(frame_ledger_add(&l, 0x1000), LEDGER_OK);
	cr_assert_eq(frame_ledger_charge(&l, 3), LEDGER_OVER_LIMIT);
	cr_assert_eq(frame_ledger_charge(&l, 2), LEDGER_OK);
	cr_assert_eq(l.charged, 10);
	cr_assert_eq(frame_ledger_add(&l, 0x2000), LEDGER_OVER_LIMIT);
	cr_assert_eq(frame_ledger_charge(&l, UINT64_MAX), LEDGER_OVER_LIMIT);
	frame_ledger_uncharge(&l, 9);
	cr_assert_eq(l.charged, 1);
	/* uncharging more than the anonymous part never eats held frames */
	frame_ledger_uncharge(&l, 5);
	cr_assert_eq(l.charged, 1);
	cr_assert_eq(l.held_count, 1);
}

Test(frame_ledger, pop_drains_everything)
{
	for (uint64_t i = 1; i <= 5; i++)
		cr_assert_eq(frame_ledger_add(&l, i * 0x1000), LEDGER_OK);
	uint64_t seen = 0, phys;
	unsigned n = 0;
	while (frame_ledger_pop(&l, &phys)) {
		seen |= 1ull << (phys / 0x1000);
		n++;
	}
	cr_assert_eq(n, 5);
	cr_assert_eq(seen, 0x3e);
	cr_assert_eq(l.charged, 0);
	cr_assert_eq(l.held_count, 0);
}

Test(frame_ledger, strerror_names)
{
	cr_assert_str_eq(frame_ledger_strerror(LEDGER_NOT_HELD), "frame not held by the caller");
	cr_assert_str_eq(frame_ledger_strerror(42), "unknown ledger error");
}

Test(frame_ledger, can_charge_matches_charge_and_changes_nothing)
{
	cr_assert_eq(frame_ledger_can_charge(&l, 10), LEDGER_OK);
	cr_assert_eq(frame_ledger_can_charge(&l, 11), LEDGER_OVER_LIMIT);
	cr_assert_eq(frame_ledger_can_charge(&l, UINT64_MAX), LEDGER_OVER_LIMIT);
	cr_assert_eq(frame_ledger_can_charge(&l, (1ull << 35)), LEDGER_OVER_LIMIT);
	cr_assert_eq(l.charged, 0);
	cr_assert_eq(frame_ledger_add(&l, 0x1000), LEDGER_OK);
	cr_assert_eq(frame_ledger_charge(&l, 4), LEDGER_OK);
	cr_assert_eq(frame_ledger_can_charge(&l, 5), LEDGER_OK);
	cr_assert_eq(frame_ledger_can_charge(&l, 6), LEDGER_OVER_LIMIT);
	cr_assert_eq(frame_ledger_charge(&l, 6), LEDGER_OVER_LIMIT);
	cr_assert_eq(l.charged, 5);
}

/* frame_ledger_end: every teardown path reports the page tables. */
static uint64_t freed[16];
static unsigned nfreed;
static void collect(uint64_t phys) { freed[nfreed++] = phys; }

Test(frame_ledger, end_of_an_unused_ledger)
{
	nfreed = 0;
	cr_assert_not(frame_ledger_active(&l));
	cr_assert_eq(frame_ledger_end(&l, collect), 0);
	cr_assert_eq(nfreed, 0);
}

Test(frame_ledger, end_after_only_failed_maps_reports_their_tables)
{
	/* A map charged, built 3 page tables, ran out of frames, uncharged. */
	nfreed = 0;
	cr_assert_eq(frame_ledger_charge(&l, 6), LEDGER_OK);
	frame_ledger_add_tables(&l, 3);
	frame_ledger_uncharge(&l, 6);
	cr_assert_eq(l.charged, 0);
	cr_assert(frame_ledger_active(&l)); /* nothing held, but tables taken */
	cr_assert_eq(frame_ledger_end(&l, collect), 3);
	cr_assert_eq(nfreed, 0);
	cr_assert_not(frame_ledger_active(&l));
	cr_assert_eq(frame_ledger_end(&l, collect), 0); /* counted once */
}

Test(frame_ledger, end_frees_held_frames_and_reports_tables)
{
	nfreed = 0;
	cr_assert_eq(frame_ledger_add(&l, 0x1000), LEDGER_OK);
	cr_assert_eq(frame_ledger_add(&l, 0x2000), LEDGER_OK);
	cr_assert_eq(frame_ledger_charge(&l, 4), LEDGER_OK); /* live anonymous pages */
	frame_ledger_add_tables(&l, 2);
	cr_assert_eq(frame_ledger_end(&l, collect), 2);
	cr_assert_eq(nfreed, 2);
	cr_assert((freed[0] == 0x1000 && freed[1] == 0x2000) ||
	          (freed[0] == 0x2000 && freed[1] == 0x1000));
	cr_assert_eq(l.held_count, 0);
	cr_assert_eq(l.charged, 0);
	cr_assert_not(frame_ledger_active(&l));
}

Test(frame_ledger, end_with_only_held_frames)
{
	nfreed = 0;
	cr_assert_eq(frame_ledger_add(&l, 0x3000), LEDGER_OK);
	cr_assert_eq(frame_ledger_end(&l, collect), 0);
	cr_assert_eq(nfreed, 1);
	cr_assert_eq(freed[0], 0x3000);
}

/* ---- a growing held list -------------------------------------------- */

static unsigned ended;
static void count_free(uint64_t phys)
{
	(void)phys;
	ended++;
}

static uint64_t grown_store[2][64];
static unsigned g_allocs, g_frees, g_fail_after;
static uint32_t g_live; /* entries handed out and not yet freed */

static uint64_t *grow_alloc(void *ctx, uint32_t entries)
{
	cr_assert_eq(ctx, &g_allocs);
	cr_assert_leq(entries, 64);
	if (g_allocs == g_fail_after)
		return 0;
	g_live += entries;
	return grown_store[g_allocs++ % 2];
}

static void grow_free(void *ctx, uint64_t *held, uint32_t entries)
{
	cr_assert_eq(ctx, &g_allocs);
	cr_assert(held == grown_store[0] || held == grown_store[1]);
	g_frees++;
	g_live -= entries;
}

static const struct frame_ledger_ops grow_ops = {grow_alloc, grow_free};

static void grow_setup(uint64_t limit, unsigned fail)
{
	frame_ledger_init(&l, store, 8, limit);
	g_allocs = g_frees = g_live = 0;
	g_fail_after = fail;
	frame_ledger_set_growth(&l, &grow_ops, &g_allocs);
}

Test(frame_ledger, the_held_list_grows_up_to_the_limit)
{
	grow_setup(40, 99);
	for (uint64_t i = 1; i <= 40; i++) {
		cr_assert_eq(frame_ledger_reserve(&l, 1), LEDGER_OK, "frame %lu", i);
		cr_assert_eq(frame_ledger_add(&l, i * 0x1000), LEDGER_OK, "frame %lu", i);
	}
	cr_assert_eq(l.held_cap, 40, "8 -> 16 -> 32 -> 40 (the limit)");
	cr_assert_eq(l.grown, 3);
	cr_assert_eq(g_live, 40, "only the current storage is held");
	for (uint64_t i = 1; i <= 40; i++)
		cr_assert(frame_ledger_holds(&l, i * 0x1000), "frame %lu moved with the list", i);
	cr_assert_eq(frame_ledger_reserve(&l, 1), LEDGER_OVER_LIMIT, "the limit, not memory");
	cr_assert_eq(frame_ledger_charge(&l, 1), LEDGER_OVER_LIMIT);
}

Test(frame_ledger, end_returns_every_frame_and_the_grown_storage)
{
	grow_setup(100, 99);
	cr_assert_eq(frame_ledger_reserve(&l, 30), LEDGER_OK);
	for (uint64_t i = 1; i <= 30; i++)
		cr_assert_eq(frame_ledger_add(&l, i * 0x1000), LEDGER_OK);
	ended = 0;
	frame_ledger_end(&l, count_free);
	cr_assert_eq(ended, 30);
	cr_assert_eq(g_live, 0, "the grown list went back");
	cr_assert_eq(l.held, store, "back on the first storage");
	cr_assert_eq(l.held_cap, 8);
	cr_assert_eq(l.charged, 0);
}

Test(frame_ledger, a_failed_growth_is_full_and_changes_nothing)
{
	grow_setup(100, 0);
	for (uint64_t i = 1; i <= 8; i++)
		cr_assert_eq(frame_ledger_add(&l, i * 0x1000), LEDGER_OK);
	cr_assert_eq(frame_ledger_reserve(&l, 1), LEDGER_FULL, "out of memory, not the limit");
	cr_assert_eq(l.refused_memory, 1);
	cr_assert_eq(l.held_cap, 8);
	cr_assert_eq(l.held_count, 8);
	cr_assert_eq(l.charged, 8);
}
