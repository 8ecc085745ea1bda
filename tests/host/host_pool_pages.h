/*
 * Pages for lib/obj_pool.c in host tests: aligned malloc, the pages out
 * (a test checks they return to 0, or drops them all between cases with
 * host_pages_free_all), and a budget that makes page_alloc fail like a
 * machine out of frames.
 */
#ifndef CAPOS_TESTS_HOST_POOL_PAGES_H
#define CAPOS_TESTS_HOST_POOL_PAGES_H

#include <stdlib.h>
#include <string.h>

#include "obj_pool.h"

static long host_pages_out;         /* pages given and not yet freed */
static long host_pages_budget = -1; /* pages page_alloc may still give; -1: no limit */
static void **host_pages;           /* the pages out, for host_pages_free_all */
static long host_pages_cap;

static void host_pages_forget(void *page)
{
	for (long i = 0; i < host_pages_out; i++) {
		if (host_pages[i] == page) {
			host_pages[i] = host_pages[--host_pages_out];
			return;
		}
	}
	abort(); /* not one of ours: the pool's bug */
}

static void *host_page_alloc(struct obj_pool *p)
{
	(void)p;
	if (host_pages_budget == 0)
		return 0;
	if (host_pages_out == host_pages_cap) {
		long cap = host_pages_cap ? 2 * host_pages_cap : 64;
		void **grown = realloc(host_pages, (size_t)cap * sizeof(void *));
		if (grown == 0)
			return 0;
		host_pages = grown;
		host_pages_cap = cap;
	}
	void *pg = aligned_alloc(OBJ_POOL_PAGE, OBJ_POOL_PAGE);
	if (pg == 0)
		return 0;
	memset(pg, 0, OBJ_POOL_PAGE);
	if (host_pages_budget > 0)
		host_pages_budget--;
	host_pages[host_pages_out++] = pg;
	return pg;
}

static void host_page_free(struct obj_pool *p, void *page)
{
	(void)p;
	host_pages_forget(page);
	free(page);
}

/* Frees every page out, whatever the pools still hold in them: only
 * before the pools are initialised again. */
__attribute__((unused)) static void host_pages_free_all(void)
{
	while (host_pages_out > 0)
		free(host_pages[--host_pages_out]);
	free(host_pages);
	host_pages = 0;
	host_pages_cap = 0;
}

static const struct obj_pool_ops host_pool_ops = {
	.page_alloc = host_page_alloc,
	.page_free = host_page_free,
};

#endif
