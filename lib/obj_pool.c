/* A growable pool of same-size objects in whole pages (see obj_pool.h). */
#include "obj_pool.h"

#include <stddef.h>

#include "kstring.h"

void obj_pool_init(struct obj_pool *p, const char *name, uint32_t size,
                   const struct obj_pool_ops *ops, void *ctx)
{
	*p = (struct obj_pool)OBJ_POOL_INIT(name, size, ops);
	p->ctx = ctx;
}

void obj_pool_set_limit(struct obj_pool *p, uint32_t pages)
{
	p->limit = pages < OBJ_POOL_MAX_PAGES ? pages : OBJ_POOL_MAX_PAGES;
}

static void **leaf_of(const struct obj_pool *p, uint32_t pi)
{
	return p->root ? p->root[pi / OBJ_POOL_FANOUT] : 0;
}

static struct obj_pool_page *page_at(const struct obj_pool *p, uint32_t pi)
{
	if (pi >= p->span)
		return 0;
	void **leaf = leaf_of(p, pi);
	return leaf ? leaf[pi % OBJ_POOL_FANOUT] : 0;
}

static uint8_t *slot_addr(const struct obj_pool *p, struct obj_pool_page *pg, uint32_t s)
{
	return (uint8_t *)pg + OBJ_POOL_HEADER + (size_t)s * p->size;
}

static bool slot_used(const struct obj_pool_page *pg, uint32_t s)
{
	return (pg->used[s / 64] >> (s % 64)) & 1u;
}

/* The lowest page index with no page, below the limit; the limit when
 * there is none. */
static uint32_t free_index(const struct obj_pool *p)
{
	uint32_t pi = 0;
	while (pi < p->span && pi < p->limit && page_at(p, pi) != 0)
		pi++;
	return pi;
}

/* A directory page for pi's leaf (and the root), allocating what is
 * missing; false when there is no memory (what was added is kept, empty,
 * for trim). */
static bool dir_reserve(struct obj_pool *p, uint32_t pi)
{
	if (p->root == 0) {
		p->root = p->ops->page_alloc(p);
		if (p->root == 0)
			return false;
		p->dir_pages++;
	}
	void **slot = &p->root[pi / OBJ_POOL_FANOUT];
	if (*slot == 0) {
		*slot = p->ops->page_alloc(p);
		if (*slot == 0)
			return false;
		p->dir_pages++;
	}
	return true;
}

/* Adds an empty object page; its index, or UINT32_MAX. */
static uint32_t page_add(struct obj_pool *p)
{
	uint32_t pi = free_index(p);
	if (pi >= p->limit || !dir_reserve(p, pi))
		return UINT32_MAX;
	struct obj_pool_page *pg = p->ops->page_alloc(p);
	if (pg == 0)
		return UINT32_MAX;
	memset(pg, 0, OBJ_POOL_HEADER);
	pg->pool = p;
	pg->index = pi;
	leaf_of(p, pi)[pi % OBJ_POOL_FANOUT] = pg;
	if (pi >= p->span)
		p->span = pi + 1;
	p->pages++;
	p->empty++;
	p->grown++;
	return pi;
}

static void *slot_take(struct obj_pool *p, struct obj_pool_page *pg)
{
	uint32_t s = 0;
	while (slot_used(pg, s))
		s++; /* the caller saw in_use < per_page */
	pg->used[s / 64] |= UINT64_C(1) << (s % 64);
	if (pg->in_use++ == 0)
		p->empty--;
	p->live++;
	p->allocs++;
	if (p->live > p->peak)
		p->peak = p->live;
	/* Already zero: pages come zeroed and obj_pool_free zeroes what it
	 * frees, so a second memset here would only cost the IPC path (a call
	 * record is taken and freed on every ring round trip). */
	return slot_addr(p, pg, s);
}

void *obj_pool_alloc(struct obj_pool *p)
{
	for (uint32_t pi = p->hint; pi < p->span; pi++) {
		struct obj_pool_page *pg = page_at(p, pi);
		if (pg != 0 && pg->in_use < p->per_page) {
			p->hint = pi;
			return slot_take(p, pg);
		}
	}
	p->hint = p->span;
	uint32_t pi = page_add(p);
	if (pi == UINT32_MAX) {
		p->refused++;
		return 0;
	}
	if (pi < p->hint)
		p->hint = pi;
	return slot_take(p, page_at(p, pi));
}

/* The page and slot of obj when it is a live object of p. */
static struct obj_pool_page *locate(const struct obj_pool *p, const void *obj, uint32_t *slot)
{
	uintptr_t a = (uintptr_t)obj;
	struct obj_pool_page *pg = (struct obj_pool_page *)(a & ~(uintptr_t)(OBJ_POOL_PAGE - 1));
	uintptr_t off = a - (uintptr_t)pg;
	if (obj == 0 || off < OBJ_POOL_HEADER || (off - OBJ_POOL_HEADER) % p->size != 0)
		return 0;
	uint32_t s = (uint32_t)((off - OBJ_POOL_HEADER) / p->size);
	if (s >= p->per_page || pg->pool != p || page_at(p, pg->index) != pg || !slot_used(pg, s))
		return 0;
	*slot = s;
	return pg;
}

bool obj_pool_free(struct obj_pool *p, void *obj)
{
	uint32_t s;
	struct obj_pool_page *pg = locate(p, obj, &s);
	if (pg == 0)
		return false;
	memset(obj, 0, p->size);
	pg->used[s / 64] &= ~(UINT64_C(1) << (s % 64));
	if (--pg->in_use == 0)
		p->empty++;
	p->live--;
	p->frees++;
	if (pg->index < p->hint)
		p->hint = pg->index;
	return true;
}

uint32_t obj_pool_index(const struct obj_pool *p, const void *obj)
{
	uint32_t s;
	const struct obj_pool_page *pg = locate(p, obj, &s);
	return pg ? pg->index * p->per_page + s : UINT32_MAX;
}

void *obj_pool_at(const struct obj_pool *p, uint32_t i)
{
	struct obj_pool_page *pg = page_at(p, i / p->per_page);
	uint32_t s = i % p->per_page;
	return pg != 0 && slot_used(pg, s) ? slot_addr(p, pg, s) : 0;
}

void *obj_pool_next(const struct obj_pool *p, uint32_t *i)
{
	uint32_t pi = *i / p->per_page, s = *i % p->per_page;
	for (; pi < p->span; pi++, s = 0) {
		struct obj_pool_page *pg = page_at(p, pi);
		if (pg == 0 || pg->in_use == 0)
			continue;
		for (; s < p->per_page; s++) {
			if (slot_used(pg, s)) {
				*i = pi * p->per_page + s;
				return slot_addr(p, pg, s);
			}
		}
	}
	return 0;
}

/* Gives back leaf l when it names no page, and the root when no leaf is
 * left. */
static void dir_trim(struct obj_pool *p)
{
	if (p->root == 0)
		return;
	bool any = false;
	for (uint32_t l = 0; l < OBJ_POOL_FANOUT; l++) {
		void **leaf = p->root[l];
		if (leaf == 0)
			continue;
		bool named = false;
		for (uint32_t k = 0; k < OBJ_POOL_FANOUT && !named; k++)
			named = leaf[k] != 0;
		if (named) {
			any = true;
			continue;
		}
		p->root[l] = 0;
		p->ops->page_free(p, leaf);
		p->dir_pages--;
	}
	if (!any) {
		p->ops->page_free(p, p->root);
		p->root = 0;
		p->dir_pages--;
		p->span = 0;
	}
}

uint32_t obj_pool_trim(struct obj_pool *p, uint32_t keep_empty)
{
	uint32_t before = obj_pool_frames(p);
	if (!obj_pool_trimmable(p, keep_empty))
		return 0;
	/* From the top, so the pages kept are the lowest (allocation fills
	 * from the bottom). */
	for (uint32_t pi = p->span; pi-- > 0 && p->empty > keep_empty;) {
		struct obj_pool_page *pg = page_at(p, pi);
		if (pg == 0 || pg->in_use != 0)
			continue;
		leaf_of(p, pi)[pi % OBJ_POOL_FANOUT] = 0;
		p->ops->page_free(p, pg);
		p->pages--;
		p->empty--;
		p->released++;
	}
	while (p->span > 0 && page_at(p, p->span - 1) == 0)
		p->span--;
	if (p->hint > p->span)
		p->hint = p->span;
	dir_trim(p);
	return before - obj_pool_frames(p);
}
