/* lib/boot_cmdline.c: boot_arg() behind test=..., nonx, nosmap... */
#include <criterion/criterion.h>

#include "boot_cmdline.h"

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
