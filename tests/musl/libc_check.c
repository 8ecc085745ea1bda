/*
 * musl's formatting, parsing, sorting and math on edge values, printed
 * one result a line.  Built twice: for capOS on musl and for the host on
 * glibc; tests/musl/compare.sh runs both and compares the outputs line by
 * line (the expected output is the host's, made at test time).  Only
 * results both libraries define identically are printed: correctly
 * rounded conversions and the math functions that are exact or correctly
 * rounded in both (sqrt, fma, floor, ...); transcendental functions are
 * printed to 12 significant digits.  Where C17 leaves a choice and the
 * two libraries choose differently, the choice is not printed: %a of a
 * subnormal (glibc 0x0.0000000000001p-1022, musl 0x1p-1074), ERANGE for a
 * subnormal strtod result (glibc sets it, musl does not), and the order of
 * equal elements after qsort (not stable).
 */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double doubles[] = {
	0.0,
	-0.0,
	1.0,
	-1.0,
	0.1,
	0.5,
	1.5,
	2.5,
	1e-5,
	1e-4,
	123456789.0,
	1e15,
	1e16,
	1e17,
	1e21,
	1e22,
	1e100,
	1e300,
	3.14159265358979323846,
	2.718281828459045,
	1.0 / 3.0,
	DBL_MAX,
	DBL_MIN,
	DBL_EPSILON,
	4.9406564584124654e-324,
	0.30000000000000004,
	9007199254740993.0,
	5e-324,
	123.456,
	-987654.321,
	0.000123456,
};

static void print_double(double d)
{
	printf("%g|%.14g|%.17g|%e|%.3e|%f|%.0f|%10.4f|%-12.3g|%+g|% g|%G|%#g|%#.0f", d, d, d, d, d, d,
	       d, d, d, d, d, d, d, d);
	if (fpclassify(d) == FP_SUBNORMAL)
		printf("|subnormal\n");
	else
		printf("|%a|%A|%.3a\n", d, d, d);
}

static void check_printf(void)
{
	for (size_t i = 0; i < sizeof(doubles) / sizeof(doubles[0]); i++) {
		print_double(doubles[i]);
		print_double(-doubles[i]);
	}
	print_double(INFINITY);
	print_double(-INFINITY);
	printf("%f %e %g %a\n", NAN, NAN, NAN, NAN);
	printf("%d|%i|%u|%x|%X|%o|%#x|%#o|%5d|%-5d|%05d|%+d|% d|%.3d\n", -42, 42, 42u, 255u, 255u,
	       8u, 255u, 8u, 42, 42, 42, 42, 42, 7);
	printf("%ld|%lld|%lu|%llx|%hd|%hhu|%zu|%jd|%td\n", LONG_MIN, LLONG_MAX, ULONG_MAX,
	       0xdeadbeefcafeull, (short)-3, (unsigned char)250, (size_t)12345, (intmax_t)-1,
	       (ptrdiff_t)-2);
	printf("%" PRId64 "|%" PRIu32 "|%" PRIx8 "\n", INT64_MIN, UINT32_MAX, (uint8_t)0xab);
	printf("%s|%10s|%-10s|%.2s|%c|%%|%5c\n", "capOS", "right", "left", "truncate", 'x', 'y');
	char buf[16];
	volatile size_t cap = sizeof(buf); /* truncation is the point: hidden from -Wformat-truncation */
	int n = snprintf(buf, cap, "%s and more than sixteen", "snprintf");
	printf("snprintf %d '%s'\n", n, buf);
	printf("%*d|%-*d|%.*f\n", 6, 42, 6, 42, 3, 2.0 / 3.0);
}

static void check_strtod(void)
{
	static const char *inputs[] = {
		"0",
		"-0",
		"1e-400",
		"1e400",
		"-1e400",
		"0x1p-1074",
		"0x1.fffffffffffffp1023",
		"2.2250738585072011e-308",
		"2.2250738585072014e-308",
		"0.1",
		"123.456e-7",
		"9007199254740993",
		"4.9e-324",
		"2.4703282292062327e-324",
		"inf",
		"-Infinity",
		"nan",
		"  42abc",
		"1e",
		".5",
		"5.",
		"0x10",
		"1_000",
		"",
		"1.7976931348623157e308",
		"1.7976931348623159e308",
		"3.14159265358979323846264338327950288",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char *end;
		errno = 0;
		double d = strtod(inputs[i], &end);
		int sub = fpclassify(d) == FP_SUBNORMAL;
		printf("strtod('%s') = %.17g rest='%s'", inputs[i], d, end);
		if (sub)
			printf(" subnormal\n");
		else
			printf(" %a erange=%d\n", d, errno == ERANGE);
	}
	printf("strtol %ld %ld %lu %ld\n", strtol("-123", NULL, 10), strtol("0x7f", NULL, 0),
	       strtoul("777", NULL, 8), strtol("zz", NULL, 36));
	printf("atof %.17g atoi %d\n", atof("6.02214076e23"), atoi("-2147483648"));
	float f = strtof("3.4028235e38", NULL);
	printf("strtof %.9g %a\n", (double)f, (double)f);
}

struct item {
	int key;
	int order;
};

static int by_key(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

static int by_double_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	if (x == y) /* 0 and -0: 0 first, so the order does not depend on qsort */
		return signbit(x) - signbit(y) > 0 ? 1 : signbit(x) == signbit(y) ? 0
		                                                                  : -1;
	return (x < y) - (x > y);
}

static void check_qsort(void)
{
	enum { N = 200 };
	static struct item items[N];
	unsigned x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		items[i].key = (int)((x >> 16) % 50);
		items[i].order = i;
	}
	qsort(items, N, sizeof(items[0]), by_key);
	/* Keys only: qsort is not stable, so equal keys may come in any order. */
	int sorted = 1;
	long sum = 0;
	for (int i = 0; i < N; i++) {
		sum += items[i].key;
		if (i > 0 && items[i - 1].key > items[i].key)
			sorted = 0;
	}
	printf("qsort items sorted=%d sum=%ld first=%d last=%d\n", sorted, sum, items[0].key,
	       items[N - 1].key);
	double d[sizeof(doubles) / sizeof(doubles[0])];
	memcpy(d, doubles, sizeof(d));
	qsort(d, sizeof(d) / sizeof(d[0]), sizeof(d[0]), by_double_desc);
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		printf("%s%.17g", i ? " " : "qsort doubles ", d[i]);
	printf("\n");
}

static void check_math(void)
{
	static const double xs[] = {0.0, 0.5, 1.0, 2.0, 10.0, -3.75, 1e-10, 100.5, 1e300};
	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		double v = xs[i];
		printf("x=%g sqrt=%.17g floor=%g ceil=%g round=%g trunc=%g fabs=%g fmod3=%.17g\n", v,
		       sqrt(fabs(v)), floor(v), ceil(v), round(v), trunc(v), fabs(v), fmod(v, 3.0));
		printf("  exp=%.12g log=%.12g sin=%.12g cos=%.12g tan=%.12g atan=%.12g pow1.5=%.12g\n",
		       exp(v > 700 ? 700 : v), log(fabs(v) + 1), sin(v), cos(v), tan(v), atan(v),
		       pow(fabs(v), 1.5));
		int e;
		double m = frexp(v, &e);
		printf("  frexp=%.17g,%d ldexp=%g modf=%.17g hypot=%.17g\n", m, e, ldexp(v, 3),
		       modf(v, &m), hypot(v, 4.0));
	}
	printf("fma=%.17g copysign=%g nextafter=%a isnan=%d isinf=%d signbit=%d\n",
	       fma(0.1, 10.0, -1.0), copysign(3.0, -0.0), nextafter(1.0, 2.0), isnan(NAN) != 0,
	       isinf(-INFINITY) != 0, signbit(-0.0) != 0);
	printf("pow: %g %g %g %g atan2=%.12g log10=%.17g log2=%.17g\n", pow(2, 10), pow(-8, 1.0 / 3),
	       pow(0, -1), pow(1, NAN), atan2(1, -1), log10(1000), log2(1024));
}

int main(void)
{
	printf("==== libc_check begin\n");
	check_printf();
	check_strtod();
	check_qsort();
	check_math();
	printf("==== libc_check end\n");
	return 0;
}
