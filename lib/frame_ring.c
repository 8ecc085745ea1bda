/* Shared-memory frame ring: see frame_ring.h. */
#include "frame_ring.h"

#include "kstring.h"

int fring_init(struct fring *r, void *slots_base, uint32_t slots, uint32_t slot_size,
               uint32_t *prod, uint32_t *cons, bool producer)
{
	if (!slots || (slots & (slots - 1)) || slot_size % 4 ||
	    slot_size < FRING_LEN_BYTES + FRING_FRAME_MAX || ((uintptr_t)prod & 3) ||
	    ((uintptr_t)cons & 3))
		return FRING_ERR_ARG;
	/* clang-format off */
	*r = (struct fring){ .slots_base = slots_base, .slots = slots, .slot_size = slot_size,
	                     .prod = prod, .cons = cons, .producer = producer };
	/* clang-format on */
	r->mine = __atomic_load_n(producer ? prod : cons, __ATOMIC_RELAXED);
	return FRING_OK;
}

/* Frames between consumer and producer, or -1 if the peer's index makes
 * that more than the ring holds (it lied or wrapped us). */
static int64_t used_slots(struct fring *r)
{
	uint32_t peer = __atomic_load_n(r->producer ? r->cons : r->prod, __ATOMIC_ACQUIRE);
	uint32_t n = r->producer ? r->mine - peer : peer - r->mine;
	if (n > r->slots) {
		r->bad_index++;
		r->broken = true;
		return -1;
	}
	return n;
}

int fring_count(struct fring *r)
{
	if (r->broken)
		return FRING_ERR_PEER;
	int64_t n = used_slots(r);
	if (n < 0)
		return FRING_ERR_PEER;
	return (int)(r->producer ? r->slots - n : n);
}

static uint8_t *slot(const struct fring *r, uint32_t index)
{
	return r->slots_base + (size_t)(index & (r->slots - 1)) * r->slot_size;
}

int fring_put(struct fring *r, const void *frame, uint32_t len)
{
	if (!r->producer || len < FRING_FRAME_MIN || len > FRING_FRAME_MAX)
		return FRING_ERR_ARG;
	int free_slots = fring_count(r);
	if (free_slots < 0)
		return free_slots;
	if (free_slots == 0)
		return FRING_ERR_FULL;
	uint8_t *s = slot(r, r->mine);
	uint8_t le[FRING_LEN_BYTES] = {(uint8_t)len, (uint8_t)(len >> 8), 0, 0};
	memcpy(s, le, sizeof le);
	memcpy(s + FRING_LEN_BYTES, frame, len);
	r->mine++;
	return FRING_OK;
}

/* Reads the next slot's length once; a bad one is skipped and counted. */
static int next_len(struct fring *r, const uint8_t **s, uint32_t *len)
{
	if (r->producer)
		return FRING_ERR_ARG;
	int waiting = fring_count(r);
	if (waiting < 0)
		return waiting;
	if (waiting == 0)
		return FRING_ERR_EMPTY;
	*s = slot(r, r->mine);
	uint8_t le[FRING_LEN_BYTES];
	memcpy(le, *s, sizeof le); /* read once: the peer may rewrite it */
	uint32_t n = (uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 |
	             (uint32_t)le[3] << 24;
	if (n < FRING_FRAME_MIN || n > FRING_FRAME_MAX || n > r->slot_size - FRING_LEN_BYTES) {
		r->bad_len++;
		r->mine++;
		return FRING_ERR_LEN;
	}
	*len = n;
	return FRING_OK;
}

int fring_get(struct fring *r, void *buf, uint32_t cap, uint32_t *len)
{
	const uint8_t *s;
	uint32_t n;
	int err = next_len(r, &s, &n);
	if (err)
		return err;
	if (n > cap)
		return FRING_ERR_ARG; /* left in place: retry with a larger buffer */
	memcpy(buf, s + FRING_LEN_BYTES, n);
	*len = n;
	r->mine++;
	return FRING_OK;
}

int fring_peek(struct fring *r, const uint8_t **frame, uint32_t *len)
{
	const uint8_t *s;
	int err = next_len(r, &s, len);
	if (err == FRING_OK)
		*frame = s + FRING_LEN_BYTES;
	return err;
}

void fring_skip(struct fring *r)
{
	if (!r->producer)
		r->mine++;
}

void fring_publish(struct fring *r)
{
	__atomic_store_n(r->producer ? r->prod : r->cons, r->mine, __ATOMIC_RELEASE);
}
