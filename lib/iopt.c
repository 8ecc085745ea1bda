/* IOVA page tables (see iopt.h). */
#include "iopt.h"

#define ADDR_MASK 0x000ffffffffff000ull
#define ENTRIES   512u

static unsigned index_at(uint64_t iova, unsigned level) /* level 1 = leaf table */
{
	return (unsigned)(iova >> (12 + 9 * (level - 1))) & (ENTRIES - 1);
}

int iopt_init(struct iopt *pt, const struct iopt_ops *ops, unsigned levels)
{
	pt->ops = ops;
	pt->levels = levels;
	pt->tables = pt->mapped = 0;
	pt->root = 0;
	if (levels != 3 && levels != 4)
		return IOPT_ERR_LEVELS;
	pt->root = ops->alloc(ops->ctx);
	if (!pt->root)
		return IOPT_ERR_NOMEM;
	pt->tables = 1;
	return IOPT_OK;
}

static int check_iova(const struct iopt *pt, uint64_t iova)
{
	if (iova & (IOPT_PAGE - 1))
		return IOPT_ERR_ALIGN;
	if (iova >> (12 + 9 * pt->levels))
		return IOPT_ERR_RANGE;
	return IOPT_OK;
}

/* The leaf entry for iova, creating tables on the way when create. */
static uint64_t *leaf(struct iopt *pt, uint64_t iova, bool create, int *err)
{
	uint64_t table = pt->root;
	for (unsigned level = pt->levels; level > 1; level--) {
		uint64_t *e = &pt->ops->table(pt->ops->ctx, table)[index_at(iova, level)];
		if (!(*e & (IOPT_READ | IOPT_WRITE))) {
			if (!create) {
				*err = IOPT_ERR_UNMAPPED;
				return 0;
			}
			uint64_t next = pt->ops->alloc(pt->ops->ctx);
			if (!next) {
				*err = IOPT_ERR_NOMEM;
				return 0;
			}
			pt->tables++;
			*e = next | IOPT_READ | IOPT_WRITE;
		}
		table = *e & ADDR_MASK;
	}
	return &pt->ops->table(pt->ops->ctx, table)[index_at(iova, 1)];
}

int iopt_map(struct iopt *pt, uint64_t iova, uint64_t pa, unsigned perm)
{
	int err = check_iova(pt, iova);
	if (err)
		return err;
	if (pa & ~ADDR_MASK)
		return IOPT_ERR_ALIGN;
	if (!(perm & (IOPT_READ | IOPT_WRITE)) || (perm & ~(IOPT_READ | IOPT_WRITE)))
		return IOPT_ERR_PERM;
	uint64_t *e = leaf(pt, iova, true, &err);
	if (!e)
		return err;
	if (*e & (IOPT_READ | IOPT_WRITE))
		return IOPT_ERR_MAPPED;
	*e = pa | perm;
	pt->mapped++;
	return IOPT_OK;
}

int iopt_unmap(struct iopt *pt, uint64_t iova, uint64_t *pa_out)
{
	int err = check_iova(pt, iova);
	if (err)
		return err;
	uint64_t *e = leaf(pt, iova, false, &err);
	if (!e)
		return err;
	if (!(*e & (IOPT_READ | IOPT_WRITE)))
		return IOPT_ERR_UNMAPPED;
	if (pa_out)
		*pa_out = *e & ADDR_MASK;
	*e = 0;
	pt->mapped--;
	return IOPT_OK;
}

bool iopt_lookup(const struct iopt *pt, uint64_t iova, uint64_t *pa_out, unsigned *perm_out)
{
	int err;
	if (check_iova(pt, iova))
		return false;
	const uint64_t *e = leaf((struct iopt *)pt, iova, false, &err);
	if (!e || !(*e & (IOPT_READ | IOPT_WRITE)))
		return false;
	if (pa_out)
		*pa_out = *e & ADDR_MASK;
	if (perm_out)
		*perm_out = (unsigned)(*e & (IOPT_READ | IOPT_WRITE));
	return true;
}

/* Frees table and every table below it; returns the leaves still set. */
static unsigned free_table(struct iopt *pt, uint64_t table, unsigned level)
{
	unsigned leaves = 0;
	uint64_t *t = pt->ops->table(pt->ops->ctx, table);
	for (unsigned i = 0; i < ENTRIES; i++) {
		if (!(t[i] & (IOPT_READ | IOPT_WRITE)))
			continue;
		if (level > 1)
			leaves += free_table(pt, t[i] & ADDR_MASK, level - 1);
		else
			leaves++;
		t[i] = 0;
	}
	pt->ops->free(pt->ops->ctx, table);
	pt->tables--;
	return leaves;
}

unsigned iopt_destroy(struct iopt *pt)
{
	if (!pt->root)
		return 0;
	unsigned leaves = free_table(pt, pt->root, pt->levels);
	pt->root = 0;
	pt->mapped = 0;
	return leaves;
}

const char *iopt_strerror(int err)
{
	switch (err) {
	case IOPT_OK: return "ok";
	case IOPT_ERR_ALIGN: return "address not page-aligned";
	case IOPT_ERR_RANGE: return "IOVA beyond the domain's address width";
	case IOPT_ERR_MAPPED: return "IOVA already mapped";
	case IOPT_ERR_UNMAPPED: return "nothing mapped at that IOVA";
	case IOPT_ERR_NOMEM: return "no frame for a page table";
	case IOPT_ERR_PERM: return "bad permissions";
	case IOPT_ERR_LEVELS: return "unsupported page-table depth";
	}
	return "unknown error";
}
