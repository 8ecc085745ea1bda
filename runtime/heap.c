/*
 * First-fit free-list allocator with address-ordered coalescing
 * (see capos/heap.h).
 *
 * Every block starts with a 16-byte header: its total size (header
 * included, a multiple of 16) and a magic word saying whether it is in use
 * or free.  Free blocks keep the next pointer of the free list in their
 * payload.  The list is sorted by address so a freed block merges with its
 * neighbours in one pass.  The magic words catch double frees and frees of
 * pointers the heap never returned: they are counted, never acted on.
 */
#include <capos/heap.h>
#include <capos/string.h>
#include <stdbool.h>

#define MAGIC_USED 0x55534544a110c8edull
#define MAGIC_FREE 0x46524545f4eeb10cull
#define HDR_SIZE   16u
#define MIN_BLOCK  32u

struct capos_heap_block {
	size_t size; /* whole block, header included */
	uint64_t magic;
	struct capos_heap_block *next; /* free blocks only (payload) */
};

_Static_assert(offsetof(struct capos_heap_block, next) == HDR_SIZE, "header is 16 B");

static size_t round_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

static struct capos_heap_block *hdr_of(const void *p)
{
	return (struct capos_heap_block *)((uintptr_t)p - HDR_SIZE);
}

static void *payload_of(struct capos_heap_block *b) { return (char *)b + HDR_SIZE; }

void capos_heap_init(struct capos_heap *h)
{
	memset(h, 0, sizeof(*h));
}

void capos_heap_set_grow(struct capos_heap *h, capos_heap_grow_fn fn, void *ctx)
{
	h->grow = fn;
	h->grow_ctx = ctx;
}

/* Inserts b in address order and merges it with adjacent free blocks. */
static void free_list_insert(struct capos_heap *h, struct capos_heap_block *b)
{
	struct capos_heap_block *prev = NULL, *cur = h->free_list;
	while (cur != NULL && cur < b) {
		prev = cur;
		cur = cur->next;
	}
	b->magic = MAGIC_FREE;
	b->next = cur;
	h->stats.free_blocks++;
	if (cur != NULL && (char *)b + b->size == (char *)cur) {
		b->size += cur->size;
		b->next = cur->next;
		cur->magic = 0;
		h->stats.free_blocks--;
	}
	if (prev != NULL && (char *)prev + prev->size == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
		b->magic = 0;
		h->stats.free_blocks--;
	} else if (prev != NULL) {
		prev->next = b;
	} else {
		h->free_list = b;
	}
}

int capos_heap_add_region(struct capos_heap *h, void *mem, size_t size)
{
	uintptr_t start = round_up((uintptr_t)mem, CAPOS_HEAP_ALIGN);
	if (mem == NULL || size < MIN_BLOCK || start - (uintptr_t)mem > size - MIN_BLOCK)
		return -1;
	size_t usable = (size - (start - (uintptr_t)mem)) & ~(size_t)(CAPOS_HEAP_ALIGN - 1);
	struct capos_heap_block *b = (struct capos_heap_block *)start;
	b->size = usable;
	h->stats.regions++;
	h->stats.total_bytes += usable;
	free_list_insert(h, b);
	return 0;
}

/* First fit: unlinks and returns a block of at least need bytes. */
static struct capos_heap_block *take_fit(struct capos_heap *h, size_t need)
{
	struct capos_heap_block **link = &h->free_list;
	for (struct capos_heap_block *b = *link; b != NULL; link = &b->next, b = b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= MIN_BLOCK) {
			/* Split: the tail stays on the list in b's place. */
			struct capos_heap_block *rest = (struct capos_heap_block *)((char *)b + need);
			rest->size = b->size - need;
			rest->magic = MAGIC_FREE;
			rest->next = b->next;
			*link = rest;
			b->size = need;
		} else {
			*link = b->next;
			h->stats.free_blocks--;
		}
		return b;
	}
	return NULL;
}

void *capos_heap_alloc(struct capos_heap *h, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2) {
		h->stats.failures++;
		return NULL;
	}
	size_t need = round_up(size, CAPOS_HEAP_ALIGN) + HDR_SIZE;
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	struct capos_heap_block *b = take_fit(h, need);
	if (b == NULL && h->grow != NULL) {
		size_t got = 0;
		void *mem = h->grow(need + CAPOS_HEAP_ALIGN, &got, h->grow_ctx);
		if (mem != NULL && capos_heap_add_region(h, mem, got) == 0)
			b = take_fit(h, need);
	}
	if (b == NULL) {
		h->stats.failures++;
		return NULL;
	}
	b->magic = MAGIC_USED;
	h->stats.live_blocks++;
	h->stats.used_bytes += b->size - HDR_SIZE;
	return payload_of(b);
}

void *capos_heap_calloc(struct capos_heap *h, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		h->stats.failures++;
		return NULL;
	}
	void *p = capos_heap_alloc(h, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

static bool is_live(const void *p)
{
	if (p == NULL || ((uintptr_t)p & (CAPOS_HEAP_ALIGN - 1)) != 0)
		return false;
	return hdr_of(p)->magic == MAGIC_USED;
}

size_t capos_heap_usable(const void *p)
{
	return is_live(p) ? hdr_of(p)->size - HDR_SIZE : 0;
}

void capos_heap_free(struct capos_heap *h, void *p)
{
	if (p == NULL)
		return;
	if (!is_live(p)) {
		h->stats.bad_frees++;
		return;
	}
	struct capos_heap_block *b = hdr_of(p);
	h->stats.live_blocks--;
	h->stats.used_bytes -= b->size - HDR_SIZE;
	free_list_insert(h, b);
}

void *capos_heap_realloc(struct capos_heap *h, void *p, size_t size)
{
	if (p == NULL)
		return capos_heap_alloc(h, size);
	if (!is_live(p)) {
		h->stats.bad_frees++;
		return NULL;
	}
	if (size == 0) {
		capos_heap_free(h, p);
		return NULL;
	}
	size_t have = capos_heap_usable(p);
	if (have >= size)
		return p;
	void *n = capos_heap_alloc(h, size);
	if (n == NULL)
		return NULL; /* p stays valid, as in C */
	memcpy(n, p, have);
	capos_heap_free(h, p);
	return n;
}

int capos_heap_check(const struct capos_heap *h)
{
	size_t count = 0;
	const struct capos_heap_block *prev = NULL;
	for (const struct capos_heap_block *b = h->free_list; b != NULL; b = b->next) {
		if (b->magic != MAGIC_FREE || b->size < MIN_BLOCK || (b->size & (CAPOS_HEAP_ALIGN - 1)))
			return -1;
		if (prev != NULL && (prev >= b || (const char *)prev + prev->size > (const char *)b))
			return -2; /* unsorted or overlapping */
		if (prev != NULL && (const char *)prev + prev->size == (const char *)b)
			return -3; /* adjacent free blocks left unmerged */
		prev = b;
		if (++count > h->stats.free_blocks)
			return -4;
	}
	return count == h->stats.free_blocks ? 0 : -4;
}

#if !defined(CAPOS_HOST)
#include <capos/thread.h>
#include <capos/virtual_memory.h>

struct capos_heap capos_rt_heap;

/* The global heap grows through VirtualMemory (capos_vm_heap_grow: NULL
 * when the process holds no "virtual_memory" cap).  Installed on first use
 * so it survives the runtime's capos_heap_init at start. */
static struct capos_heap *rt_heap(void)
{
	if (capos_rt_heap.grow == NULL)
		capos_heap_set_grow(&capos_rt_heap, capos_vm_heap_grow, NULL);
	return &capos_rt_heap;
}

/* One lock for the process heap: threads (capos/thread.h) share it.
 * Uncontended it is one atomic exchange each way; a waiter parks on
 * ParkSpace (a process with threads holds one). */
static capos_mutex heap_lock = CAPOS_MUTEX_INIT;

void *malloc(size_t size)
{
	capos_mutex_lock(&heap_lock);
	void *p = capos_heap_alloc(rt_heap(), size);
	capos_mutex_unlock(&heap_lock);
	return p;
}

void free(void *p)
{
	capos_mutex_lock(&heap_lock);
	capos_heap_free(&capos_rt_heap, p);
	capos_mutex_unlock(&heap_lock);
}

void *calloc(size_t n, size_t size)
{
	capos_mutex_lock(&heap_lock);
	void *p = capos_heap_calloc(rt_heap(), n, size);
	capos_mutex_unlock(&heap_lock);
	return p;
}

void *realloc(void *p, size_t size)
{
	capos_mutex_lock(&heap_lock);
	void *n = capos_heap_realloc(rt_heap(), p, size);
	capos_mutex_unlock(&heap_lock);
	return n;
}
#endif
