/* lib/format.c: the kernel's printf (kprintf, ksnprintf, panic). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

static char buf[256];

/* No format attribute: lets the tests pass what the compiler would reject. */
static int raw_format(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n;
}

#define CHECK_RAW(expect, ...)                                     \
	do {                                                       \
		int n_ = raw_format(buf, sizeof buf, __VA_ARGS__); \
		cr_assert_str_eq(buf, expect);                     \
		cr_assert_eq(n_, (int)strlen(expect));             \
	} while (0)

#define CHECK(expect, ...)                                              \
	do {                                                            \
		int n_ = format_snprintf(buf, sizeof buf, __VA_ARGS__); \
		cr_assert_str_eq(buf, expect);                          \
		cr_assert_eq(n_, (int)strlen(expect));                  \
	} while (0)

Test(format, strings_and_chars)
{
	CHECK("hello world", "hello %s", "world");
	CHECK("[  abc]", "[%5s]", "abc");
	CHECK("[abc  ]", "[%-5s]", "abc");
	CHECK("[ab]", "[%.2s]", "abcdef");
	CHECK_RAW("(null)", "%s", (char *)NULL);
	CHECK("x=Q", "x=%c", 'Q');
	CHECK("100%", "100%%");
}

Test(format, signed_and_unsigned)
{
	CHECK("0", "%d", 0);
	CHECK("-42", "%d", -42);
	CHECK("-2147483648", "%d", INT32_MIN);
	CHECK("4294967295", "%u", UINT32_MAX);
	CHECK("-9223372036854775808", "%ld", INT64_MIN);
	CHECK("18446744073709551615", "%lu", UINT64_MAX);
	CHECK("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	CHECK("123456", "%zu", (size_t)123456);
	CHECK("-1", "%i", -1);
	CHECK("255 -1", "%hhu %hhd", 255, 255);
}

Test(format, hex_octal_pointer)
{
	CHECK("ff", "%x", 255);
	CHECK("FF", "%X", 255);
	CHECK("ffffffff", "%x", -1);
	CHECK("ffffffff80000000", "%lx", 0xffffffff80000000ul);
	CHECK("17", "%o", 15);
	CHECK("0x00000000deadbeef", "%p", (void *)0xdeadbeef);
	CHECK("0x0000000000000000", "%p", (void *)0);
}

Test(format, width_and_zero_pad)
{
	CHECK("00042", "%05d", 42);
	CHECK("-0042", "%05d", -42);
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("000000ff", "%08x", 255);
	CHECK("0000000000001000", "%016lx", 0x1000ul);
	CHECK("   7", "%*d", 4, 7);
	CHECK("7   |", "%*d|", -4, 7);
	CHECK("123456", "%3d", 123456);
}

Test(format, unknown_conversions_are_visible_and_safe)
{
	CHECK_RAW("a%?qb", "a%qb");
	CHECK_RAW("end%", "end%");
}

Test(format, truncation_reports_full_length)
{
	char small[8];
	int n = format_snprintf(small, sizeof small, "%s", "0123456789");
	cr_assert_eq(n, 10);
	cr_assert_str_eq(small, "0123456");
	n = format_snprintf(small, 0, "%d", 12345);
	cr_assert_eq(n, 5);
	n = format_snprintf(small, 1, "%d", 12345);
	cr_assert_eq(n, 5);
	cr_assert_str_eq(small, "");
}

/* Formats whose C meaning is fixed: the same text and length as glibc.
 * Some combine flags that -Wformat calls redundant; C still defines them. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#define SAME(...)                                                      \
	do {                                                           \
		char a_[128], b_[128];                                 \
		int na_ = format_snprintf(a_, sizeof a_, __VA_ARGS__); \
		int nb_ = snprintf(b_, sizeof b_, __VA_ARGS__);        \
		cr_assert_str_eq(a_, b_);                              \
		cr_assert_eq(na_, nb_);                                \
	} while (0)

Test(format, integer_precision_like_c)
{
	SAME("[%.3d] [%8.3d] [%-8.3d|] [%.0d] [%.0x] [%5.0u]", 5, -5, 5, 0, 0u, 0u);
	SAME("[%08.3d] [%.10lu] [%.*d] [%.*d]", 7, 42ul, 4, 3, -1, 9);
	SAME("[%.2d] [%.20lld]", 123456, (long long)INT64_MIN);
}

Test(format, sign_space_and_alternate_flags_like_c)
{
	SAME("[%+d] [%+d] [% d] [% d] [%+ d] [%+05d] [% 5d]", 7, -7, 7, -7, 7, 7, 7);
	SAME("[%+u] [% x]", 7u, 7u); /* only signed conversions take a sign */
	SAME("[%#x] [%#X] [%#x] [%#010x] [%-#8x|] [%#.6x]", 255u, 255u, 0u, 255u, 255u, 255u);
	SAME("[%#o] [%#o] [%#.0o] [%#5.0o] [%#.4o] [%#.2o] [%#06o]", 8u, 0u, 0u, 0u, 8u, 8u, 8u);
	SAME("[%+.0d] [% .0d] [%#lx]", 0, 0, 0xffffffff80000000ul);
}

Test(format, length_modifiers_like_c)
{
	SAME("%jd %ju %td %tx", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (ptrdiff_t)-3,
	     (ptrdiff_t)0x1234);
	SAME("%hd %hu %hhx %zd", 70000, 70000, 0x1ff, (size_t)-1);
	SAME("[%c] [%-3c|] [%3c]", 'a', 'b', 'c');
}

Test(format, kernel_pointer_keeps_fixed_width)
{
	/* Flags do not change the kernel's %p: log lines stay aligned. */
	CHECK_RAW("0x00000000deadbeef", "%-p", (void *)0xdeadbeef);
	CHECK_RAW("0x00000000deadbeef", "%+p", (void *)0xdeadbeef);
	CHECK("0x0000ffffffff80000000", "%22p", (void *)0xffffffff80000000ul);
	CHECK("0x00000000000000ff", "%5p", (void *)0xff);
}

Test(format, bad_specification_with_flags)
{
	CHECK_RAW("a%?qb", "a%-5qb");
	CHECK_RAW("end%", "end%-5");
	CHECK_RAW("[%?y]", "[%+ #y]");
}

static void count_putc(void *ctx, char c)
{
	(void)c;
	(*(int *)ctx)++;
}

static int raw_opt(char *out, size_t len, unsigned opts, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_vsnprintf_opt(out, len, opts, fmt, ap);
	va_end(ap);
	return n;
}

static int count_format(int *calls, unsigned opts, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_vopt(count_putc, calls, opts, fmt, ap);
	va_end(ap);
	return n;
}

Test(format, options_pick_runtime_pointer_and_bad_spec)
{
	char out[64];
	cr_assert_eq(raw_opt(out, sizeof out, FORMAT_PTR_NATURAL, "%p|%-6p|%#p", (void *)0xff,
	                     (void *)0x1, (void *)0),
	             15);
	cr_assert_str_eq(out, "0xff|0x1   |0x0");
	cr_assert_eq(raw_opt(out, sizeof out, FORMAT_BAD_VERBATIM, "a%-5qb%3"), 8);
	cr_assert_str_eq(out, "a%-5qb%3");
	cr_assert_eq(raw_opt(out, sizeof out, 0, "a%-5qb%3"), 6);
	cr_assert_str_eq(out, "a%?qb%");
	/* The callback path counts what it hands out. */
	int calls = 0;
	cr_assert_eq(count_format(&calls, FORMAT_PTR_NATURAL, "%p|%-6p|", (void *)0xff,
	                          (void *)0x1),
	             12);
	cr_assert_eq(calls, 12);
	calls = 0;
	cr_assert_eq(count_format(&calls, FORMAT_BAD_VERBATIM, "a%-5qb%3"), 8);
	cr_assert_eq(calls, 8);
	calls = 0;
	cr_assert_eq(count_format(&calls, 0, "a%-5qb%3"), 6);
	cr_assert_eq(calls, 6);
}

Test(format, append_builds_and_truncates)
{
	char b[12] = "";
	format_append(b, sizeof b, "%s", "ab");
	format_append(b, sizeof b, " %d", 42);
	cr_assert_str_eq(b, "ab 42");
	format_append(b, sizeof b, " %s", "0123456789");
	cr_assert_str_eq(b, "ab 42 01234");
	format_append(b, sizeof b, "x");
	cr_assert_str_eq(b, "ab 42 01234");
}
