/*
 * Per-process capability table.
 *
 * A process names a capability by a 32-bit cap id: the low CAP_ID_INDEX_BITS
 * bits select a slot, the upper bits carry the slot's generation.  Every
 * removal bumps the slot's generation, so an id kept after its capability was
 * released (a stale id) never resolves to whatever later reuses the slot.
 * A slot whose generation would wrap is retired instead of reused, so a stale
 * id can never become valid again.  Generations start at 1: cap id 0 is never
 * valid, which catches zero-initialised ids in userspace.
 *
 * The table does not know what the object is: it stores an opaque pointer,
 * the Cap'n Proto interface id and a badge.  Reference counting of the
 * object is the caller's business (remove hands the entry back).
 *
 * Freestanding; shared by the kernel and the host tests.  The caller provides
 * the slot storage so the table itself never allocates.
 */
#ifndef CAPOS_LIB_CAP_TABLE_H
#define CAPOS_LIB_CAP_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#define CAP_ID_INDEX_BITS   10u
#define CAP_TABLE_MAX_SLOTS (1u << CAP_ID_INDEX_BITS) /* 1024 */
#define CAP_ID_GEN_MAX      ((1u << (32u - CAP_ID_INDEX_BITS)) - 1u)
#define CAP_ID_INVALID      0u

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

struct cap_table {
	struct cap_slot *slots;
	uint32_t capacity; /* slots available (<= CAP_TABLE_MAX_SLOTS)   */
	uint32_t count;    /* used slots                                  */
	uint32_t retired;  /* slots whose generation ran out             */
};

/* Error codes are the ABI's transport errors (include/capos/abi.h):
 * CAPOS_ERR_BAD_CAP for an unknown, empty or stale id,
 * CAPOS_ERR_NO_RESOURCES for a full table,
 * CAPOS_ERR_INVALID_ARGUMENT for an entry without an object. */

/* capacity is clamped to CAP_TABLE_MAX_SLOTS; slots[] must hold capacity. */
void cap_table_init(struct cap_table *t, struct cap_slot *slots, uint32_t capacity);

/* Inserts a copy of *e into the lowest free slot; *cap_id_out gets its id. */
int cap_table_insert(struct cap_table *t, const struct cap_entry *e, uint32_t *cap_id_out);

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

/* Slots an insert could still use (neither used nor retired). */
static inline uint32_t cap_table_free_slots(const struct cap_table *t)
{
	return t->capacity - t->count - t->retired;
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
