/*
 * Message builder over a caller-provided arena: one segment, bump
 * allocation, no allocator.  The first 8 bytes of the arena hold the
 * segment table so that the finished message is the arena prefix.
 */
#include "capnp/capnp.h"
#include "capnp/wire.h"

static void builder_fail(struct capnp_builder *b, int err)
{
	if (b->err == CAPNP_OK)
		b->err = err;
}

/* Allocates words without clearing them; returns the word index or -1
 * (error recorded). */
static int64_t alloc_raw(struct capnp_builder *b, uint64_t words)
{
	if (b->err != CAPNP_OK)
		return -1;
	if (words > (uint64_t)(b->cap_words - b->used_words)) {
		builder_fail(b, CAPNP_ERR_NO_SPACE);
		return -1;
	}
	int64_t at = b->used_words;
	b->used_words += (uint32_t)words;
	return at;
}

/* Allocates zeroed words (the arena may hold anything). */
static int64_t alloc_words(struct capnp_builder *b, uint64_t words)
{
	int64_t at = alloc_raw(b, words);
	if (at < 0)
		return -1;
	uint8_t *p = b->seg + (size_t)at * 8;
	if (words <= 8) { /* structs are small: avoid a memset call */
		for (uint64_t i = 0; i < words; i++)
			capnp_st64(p + i * 8, 0);
	} else {
		__builtin_memset(p, 0, (size_t)words * 8);
	}
	return at;
}

int capnp_builder_init(struct capnp_builder *b, void *arena, size_t bytes)
{
	b->arena = arena;
	b->seg = arena ? (uint8_t *)arena + 8 : NULL; /* no arithmetic on NULL */
	b->used_words = 0;
	b->err = CAPNP_OK;
	b->cap_words = 0;
	if (arena == NULL || bytes < 16) {
		builder_fail(b, CAPNP_ERR_INVALID_ARG);
		return b->err;
	}
	uint64_t words = (bytes - 8) / 8;
	b->cap_words = words > CAPNP_LIST_MAX ? CAPNP_LIST_MAX : (uint32_t)words;
	alloc_words(b, 1); /* the root pointer */
	return b->err;
}

int capnp_builder_finish(struct capnp_builder *b, size_t *len)
{
	*len = 0;
	if (b->err != CAPNP_OK)
		return b->err;
	capnp_st32(b->arena, 0); /* segment count - 1 */
	capnp_st32(b->arena + 4, b->used_words);
	*len = 8 + (size_t)b->used_words * 8;
	return CAPNP_OK;
}

int capnp_builder_reader(const struct capnp_builder *b, struct capnp_reader *m)
{
	if (b->err != CAPNP_OK)
		return b->err;
	return capnp_reader_init_segment(m, b->seg, b->used_words);
}

static uint64_t word_index(const struct capnp_builder *b, const uint8_t *p)
{
	return (uint64_t)(p - b->seg) / 8;
}

/* Points the pointer at p to an object starting at word `target`. */
static void set_ptr(struct capnp_builder *b, uint8_t *p, uint64_t target, uint64_t kind_bits)
{
	int64_t off = (int64_t)target - (int64_t)word_index(b, p) - 1;
	uint32_t lo = ((uint32_t)off << 2) | (uint32_t)(kind_bits & 3);
	capnp_st64(p, (kind_bits & ~(uint64_t)0xffffffffu) | lo);
}

static struct capnp_struct_builder null_sb(struct capnp_builder *b)
{
	return (struct capnp_struct_builder){ .b = b };
}

static struct capnp_list_builder null_lb(struct capnp_builder *b)
{
	return (struct capnp_list_builder){ .b = b };
}

static struct capnp_struct_builder new_struct(struct capnp_builder *b, uint8_t *p,
					      uint16_t dw, uint16_t pc)
{
	int64_t at = alloc_words(b, (uint64_t)dw + pc);
	if (at < 0)
		return null_sb(b);
	if (dw + pc == 0)
		capnp_st64(p, 0xfffffffcu); /* empty struct: offset -1, not null */
	else
		set_ptr(b, p, (uint64_t)at, ((uint64_t)dw << 32) | ((uint64_t)pc << 48));
	uint8_t *data = b->seg + (size_t)at * 8;
	return (struct capnp_struct_builder){ b, data, data + (size_t)dw * 8, (uint32_t)dw * 8, pc };
}

struct capnp_struct_builder capnp_builder_root(struct capnp_builder *b, uint16_t data_words,
					       uint16_t ptr_count)
{
	if (b->err != CAPNP_OK || b->used_words == 0)
		return null_sb(b);
	return new_struct(b, b->seg, data_words, ptr_count);
}

static struct capnp_list_builder new_list(struct capnp_builder *b, uint8_t *p,
					  enum capnp_elem_size size, uint32_t count)
{
	if (size == CAPNP_ELEM_COMPOSITE || count > CAPNP_LIST_MAX) {
		builder_fail(b, CAPNP_ERR_INVALID_ARG);
		return null_lb(b);
	}
	uint32_t bits = capnp_elem_bits(size);
	int64_t at = alloc_words(b, ((uint64_t)count * bits + 63) / 64);
	if (at < 0)
		return null_lb(b);
	set_ptr(b, p, (uint64_t)at, 1 | ((uint64_t)size << 32) | ((uint64_t)count << 35));
	return (struct capnp_list_builder){
		.b = b,
		.start = b->seg + (size_t)at * 8,
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
	int64_t at = alloc_words(b, words + 1);
	if (at < 0)
		return null_lb(b);
	set_ptr(b, p, (uint64_t)at, 1 | ((uint64_t)CAPNP_ELEM_COMPOSITE << 32) | (words << 35));
	uint8_t *tag = b->seg + (size_t)at * 8;
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
	int64_t at = alloc_raw(b, words);
	if (at < 0)
		return;
	uint8_t *dst = b->seg + (size_t)at * 8;
	if (words)
		capnp_st64(dst + (words - 1) * 8, 0); /* NUL and padding */
	if (len)
		__builtin_memcpy(dst, src, len);
	set_ptr(b, p, (uint64_t)at, 1 | ((uint64_t)CAPNP_ELEM_BYTE << 32) | ((uint64_t)count << 35));
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
	return (struct capnp_struct_builder){ l.b, base, base + l.data_bits / 8, l.data_bits / 8,
					      l.ptr_count };
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
