/* lib/entropy_health.c: the repetition count test and distinct counting. */
#include <criterion/criterion.h>

#include "entropy_health.h"

Test(entropy_health, rct_fails_at_the_cutoff)
{
	struct entropy_rct t;
	entropy_rct_init(&t, 3);
	cr_assert(entropy_rct_feed(&t, 7));
	cr_assert(entropy_rct_feed(&t, 7));
	cr_assert_not(entropy_rct_feed(&t, 7)); /* third in a row */
}

Test(entropy_health, rct_resets_on_a_new_value)
{
	struct entropy_rct t;
	entropy_rct_init(&t, 2);
	for (uint64_t i = 0; i < 100; i++)
		cr_assert(entropy_rct_feed(&t, i));
	cr_assert_not(entropy_rct_feed(&t, 99));
}

Test(entropy_health, rct_first_sample_zero_is_not_a_repeat)
{
	struct entropy_rct t;
	entropy_rct_init(&t, 2);
	cr_assert(entropy_rct_feed(&t, 0));
	cr_assert_not(entropy_rct_feed(&t, 0));
	entropy_rct_init(&t, 0); /* a cutoff below 2 is raised to 2 */
	cr_assert(entropy_rct_feed(&t, 5));
	cr_assert_not(entropy_rct_feed(&t, 5));
}

Test(entropy_health, mcv_bits_round_down)
{
	uint64_t half[] = {1, 1, 2, 3}; /* p_max 1/2: 1 bit */
	cr_assert_eq(entropy_mcv_bits(half, 4), 1);
	uint64_t third[] = {1, 1, 2, 3, 4, 5}; /* p_max 1/3: 1.58 -> 1 */
	cr_assert_eq(entropy_mcv_bits(third, 6), 1);
	uint64_t stuck[] = {7, 7, 7, 7};
	cr_assert_eq(entropy_mcv_bits(stuck, 4), 0);
	uint64_t most[] = {7, 7, 7, 1}; /* p_max 3/4 */
	cr_assert_eq(entropy_mcv_bits(most, 4), 0);
	uint64_t all[256];
	for (unsigned i = 0; i < 256; i++)
		all[i] = i;
	cr_assert_eq(entropy_mcv_bits(all, 256), 8);
	cr_assert_eq(entropy_mcv_bits(all, 0), 0);
}

Test(entropy_health, distinct)
{
	uint64_t s[] = {1, 2, 1, 3, 3, 3};
	cr_assert_eq(entropy_distinct(s, 6), 3);
	cr_assert_eq(entropy_distinct(s, 0), 0);
}
