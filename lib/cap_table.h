/*
 * Per-process capability table, grown on demand.
 *
 * A process names a capability by a 32-bit cap id: the low CAP_ID_INDEX_BITS
 * bits select a slot, the upper bits carry the slot's generation.  Every
 * removal bumps the slot's generation, so an id kept after its capability was
 * released (a stale id) never resolves to whatever later reuses the slot.
 * A slot whose generation would wrap is retired instead of reused, so a stale
 * id can never become valid again.  Generations start at 1: cap id 0 is never
 * valid, which catches zero-initialised ids in userspace.
 *
 * Storage is two levels, so a lookup is two array reads (O(1)) and slots
 * never move (an entry pointer stays valid until its slot is removed): a
 * directory of CAP_TABLE_CHUNKS pointers to chunks of CAP_TABLE_CHUNK_SLOTS
 * slots.  Both are allocated through the caller's ops (the kernel hands out
 * one frame each; the host tests use malloc), the directory at init, a chunk
 * when an insert finds no free slot in the chunks it has.  A chunk whose
 * slots are all free again is given back (chunk 0 stays while the table
 * lives); the directory remembers the highest generation its slots reached,
 * and a chunk allocated there later starts from it, so ids issued before
 * the chunk was freed stay stale.  cap_table_destroy frees everything.
 *
 * The table is bounded by `limit` (the process's quota of capabilities),
 * by CAP_TABLE_MAX_SLOTS (the id layout) and by what ops->alloc can give.
 *
 * The table does not know what the object is: it stores an opaque pointer,
 * the Cap'n Proto interface id and a badge.  Reference counting of the
 * object is the caller's business (remove hands the entry back).
 *
 * Freestanding; shared by the kernel and the host tests.
 */
#ifndef CAPOS_LIB_CAP_TABLE_H
#define CAPOS_LIB_CAP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAP_ID_INDEX_BITS     14u
#define CAP_TABLE_MAX_SLOTS   (1u << CAP_ID_INDEX_BITS) /* 16384 */
#define CAP_ID_GEN_MAX        ((1u << (32u - CAP_ID_INDEX_BITS)) - 1u)
#define CAP_ID_INVALID        0u
#define CAP_TABLE_CHUNK_SHIFT 6u
#define CAP_TABLE_CHUNK_SLOTS (1u << CAP_TABLE_CHUNK_SHIFT) /* 64 */
#define CAP_TABLE_CHUNKS      (CAP_TABLE_MAX_SLOTS / CAP_TABLE_CHUNK_SLOTS)

struct cap_entry {
	void *object;          /* kernel object; never NULL in a used slot */
	uint64_t interface_id; /* Cap'n Proto interface id                 */
	uint64_t badge;        /* opaque to the table                      */
	uint32_t type;         /* caller-defined object kind               */
	uint32_t flags;        /* caller-defined (e.g. transfer mode)      */
};

struct cap_slot {
	struct cap_entry entry;
	uint32_t generation; /* of the current or next occupant; 0 = retired */
	bool used;
	bool reserved; /* in transit (a pending move): invisible to lookup/remove */
};

/* One allocation of at most this many bytes each (fits a 4 KiB frame). */
struct cap_table_dir {
	struct cap_slot *chunk[CAP_TABLE_CHUNKS]; /* NULL: not allocated    */
	uint32_t first_gen[CAP_TABLE_CHUNKS];     /* for the chunk's next allocation */
	uint8_t avail[CAP_TABLE_CHUNKS];          /* slots neither used nor retired */
};

struct cap_table_ops {
	/* bytes <= 4096; NULL when out of memory.  Need not be zeroed. */
	void *(*alloc)(void *ctx, size_t bytes);
	void (*free)(void *ctx, void *p, size_t bytes);
};

struct cap_table {
	struct cap_table_dir *dir; /* NULL after destroy (or a failed init) */
	const struct cap_table_ops *ops;
	void *ctx;
	uint32_t limit;   /* quota: used slots at most (<= CAP_TABLE_MAX_SLOTS) */
	uint32_t count;   /* used slots                                  */
	uint32_t retired; /* slots whose generation ran out             */
	uint32_t chunks;  /* chunks allocated now                       */
	uint32_t chunks_peak;
	uint32_t refused_quota;  /* inserts refused: limit reached (or ids used up) */
	uint32_t refused_memory; /* inserts refused: ops->alloc failed  */
};

/* Error codes are the ABI's transport errors (include/capos/abi.h):
 * CAPOS_ERR_BAD_CAP for an unknown, empty or stale id,
 * CAPOS_ERR_NO_RESOURCES for a full table (quota, ids or memory),
 * CAPOS_ERR_INVALID_ARGUMENT for an entry without an object. */

/* limit is clamped to CAP_TABLE_MAX_SLOTS.  Allocates the directory:
 * CAPOS_ERR_NO_RESOURCES if ops->alloc fails (then t->dir is NULL and the
 * table refuses every insert; destroy is still fine). */
int cap_table_init(struct cap_table *t, const struct cap_table_ops *ops, void *ctx,
                   uint32_t limit);

/* Frees every chunk and the directory; entries still in the table are
 * dropped without a word (the caller removes and releases them first).
 * Returns how many there were. */
uint32_t cap_table_destroy(struct cap_table *t);

/* Inserts a copy of *e into the lowest free slot of an allocated chunk, or
 * else of a newly allocated chunk; *cap_id_out gets its id. */
int cap_table_insert(struct cap_table *t, const struct cap_entry *e, uint32_t *cap_id_out);

/* Makes sure the next n inserts find allocated slots (allocating chunks
 * now), so a caller can check for room before it acts.  CAPOS_OK, or
 * CAPOS_ERR_NO_RESOURCES when the quota or memory does not allow it. */
int cap_table_ensure(struct cap_table *t, uint32_t n);

/* Resolves cap_id; *out points into the table (valid until the slot is removed). */
int cap_table_lookup(struct cap_table *t, uint32_t cap_id, struct cap_entry **out);

/* Empties the slot of cap_id and bumps its generation; *out (if not NULL)
 * receives the removed entry so the caller can drop its object reference. */
int cap_table_remove(struct cap_table *t, uint32_t cap_id, struct cap_entry *out);

/* Iteration over used slots (for teardown and the CapSet page): start with
 * *cursor = 0; returns true and fills *cap_id / *out while entries remain. */
bool cap_table_next(struct cap_table *t, uint32_t *cursor, uint32_t *cap_id,
                    struct cap_entry **out);

/*
 * Move reservations (capability transfer, lib/transfer.h).  A reserved slot
 * stays occupied but lookup and remove treat it as absent (CAPOS_ERR_BAD_CAP)
 * until the move commits (cap_table_take_reserved) or rolls back
 * (cap_table_unreserve).  Reserving a slot twice is CAPOS_ERR_BAD_TRANSFER.
 */
int cap_table_reserve(struct cap_table *t, uint32_t cap_id, struct cap_entry **out);
int cap_table_unreserve(struct cap_table *t, uint32_t cap_id);
int cap_table_take_reserved(struct cap_table *t, uint32_t cap_id, struct cap_entry *out);

/* Inserts the quota and the id space still allow (memory permitting). */
static inline uint32_t cap_table_free_slots(const struct cap_table *t)
{
	uint32_t quota = t->count < t->limit ? t->limit - t->count : 0;
	uint32_t ids = CAP_TABLE_MAX_SLOTS - t->count - t->retired;
	if (t->dir == 0)
		return 0;
	return quota < ids ? quota : ids;
}

static inline uint32_t cap_table_count(const struct cap_table *t) { return t->count; }

static inline uint32_t cap_id_index(uint32_t cap_id)
{
	return cap_id & (CAP_TABLE_MAX_SLOTS - 1u);
}
static inline uint32_t cap_id_generation(uint32_t cap_id)
{
	return cap_id >> CAP_ID_INDEX_BITS;
}
static inline uint32_t cap_id_make(uint32_t index, uint32_t generation)
{
	return (generation << CAP_ID_INDEX_BITS) | index;
}

#endif /* CAPOS_LIB_CAP_TABLE_H */
