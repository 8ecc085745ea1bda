/* Anonymous mapping ranges and VirtualMemory argument checks (see vm_ranges.h). */
#include "vm_ranges.h"

void vm_ranges_init(struct vm_ranges *v, struct vm_range *storage, uint32_t cap)
{
	v->r = storage;
	v->cap = cap;
	v->count = 0;
	v->pages = 0;
	v->ops = 0;
	v->ctx = 0;
	v->first = storage;
	v->first_cap = cap;
	v->limit = cap;
	v->grown = v->refused_quota = v->refused_memory = 0;
}

void vm_ranges_set_growth(struct vm_ranges *v, const struct vm_ranges_ops *ops, void *ctx,
                          uint32_t limit)
{
	v->ops = ops;
	v->ctx = ctx;
	v->limit = limit;
}

bool vm_ranges_reserve(struct vm_ranges *v, uint32_t need)
{
	if (need > v->limit) {
		v->refused_quota++;
		return false;
	}
	if (need <= v->cap)
		return true;
	if (v->ops == 0) {
		v->refused_quota++;
		return false;
	}
	uint32_t cap = v->cap;
	while (cap < need)
		cap = cap > v->limit / 2 ? v->limit : 2 * cap;
	struct vm_range *r = v->ops->alloc(v->ctx, cap);
	if (r == 0) {
		v->refused_memory++;
		return false;
	}
	for (uint32_t i = 0; i < v->count; i++)
		r[i] = v->r[i];
	if (v->r != v->first)
		v->ops->free(v->ctx, v->r, v->cap);
	v->r = r;
	v->cap = cap;
	v->grown++;
	return true;
}

void vm_ranges_release(struct vm_ranges *v)
{
	if (v->r != v->first)
		v->ops->free(v->ctx, v->r, v->cap);
	v->r = v->first;
	v->cap = v->first_cap;
	v->count = 0;
	v->pages = 0;
}

int vm_check_prot(uint32_t prot)
{
	if ((prot & ~(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)) != 0)
		return VM_BAD_PROT;
	if ((prot & VM_PROT_READ) == 0)
		return VM_BAD_PROT;
	if ((prot & VM_PROT_WRITE) && (prot & VM_PROT_EXEC))
		return VM_BAD_PROT;
	return VM_OK;
}

int vm_check_range(uint64_t addr, uint64_t size, uint64_t lo, uint64_t hi)
{
	if (size == 0)
		return VM_ZERO;
	if ((addr | size) & (VM_PAGE - 1))
		return VM_UNALIGNED;
	if (addr + size < addr)
		return VM_OVERFLOW;
	if (addr < lo || addr + size > hi)
		return VM_OUTSIDE;
	return VM_OK;
}

static uint64_t range_end(const struct vm_range *r) { return r->start + r->pages * VM_PAGE; }

static const struct vm_range *range_at(const struct vm_ranges *v, uint64_t addr)
{
	for (uint32_t i = 0; i < v->count; i++)
		if (v->r[i].start <= addr && addr < range_end(&v->r[i]))
			return &v->r[i];
	return 0;
}

uint32_t vm_ranges_prot_at(const struct vm_ranges *v, uint64_t addr)
{
	const struct vm_range *r = range_at(v, addr);
	return r ? r->prot : 0;
}

bool vm_ranges_is_mapping(const struct vm_ranges *v, uint64_t addr, uint64_t size, uint64_t tag)
{
	if (size == 0 || addr + size < addr || tag == 0)
		return false;
	const struct vm_range *first = range_at(v, addr);
	if (first == 0 || first->tag != tag)
		return false;
	uint32_t id = first->mapping;
	/* Every page in it belongs to this mapping... */
	for (uint64_t at = addr; at < addr + size;) {
		const struct vm_range *r = range_at(v, at);
		if (r == 0 || r->tag != tag || r->mapping != id)
			return false;
		at = range_end(r);
	}
	/* ...and the mapping does not continue on either side. */
	const struct vm_range *before = addr >= VM_PAGE ? range_at(v, addr - VM_PAGE) : 0;
	const struct vm_range *after = range_at(v, addr + size);
	if (before && before->tag == tag && before->mapping == id)
		return false;
	if (after && after->tag == tag && after->mapping == id)
		return false;
	return true;
}

bool vm_ranges_overlaps(const struct vm_ranges *v, uint64_t addr, uint64_t size)
{
	if (size == 0)
		return false; /* an empty range has no page to share */
	uint64_t end = addr + size;
	for (uint32_t i = 0; i < v->count; i++)
		if (v->r[i].start < end && addr < range_end(&v->r[i]))
			return true;
	return false;
}

/* any_tag: ignore tags; else every covering range must carry tag. */
static bool covers(const struct vm_ranges *v, uint64_t addr, uint64_t size, bool any_tag,
                   uint64_t tag)
{
	uint64_t at = addr, end = addr + size;
	/* Sorted and disjoint: walk forward, each range must start where the
	 * covered part ends. */
	for (uint32_t i = 0; i < v->count && at < end; i++) {
		const struct vm_range *r = &v->r[i];
		if (range_end(r) <= at)
			continue;
		if (r->start > at || (!any_tag && r->tag != tag))
			return false;
		at = range_end(r);
	}
	return at >= end;
}

bool vm_ranges_covers(const struct vm_ranges *v, uint64_t addr, uint64_t size)
{
	return covers(v, addr, size, true, 0);
}

bool vm_ranges_covers_tag(const struct vm_ranges *v, uint64_t addr, uint64_t size, uint64_t tag)
{
	return covers(v, addr, size, false, tag);
}

int vm_ranges_find_free(const struct vm_ranges *v, uint64_t size, uint64_t lo, uint64_t hi,
                        uint64_t *addr)
{
	if (size == 0)
		return VM_ZERO;
	if (size & (VM_PAGE - 1))
		return VM_UNALIGNED;
	uint64_t at = lo;
	for (uint32_t i = 0; i <= v->count; i++) {
		uint64_t hole_end = i < v->count ? v->r[i].start : hi;
		if (hole_end > hi)
			hole_end = hi;
		if (hole_end > at && hole_end - at >= size) {
			*addr = at;
			return VM_OK;
		}
		if (i < v->count && range_end(&v->r[i]) > at)
			at = range_end(&v->r[i]);
		if (at >= hi)
			break;
	}
	return VM_NO_SPACE;
}

static int insert_at(struct vm_ranges *v, uint32_t i, struct vm_range r)
{
	if (!vm_ranges_reserve(v, v->count + 1))
		return VM_TABLE_FULL;
	for (uint32_t j = v->count; j > i; j--)
		v->r[j] = v->r[j - 1];
	v->r[i] = r;
	v->count++;
	return VM_OK;
}

static void delete_at(struct vm_ranges *v, uint32_t i)
{
	for (uint32_t j = i; j + 1 < v->count; j++)
		v->r[j] = v->r[j + 1];
	v->count--;
}

int vm_ranges_insert(struct vm_ranges *v, uint64_t addr, uint64_t size, uint32_t prot)
{
	return vm_ranges_insert_tagged(v, addr, size, prot, 0, 0);
}

int vm_ranges_insert_tagged(struct vm_ranges *v, uint64_t addr, uint64_t size, uint32_t prot,
                            uint64_t tag, uint32_t mapping)
{
	if (size == 0)
		return VM_ZERO;
	if (vm_ranges_overlaps(v, addr, size))
		return VM_OVERLAP;
	uint32_t i = 0;
	while (i < v->count && v->r[i].start < addr)
		i++;
	/* clang-format off */
	int err = insert_at(v, i, (struct vm_range){.start = addr, .pages = size / VM_PAGE,
	                                            .prot = prot, .tag = tag,
	                                            .mapping = mapping});
	/* clang-format on */
	if (err == VM_OK)
		v->pages += size / VM_PAGE;
	return err;
}

/* Index of the range strictly containing boundary b (start < b < end), or -1. */
static int64_t straddling(const struct vm_ranges *v, uint64_t b)
{
	for (uint32_t i = 0; i < v->count; i++)
		if (v->r[i].start < b && b < range_end(&v->r[i]))
			return i;
	return -1;
}

uint32_t vm_ranges_splits_needed(const struct vm_ranges *v, uint64_t addr, uint64_t size)
{
	return (straddling(v, addr) >= 0) + (straddling(v, addr + size) >= 0);
}

/* Cuts the range containing b in two at b. */
static int split_at(struct vm_ranges *v, uint64_t b)
{
	int64_t i = straddling(v, b);
	if (i < 0)
		return VM_OK;
	struct vm_range tail = v->r[i];
	tail.start = b;
	tail.pages = (range_end(&v->r[i]) - b) / VM_PAGE;
	if (!vm_ranges_reserve(v, v->count + 1))
		return VM_TABLE_FULL;
	v->r[i].pages -= tail.pages;
	return insert_at(v, (uint32_t)i + 1, tail);
}

static int prepare(struct vm_ranges *v, uint64_t addr, uint64_t size)
{
	if (size == 0)
		return VM_ZERO;
	if (!vm_ranges_covers(v, addr, size))
		return VM_NOT_MAPPED;
	if (!vm_ranges_reserve(v, v->count + vm_ranges_splits_needed(v, addr, size)))
		return VM_TABLE_FULL;
	int err = split_at(v, addr);
	if (err == VM_OK)
		err = split_at(v, addr + size);
	return err;
}

int vm_ranges_remove(struct vm_ranges *v, uint64_t addr, uint64_t size)
{
	int err = prepare(v, addr, size);
	if (err)
		return err;
	uint64_t end = addr + size;
	for (uint32_t i = 0; i < v->count;) {
		if (v->r[i].start >= addr && range_end(&v->r[i]) <= end) {
			v->pages -= v->r[i].pages;
			delete_at(v, i);
		} else {
			i++;
		}
	}
	return VM_OK;
}

int vm_ranges_protect(struct vm_ranges *v, uint64_t addr, uint64_t size, uint32_t prot)
{
	int err = prepare(v, addr, size);
	if (err)
		return err;
	uint64_t end = addr + size;
	for (uint32_t i = 0; i < v->count; i++)
		if (v->r[i].start >= addr && range_end(&v->r[i]) <= end)
			v->r[i].prot = prot;
	return VM_OK;
}

const char *vm_strerror(int err)
{
	switch (err) {
	case VM_OK: return "ok";
	case VM_UNALIGNED: return "address or size not page-aligned";
	case VM_ZERO: return "size is zero";
	case VM_OVERFLOW: return "address + size overflows";
	case VM_OUTSIDE: return "range outside the allowed user window";
	case VM_OVERLAP: return "range overlaps an existing mapping";
	case VM_NOT_MAPPED: return "range not entirely mapped by VirtualMemory.map";
	case VM_BAD_PROT: return "bad protection (unknown bits, no read, or write+exec)";
	case VM_NO_SPACE: return "no free range of that size";
	case VM_TABLE_FULL: return "too many mapping ranges";
	case VM_WX_SHARED: return "object is mapped writable and executable elsewhere (W^X)";
	case VM_NOT_ANON: return "range maps a MemoryObject (its mappings keep their protection)";
	default: return "unknown VM error";
	}
}

int vm_wx_check(const struct vm_wx *w, uint32_t prot)
{
	if ((prot & VM_PROT_EXEC) && w->writable != 0)
		return VM_WX_SHARED;
	if ((prot & VM_PROT_WRITE) && w->exec != 0)
		return VM_WX_SHARED;
	return VM_OK;
}

void vm_wx_add(struct vm_wx *w, uint32_t prot)
{
	if (prot & VM_PROT_WRITE)
		w->writable++;
	if (prot & VM_PROT_EXEC)
		w->exec++;
}

void vm_wx_remove(struct vm_wx *w, uint32_t prot)
{
	if ((prot & VM_PROT_WRITE) && w->writable != 0)
		w->writable--;
	if ((prot & VM_PROT_EXEC) && w->exec != 0)
		w->exec--;
}
