/* lib/format.c: the kernel's printf (kprintf, ksnprintf, panic). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>

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

#define CHECK_RAW(expect, ...)                                               \
	do {                                                                 \
		int n_ = raw_format(buf, sizeof buf, __VA_ARGS__);           \
		cr_assert_str_eq(buf, expect);                               \
		cr_assert_eq(n_, (int)strlen(expect));                       \
	} while (0)

#define CHECK(expect, ...)                                                   \
	do {                                                                 \
		int n_ = format_snprintf(buf, sizeof buf, __VA_ARGS__);      \
		cr_assert_str_eq(buf, expect);                               \
		cr_assert_eq(n_, (int)strlen(expect));                       \
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
