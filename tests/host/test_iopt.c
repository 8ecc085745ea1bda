/* lib/iopt.c on fake frames: mapping, hostile addresses, every frame back. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "iopt.h"

#define FRAMES 64
static uint64_t frames[FRAMES][512];
static bool used[FRAMES];
static unsigned in_use, budget;

static uint64_t fake_alloc(void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return 0;
	for (unsigned i = 0; i < FRAMES; i++)
		if (!used[i]) {
			used[i] = true;
			in_use++;
			budget--;
			memset(frames[i], 0, sizeof frames[i]);
			return (uint64_t)(i + 1) << 12;
		}
	return 0;
}
static void fake_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	unsigned i = (unsigned)(pa >> 12) - 1;
	cr_assert(i < FRAMES && used[i], "free of a frame not handed out: %lx", (unsigned long)pa);
	used[i] = false;
	in_use--;
}
static uint64_t *fake_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	unsigned i = (unsigned)(pa >> 12) - 1;
	cr_assert(i < FRAMES && used[i], "walk through a frame not handed out");
	return frames[i];
}
static const struct iopt_ops ops = {.alloc = fake_alloc, .free = fake_free, .table = fake_table};

static void setup(void)
{
	memset(used, 0, sizeof used);
	in_use = 0;
	budget = FRAMES;
}
TestSuite(iopt, .init = setup);

Test(iopt, map_lookup_unmap_three_levels)
{
	struct iopt pt;
	cr_assert_eq(iopt_init(&pt, &ops, 3), IOPT_OK);
	cr_assert_eq(iopt_map(&pt, 0x100000, 0xabc000, IOPT_READ | IOPT_WRITE), IOPT_OK);
	cr_assert_eq(pt.tables, 3);
	uint64_t pa;
	unsigned perm;
	cr_assert(iopt_lookup(&pt, 0x100000, &pa, &perm));
	cr_assert_eq(pa, 0xabc000);
	cr_assert_eq(perm, IOPT_READ | IOPT_WRITE);
	cr_assert_not(iopt_lookup(&pt, 0x101000, &pa, &perm));
	/* Root entry and non-leaf entries carry read+write, leaf the frame. */
	uint64_t *root = fake_table(0, pt.root);
	cr_assert_eq(root[0] & 3, 3);
	cr_assert_eq(iopt_unmap(&pt, 0x100000, &pa), IOPT_OK);
	cr_assert_eq(pa, 0xabc000);
	cr_assert_eq(iopt_unmap(&pt, 0x100000, &pa), IOPT_ERR_UNMAPPED);
	cr_assert_eq(iopt_destroy(&pt), 0);
	cr_assert_eq(in_use, 0);
}

Test(iopt, four_levels_top_of_range)
{
	struct iopt pt;
	cr_assert_eq(iopt_init(&pt, &ops, 4), IOPT_OK);
	uint64_t top = (1ull << 48) - IOPT_PAGE;
	cr_assert_eq(iopt_map(&pt, top, 0x5000, IOPT_READ), IOPT_OK);
	cr_assert_eq(pt.tables, 4);
	cr_assert_eq(iopt_map(&pt, 1ull << 48, 0x5000, IOPT_READ), IOPT_ERR_RANGE);
	unsigned perm;
	cr_assert(iopt_lookup(&pt, top, 0, &perm));
	cr_assert_eq(perm, IOPT_READ);
	cr_assert_eq(iopt_destroy(&pt), 1, "a leaf still mapped is reported");
	cr_assert_eq(in_use, 0);
}

Test(iopt, hostile_arguments)
{
	struct iopt pt;
	cr_assert_eq(iopt_init(&pt, &ops, 5), IOPT_ERR_LEVELS);
	cr_assert_eq(iopt_init(&pt, &ops, 3), IOPT_OK);
	cr_assert_eq(iopt_map(&pt, 0x1001, 0x2000, IOPT_READ), IOPT_ERR_ALIGN);
	cr_assert_eq(iopt_map(&pt, 0x1000, 0x2001, IOPT_READ), IOPT_ERR_ALIGN);
	cr_assert_eq(iopt_map(&pt, 0x1000, 1ull << 52, IOPT_READ), IOPT_ERR_ALIGN);
	cr_assert_eq(iopt_map(&pt, 1ull << 39, 0x2000, IOPT_READ), IOPT_ERR_RANGE);
	cr_assert_eq(iopt_map(&pt, ~0ull & ~0xfffull, 0x2000, IOPT_READ), IOPT_ERR_RANGE);
	cr_assert_eq(iopt_map(&pt, 0x1000, 0x2000, 0), IOPT_ERR_PERM);
	cr_assert_eq(iopt_map(&pt, 0x1000, 0x2000, 0x80), IOPT_ERR_PERM);
	cr_assert_eq(iopt_map(&pt, 0x1000, 0x2000, IOPT_WRITE), IOPT_OK);
	cr_assert_eq(iopt_map(&pt, 0x1000, 0x3000, IOPT_WRITE), IOPT_ERR_MAPPED);
	cr_assert_eq(iopt_unmap(&pt, 0x7fff000, 0), IOPT_ERR_UNMAPPED);
	cr_assert_eq(iopt_unmap(&pt, 0x1800, 0), IOPT_ERR_ALIGN);
	cr_assert_eq(iopt_unmap(&pt, 0x1000, 0), IOPT_OK);
	iopt_destroy(&pt);
	cr_assert_eq(in_use, 0);
	cr_assert_str_eq(iopt_strerror(IOPT_ERR_RANGE), "IOVA beyond the domain's address width");
}

Test(iopt, out_of_frames_leaks_nothing)
{
	struct iopt pt;
	budget = 2; /* root + one middle table: the leaf table cannot come */
	cr_assert_eq(iopt_init(&pt, &ops, 3), IOPT_OK);
	cr_assert_eq(iopt_map(&pt, 0x1000, 0x2000, IOPT_READ), IOPT_ERR_NOMEM);
	cr_assert_eq(pt.mapped, 0);
	budget = 0;
	cr_assert_eq(iopt_map(&pt, 0x1000, 0x2000, IOPT_READ), IOPT_ERR_NOMEM);
	iopt_destroy(&pt);
	cr_assert_eq(in_use, 0);
	budget = 0;
	cr_assert_eq(iopt_init(&pt, &ops, 3), IOPT_ERR_NOMEM);
	cr_assert_eq(iopt_destroy(&pt), 0);
}

Test(iopt, many_pages_share_tables)
{
	struct iopt pt;
	cr_assert_eq(iopt_init(&pt, &ops, 3), IOPT_OK);
	for (uint64_t i = 0; i < 600; i++)
		cr_assert_eq(iopt_map(&pt, i * IOPT_PAGE, 0x100000 + i * IOPT_PAGE, IOPT_READ), IOPT_OK);
	cr_assert_eq(pt.tables, 4, "root, one middle, two leaf tables");
	cr_assert_eq(pt.mapped, 600);
	cr_assert_eq(iopt_destroy(&pt), 600);
	cr_assert_eq(in_use, 0);
}
