/*
 * The kernel's object pools over PMM frames (see kpool.h).  Frames are
 * used through the direct map, so a pool's pages need no mapping of
 * their own.
 */
#include "mem/kpool.h"

#include "log.h"
#include "mem/pmm.h"
#include "mem/vmm.h"

_Static_assert(OBJ_POOL_PAGE == PAGE_SIZE, "a pool page is a frame");

static struct obj_pool *pools; /* every pool that has asked for a frame */

static void enlist(struct obj_pool *p)
{
	for (struct obj_pool *q = pools; q; q = q->next)
		if (q == p)
			return;
	p->next = pools;
	pools = p;
	kprintf("pool: '%s' started: %u objects of %u bytes a frame\n", p->name, p->per_page,
	        p->size);
}

/* Every frame a pool takes is logged: growth is rare (a frame holds
 * tens of objects) and a leak shows in the log. */
static void *frame_alloc(struct obj_pool *p)
{
	enlist(p);                 /* a refusal is counted too */
	uint64_t pa = pmm_alloc(); /* zeroed */
	if (pa == 0) {
		kprintf("pool: '%s' cannot grow past %u frames: out of memory (%u objects live)\n",
		        p->name, obj_pool_frames(p), p->live);
		return 0;
	}
	kprintf("pool: '%s' grows to %u frames (%u objects live)\n", p->name,
	        obj_pool_frames(p) + 1, p->live);
	return phys_to_virt(pa);
}

static void frame_free(struct obj_pool *p, void *page)
{
	(void)p;
	pmm_free(virt_to_phys(page));
}

const struct obj_pool_ops kpool_ops = {
	.page_alloc = frame_alloc,
	.page_free = frame_free,
};

void kpool_free(struct obj_pool *p, void *obj)
{
	if (!obj_pool_free(p, obj))
		panic("pool '%s': free of %p, not a live object of it", p->name, obj);
}

void kpool_trim_all(uint32_t keep_empty)
{
	for (struct obj_pool *p = pools; p; p = p->next) {
		if (!obj_pool_trimmable(p, keep_empty))
			continue;
		uint32_t n = obj_pool_trim(p, keep_empty);
		if (n)
			kprintf("pool: '%s' gave back %u frames (%u left, %u objects live)\n", p->name,
			        n, obj_pool_frames(p), p->live);
	}
}

uint64_t kpool_frames(void)
{
	uint64_t n = 0;
	for (struct obj_pool *p = pools; p; p = p->next)
		n += obj_pool_frames(p);
	return n;
}

void kpool_log_counts(const char *when)
{
	for (struct obj_pool *p = pools; p; p = p->next)
		kprintf("pool: %s: '%s' %u objects live (peak %u), %u frames, %lu frames grown, %lu "
		        "given back, %lu refused\n",
		        when, p->name, p->live, p->peak, obj_pool_frames(p), p->grown, p->released,
		        p->refused);
}

void kpool_totals(struct kpool_totals *t)
{
	*t = (struct kpool_totals){0};
	for (struct obj_pool *p = pools; p; p = p->next) {
		t->frames += obj_pool_frames(p);
		t->objects += p->live;
		t->refused += p->refused;
	}
}
