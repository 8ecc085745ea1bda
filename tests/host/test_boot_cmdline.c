/* lib/boot_cmdline.c: boot_arg() behind test=..., nonx, nosmap... */
#include <criterion/criterion.h>

#include "boot_cmdline.h"

#include <string.h>

static char buf[16];

Test(boot_cmdline, finds_values_and_bare_keys)
{
	const char *line = "test=fault_wp_text  nosmap procs=a,b";
	cr_assert_str_eq(boot_cmdline_get(line, "test", buf, sizeof buf), "fault_wp_text");
	cr_assert_str_eq(boot_cmdline_get(line, "nosmap", buf, sizeof buf), "");
	cr_assert_str_eq(boot_cmdline_get(line, "procs", buf, sizeof buf), "a,b");
}

Test(boot_cmdline, prefixes_do_not_match)
{
	const char *line = "testing=1 nosmapx te=2";
	cr_assert_null(boot_cmdline_get(line, "test", buf, sizeof buf));
	cr_assert_null(boot_cmdline_get(line, "nosmap", buf, sizeof buf));
	cr_assert_null(boot_cmdline_get(line, "t", buf, sizeof buf));
}

Test(boot_cmdline, absent_empty_and_edge_cases)
{
	cr_assert_null(boot_cmdline_get("", "test", buf, sizeof buf));
	cr_assert_null(boot_cmdline_get("   ", "test", buf, sizeof buf));
	cr_assert_null(boot_cmdline_get("test=1", "", buf, sizeof buf));
	cr_assert_null(boot_cmdline_get("test=1", "test", buf, 0));
	cr_assert_str_eq(boot_cmdline_get("test=", "test", buf, sizeof buf), "");
	cr_assert_str_eq(boot_cmdline_get("\ttest=x\t", "test", buf, sizeof buf), "x");
	/* The first occurrence wins. */
	cr_assert_str_eq(boot_cmdline_get("a=1 a=2", "a", buf, sizeof buf), "1");
}

Test(boot_cmdline, values_that_do_not_fit_are_refused_not_truncated)
{
	cr_assert_null(boot_cmdline_get("test=0123456789abcdef", "test", buf, sizeof buf));
	cr_assert_str_eq(boot_cmdline_get("test=0123456789abcde", "test", buf, sizeof buf),
	                 "0123456789abcde");
}

static const char *const known[] = {"test", "nonx", "watchdog"};

Test(boot_cmdline, unknown_words_are_found_once_each_in_order)
{
	const char *line = " test=x  bogus nonx=1 testing watchdog=5 te\tz=1 ";
	const char *expect[] = {"bogus", "testing", "te", "z=1"};
	size_t pos = 0, len;
	const char *w;
	for (unsigned i = 0; i < 4; i++) {
		len = boot_cmdline_next_unknown(line, &pos, known, 3, &w);
		cr_assert_eq(len, strlen(expect[i]), "word %u", i);
		cr_assert_eq(strncmp(w, expect[i], len), 0, "word %u", i);
	}
	cr_assert_eq(boot_cmdline_next_unknown(line, &pos, known, 3, &w), 0);
	cr_assert_eq(boot_cmdline_next_unknown(line, &pos, known, 3, &w), 0);
}

Test(boot_cmdline, no_unknown_words)
{
	size_t pos = 0;
	const char *w;
	cr_assert_eq(boot_cmdline_next_unknown("", &pos, known, 3, &w), 0);
	pos = 0;
	cr_assert_eq(boot_cmdline_next_unknown("test=a nonx watchdog=1", &pos, known, 3, &w), 0);
	pos = 0;
	cr_assert_eq(boot_cmdline_next_unknown("x", &pos, known, 0, &w), 1);
}

Test(boot_cmdline, parse_uint_accepts_1_to_max_only)
{
	uint32_t v = 7;
	cr_assert(boot_cmdline_parse_uint("1", 100, &v));
	cr_assert_eq(v, 1);
	cr_assert(boot_cmdline_parse_uint("100", 100, &v));
	cr_assert_eq(v, 100);
	cr_assert_not(boot_cmdline_parse_uint("101", 100, &v));
	cr_assert_not(boot_cmdline_parse_uint("0", 100, &v));
	cr_assert_not(boot_cmdline_parse_uint("", 100, &v));
	cr_assert_not(boot_cmdline_parse_uint("-1", 100, &v));
	cr_assert_not(boot_cmdline_parse_uint("12s", 100, &v));
	cr_assert_not(boot_cmdline_parse_uint("99999999999999999999999", 100, &v));
	cr_assert_eq(v, 100);
}
