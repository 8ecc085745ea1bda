/*
 * A growable pool of same-size objects in whole pages: the kernel's
 * system-wide objects (endpoints, notifications, process handles, timer
 * sleeps) live in these instead of fixed arrays, so how many can exist is
 * set by memory, not by a constant.
 *
 * Each page (OBJ_POOL_PAGE bytes, aligned to its size) starts with a
 * header (which pool, its index, a bitmap of the slots in use) followed
 * by the objects.  Pages are found through a two-level directory of
 * pages (a root of OBJ_POOL_FANOUT leaves, each naming OBJ_POOL_FANOUT
 * pages), so an object has a stable address for its whole life and a
 * stable index (page * per_page + slot) that obj_pool_at turns back into
 * the object in constant time.  Nothing ever moves.
 *
 * A freed object is zeroed at once, but a page left empty is only given
 * back by obj_pool_trim, which the owner calls where no code can still
 * hold a pointer to a freed object (the kernel: the scheduler loop).  So
 * code that reads a just-freed object sees zeroes, as it did with the
 * static arrays.  Trim may keep a spare empty page, so an object that
 * comes and goes (a sleep) does not take and give back a page each time.
 *
 * Where pages come from is the caller's (struct obj_pool_ops): the
 * kernel's frame allocator, or the host tests' malloc.  Pure logic,
 * freestanding.
 */
#ifndef CAPOS_LIB_OBJ_POOL_H
#define CAPOS_LIB_OBJ_POOL_H

#include <stdbool.h>
#include <stdint.h>

#define OBJ_POOL_PAGE      4096u
#define OBJ_POOL_FANOUT    (OBJ_POOL_PAGE / 8u) /* pointers in a directory page */
#define OBJ_POOL_HEADER    64u                  /* bytes before the first object */
#define OBJ_POOL_SLOTS     256u                 /* at most per page (the bitmap) */
/* The index space: pages one pool can name (a sanity ceiling far above
 * what memory allows; obj_pool_set_limit lowers it). */
#define OBJ_POOL_MAX_PAGES (OBJ_POOL_FANOUT * OBJ_POOL_FANOUT)

struct obj_pool;

struct obj_pool_ops {
	/* A zeroed page of OBJ_POOL_PAGE bytes aligned to OBJ_POOL_PAGE, or
	 * NULL when there is no memory. */
	void *(*page_alloc)(struct obj_pool *p);
	void (*page_free)(struct obj_pool *p, void *page);
};

/* The header at the start of every object page. */
struct obj_pool_page {
	const struct obj_pool *pool;
	uint32_t index;  /* in the directory */
	uint32_t in_use; /* slots taken */
	uint64_t used[OBJ_POOL_SLOTS / 64u];
};

struct obj_pool {
	const char *name;
	const struct obj_pool_ops *ops;
	void *ctx;         /* the ops' own */
	uint32_t size;     /* bytes per object, a multiple of 8 */
	uint32_t per_page; /* objects per page */
	uint32_t limit;    /* object pages at most */
	void **root;       /* root[l]: leaf page l, naming pages l*FANOUT.. */
	uint32_t span;     /* every page index in use is below it */
	uint32_t hint;     /* no page below it has a free slot */
	/* What it holds, for logs and monitors. */
	uint32_t live;      /* objects in use */
	uint32_t peak;      /* most objects in use at once */
	uint32_t pages;     /* object pages held */
	uint32_t dir_pages; /* directory pages held (root + leaves) */
	uint32_t empty;     /* object pages with no object, awaiting trim */
	uint64_t allocs, frees;
	uint64_t grown;        /* pages added */
	uint64_t released;     /* pages given back */
	uint64_t refused;      /* allocations refused: no memory or at the limit */
	struct obj_pool *next; /* the owner's list of pools (the kernel's registry) */
};

/* Objects of `size` bytes per page. */
#define OBJ_POOL_ROUND(size) (((size) + 7u) & ~7u)
#define OBJ_POOL_PER_PAGE(size)                                                    \
	((OBJ_POOL_PAGE - OBJ_POOL_HEADER) / OBJ_POOL_ROUND(size) > OBJ_POOL_SLOTS \
	         ? OBJ_POOL_SLOTS                                                  \
	         : (OBJ_POOL_PAGE - OBJ_POOL_HEADER) / OBJ_POOL_ROUND(size))

/* A static initializer, the same as obj_pool_init: an empty pool that
 * takes no memory until its first object. */
#define OBJ_POOL_INIT(pool_name, obj_size, pool_ops)                                      \
	{                                                                                 \
		.name = (pool_name), .ops = (pool_ops), .size = OBJ_POOL_ROUND(obj_size), \
		.per_page = OBJ_POOL_PER_PAGE(obj_size), .limit = OBJ_POOL_MAX_PAGES,     \
	}

/* size: 1 .. OBJ_POOL_PAGE - OBJ_POOL_HEADER bytes. */
void obj_pool_init(struct obj_pool *p, const char *name, uint32_t size,
                   const struct obj_pool_ops *ops, void *ctx);
/* At most `pages` object pages (clamped to the index space). */
void obj_pool_set_limit(struct obj_pool *p, uint32_t pages);

/* A zeroed object, or NULL (counted in refused) when no page has room
 * and none can be added: out of memory or at the limit. */
void *obj_pool_alloc(struct obj_pool *p);
/* Frees a live object of p and zeroes it; false (nothing changed) when
 * obj is not one: a caller's bug. */
bool obj_pool_free(struct obj_pool *p, void *obj);
/* Gives back empty pages but keep_empty of them (a spare spares the
 * next allocation a page), and directory pages naming none; returns the
 * pages given back. */
uint32_t obj_pool_trim(struct obj_pool *p, uint32_t keep_empty);

/* The live object at index i, or NULL. */
void *obj_pool_at(const struct obj_pool *p, uint32_t i);
/* The first live object at an index >= *i (its index into *i), or NULL
 * when there is none.  Walks skip absent pages; freeing objects meanwhile
 * is safe:  for (uint32_t i = 0; (o = obj_pool_next(p, &i)); i++) ... */
void *obj_pool_next(const struct obj_pool *p, uint32_t *i);
/* The index of a live object of p; UINT32_MAX when obj is not one. */
uint32_t obj_pool_index(const struct obj_pool *p, const void *obj);

/* Whether obj_pool_trim(p, keep_empty) would give anything back: inline,
 * so a caller that asks often (the kernel's scheduler loop) pays a few
 * instructions when there is nothing to do. */
static inline bool obj_pool_trimmable(const struct obj_pool *p, uint32_t keep_empty)
{
	return p->empty > keep_empty || (p->pages == 0 && p->root != 0);
}

/* Pages held, objects and directory together (what the pool costs). */
static inline uint32_t obj_pool_frames(const struct obj_pool *p)
{
	return p->pages + p->dir_pages;
}

#endif
