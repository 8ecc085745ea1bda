/* First-fit coalescing heap (see heap_alloc.h). */
#include "heap_alloc.h"

#define MAGIC_USED 0xa110c8edc0ffee01ull
#define MAGIC_FREE 0xf7eeb10cdeadbe02ull

struct heap_block {
	size_t size; /* whole block, header included, multiple of HEAP_ALIGN */
	uint64_t magic;
	struct heap_block *next_free; /* free blocks only (first payload bytes) */
};

static uintptr_t end_of(const struct heap_alloc *h) { return h->start + h->size; }

static uintptr_t align_up(uintptr_t v, size_t a) { return (v + a - 1) & ~(uintptr_t)(a - 1); }

void heap_alloc_init(struct heap_alloc *h, void *start, size_t max_size,
                     heap_grow_fn grow, void *grow_ctx)
{
	h->start = (uintptr_t)start;
	h->size = 0;
	h->max_size = max_size;
	h->grow = grow;
	h->grow_ctx = grow_ctx;
	h->used_bytes = 0;
	h->alloc_count = 0;
	h->free_list = NULL;
}

static struct heap_block *make_free(uintptr_t at, size_t size)
{
	struct heap_block *b = (struct heap_block *)at;
	b->size = size;
	b->magic = MAGIC_FREE;
	b->next_free = NULL;
	return b;
}

/* Inserts b in address order and merges it with adjacent free blocks. */
static void insert_free(struct heap_alloc *h, struct heap_block *b)
{
	struct heap_block *prev = NULL, *cur = h->free_list;
	while (cur && cur < b) {
		prev = cur;
		cur = cur->next_free;
	}
	b->next_free = cur;
	if (prev)
		prev->next_free = b;
	else
		h->free_list = b;
	if (cur && (uintptr_t)b + b->size == (uintptr_t)cur) {
		b->size += cur->size;
		b->next_free = cur->next_free;
		/* cur's header stays MAGIC_FREE: a double free of it is still recognised */
	}
	if (prev && (uintptr_t)prev + prev->size == (uintptr_t)b) {
		prev->size += b->size;
		prev->next_free = b->next_free;
	}
}

static void unlink_free(struct heap_alloc *h, struct heap_block *prev, struct heap_block *b)
{
	if (prev)
		prev->next_free = b->next_free;
	else
		h->free_list = b->next_free;
}

static bool grow_region(struct heap_alloc *h, size_t need)
{
	if (!h->grow)
		return false;
	size_t want = need < HEAP_GROW_CHUNK ? HEAP_GROW_CHUNK : need;
	if (want > h->max_size - h->size)
		want = h->max_size - h->size;
	if (want < need)
		return false;
	size_t got = h->grow(h->grow_ctx, want);
	if (got < HEAP_MIN_BLOCK || got % HEAP_ALIGN != 0 || got > h->max_size - h->size)
		return false;
	uintptr_t at = end_of(h);
	h->size += got;
	insert_free(h, make_free(at, got));
	return true;
}

/*
 * Tries to carve `need` bytes with a payload aligned to `align` out of free
 * block b.  Returns the new used block or NULL if it does not fit.
 */
static struct heap_block *carve(struct heap_alloc *h, struct heap_block *prev,
                                struct heap_block *b, size_t need, size_t align)
{
	uintptr_t a = (uintptr_t)b, end = a + b->size;
	uintptr_t payload = align_up(a + HEAP_HEADER, align);
	/* A front gap must be big enough to stay a free block of its own. */
	while (payload - HEAP_HEADER != a && payload - HEAP_HEADER - a < HEAP_MIN_BLOCK)
		payload += align;
	uintptr_t s = payload - HEAP_HEADER;
	if (s > end || end - s < need)
		return NULL;
	unlink_free(h, prev, b);
	if (s != a)
		insert_free(h, make_free(a, s - a));
	size_t size = need;
	if (end - (s + need) >= HEAP_MIN_BLOCK)
		insert_free(h, make_free(s + need, end - (s + need)));
	else
		size = end - s; /* the tail is too small to stand alone */
	struct heap_block *u = (struct heap_block *)s;
	u->size = size;
	u->magic = MAGIC_USED;
	return u;
}

void *heap_alloc_alloc(struct heap_alloc *h, size_t size, size_t align)
{
	if (align < HEAP_ALIGN)
		align = HEAP_ALIGN;
	if (align & (align - 1))
		return NULL;
	if (size > h->max_size || align > h->max_size)
		return NULL;
	size_t need = (size_t)align_up(size, HEAP_ALIGN) + HEAP_HEADER;
	if (need < HEAP_MIN_BLOCK)
		need = HEAP_MIN_BLOCK;
	for (int attempt = 0; attempt < 2; attempt++) {
		struct heap_block *prev = NULL;
		for (struct heap_block *b = h->free_list; b; prev = b, b = b->next_free) {
			struct heap_block *u = carve(h, prev, b, need, align);
			if (u) {
				h->used_bytes += u->size;
				h->alloc_count++;
				return (void *)((uintptr_t)u + HEAP_HEADER);
			}
		}
		/* Worst case the new space needs a front gap plus the block. */
		if (!grow_region(h, need + align + HEAP_MIN_BLOCK))
			return NULL;
	}
	return NULL;
}

static struct heap_block *header_of(const struct heap_alloc *h, const void *p)
{
	uintptr_t v = (uintptr_t)p;
	if (v % HEAP_ALIGN != 0 || v < h->start + HEAP_HEADER || v >= end_of(h))
		return NULL;
	return (struct heap_block *)(v - HEAP_HEADER);
}

enum heap_free_result heap_alloc_free(struct heap_alloc *h, void *p)
{
	if (!p)
		return HEAP_FREE_OK;
	struct heap_block *b = header_of(h, p);
	if (!b)
		return HEAP_FREE_BAD_PTR;
	if (b->magic == MAGIC_FREE)
		return HEAP_FREE_DOUBLE;
	if (b->magic != MAGIC_USED || b->size < HEAP_MIN_BLOCK ||
	    b->size > end_of(h) - (uintptr_t)b)
		return HEAP_FREE_BAD_PTR;
	h->used_bytes -= b->size;
	h->alloc_count--;
	b->magic = MAGIC_FREE;
	insert_free(h, b);
	return HEAP_FREE_OK;
}

size_t heap_alloc_usable_size(const struct heap_alloc *h, const void *p)
{
	struct heap_block *b = header_of(h, p);
	if (!b || b->magic != MAGIC_USED)
		return 0;
	return b->size - HEAP_HEADER;
}

size_t heap_alloc_free_bytes(const struct heap_alloc *h)
{
	size_t n = 0;
	for (struct heap_block *b = h->free_list; b; b = b->next_free)
		n += b->size;
	return n;
}

bool heap_alloc_check(const struct heap_alloc *h)
{
	size_t used = 0, count = 0, free_bytes = 0;
	struct heap_block *expect_free = h->free_list;
	bool prev_free = false;
	for (uintptr_t a = h->start; a < end_of(h);) {
		struct heap_block *b = (struct heap_block *)a;
		if (b->size < HEAP_MIN_BLOCK || b->size % HEAP_ALIGN || b->size > end_of(h) - a)
			return false;
		if (b->magic == MAGIC_USED) {
			used += b->size;
			count++;
			prev_free = false;
		} else if (b->magic == MAGIC_FREE) {
			/* Free blocks appear on the list in address order, never adjacent. */
			if (b != expect_free || prev_free)
				return false;
			expect_free = b->next_free;
			free_bytes += b->size;
			prev_free = true;
		} else {
			return false;
		}
		a += b->size;
	}
	return expect_free == NULL && used == h->used_bytes && count == h->alloc_count &&
	       used + free_bytes == h->size;
}
