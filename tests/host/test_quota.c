/* lib/quota.c: a child's quota narrows its base within a ceiling. */
#include <criterion/criterion.h>

#include "quota.h"

static const struct quota base = {100, 10, 50, 2};

Test(quota, zero_fields_inherit_the_base)
{
	struct quota want = {0}, out;
	cr_assert_eq(quota_narrow(&base, &want, &base, &out), -1);
	cr_assert_eq(out.caps, 100);
	cr_assert_eq(out.ranges, 10);
	cr_assert_eq(out.frames, 50);
	cr_assert_eq(out.threads, 2);
	cr_assert_not(quota_given(&want));
}

Test(quota, given_fields_narrow)
{
	struct quota want = {.frames = 20, .threads = 1}, out;
	cr_assert_eq(quota_narrow(&base, &want, &base, &out), -1);
	cr_assert_eq(out.caps, 100, "inherited");
	cr_assert_eq(out.frames, 20);
	cr_assert_eq(out.threads, 1);
	cr_assert(quota_given(&want));
}

Test(quota, equal_to_the_ceiling_is_allowed)
{
	struct quota out;
	cr_assert_eq(quota_narrow(&base, &base, &base, &out), -1);
	cr_assert_eq(out.frames, 50);
}

Test(quota, a_field_above_the_ceiling_is_named_and_nothing_changes)
{
	struct quota want = {.caps = 5, .frames = 51}, out;
	int bad = quota_narrow(&base, &want, &base, &out);
	cr_assert_eq(bad, 2);
	cr_assert_str_eq(quota_field_name((unsigned)bad), "frames");
	cr_assert_eq(out.caps, 100, "the base, not half-narrowed");
	want = (struct quota){.caps = UINT32_MAX};
	cr_assert_eq(quota_narrow(&base, &want, &base, &out), 0);
	cr_assert_str_eq(quota_field_name(0), "caps");
}

Test(quota, a_manifest_quota_may_pass_the_base_within_the_ceiling)
{
	struct quota top = {16384, 65536, 65536, 1000}, want = {.frames = 8192}, out;
	cr_assert_eq(quota_narrow(&base, &want, &top, &out), -1);
	cr_assert_eq(out.frames, 8192, "above the base's 50: the ceiling bounds it");
	want.frames = 65537;
	cr_assert_eq(quota_narrow(&base, &want, &top, &out), 2);
}

Test(quota, field_names_and_values)
{
	const char *want[] = {"caps", "ranges", "frames", "threads"};
	uint32_t vals[] = {100, 10, 50, 2};
	for (unsigned i = 0; i < QUOTA_FIELDS; i++) {
		cr_assert_str_eq(quota_field_name(i), want[i]);
		cr_assert_eq(quota_field(&base, i), vals[i]);
	}
	cr_assert_str_eq(quota_field_name(QUOTA_FIELDS), "?");
	cr_assert_eq(quota_field(&base, QUOTA_FIELDS), 0);
}
