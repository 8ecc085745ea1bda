/*
 * lib/vm_ranges.c (the VM range allocator of VirtualMemory and
 * MemoryObject mappings) against a model of one entry per page {mapped,
 * prot, tag, mapping}: random anonymous and tagged inserts, removes and
 * protects of partial, whole, spanning and unmapped ranges on a small
 * table, with every query checked after each step.
 *
 * Properties: each call returns what the model predicts (VM_OVERLAP,
 * VM_NOT_MAPPED, VM_TABLE_FULL, VM_ZERO, VM_OK); a refused call changes
 * nothing; a remove or protect the caller checked with splits_needed
 * (count + splits <= cap, what user_memory.c does before touching page
 * tables) never fails and grows the table by at most that; the table stays
 * sorted, disjoint and non-empty per entry with pages == the sum;
 * overlaps, covers, covers_tag, prot_at, is_mapping and find_free agree
 * with the page model.
 */
#include <string.h>

#include "prop.h"
#include "vm_ranges.h"

#define P       ((uint64_t)VM_PAGE)
#define BASE    0x200000000000ull
#define NPAGES  72u /* the model covers [BASE, BASE + NPAGES pages) */
#define MAX_OPS 70u

struct page {
	bool mapped;
	uint32_t prot, mapping;
	uint64_t tag;
};

struct world {
	struct vm_range store[8];
	struct vm_ranges v;
	uint32_t cap;
	struct page pg[NPAGES];
	uint32_t next_mapping;
};

static const uint32_t prots[3] = {VM_PROT_READ, VM_PROT_READ | VM_PROT_WRITE,
                                  VM_PROT_READ | VM_PROT_EXEC};

static bool m_overlaps(const struct world *w, uint64_t pg, uint64_t n)
{
	for (uint64_t i = pg; i < pg + n; i++)
		if (w->pg[i].mapped)
			return true;
	return false;
}

static bool m_covers(const struct world *w, uint64_t pg, uint64_t n, bool any, uint64_t tag)
{
	for (uint64_t i = pg; i < pg + n; i++)
		if (!w->pg[i].mapped || (!any && w->pg[i].tag != tag))
			return false;
	return true;
}

static bool same_mapping(const struct page *a, uint64_t tag, uint32_t id)
{
	return a->mapped && a->tag == tag && a->mapping == id;
}

static bool m_is_mapping(const struct world *w, uint64_t pg, uint64_t n, uint64_t tag)
{
	if (n == 0 || tag == 0 || !w->pg[pg].mapped || w->pg[pg].tag != tag)
		return false;
	uint32_t id = w->pg[pg].mapping;
	for (uint64_t i = pg; i < pg + n; i++)
		if (!same_mapping(&w->pg[i], tag, id))
			return false;
	if (pg > 0 && same_mapping(&w->pg[pg - 1], tag, id))
		return false;
	if (pg + n < NPAGES && same_mapping(&w->pg[pg + n], tag, id))
		return false;
	return true;
}

static int check_table(struct prop *p, struct world *w)
{
	const struct vm_ranges *v = &w->v;
	uint64_t sum = 0;
	PROP_CHECK(p, v->count <= w->cap, "count %u over capacity %u", v->count, w->cap);
	for (uint32_t i = 0; i < v->count; i++) {
		PROP_CHECK(p, v->r[i].pages > 0, "entry %u is empty", i);
		PROP_CHECK(p, i == 0 || v->r[i - 1].start + v->r[i - 1].pages * P <= v->r[i].start,
		           "entries %u and %u overlap or are out of order", i - 1, i);
		sum += v->r[i].pages;
	}
	PROP_CHECK(p, sum == v->pages, "pages %llu, entries sum to %llu", (unsigned long long)v->pages,
	           (unsigned long long)sum);
	for (uint64_t i = 0; i < NPAGES; i++) {
		uint64_t a = BASE + i * P;
		const struct page *m = &w->pg[i];
		PROP_CHECK(p, vm_ranges_prot_at(v, a) == (m->mapped ? m->prot : 0u),
		           "prot_at(page %llu) is %u, model %u", (unsigned long long)i,
		           vm_ranges_prot_at(v, a), m->mapped ? m->prot : 0u);
		PROP_CHECK(p, vm_ranges_covers(v, a, P) == m->mapped, "covers(page %llu) disagrees",
		           (unsigned long long)i);
		PROP_CHECK(p, !m->mapped || vm_ranges_covers_tag(v, a, P, m->tag),
		           "covers_tag(page %llu, its tag) is false", (unsigned long long)i);
	}
	return 0;
}

static int run(struct prop *p)
{
	static struct world w;
	memset(&w, 0, sizeof w);
	w.cap = (uint32_t)prop_draw(p, 1, 8);
	vm_ranges_init(&w.v, w.store, w.cap);
	prop_note(p, "init: table of %u entries", w.cap);
	uint64_t nops = prop_draw(p, 1, MAX_OPS);
	for (uint64_t op = 0; op < nops; op++) {
		uint64_t pg = prop_draw(p, 0, NPAGES - 9), n = prop_draw(p, 0, 8);
		uint64_t addr = BASE + pg * P, size = n * P;
		uint32_t prot = prots[prop_draw(p, 0, 2)];
		uint64_t tag = prop_draw(p, 0, 2);
		struct world before = w;
		int err = VM_OK, want;
		switch (prop_draw(p, 0, 4)) {
		case 0:
		case 1: { /* insert (anonymous or tagged) */
			uint32_t id = ++w.next_mapping;
			err = vm_ranges_insert_tagged(&w.v, addr, size, prot, tag, id);
			want = n == 0                    ? VM_ZERO
			       : m_overlaps(&w, pg, n)   ? VM_OVERLAP
			       : before.v.count == w.cap ? VM_TABLE_FULL
			                                 : VM_OK;
			prop_note(p, "insert page %llu +%llu prot %u tag %llu -> %d (want %d)",
			          (unsigned long long)pg, (unsigned long long)n, prot, (unsigned long long)tag,
			          err, want);
			PROP_CHECK(p, err == want, "insert returned %d, model %d", err, want);
			if (err == VM_OK)
				for (uint64_t i = pg; i < pg + n; i++)
					w.pg[i] = (struct page){true, prot, id, tag};
			break;
		}
		case 2:
		case 3: { /* remove or protect, checked first as the kernel does */
			bool remove = prop_bool(p);
			uint32_t splits = vm_ranges_splits_needed(&w.v, addr, size);
			bool room = w.v.count + splits <= w.cap;
			err = remove ? vm_ranges_remove(&w.v, addr, size)
			             : vm_ranges_protect(&w.v, addr, size, prot);
			want = n == 0 ? VM_ZERO : !m_covers(&w, pg, n, true, 0) ? VM_NOT_MAPPED
			                  : room                                ? VM_OK
			                                                        : VM_TABLE_FULL;
			prop_note(p, "%s page %llu +%llu%s%u -> %d (want %d; %u splits, %u of %u entries)",
			          remove ? "remove" : "protect", (unsigned long long)pg, (unsigned long long)n,
			          remove ? "" : " prot ", remove ? 0u : prot, err, want, splits, before.v.count,
			          w.cap);
			PROP_CHECK(p, err == want, "%s returned %d, model %d", remove ? "remove" : "protect", err,
			           want);
			if (err == VM_OK) {
				PROP_CHECK(p, w.v.count <= before.v.count + splits,
				           "%s grew the table by %u entries; splits_needed said %u",
				           remove ? "remove" : "protect", w.v.count - before.v.count, splits);
				for (uint64_t i = pg; i < pg + n; i++) {
					if (remove)
						w.pg[i] = (struct page){0};
					else
						w.pg[i].prot = prot;
				}
			}
			break;
		}
		default: { /* queries on an arbitrary range */
			bool ov = vm_ranges_overlaps(&w.v, addr, size);
			bool cv = vm_ranges_covers(&w.v, addr, size);
			bool ct = vm_ranges_covers_tag(&w.v, addr, size, tag);
			bool im = vm_ranges_is_mapping(&w.v, addr, size, tag);
			prop_note(p, "query page %llu +%llu tag %llu: overlaps %d covers %d covers_tag %d "
			             "is_mapping %d",
			          (unsigned long long)pg, (unsigned long long)n, (unsigned long long)tag, ov, cv,
			          ct, im);
			PROP_CHECK(p, ov == m_overlaps(&w, pg, n), "overlaps disagrees with the model");
			PROP_CHECK(p, n == 0 || cv == m_covers(&w, pg, n, true, 0),
			           "covers disagrees with the model");
			PROP_CHECK(p, n == 0 || ct == m_covers(&w, pg, n, false, tag),
			           "covers_tag disagrees with the model");
			PROP_CHECK(p, im == m_is_mapping(&w, pg, n, tag), "is_mapping disagrees with the model");
			/* find_free inside a sub-window [lo, hi) of the model. */
			uint64_t lo_pg = prop_draw(p, 0, NPAGES - 1), hi_pg = prop_draw(p, lo_pg, NPAGES);
			uint64_t got = 0, want_at = 0;
			int ferr = vm_ranges_find_free(&w.v, size, BASE + lo_pg * P, BASE + hi_pg * P, &got);
			int fwant = VM_NO_SPACE;
			if (n == 0)
				fwant = VM_ZERO;
			for (uint64_t a = lo_pg; n && a + n <= hi_pg && fwant != VM_OK; a++)
				if (!m_overlaps(&w, a, n)) {
					fwant = VM_OK;
					want_at = BASE + a * P;
				}
			prop_note(p, "find_free %llu pages in [%llu, %llu) -> %d at page %lld", (unsigned long long)n,
			          (unsigned long long)lo_pg, (unsigned long long)hi_pg, ferr,
			          ferr ? -1ll : (long long)((got - BASE) / P));
			PROP_CHECK(p, ferr == fwant, "find_free returned %d, model %d", ferr, fwant);
			PROP_CHECK(p, ferr != VM_OK || got == want_at, "find_free chose %#llx, lowest hole %#llx",
			           (unsigned long long)got, (unsigned long long)want_at);
			break;
		}
		}
		/* A refused call changes nothing (queries never change anything). */
		/* clang-format off */
		if (err != VM_OK)
			PROP_CHECK(p, w.v.count == before.v.count && w.v.pages == before.v.pages &&
			                  !memcmp(w.store, before.store, sizeof w.store),
			           "a refused call (%d) changed the table", err);
		/* clang-format on */
		if (check_table(p, &w))
			return 1;
	}
	return 0;
}

const struct prop_def prop_vm_ranges = {"vm_ranges", "lib/vm_ranges.c vs a per-page model", run};
