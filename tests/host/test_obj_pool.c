/* lib/obj_pool.c: growth, reuse, iteration, trim, refusal and hostile frees. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "host_pool_pages.h"
#include "obj_pool.h"

struct thing {
	uint32_t id;
	uint8_t pad[100];
};

static struct obj_pool pool;

static void setup(void)
{
	host_pages_out = 0;
	host_pages_budget = -1;
	obj_pool_init(&pool, "things", sizeof(struct thing), &host_pool_ops, 0);
}

static void teardown(void)
{
	cr_assert_eq(pool.live, 0, "every test frees what it took");
	obj_pool_trim(&pool, 0);
	cr_assert_eq(obj_pool_frames(&pool), 0);
	cr_assert_eq(host_pages_out, 0, "every page given back");
}

TestSuite(obj_pool, .init = setup, .fini = teardown);

Test(obj_pool, empty_pool_holds_nothing)
{
	cr_assert_eq(pool.size, 104);
	cr_assert_eq(pool.per_page, (OBJ_POOL_PAGE - OBJ_POOL_HEADER) / 104);
	cr_assert_eq(obj_pool_frames(&pool), 0);
	uint32_t i = 0;
	cr_assert_null(obj_pool_next(&pool, &i));
	cr_assert_null(obj_pool_at(&pool, 0));
	cr_assert_eq(obj_pool_trim(&pool, 0), 0);
}

Test(obj_pool, grows_a_page_at_a_time_and_gives_them_back)
{
	enum { N = 1000 };
	static struct thing *t[N];
	for (uint32_t k = 0; k < N; k++) {
		t[k] = obj_pool_alloc(&pool);
		cr_assert_not_null(t[k]);
		cr_assert_eq(t[k]->id, 0, "zeroed");
		t[k]->id = k + 1;
		cr_assert_eq((uintptr_t)t[k] % 8, 0);
	}
	uint32_t pages = (N + pool.per_page - 1) / pool.per_page;
	cr_assert_eq(pool.pages, pages);
	cr_assert_eq(pool.dir_pages, 2, "a root and one leaf");
	cr_assert_eq(host_pages_out, pages + 2);
	cr_assert_eq(pool.live, N);
	cr_assert_eq(pool.peak, N);
	for (uint32_t k = 0; k < N; k++)
		cr_assert_eq(t[k]->id, k + 1, "nothing moved or overlapped");
	for (uint32_t k = 0; k < N; k++)
		cr_assert(obj_pool_free(&pool, t[k]));
	cr_assert_eq(pool.live, 0);
	cr_assert_eq(pool.empty, pages, "empty pages wait for trim");
	cr_assert_eq(host_pages_out, pages + 2);
	cr_assert_eq(obj_pool_trim(&pool, 0), pages + 2);
	cr_assert_eq(pool.released, pages);
	cr_assert_eq(pool.peak, N);
}

Test(obj_pool, freed_slots_are_reused_and_zeroed)
{
	struct thing *a = obj_pool_alloc(&pool), *b = obj_pool_alloc(&pool);
	a->id = 7;
	cr_assert(obj_pool_free(&pool, a));
	cr_assert_eq(a->id, 0, "zeroed at free: a stale read sees a free object");
	struct thing *c = obj_pool_alloc(&pool);
	cr_assert_eq(c, a, "the lowest free slot first");
	cr_assert_eq(pool.pages, 1);
	obj_pool_free(&pool, b);
	obj_pool_free(&pool, c);
}

Test(obj_pool, index_round_trips_and_iteration_sees_live_only)
{
	enum { N = 300 };
	static struct thing *t[N];
	for (uint32_t k = 0; k < N; k++)
		t[k] = obj_pool_alloc(&pool);
	for (uint32_t k = 0; k < N; k += 2)
		obj_pool_free(&pool, t[k]);
	for (uint32_t k = 1; k < N; k += 2) {
		uint32_t i = obj_pool_index(&pool, t[k]);
		cr_assert_neq(i, UINT32_MAX);
		cr_assert_eq(obj_pool_at(&pool, i), t[k]);
	}
	cr_assert_eq(obj_pool_index(&pool, t[0]), UINT32_MAX, "freed: no index");
	unsigned seen = 0;
	struct thing *o;
	for (uint32_t i = 0; (o = obj_pool_next(&pool, &i)); i++) {
		cr_assert_eq(obj_pool_at(&pool, i), o);
		seen++;
	}
	cr_assert_eq(seen, N / 2);
	for (uint32_t k = 1; k < N; k += 2)
		obj_pool_free(&pool, t[k]);
}

Test(obj_pool, freeing_during_a_walk_is_safe)
{
	enum { N = 500 };
	for (uint32_t k = 0; k < N; k++)
		obj_pool_alloc(&pool);
	unsigned seen = 0;
	struct thing *o;
	for (uint32_t i = 0; (o = obj_pool_next(&pool, &i)); i++) {
		cr_assert(obj_pool_free(&pool, o));
		seen++;
	}
	cr_assert_eq(seen, N);
	cr_assert_eq(pool.live, 0);
}

Test(obj_pool, trim_keeps_pages_in_use_and_fills_holes)
{
	uint32_t per = pool.per_page;
	static struct thing *t[3 * 256];
	for (uint32_t k = 0; k < 3 * per; k++)
		t[k] = obj_pool_alloc(&pool);
	cr_assert_eq(pool.pages, 3);
	for (uint32_t k = 0; k < per; k++) /* the first page empties */
		obj_pool_free(&pool, t[k]);
	cr_assert_eq(obj_pool_trim(&pool, 0), 1);
	cr_assert_eq(pool.pages, 2);
	for (uint32_t k = per; k < 3 * per; k++)
		cr_assert_eq(t[k]->id, 0);
	struct thing *n = obj_pool_alloc(&pool);
	cr_assert_eq(pool.pages, 3, "a page added in the hole");
	cr_assert_eq(obj_pool_index(&pool, n), 0, "at index 0 again");
	obj_pool_free(&pool, n);
	for (uint32_t k = per; k < 3 * per; k++)
		obj_pool_free(&pool, t[k]);
}

Test(obj_pool, out_of_memory_is_refused_then_works_again)
{
	host_pages_budget = 3; /* root, leaf, one object page */
	static struct thing *t[512];
	uint32_t n = 0;
	while (n < 512 && (t[n] = obj_pool_alloc(&pool)) != 0)
		n++;
	cr_assert_eq(n, pool.per_page, "one page's worth");
	cr_assert_eq(pool.refused, 1);
	cr_assert_null(obj_pool_alloc(&pool));
	cr_assert_eq(pool.refused, 2);
	cr_assert_eq(pool.live, n, "a refusal changes nothing");
	host_pages_budget = -1;
	struct thing *more = obj_pool_alloc(&pool);
	cr_assert_not_null(more);
	cr_assert_eq(pool.pages, 2);
	obj_pool_free(&pool, more);
	for (uint32_t k = 0; k < n; k++)
		obj_pool_free(&pool, t[k]);
}

Test(obj_pool, no_memory_for_the_directory)
{
	host_pages_budget = 1; /* the root only */
	cr_assert_null(obj_pool_alloc(&pool));
	cr_assert_eq(pool.refused, 1);
	cr_assert_eq(pool.pages, 0);
	cr_assert_eq(obj_pool_trim(&pool, 0), 1, "the root given back");
	host_pages_budget = -1;
}

Test(obj_pool, the_limit_is_a_ceiling)
{
	obj_pool_set_limit(&pool, 2);
	static struct thing *t[512];
	uint32_t n = 0;
	while (n < 512 && (t[n] = obj_pool_alloc(&pool)) != 0)
		n++;
	cr_assert_eq(n, 2 * pool.per_page);
	cr_assert_eq(pool.refused, 1);
	for (uint32_t k = 0; k < n; k++)
		obj_pool_free(&pool, t[k]);
	obj_pool_set_limit(&pool, UINT32_MAX);
	cr_assert_eq(pool.limit, OBJ_POOL_MAX_PAGES);
}

Test(obj_pool, hostile_frees_are_refused)
{
	struct thing *a = obj_pool_alloc(&pool);
	cr_assert_not(obj_pool_free(&pool, 0));
	cr_assert_not(obj_pool_free(&pool, (uint8_t *)a + 8), "inside an object");
	cr_assert_not(obj_pool_free(&pool, (uint8_t *)a - OBJ_POOL_HEADER), "the header");
	struct obj_pool other;
	obj_pool_init(&other, "other", sizeof(struct thing), &host_pool_ops, 0);
	struct thing *b = obj_pool_alloc(&other);
	cr_assert_not(obj_pool_free(&pool, b), "another pool's object");
	cr_assert(obj_pool_free(&pool, a));
	cr_assert_not(obj_pool_free(&pool, a), "a double free");
	cr_assert_eq(pool.live, 0);
	cr_assert(obj_pool_free(&other, b));
	obj_pool_trim(&other, 0);
}

Test(obj_pool, small_objects_cap_at_the_bitmap)
{
	struct obj_pool small;
	obj_pool_init(&small, "small", 1, &host_pool_ops, 0);
	cr_assert_eq(small.size, 8);
	cr_assert_eq(small.per_page, OBJ_POOL_SLOTS);
	void *o[OBJ_POOL_SLOTS + 1];
	for (uint32_t k = 0; k <= OBJ_POOL_SLOTS; k++)
		o[k] = obj_pool_alloc(&small);
	cr_assert_eq(small.pages, 2);
	for (uint32_t k = 0; k <= OBJ_POOL_SLOTS; k++)
		cr_assert(obj_pool_free(&small, o[k]));
	cr_assert_eq(obj_pool_trim(&small, 0), 4);
}

Test(obj_pool, a_second_leaf_past_fanout_pages)
{
	struct obj_pool big;
	obj_pool_init(&big, "big", OBJ_POOL_PAGE - OBJ_POOL_HEADER, &host_pool_ops, 0);
	cr_assert_eq(big.per_page, 1);
	enum { N = OBJ_POOL_FANOUT + 3 };
	static void *o[N];
	for (uint32_t k = 0; k < N; k++)
		cr_assert_not_null(o[k] = obj_pool_alloc(&big));
	cr_assert_eq(big.dir_pages, 3, "root and two leaves");
	cr_assert_eq(obj_pool_at(&big, N - 1), o[N - 1]);
	for (uint32_t k = OBJ_POOL_FANOUT; k < N; k++)
		obj_pool_free(&big, o[k]);
	cr_assert_eq(obj_pool_trim(&big, 0), 4, "three pages and the second leaf");
	for (uint32_t k = 0; k < OBJ_POOL_FANOUT; k++)
		obj_pool_free(&big, o[k]);
	cr_assert_eq(obj_pool_trim(&big, 0), OBJ_POOL_FANOUT + 2);
	cr_assert_eq(big.span, 0);
}

Test(obj_pool, trim_can_keep_a_spare_page)
{
	uint32_t per = pool.per_page;
	static struct thing *t[3 * 256];
	for (uint32_t k = 0; k < 3 * per; k++)
		t[k] = obj_pool_alloc(&pool);
	for (uint32_t k = 0; k < 3 * per; k++)
		obj_pool_free(&pool, t[k]);
	cr_assert_eq(obj_pool_trim(&pool, 1), 2, "two of the three empty pages");
	cr_assert_eq(pool.pages, 1);
	cr_assert_eq(obj_pool_trim(&pool, 1), 0, "the spare stays");
	long out = host_pages_out;
	struct thing *a = obj_pool_alloc(&pool);
	cr_assert_eq(obj_pool_index(&pool, a), 0, "the spare is the lowest page");
	cr_assert_eq(host_pages_out, out, "no page taken");
	obj_pool_free(&pool, a);
	cr_assert_eq(obj_pool_trim(&pool, 0), 3, "the spare and the directory");
}
