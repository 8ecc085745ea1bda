/*
 * Per-process frame-grant ledger: how many frames a process has been given
 * (FrameAllocator grants plus VirtualMemory pages), against a limit, and
 * which physical frames it holds through FrameAllocator (so freeFrame can
 * refuse frames it does not hold and exit can return every one).
 *
 * Pure logic with caller-provided storage: shared by the kernel and the
 * host tests (tests/host/test_frame_ledger.c).
 */
#ifndef CAPOS_LIB_FRAME_LEDGER_H
#define CAPOS_LIB_FRAME_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

enum frame_ledger_result {
	LEDGER_OK = 0,
	LEDGER_OVER_LIMIT = -1, /* the charge would pass the limit          */
	LEDGER_FULL = -2,       /* the held-frame list cannot grow (memory)  */
	LEDGER_NOT_HELD = -3,   /* the frame is not in the held-frame list   */
	LEDGER_BAD_ADDR = -4,   /* zero or not page-aligned                  */
};

/* Where a growing held list gets its storage (the kernel: whole frames
 * counted to the process).  alloc returns room for `entries` addresses or
 * NULL; free takes back what alloc gave. */
struct frame_ledger_ops {
	uint64_t *(*alloc)(void *ctx, uint32_t entries);
	void (*free)(void *ctx, uint64_t *held, uint32_t entries);
};

struct frame_ledger {
	uint64_t *held;    /* physical addresses of granted frames (unordered) */
	uint32_t held_cap; /* capacity of held                               */
	/* Growth (frame_ledger_set_growth; none by default: the storage given
	 * to frame_ledger_init is all there is). */
	const struct frame_ledger_ops *ops;
	void *ctx;
	uint64_t *first; /* the storage given to frame_ledger_init */
	uint32_t first_cap;
	uint32_t grown;          /* growths of the held list done */
	uint32_t refused_memory; /* growths refused: alloc failed */
	uint32_t held_count;     /* frames in held                                 */
	uint64_t charged;        /* held_count + pages charged with ledger_charge  */
	uint64_t limit;          /* charged never exceeds it                       */
	uint64_t peak;           /* highest charged                                */
	uint64_t tables;         /* page-table frames built for the owner's maps,
	                        failed ones included; not charged: they come
	                        back with the address space                    */
};

void frame_ledger_init(struct frame_ledger *l, uint64_t *storage, uint32_t cap, uint64_t limit);
/* The held list may grow past its first storage, doubling, up to the
 * limit, with storage from ops. */
void frame_ledger_set_growth(struct frame_ledger *l, const struct frame_ledger_ops *ops,
                             void *ctx);

/* Charges n pages not listed individually (anonymous mappings). */
int frame_ledger_charge(struct frame_ledger *l, uint64_t n);
/* Would frame_ledger_charge(l, n) succeed?  Checked before any work whose
 * size n is (work proportional to what the caller could hold). */
int frame_ledger_can_charge(const struct frame_ledger *l, uint64_t n);
/* Returns n charged pages; n larger than what is charged beyond the held
 * list is a caller bug and clamps to it. */
void frame_ledger_uncharge(struct frame_ledger *l, uint64_t n);

/* Room for n more held frames (both list capacity and limit)?  Checked
 * before allocating so a grant never has to be undone halfway. */
int frame_ledger_can_hold(const struct frame_ledger *l, uint64_t n);
/* Makes room for n more held frames: LEDGER_OVER_LIMIT past the limit,
 * LEDGER_FULL when the list cannot grow (no growth, or alloc failed; the
 * list is then as it was). */
int frame_ledger_reserve(struct frame_ledger *l, uint64_t n);
/* Records a granted frame (charges one page). */
int frame_ledger_add(struct frame_ledger *l, uint64_t phys);
/* Removes a held frame (uncharges one page); LEDGER_NOT_HELD otherwise. */
int frame_ledger_remove(struct frame_ledger *l, uint64_t phys);
bool frame_ledger_holds(const struct frame_ledger *l, uint64_t phys);
/* Takes any held frame out (for teardown); false when none is left. */
bool frame_ledger_pop(struct frame_ledger *l, uint64_t *phys);

/* Page-table frames taken for the owner (any map, even one that failed). */
void frame_ledger_add_tables(struct frame_ledger *l, uint64_t n);
/* Anything to tear down: held frames, charges or page tables? */
bool frame_ledger_active(const struct frame_ledger *l);
/* Ends the ledger at the owner's teardown: hands every held frame to
 * free_frame, gives grown storage back and returns how many frames the owner took beyond what its
 * creation counted (the page tables, which its address space returns).
 * One exit for every case, so the owner's "returned == taken" check holds
 * whatever the ledger saw; afterwards the ledger is empty. */
uint64_t frame_ledger_end(struct frame_ledger *l, void (*free_frame)(uint64_t phys));

const char *frame_ledger_strerror(int err);

#endif
