/* lib/byte_ring.c: order, overruns counted not overwritten, line ends. */
#include <criterion/criterion.h>
#include <string.h>

#include "byte_ring.h"

static uint8_t buf[8];
static struct byte_ring r;

static void setup(void) { byte_ring_init(&r, buf, sizeof buf); }

TestSuite(byte_ring, .init = setup);

Test(byte_ring, keeps_order_and_wraps)
{
	uint8_t out[8];
	for (int round = 0; round < 5; round++) {
		for (uint8_t i = 0; i < 5; i++)
			cr_assert(byte_ring_put(&r, (uint8_t)(round * 10 + i)));
		cr_assert_eq(byte_ring_count(&r), 5);
		cr_assert_eq(byte_ring_take(&r, out, sizeof out), 5);
		for (uint8_t i = 0; i < 5; i++)
			cr_assert_eq(out[i], round * 10 + i);
	}
	cr_assert_eq(r.overruns, 0);
	cr_assert_eq(r.received, 25);
}

Test(byte_ring, full_ring_drops_new_bytes_and_counts_them)
{
	uint8_t out[16];
	for (int i = 0; i < 12; i++)
		byte_ring_put(&r, (uint8_t)('a' + i));
	cr_assert_eq(r.overruns, 4);
	cr_assert_eq(byte_ring_count(&r), 8);
	cr_assert_eq(byte_ring_take(&r, out, sizeof out), 8);
	cr_assert(memcmp(out, "abcdefgh", 8) == 0, "the oldest bytes survive");
	cr_assert_eq(byte_ring_take(&r, out, sizeof out), 0);
}

Test(byte_ring, line_ends_within_max)
{
	const char *s = "ab\rcd\n";
	for (const char *p = s; *p; p++)
		byte_ring_put(&r, (uint8_t)*p);
	cr_assert_eq(byte_ring_line(&r, 8), 3);
	cr_assert_eq(byte_ring_line(&r, 2), 0, "a line end past max is not seen");
	uint8_t out[8];
	byte_ring_take(&r, out, 3);
	cr_assert_eq(byte_ring_line(&r, 8), 3);
	byte_ring_take(&r, out, 3);
	cr_assert_eq(byte_ring_line(&r, 8), 0);
}
