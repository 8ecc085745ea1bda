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
