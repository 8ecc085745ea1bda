/*
 * The anonymous mappings of one address space (VirtualMemory.map), as a
 * sorted array of page ranges with their protection, plus the argument
 * checks every VirtualMemory call makes before it touches a page table.
 *
 * Pure logic with caller-provided storage: shared by the kernel
 * (kernel/mem/user_memory.c) and the host tests (tests/host/test_vm_ranges.c).
 */
#ifndef CAPOS_LIB_VM_RANGES_H
#define CAPOS_LIB_VM_RANGES_H

#include <stdbool.h>
#include <stdint.h>

#define VM_PAGE 4096u

/* Protection bits, as schema/capos.capnp protRead/protWrite/protExec. */
#define VM_PROT_READ  1u
#define VM_PROT_WRITE 2u
#define VM_PROT_EXEC  4u

enum vm_result {
	VM_OK = 0,
	VM_UNALIGNED = -1,  /* address or size not a multiple of 4 KiB          */
	VM_ZERO = -2,       /* size 0                                          */
	VM_OVERFLOW = -3,   /* addr + size wraps                                */
	VM_OUTSIDE = -4,    /* not inside the allowed window (kernel half...)   */
	VM_OVERLAP = -5,    /* overlaps an existing mapping                     */
	VM_NOT_MAPPED = -6, /* some page of the range was not mapped by map     */
	VM_BAD_PROT = -7,   /* unknown bits, no read, or write+exec             */
	VM_NO_SPACE = -8,   /* no free hole of that size in the window          */
	VM_TABLE_FULL = -9, /* no room for another range entry                  */
	VM_WX_SHARED = -10, /* the object is mapped with the other of W and X   */
	VM_NOT_ANON = -11,  /* the range maps a MemoryObject, not anonymous pages */
};

struct vm_range {
	uint64_t start;   /* page-aligned */
	uint64_t pages;   /* > 0 */
	uint32_t prot;    /* VM_PROT_* */
	uint32_t mapping; /* tagged ranges: which map call (kept across splits) */
	uint64_t tag;     /* 0: anonymous pages; else the owner of the frames
	                 * (the kernel's MemoryObject), kept across splits */
};

/* Where a growing table gets its storage (the kernel: whole frames
 * counted to the process).  alloc returns room for `entries` entries or
 * NULL; free takes back what alloc gave. */
struct vm_ranges_ops {
	struct vm_range *(*alloc)(void *ctx, uint32_t entries);
	void (*free)(void *ctx, struct vm_range *r, uint32_t entries);
};

struct vm_ranges {
	struct vm_range *r; /* sorted by start, never overlapping */
	uint32_t cap;
	uint32_t count;
	uint64_t pages; /* sum of r[i].pages */
	/* Growth (vm_ranges_set_growth; none by default: the storage given
	 * to vm_ranges_init is all there is). */
	const struct vm_ranges_ops *ops;
	void *ctx;
	struct vm_range *first; /* the storage given to vm_ranges_init */
	uint32_t first_cap;
	uint32_t limit;          /* entries at most (the quota) */
	uint32_t grown;          /* growths done */
	uint32_t refused_quota;  /* growths refused: over limit */
	uint32_t refused_memory; /* growths refused: alloc failed */
};

void vm_ranges_init(struct vm_ranges *v, struct vm_range *storage, uint32_t cap);
/* The table holds at most `limit` entries (below the first storage's
 * size too) and may grow past its first storage, doubling, up to it,
 * with storage from ops. */
void vm_ranges_set_growth(struct vm_ranges *v, const struct vm_ranges_ops *ops, void *ctx,
                          uint32_t limit);
/* Room for `need` entries: there already, or the table grew (a failed
 * growth leaves the table as it was). */
bool vm_ranges_reserve(struct vm_ranges *v, uint32_t need);
/* Empties the table and gives grown storage back (teardown). */
void vm_ranges_release(struct vm_ranges *v);

/* prot must be READ, READ|WRITE, READ|EXEC (x86 pages are always
 * readable; write+exec together is refused by design). */
int vm_check_prot(uint32_t prot);
/* addr/size page-aligned, size > 0, no wrap, [addr, addr+size) inside [lo, hi). */
int vm_check_range(uint64_t addr, uint64_t size, uint64_t lo, uint64_t hi);

bool vm_ranges_overlaps(const struct vm_ranges *v, uint64_t addr, uint64_t size);
/* Every page of [addr, addr+size) lies in some range. */
bool vm_ranges_covers(const struct vm_ranges *v, uint64_t addr, uint64_t size);
/* Lowest page-aligned hole of size bytes inside [lo, hi). */
int vm_ranges_find_free(const struct vm_ranges *v, uint64_t size, uint64_t lo, uint64_t hi,
                        uint64_t *addr);

/* The protection of the range holding addr; 0 when addr is not mapped. */
uint32_t vm_ranges_prot_at(const struct vm_ranges *v, uint64_t addr);

/* Every page of [addr, addr+size) lies in a range with this tag. */
bool vm_ranges_covers_tag(const struct vm_ranges *v, uint64_t addr, uint64_t size, uint64_t tag);

/* Records a new mapping; the caller has checked it does not overlap. */
int vm_ranges_insert(struct vm_ranges *v, uint64_t addr, uint64_t size, uint32_t prot);
int vm_ranges_insert_tagged(struct vm_ranges *v, uint64_t addr, uint64_t size, uint32_t prot,
                            uint64_t tag, uint32_t mapping);
/* [addr, addr+size) is exactly one tagged mapping of `tag` (all its
 * pieces, nothing of a neighbouring mapping of the same tag). */
bool vm_ranges_is_mapping(const struct vm_ranges *v, uint64_t addr, uint64_t size, uint64_t tag);
/* Entries a remove/protect of [addr, addr+size) needs beyond count (0..2):
 * check this fits before changing page tables, so nothing is undone. */
uint32_t vm_ranges_splits_needed(const struct vm_ranges *v, uint64_t addr, uint64_t size);
/* Forgets [addr, addr+size) (must be covered; splits ranges as needed). */
int vm_ranges_remove(struct vm_ranges *v, uint64_t addr, uint64_t size);
/* Sets prot on [addr, addr+size) (must be covered). */
int vm_ranges_protect(struct vm_ranges *v, uint64_t addr, uint64_t size, uint32_t prot);

/*
 * W^X across every mapping of one shared object (a MemoryObject may be
 * mapped several times, in several processes): how many of its live
 * mappings are writable and how many executable.  A writable mapping is
 * refused while an executable one exists and the other way round, so no
 * process can write code through one mapping and run it through another.
 */
struct vm_wx {
	uint32_t writable;
	uint32_t exec;
};
/* VM_OK, or VM_WX_SHARED if a mapping with prot would break the rule. */
int vm_wx_check(const struct vm_wx *w, uint32_t prot);
/* A mapping with prot was made / removed (after vm_wx_check allowed it). */
void vm_wx_add(struct vm_wx *w, uint32_t prot);
void vm_wx_remove(struct vm_wx *w, uint32_t prot);

const char *vm_strerror(int err);

#endif
