/*
 * Message builder over a caller-provided arena: bump allocation, no
 * allocator.  The first 8 bytes of the arena hold the segment table so that
 * a finished single-segment message is the arena prefix.  With a grow
 * callback, more segments come from the caller when the current one is full.
 */
#include "capnp/capnp.h"
#include "capnp/wire.h"

static void builder_fail(struct capnp_builder *b, int err)
{
	if (b->err == CAPNP_OK)
		b->err = err;
}

/* Allocates words of the current segment without clearing them; returns
 * the word index or -1 (no room: nothing recorded). */
static int64_t take(struct capnp_builder *b, uint64_t words)
{
	if (words > (uint64_t)(b->cap_words - b->used_words))
		return -1;
	int64_t at = b->used_words;
	b->used_words += (uint32_t)words;
	if (b->segs)
		b->segs[b->cur].words = b->used_words;
	return at;
}

static void zero_words(uint8_t *p, uint64_t words)
{
	if (words <= 8) { /* structs are small: avoid a memset call */
		for (uint64_t i = 0; i < words; i++)
			capnp_st64(p + i * 8, 0);
	} else {
		__builtin_memset(p, 0, (size_t)words * 8);
	}
}

/* A near pointer at p to the object at obj (same segment). */
static void set_near(uint8_t *p, const uint8_t *obj, uint64_t bits)
{
	int64_t off = (int64_t)((uint64_t)(obj - p) >> 3) - 1; /* a multiple of 8 */
	capnp_st64(p, (bits & ~(uint64_t)0xffffffffu) | (((uint32_t)off << 2) | (uint32_t)(bits & 3)));
}

static uint64_t far_ptr(uint32_t seg, uint64_t word, bool dbl)
{
	return CAPNP_KIND_FAR | ((uint64_t)dbl << 2) | (word << 3) | ((uint64_t)seg << 32);
}

/* Does p (inside an allocated object) lie in the segment being filled? */
static bool in_current(const struct capnp_builder *b, const uint8_t *p)
{
	uintptr_t a = (uintptr_t)p, d = (uintptr_t)b->seg;
	return a >= d && a < d + (uintptr_t)b->used_words * 8;
}

static void use_segment(struct capnp_builder *b, uint32_t i, uint32_t cap)
{
	b->cur = i;
	b->seg = (uint8_t *)(uintptr_t)b->segs[i].data; /* the caller's writable memory */
	b->cap_words = cap;
	b->used_words = b->segs[i].words;
}

/* Asks the caller for a segment of at least min words; its index, or
 * UINT32_MAX (error recorded).  *cap: its size in words. */
static uint32_t new_segment(struct capnp_builder *b, uint64_t min, uint32_t *cap)
{
	size_t got = 0;
	void *mem = NULL;
	if (b->grow && b->nseg < b->max_seg && min <= CAPNP_LIST_MAX)
		mem = b->grow(b->grow_ctx, (size_t)min, &got);
	if (mem == NULL || got < min) {
		builder_fail(b, CAPNP_ERR_NO_SPACE);
		return UINT32_MAX;
	}
	*cap = got > CAPNP_LIST_MAX ? CAPNP_LIST_MAX : (uint32_t)got;
	b->segs[b->nseg] = (struct capnp_segment){mem, 0};
	return b->nseg++;
}

/*
 * Places an object of `words` words for the pointer at p and writes that
 * pointer (bits: its kind and size fields).  Near when the object fits in
 * p's segment; else in another segment behind a landing pad (far); when
 * the object fills a segment of its own, behind a two-word pad elsewhere
 * (double-far).  Returns the object or NULL (error recorded).
 */
static uint8_t *place_slow(struct capnp_builder *b, uint8_t *p, uint64_t words, uint64_t bits,
                           bool zero)
{
	if (b->err != CAPNP_OK)
		return NULL;
	int64_t at;
	uint8_t *obj;
	if (b->segs == NULL || in_current(b, p)) {
		at = take(b, words);
		if (at >= 0) {
			obj = b->seg + (size_t)at * 8;
			set_near(p, obj, bits);
			goto done;
		}
		if (b->segs == NULL) {
			builder_fail(b, CAPNP_ERR_NO_SPACE);
			return NULL;
		}
	}
	if (words == 0) { /* nothing to place: any target in p's segment will do */
		set_near(p, p + 8, bits);
		return p + 8;
	}
	at = take(b, words + 1);
	if (at < 0) {
		uint32_t cap, old = b->cur, old_cap = b->cap_words;
		uint32_t ns = new_segment(b, words, &cap);
		if (ns == UINT32_MAX)
			return NULL;
		use_segment(b, ns, cap);
		at = take(b, words + 1);
		if (at < 0) {
			/* The object fills the new segment: a double-far pad
			 * goes where two words are left. */
			obj = b->seg + (size_t)take(b, words) * 8; /* fits: got >= words */
			uint32_t pad_cap = old_cap;
			uint32_t ps = old;
			use_segment(b, old, old_cap);
			if (b->cap_words - b->used_words < 2) {
				ps = new_segment(b, 2, &pad_cap);
				if (ps == UINT32_MAX)
					return NULL;
				use_segment(b, ps, pad_cap);
			}
			int64_t pad = take(b, 2);
			uint8_t *pp = b->seg + (size_t)pad * 8;
			capnp_st64(pp, far_ptr(ns, 0, false));
			capnp_st64(pp + 8, bits & ~(uint64_t)0xfffffffcu);
			capnp_st64(p, far_ptr(ps, (uint64_t)pad, true));
			goto done;
		}
	}
	uint8_t *pad = b->seg + (size_t)at * 8;
	obj = pad + 8;
	set_near(pad, obj, bits);
	capnp_st64(p, far_ptr(b->cur, (uint64_t)at, false));
done:
	if (zero)
		zero_words(obj, words);
	return obj;
}

/* The common case inline: one segment with room. */
static inline uint8_t *place(struct capnp_builder *b, uint8_t *p, uint64_t words, uint64_t bits,
                             bool zero)
{
	if (b->segs == NULL && b->err == CAPNP_OK &&
	    words <= (uint64_t)(b->cap_words - b->used_words)) {
		uint8_t *obj = b->seg + (size_t)b->used_words * 8;
		b->used_words += (uint32_t)words;
		set_near(p, obj, bits);
		if (zero)
			zero_words(obj, words);
		return obj;
	}
	return place_slow(b, p, words, bits, zero);
}

int capnp_builder_init(struct capnp_builder *b, void *arena, size_t bytes)
{
	*b = (struct capnp_builder){.arena = arena};
	b->seg = arena ? (uint8_t *)arena + 8 : NULL; /* no arithmetic on NULL */
	if (arena == NULL || bytes < 16) {
		builder_fail(b, CAPNP_ERR_INVALID_ARG);
		return b->err;
	}
	uint64_t words = (bytes - 8) / 8;
	b->cap_words = words > CAPNP_LIST_MAX ? CAPNP_LIST_MAX : (uint32_t)words;
	take(b, 1); /* the root pointer */
	capnp_st64(b->seg, 0);
	return b->err;
}

int capnp_builder_init_grow(struct capnp_builder *b, void *arena, size_t bytes,
                            struct capnp_segment *table, uint32_t table_len, capnp_grow_fn grow,
                            void *ctx)
{
	if (capnp_builder_init(b, arena, bytes) != CAPNP_OK)
		return b->err;
	if (table == NULL || table_len == 0 || grow == NULL) {
		builder_fail(b, CAPNP_ERR_INVALID_ARG);
		return b->err;
	}
	table[0] = (struct capnp_segment){b->seg, b->used_words};
	b->segs = table;
	b->nseg = 1;
	b->max_seg = table_len > CAPNP_MAX_SEGMENTS ? CAPNP_MAX_SEGMENTS : table_len;
	b->grow = grow;
	b->grow_ctx = ctx;
	return CAPNP_OK;
}

int capnp_builder_finish(struct capnp_builder *b, size_t *len)
{
	*len = 0;
	if (b->err != CAPNP_OK)
		return b->err;
	if (capnp_builder_segments(b) > 1)
		return CAPNP_ERR_INVALID_ARG;
	uint32_t words = b->segs ? b->segs[0].words : b->used_words;
	capnp_st32(b->arena, 0); /* segment count - 1 */
	capnp_st32(b->arena + 4, words);
	*len = 8 + (size_t)words * 8;
	return CAPNP_OK;
}

size_t capnp_builder_size(const struct capnp_builder *b)
{
	uint32_t n = capnp_builder_segments(b);
	size_t len = (4 + 4 * (size_t)n + 7) & ~(size_t)7;
	for (uint32_t i = 0; i < n; i++)
		len += (size_t)(b->segs ? b->segs[i].words : b->used_words) * 8;
	return len;
}

int capnp_builder_align(struct capnp_builder *b, size_t align)
{
	if (b->err != CAPNP_OK)
		return b->err;
	if (align < 8 || (align & (align - 1)) || capnp_builder_segments(b) > 1)
		return CAPNP_ERR_INVALID_ARG;
	/* The first segment follows the 8-byte table of a one-segment message. */
	size_t at = 8 + (size_t)b->used_words * 8;
	uint64_t words = ((align - at % align) % align) / 8;
	int64_t w = take(b, words);
	if (w < 0)
		return CAPNP_ERR_NO_SPACE;
	zero_words(b->seg + (size_t)w * 8, words);
	return CAPNP_OK;
}

int capnp_builder_write(const struct capnp_builder *b, void *out, size_t cap, size_t *len)
{
	*len = 0;
	if (b->err != CAPNP_OK)
		return b->err;
	size_t need = capnp_builder_size(b);
	if (need > cap)
		return CAPNP_ERR_NO_SPACE;
	uint8_t *o = out;
	uint32_t n = capnp_builder_segments(b);
	size_t hdr = (4 + 4 * (size_t)n + 7) & ~(size_t)7;
	capnp_st32(o, n - 1);
	capnp_st32(o + hdr - 4, 0); /* padding, if any */
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *d = b->segs ? b->segs[i].data : b->seg;
		uint32_t words = b->segs ? b->segs[i].words : b->used_words;
		capnp_st32(o + 4 + 4 * (size_t)i, words);
		__builtin_memcpy(o + hdr, d, (size_t)words * 8);
		hdr += (size_t)words * 8;
	}
	*len = need;
	return CAPNP_OK;
}

int capnp_builder_reader(const struct capnp_builder *b, struct capnp_reader *m)
{
	if (b->err != CAPNP_OK)
		return b->err;
	if (b->segs == NULL)
		return capnp_reader_init_segment(m, b->seg, b->used_words);
	int err = capnp_reader_init_segment(m, b->segs[0].data, b->segs[0].words);
	if (err == CAPNP_OK) {
		m->seg = b->segs;
		m->nseg = b->nseg;
		m->size = capnp_builder_size(b);
	}
	return err;
}

static struct capnp_struct_builder null_sb(struct capnp_builder *b)
{
	return (struct capnp_struct_builder){.b = b};
}

static struct capnp_list_builder null_lb(struct capnp_builder *b)
{
	return (struct capnp_list_builder){.b = b};
}

static struct capnp_struct_builder new_struct(struct capnp_builder *b, uint8_t *p,
                                              uint16_t dw, uint16_t pc)
{
	if (dw + pc == 0) {
		if (b->err != CAPNP_OK)
			return null_sb(b);
		capnp_st64(p, 0xfffffffcu); /* empty struct: offset -1, not null */
		return (struct capnp_struct_builder){b, p, p, 0, 0};
	}
	uint8_t *data = place(b, p, (uint64_t)dw + pc, ((uint64_t)dw << 32) | ((uint64_t)pc << 48),
	                      true);
	if (data == NULL)
		return null_sb(b);
	return (struct capnp_struct_builder){b, data, data + (size_t)dw * 8, (uint32_t)dw * 8, pc};
}

struct capnp_struct_builder capnp_builder_root(struct capnp_builder *b, uint16_t data_words,
                                               uint16_t ptr_count)
{
	if (b->err != CAPNP_OK || b->arena == NULL)
		return null_sb(b);
	return new_struct(b, b->arena + 8, data_words, ptr_count);
}

static struct capnp_list_builder new_list(struct capnp_builder *b, uint8_t *p,
                                          enum capnp_elem_size size, uint32_t count)
{
	if (size == CAPNP_ELEM_COMPOSITE || count > CAPNP_LIST_MAX) {
		builder_fail(b, CAPNP_ERR_INVALID_ARG);
		return null_lb(b);
	}
	uint32_t bits = capnp_elem_bits(size);
	uint8_t *start = place(b, p, ((uint64_t)count * bits + 63) / 64,
	                       1 | ((uint64_t)size << 32) | ((uint64_t)count << 35), true);
	if (start == NULL)
		return null_lb(b);
	return (struct capnp_list_builder){
		.b = b,
		.start = start,
		.len = count,
		.step_bits = bits,
		.data_bits = size == CAPNP_ELEM_POINTER ? 0 : bits,
		.ptr_count = size == CAPNP_ELEM_POINTER,
		.elem_size = (uint8_t)size,
	};
}

static struct capnp_list_builder new_struct_list(struct capnp_builder *b, uint8_t *p,
                                                 uint16_t dw, uint16_t pc, uint32_t count)
{
	uint64_t words = (uint64_t)count * (dw + pc);
	if (count > CAPNP_LIST_MAX || words > CAPNP_LIST_MAX) {
		builder_fail(b, CAPNP_ERR_INVALID_ARG);
		return null_lb(b);
	}
	uint8_t *tag = place(b, p, words + 1,
	                     1 | ((uint64_t)CAPNP_ELEM_COMPOSITE << 32) | (words << 35), true);
	if (tag == NULL)
		return null_lb(b);
	capnp_st64(tag, ((uint64_t)count << 2) | ((uint64_t)dw << 32) | ((uint64_t)pc << 48));
	return (struct capnp_list_builder){
		.b = b,
		.start = tag + 8,
		.len = count,
		.step_bits = (uint32_t)(dw + pc) * 64,
		.data_bits = (uint32_t)dw * 64,
		.ptr_count = pc,
		.elem_size = CAPNP_ELEM_COMPOSITE,
	};
}

static void set_bytes(struct capnp_builder *b, uint8_t *p, const void *src, size_t len, bool nul)
{
	if (len > CAPNP_LIST_MAX - 1) {
		builder_fail(b, CAPNP_ERR_INVALID_ARG);
		return;
	}
	uint32_t count = (uint32_t)(len + nul);
	uint64_t words = ((uint64_t)count + 7) / 8;
	uint8_t *dst = place(b, p, words, 1 | ((uint64_t)CAPNP_ELEM_BYTE << 32) | ((uint64_t)count << 35),
	                     false);
	if (dst == NULL)
		return;
	if (words)
		capnp_st64(dst + (words - 1) * 8, 0); /* NUL and padding */
	if (len)
		__builtin_memcpy(dst, src, len);
}

static void set_cap(uint8_t *p, uint32_t cap)
{
	capnp_st64(p, cap == CAPNP_NO_CAP ? 0 : ((uint64_t)cap << 32) | CAPNP_KIND_OTHER);
}

/* The pointer slot idx of s, or NULL when s has none (failed or too small). */
static uint8_t *ptr_slot(struct capnp_struct_builder s, uint32_t idx)
{
	if (idx >= s.ptr_count || s.ptrs == NULL)
		return NULL;
	return s.ptrs + (size_t)idx * 8;
}

/* The slot-based entry points behind the inline capnp_sb_* wrappers:
 * `slot` is a pointer word of the arena, or NULL for a failed view. */
struct capnp_struct_builder capnp_slot_init_struct(struct capnp_builder *b, uint8_t *slot,
                                                   uint16_t data_words, uint16_t ptr_count)
{
	return slot ? new_struct(b, slot, data_words, ptr_count) : null_sb(b);
}

struct capnp_list_builder capnp_slot_init_list(struct capnp_builder *b, uint8_t *slot,
                                               enum capnp_elem_size size, uint32_t count)
{
	return slot ? new_list(b, slot, size, count) : null_lb(b);
}

struct capnp_list_builder capnp_slot_init_struct_list(struct capnp_builder *b, uint8_t *slot,
                                                      uint16_t data_words, uint16_t ptr_count,
                                                      uint32_t count)
{
	return slot ? new_struct_list(b, slot, data_words, ptr_count, count) : null_lb(b);
}

void capnp_slot_set_text(struct capnp_builder *b, uint8_t *slot, const char *str, size_t len)
{
	if (slot)
		set_bytes(b, slot, str, len, true);
}

void capnp_slot_set_data(struct capnp_builder *b, uint8_t *slot, const void *src, size_t len)
{
	if (slot)
		set_bytes(b, slot, src, len, false);
}

void capnp_sb_set_cap(struct capnp_struct_builder s, uint32_t idx, uint32_t cap)
{
	uint8_t *p = ptr_slot(s, idx);
	if (p)
		set_cap(p, cap);
}

void capnp_sb_clear_ptr(struct capnp_struct_builder s, uint32_t idx)
{
	uint8_t *p = ptr_slot(s, idx);
	if (p)
		capnp_st64(p, 0);
}

/* ------------------------------------------------------------------ */
/* List elements                                                      */
/* ------------------------------------------------------------------ */

static bool lb_index_ok(struct capnp_list_builder l, uint32_t i)
{
	if (l.start != NULL && i < l.len)
		return true;
	if (l.b && l.start != NULL)
		builder_fail(l.b, CAPNP_ERR_INVALID_ARG);
	return false;
}

struct capnp_struct_builder capnp_lb_struct_at_slow(struct capnp_list_builder l, uint32_t i)
{
	if (!lb_index_ok(l, i) || l.elem_size == CAPNP_ELEM_BIT)
		return null_sb(l.b);
	uint8_t *base = l.start + ((uint64_t)i * l.step_bits) / 8;
	return (struct capnp_struct_builder){l.b, base, base + l.data_bits / 8, l.data_bits / 8,
	                                     l.ptr_count};
}

void capnp_lb_set_bool(struct capnp_list_builder l, uint32_t i, bool v)
{
	if (!lb_index_ok(l, i))
		return;
	if (l.elem_size == CAPNP_ELEM_BIT) {
		uint8_t m = (uint8_t)(1u << (i % 8));
		l.start[i / 8] = (uint8_t)(v ? (l.start[i / 8] | m) : (l.start[i / 8] & ~m));
		return;
	}
	capnp_sb_set_bool(capnp_lb_struct_at(l, i), 0, v);
}

void capnp_lb_set_u8(struct capnp_list_builder l, uint32_t i, uint8_t v) { capnp_sb_set_u8(capnp_lb_struct_at(l, i), 0, v); }
void capnp_lb_set_u16(struct capnp_list_builder l, uint32_t i, uint16_t v) { capnp_sb_set_u16(capnp_lb_struct_at(l, i), 0, v); }
void capnp_lb_set_u32(struct capnp_list_builder l, uint32_t i, uint32_t v) { capnp_sb_set_u32(capnp_lb_struct_at(l, i), 0, v); }
void capnp_lb_set_u64(struct capnp_list_builder l, uint32_t i, uint64_t v) { capnp_sb_set_u64(capnp_lb_struct_at(l, i), 0, v); }

void capnp_lb_set_text(struct capnp_list_builder l, uint32_t i, const char *str, size_t len)
{
	capnp_sb_set_text(capnp_lb_struct_at(l, i), 0, str, len);
}

void capnp_lb_set_data(struct capnp_list_builder l, uint32_t i, const void *p, size_t len)
{
	capnp_sb_set_data(capnp_lb_struct_at(l, i), 0, p, len);
}

void capnp_lb_set_cap(struct capnp_list_builder l, uint32_t i, uint32_t cap)
{
	capnp_sb_set_cap(capnp_lb_struct_at(l, i), 0, cap);
}

struct capnp_list_builder capnp_lb_init_list(struct capnp_list_builder l, uint32_t i,
                                             enum capnp_elem_size size, uint32_t count)
{
	return capnp_sb_init_list(capnp_lb_struct_at(l, i), 0, size, count);
}

struct capnp_list_builder capnp_lb_init_struct_list(struct capnp_list_builder l, uint32_t i,
                                                    uint16_t data_words, uint16_t ptr_count,
                                                    uint32_t count)
{
	return capnp_sb_init_struct_list(capnp_lb_struct_at(l, i), 0, data_words, ptr_count,
	                                 count);
}
