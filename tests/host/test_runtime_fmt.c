/*
 * capos_snprintf against the C library's snprintf on the same formats.
 */
#include <criterion/criterion.h>
#include <capos/fmt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define SAME(...)                                                   \
	do {                                                        \
		char a[128], b[128];                                \
		int na = capos_snprintf(a, sizeof(a), __VA_ARGS__); \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);       \
		cr_expect_str_eq(a, b);                             \
		cr_expect_eq(na, nb);                               \
	} while (0)

Test(fmt, integers)
{
	SAME("%d %i %u", -42, 0, 4000000000u);
	SAME("%ld %lld %lu", -1L, (long long)INT64_MIN, (unsigned long)UINT64_MAX);
	SAME("%x %X %#x %#o %o", 0xbeefu, 0xbeefu, 255u, 8u, 0u);
	SAME("%hhd %hd %hhu", 300, 70000, 511);
	SAME("%zu %zx", (size_t)12345, (size_t)0xabc);
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, -42, 7, 7);
	SAME("[%.3d] [%8.3d] [%.0d]", 5, -5, 0);
	SAME("[%*d] [%-*d]", 6, 1, 6, 1);
	SAME("%016llx", 0x1234ull);
}

Test(fmt, strings_and_chars)
{
	SAME("[%s] [%10s] [%-10s] [%.2s]", "abc", "abc", "abc", "abc");
	SAME("[%c%c] [%3c]", 'o', 'k', 'z');
	SAME("100%%");
	SAME("%p", (void *)0x7f0000001000ull);
	char a[32];
	const char *volatile null_str = NULL; /* hides the NULL from -Wformat */
	capos_snprintf(a, sizeof(a), "%s", null_str);
	cr_expect_str_eq(a, "(null)");
}

Test(fmt, truncation_is_reported_and_terminated)
{
	char small[8];
	memset(small, 'Z', sizeof(small));
	int n = capos_snprintf(small, sizeof(small), "hello %s", "world");
	cr_expect_eq(n, 11);
	cr_expect_str_eq(small, "hello w");
	cr_expect_eq(capos_snprintf(NULL, 0, "%d", 12345), 5);
	char one[1] = {'Z'};
	cr_expect_eq(capos_snprintf(one, 1, "abc"), 3);
	cr_expect_eq(one[0], '\0');
}

#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
Test(fmt, unknown_conversion_is_printed_verbatim)
{
	char a[32];
	capos_snprintf(a, sizeof(a), "a%qb");
	cr_expect_str_eq(a, "a%qb");
	capos_snprintf(a, sizeof(a), "end%");
	cr_expect_str_eq(a, "end%");
}

Test(fmt, unknown_conversion_keeps_its_flags)
{
	char a[32];
	cr_expect_eq(capos_snprintf(a, sizeof(a), "a%-5qb"), 6);
	cr_expect_str_eq(a, "a%-5qb");
	cr_expect_eq(capos_snprintf(a, sizeof(a), "end%+3"), 6);
	cr_expect_str_eq(a, "end%+3");
}

Test(fmt, pointer_prints_only_needed_digits)
{
	SAME("[%p] [%20p] [%-20p]", (void *)0xabc, (void *)0xabc, (void *)0xabc);
	char a[32];
	cr_expect_eq(capos_snprintf(a, sizeof(a), "%p", (void *)0), 3);
	cr_expect_str_eq(a, "0x0"); /* glibc prints "(nil)" */
}

Test(fmt, flags_precision_and_lengths_like_c)
{
	SAME("[%#.6x] [%#08X] [%#.4o] [%#.0o] [%+.0d] [% 05d]", 255u, 255u, 8u, 0u, 0, -3);
	SAME("%jd %ju %td", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (ptrdiff_t)-3);
}
