/*
 * The ring client (see capos/ring.h).
 *
 * Ordering: the SQE is written with ordinary stores, then sq_tail is
 * published with a release store, so the kernel never sees the index move
 * before the entry is complete.  cq_tail is read with an acquire load before
 * the CQEs it covers are read, and cq_head is advanced with a release store
 * after they have been copied out.
 *
 * The client trusts nothing in the page blindly: a user bug (or the ring
 * corruption smoke) can scribble over sq_tail or cq_head, so impossible
 * index distances are reported as CAPOS_ERR_RING_CORRUPT instead of being
 * used to index the arrays.
 */
#include <capos/ring.h>
#include <capos/string.h>

/*
 * Entries are copied with memcpy (lib/kstring.c: eight bytes per step).
 * The ring is shared with the kernel, which touches it only inside
 * cap_enter, and every copy sits between an acquire load and a release
 * store of an index, so a plain copy of the volatile page is enough.
 */
_Static_assert(sizeof(struct capos_sqe) % 8 == 0 && sizeof(struct capos_cqe) % 8 == 0,
               "ring entries are whole words");

static void copy_entry(volatile void *dst, const volatile void *src, size_t bytes)
{
	memcpy((void *)dst, (const void *)src, bytes);
}

static uint32_t load_acquire(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* A ring per thread: a spawned thread (runtime/thread.c) sets
 * capos_thread_ring to its own ring, and the process's default ring
 * (capos_ring_default, set by the start code) then means the calling
 * thread's, so clients opened on the default ring work from any thread. */
_Thread_local struct capos_ring *capos_thread_ring;
struct capos_ring *capos_ring_default;

int capos_ring_init(struct capos_ring *r, void *page, capos_enter_fn enter, void *ctx)
{
	memset(r, 0, sizeof(*r));
	if (page == NULL || enter == NULL)
		return CAPOS_ERR_RING_CORRUPT;
	volatile struct capos_ring_header *h = &((volatile struct capos_ring_page *)page)->header;
	if (h->sq_entries != CAPOS_SQ_ENTRIES || h->cq_entries != CAPOS_CQ_ENTRIES ||
	    h->sq_mask != CAPOS_SQ_ENTRIES - 1 || h->cq_mask != CAPOS_CQ_ENTRIES - 1)
		return CAPOS_ERR_RING_CORRUPT;
	r->page = page;
	r->enter = enter;
	r->enter_ctx = ctx;
	r->next_user_data = 1;
	return 0;
}

uint64_t capos_ring_next_user_data(struct capos_ring *r)
{
	r = capos_ring_self(r);
	uint64_t v = r->next_user_data & ~CAPOS_RT_USER_DATA_INTERNAL;
	if (v == 0)
		v = 1;
	r->next_user_data = v + 1;
	return v;
}

uint32_t capos_ring_sq_space(const struct capos_ring *r)
{
	r = capos_ring_self((struct capos_ring *)r);
	volatile struct capos_ring_header *h = &r->page->header;
	uint32_t used = h->sq_tail - load_acquire(&h->sq_head);
	return used >= CAPOS_SQ_ENTRIES ? 0 : CAPOS_SQ_ENTRIES - used;
}

int64_t capos_ring_enter(struct capos_ring *r, uint32_t min_complete, uint64_t timeout_ns)
{
	r = capos_ring_self(r);
	r->stats.enters++;
	return r->enter(min_complete, timeout_ns, r->enter_ctx);
}

/* The SQ as capos_ring_submit found it full: the kernel consumes what is
 * queued, then one more try.  Out of line: the common submit needs none
 * of its frame. */
static __attribute__((noinline)) int submit_full(struct capos_ring *r,
                                                 const struct capos_sqe *sqe)
{
	volatile struct capos_ring_header *h = &r->page->header;
	for (int attempt = 0; attempt < 2; attempt++) {
		uint32_t head = load_acquire(&h->sq_head);
		uint32_t tail = h->sq_tail;
		uint32_t used = tail - head;
		if (used > CAPOS_SQ_ENTRIES) {
			r->stats.corrupt++;
			return CAPOS_ERR_RING_CORRUPT;
		}
		if (used < CAPOS_SQ_ENTRIES) {
			*(struct capos_sqe *)&r->page->sq[tail & (CAPOS_SQ_ENTRIES - 1)] = *sqe;
			store_release(&h->sq_tail, tail + 1);
			r->stats.submitted++;
			return 0;
		}
		/* Full: let the kernel consume what is queued, then retry once.
		 * The kernel consumes SQEs only while it has free CQ slots, so
		 * move posted CQEs into the stash first. */
		r->stats.sq_full++;
		if (attempt == 1)
			break;
		int reaped = capos_ring_reap(r);
		if (reaped < 0)
			return reaped;
		r->stats.stashed += (uint64_t)reaped;
		int64_t n = capos_ring_enter(r, 0, CAPOS_NO_WAIT);
		if (n < 0)
			return (int)n;
	}
	return CAPOS_ERR_NO_RESOURCES;
}

int capos_ring_submit(struct capos_ring *r, const struct capos_sqe *sqe)
{
	r = capos_ring_self(r);
	volatile struct capos_ring_header *h = &r->page->header;
	uint32_t head = load_acquire(&h->sq_head);
	uint32_t tail = h->sq_tail;
	if (tail - head >= CAPOS_SQ_ENTRIES)
		return submit_full(r, sqe); /* or corrupt: it tells which */
	/* A plain struct copy (inline, four 16-byte moves), not copy_entry's
	 * call: the slot is the client's until the release below. */
	*(struct capos_sqe *)&r->page->sq[tail & (CAPOS_SQ_ENTRIES - 1)] = *sqe;
	store_release(&h->sq_tail, tail + 1);
	r->stats.submitted++;
	return 0;
}

int capos_ring_reap(struct capos_ring *r)
{
	r = capos_ring_self(r);
	volatile struct capos_ring_header *h = &r->page->header;
	uint32_t head = h->cq_head;
	uint32_t tail = load_acquire(&h->cq_tail);
	if (tail - head > CAPOS_CQ_ENTRIES) {
		r->stats.corrupt++;
		return CAPOS_ERR_RING_CORRUPT;
	}
	int moved = 0;
	while (head != tail && r->stash_count < CAPOS_RING_STASH) {
		copy_entry(&r->stash[r->stash_count++], &r->page->cq[head & (CAPOS_CQ_ENTRIES - 1)],
		           sizeof(struct capos_cqe));
		head++;
		moved++;
	}
	if (moved > 0) {
		store_release(&h->cq_head, head);
		r->stats.reaped += (uint64_t)moved;
	}
	return moved;
}

static bool stash_take(struct capos_ring *r, uint64_t user_data, struct capos_cqe *out)
{
	for (uint32_t i = 0; i < r->stash_count; i++) {
		if (r->stash[i].user_data != user_data)
			continue;
		*out = r->stash[i];
		/* Keep arrival order for the ones left behind (oldest first if
		 * a user_data is reused). */
		for (uint32_t j = i + 1; j < r->stash_count; j++)
			r->stash[j - 1] = r->stash[j];
		r->stash_count--;
		return true;
	}
	return false;
}

/*
 * With the stash full, looks for user_data among the CQEs still in the CQ.
 * Slots between cq_head and cq_tail belong to userspace until cq_head moves
 * past them, so the entry is removed by shifting the older ones up one slot
 * and advancing cq_head by one.
 */
static bool cq_take_in_place(struct capos_ring *r, uint64_t user_data, struct capos_cqe *out)
{
	volatile struct capos_ring_header *h = &r->page->header;
	uint32_t head = h->cq_head;
	uint32_t tail = load_acquire(&h->cq_tail);
	if (tail - head > CAPOS_CQ_ENTRIES)
		return false;
	for (uint32_t i = head; i != tail; i++) {
		volatile struct capos_cqe *c = &r->page->cq[i & (CAPOS_CQ_ENTRIES - 1)];
		if (c->user_data != user_data)
			continue;
		copy_entry(out, c, sizeof(*out));
		for (uint32_t j = i; j != head; j--)
			copy_entry(&r->page->cq[j & (CAPOS_CQ_ENTRIES - 1)],
			           &r->page->cq[(j - 1) & (CAPOS_CQ_ENTRIES - 1)],
			           sizeof(struct capos_cqe));
		store_release(&h->cq_head, head + 1);
		r->stats.reaped++;
		return true;
	}
	return false;
}

/*
 * The common case: nothing stashed and the wanted completion is the oldest
 * in the CQ.  Taken straight from its slot, as reaping it into the stash
 * and taking it back out would (the oldest match first), without the two
 * copies.  False (nothing moved) otherwise, corrupt indices included: the
 * full path reports those.
 */
static bool cq_take_head(struct capos_ring *r, uint64_t user_data, struct capos_cqe *out)
{
	volatile struct capos_ring_header *h = &r->page->header;
	uint32_t head = h->cq_head;
	uint32_t tail = load_acquire(&h->cq_tail);
	if (head == tail || tail - head > CAPOS_CQ_ENTRIES)
		return false;
	const struct capos_cqe *c = (const struct capos_cqe *)&r->page->cq[head & (CAPOS_CQ_ENTRIES - 1)];
	if (c->user_data != user_data)
		return false;
	*out = *c;
	store_release(&h->cq_head, head + 1);
	r->stats.reaped++;
	return true;
}

/* capos_ring_take when the completion is not the oldest in an empty
 * stash's CQ.  Out of line: the common take needs none of its frame. */
static __attribute__((noinline)) bool take_slow(struct capos_ring *r, uint64_t user_data,
                                                struct capos_cqe *out)
{
	if (stash_take(r, user_data, out))
		return true;
	uint32_t before = r->stash_count;
	if (capos_ring_reap(r) <= 0)
		return r->stash_count >= CAPOS_RING_STASH && cq_take_in_place(r, user_data, out);
	bool found = stash_take(r, user_data, out);
	if (!found && r->stash_count >= CAPOS_RING_STASH)
		found = cq_take_in_place(r, user_data, out);
	/* Everything else reaped now waits for its owner. */
	r->stats.stashed += r->stash_count - before;
	return found;
}

bool capos_ring_take(struct capos_ring *r, uint64_t user_data, struct capos_cqe *out)
{
	r = capos_ring_self(r);
	if (r->stash_count == 0 && cq_take_head(r, user_data, out))
		return true;
	return take_slow(r, user_data, out);
}

/* CQEs the kernel has posted that the client has not copied out. */
static uint32_t cq_pending(const struct capos_ring *r)
{
	volatile struct capos_ring_header *h = &r->page->header;
	return load_acquire(&h->cq_tail) - h->cq_head;
}

int capos_ring_wait(struct capos_ring *r, uint64_t user_data, uint64_t timeout_ns,
                    struct capos_cqe *out)
{
	r = capos_ring_self(r);
	for (;;) {
		if (capos_ring_take(r, user_data, out))
			return 0;
		uint32_t pending = cq_pending(r);
		if (pending > CAPOS_CQ_ENTRIES) {
			r->stats.corrupt++;
			return CAPOS_ERR_RING_CORRUPT;
		}
		if (pending > 0) {
			/* The stash is full of completions nobody has claimed:
			 * waiting would spin.  That is a caller bug. */
			if (r->stash_count >= CAPOS_RING_STASH)
				return CAPOS_ERR_NO_RESOURCES;
			continue; /* posted just now: take it */
		}
		int64_t n = capos_ring_enter(r, 1, timeout_ns);
		if (n < 0)
			return (int)n;
		if (timeout_ns != CAPOS_WAIT_FOREVER) {
			if (capos_ring_take(r, user_data, out))
				return 0;
			return CAPOS_ERR_TIMED_OUT;
		}
	}
}

int capos_ring_submit_wait(struct capos_ring *r, struct capos_sqe *sqe, struct capos_cqe *out)
{
	r = capos_ring_self(r);
	sqe->user_data = capos_ring_next_user_data(r);
	int err = capos_ring_submit(r, sqe);
	if (err < 0)
		return err;
	return capos_ring_wait(r, sqe->user_data, CAPOS_WAIT_FOREVER, out);
}

int capos_ring_nop(struct capos_ring *r, uint64_t user_data)
{
	r = capos_ring_self(r);
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_NOP;
	sqe.user_data = user_data;
	return capos_ring_submit(r, &sqe);
}

uint32_t capos_ring_stash_oldest(struct capos_ring *r, struct capos_cqe *out, uint32_t max)
{
	uint32_t got = 0;
	while (got < max && got < r->stash_count) {
		out[got] = r->stash[got];
		got++;
	}
	for (uint32_t j = got; j < r->stash_count; j++)
		r->stash[j - got] = r->stash[j];
	r->stash_count -= got;
	return got;
}
