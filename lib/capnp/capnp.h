/*
 * Freestanding Cap'n Proto wire runtime.
 *
 * Reads messages over a caller's buffer and builds them into a caller's
 * arena: no allocation, no globals, no libc beyond __builtin_memcpy/memset.
 * Shared by the kernel, the userspace runtime, init and the host tools.
 *
 * Errors are sticky: the first problem met while reading (or building) is
 * recorded in the message object, and the failing accessor returns a
 * harmless default.  Read what you need, then check capnp_reader_error().
 * Nothing is ever read outside the buffer.  Contract: docs/capnp-c.md.
 */
#ifndef CAPNP_CAPNP_H
#define CAPNP_CAPNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the capnp runtime assumes a little-endian target"
#endif

/* Float accessors exist only where floating point registers may be used
 * (not in the kernel or userspace, which build with -mgeneral-regs-only). */
#if defined(__SSE__) || !defined(__x86_64__)
#define CAPNP_HAVE_FLOAT 1
#else
#define CAPNP_HAVE_FLOAT 0
#endif

enum capnp_error {
	CAPNP_OK = 0,
	CAPNP_ERR_FRAMING = -1,            /* segment table / sizes invalid      */
	CAPNP_ERR_OUT_OF_BOUNDS = -2,      /* struct target outside its segment  */
	CAPNP_ERR_LIST_OUT_OF_BOUNDS = -3, /* list extent outside its segment    */
	CAPNP_ERR_BAD_SEGMENT = -4,        /* far pointer to a missing segment   */
	CAPNP_ERR_BAD_FAR = -5,            /* invalid far-pointer landing pad    */
	CAPNP_ERR_POINTER_KIND = -6,       /* struct vs list vs capability       */
	CAPNP_ERR_LIST_KIND = -7,          /* element size not what schema wants */
	CAPNP_ERR_TEXT = -8,               /* Text not NUL-terminated            */
	CAPNP_ERR_TRAVERSAL_LIMIT = -9,    /* amplification guard tripped        */
	CAPNP_ERR_DEPTH_LIMIT = -10,       /* nesting too deep                   */
	CAPNP_ERR_BAD_CAP = -11,           /* capability index past the table    */
	CAPNP_ERR_RESERVED_POINTER = -12,  /* "other" pointer, not a capability  */
	CAPNP_ERR_NO_SPACE = -13,          /* builder arena / output full        */
	CAPNP_ERR_INVALID_ARG = -14,       /* API misuse: index past list end... */
};
#define CAPNP_ERR_MIN (-14)

/* The reader accepts messages of up to CAPNP_MAX_SEGMENTS segments (the C++
 * reader's limit is 512 too); the first CAPNP_INLINE_SEGMENTS are described
 * inside struct capnp_reader, more need a caller's table
 * (capnp_reader_init_table), so a reader stays small on a kernel stack. */
#define CAPNP_MAX_SEGMENTS            512u
#define CAPNP_INLINE_SEGMENTS         16u
#define CAPNP_DEFAULT_TRAVERSAL_WORDS (8u * 1024u * 1024u)
#define CAPNP_DEFAULT_DEPTH           64u
#define CAPNP_NO_CAP                  UINT32_MAX

/* List element size codes, as on the wire. */
enum capnp_elem_size {
	CAPNP_ELEM_VOID = 0,
	CAPNP_ELEM_BIT = 1,
	CAPNP_ELEM_BYTE = 2,
	CAPNP_ELEM_2B = 3,
	CAPNP_ELEM_4B = 4,
	CAPNP_ELEM_8B = 5,
	CAPNP_ELEM_POINTER = 6,
	CAPNP_ELEM_COMPOSITE = 7,
};

const char *capnp_strerror(int err);

/* ------------------------------------------------------------------ */
/* Reading                                                            */
/* ------------------------------------------------------------------ */

struct capnp_segment {
	const uint8_t *data;
	uint32_t words;
};

/* Views point into the reader: never copy one (make another instead). */
struct capnp_reader {
	const struct capnp_segment *seg; /* seg_inline or the caller's table */
	uint32_t nseg;
	int err;                 /* first error, sticky                     */
	uint64_t traversal_left; /* words that may still be read            */
	uint32_t depth_limit;
	uint32_t cap_count; /* size of the message's capability table  */
	size_t size;        /* bytes of the framed message             */
	struct capnp_segment seg_inline[CAPNP_INLINE_SEGMENTS];
};

/* A struct inside a message.  A zero value is an empty struct. */
struct capnp_struct {
	struct capnp_reader *m;
	const uint8_t *data;
	const uint8_t *ptrs;
	const struct capnp_segment *sg; /* its segment (in m->seg); NULL if empty */
	uint32_t data_bytes;
	uint16_t ptr_count;
	uint16_t depth; /* pointers that may still be followed below this */
};

/* A list inside a message.  Elements are viewed uniformly as structs of
 * data_bits data and ptr_count pointers spaced step_bits apart. */
struct capnp_list {
	struct capnp_reader *m;
	const uint8_t *start;
	const struct capnp_segment *sg;
	uint32_t len;
	uint32_t step_bits;
	uint32_t data_bits;
	uint16_t ptr_count;
	uint8_t elem_size;
	uint16_t depth;
};

struct capnp_text {
	const char *str; /* NUL-terminated */
	uint32_t len;    /* without the NUL */
};

struct capnp_data {
	const uint8_t *ptr;
	uint32_t len;
};

/* Framed message: segment table then segments.  buf: any alignment.
 * Up to CAPNP_INLINE_SEGMENTS segments; more is CAPNP_ERR_FRAMING. */
int capnp_reader_init(struct capnp_reader *m, const void *buf, size_t len);
/* The same with the segments described in table[0 .. table_len), which must
 * outlive the reader: up to min(table_len, CAPNP_MAX_SEGMENTS) segments. */
int capnp_reader_init_table(struct capnp_reader *m, const void *buf, size_t len,
                            struct capnp_segment *table, uint32_t table_len);
/* One unframed segment of nwords words. */
int capnp_reader_init_segment(struct capnp_reader *m, const void *words, size_t nwords);
void capnp_reader_set_limits(struct capnp_reader *m, uint64_t traversal_words, uint32_t depth);
/* The amplification guard for a message of `bytes` bytes received from
 * someone else: a valid message never reads more words than it has (plus
 * slack for the framing) nor nests more than 16 deep. */
static inline void capnp_reader_guard(struct capnp_reader *m, uint64_t bytes)
{
	capnp_reader_set_limits(m, bytes / 8 + 16, 16);
}
void capnp_reader_set_cap_count(struct capnp_reader *m, uint32_t n);
static inline int capnp_reader_error(const struct capnp_reader *m) { return m->err; }
/* Records err unless an error is already recorded; returns the first error. */
int capnp_reader_fail(struct capnp_reader *m, int err);

struct capnp_struct capnp_reader_root(struct capnp_reader *m);
/* The root pointer read as a list (AnyPointer constants and defaults). */
struct capnp_list capnp_reader_root_list(struct capnp_reader *m, enum capnp_elem_size want);

/* What pointer slot idx of s holds, following far pointers. */
enum capnp_ptr_kind {
	CAPNP_PTR_NULL = 0,
	CAPNP_PTR_STRUCT = 1,
	CAPNP_PTR_LIST = 2,
	CAPNP_PTR_CAP = 3,
};
/* A capnp_ptr_kind, or a negative error (recorded) for a bad pointer. */
int capnp_struct_ptr_kind(const struct capnp_struct *s, uint32_t idx);

/* Pointer fields of a struct (index into the pointer section).  The
 * *_slow functions handle every case; the inline versions below take the
 * common one (a near pointer, in bounds, within the limits) without a call
 * and hand anything else to them. */
bool capnp_struct_has(const struct capnp_struct *s, uint32_t idx);
struct capnp_struct capnp_struct_get_struct_slow(const struct capnp_struct *s, uint32_t idx);
struct capnp_list capnp_struct_get_list_slow(const struct capnp_struct *s, uint32_t idx,
                                             enum capnp_elem_size want);
struct capnp_text capnp_struct_get_text_slow(const struct capnp_struct *s, uint32_t idx,
                                             const char *def, uint32_t def_len);
struct capnp_struct capnp_list_get_struct_slow(struct capnp_list l, uint32_t i);
struct capnp_data capnp_struct_get_data(const struct capnp_struct *s, uint32_t idx,
                                        const uint8_t *def, uint32_t def_len);
uint32_t capnp_struct_get_cap(const struct capnp_struct *s, uint32_t idx);

/* Data fields: byte/bit offsets into the data section; past its end reads 0. */
#define CAPNP_DEFINE_READ(name, type)                                        \
	static inline type capnp_struct_##name(const struct capnp_struct *s, \
	                                       uint32_t off)                 \
	{                                                                    \
		type v = 0;                                                  \
		if (off + sizeof(type) <= s->data_bytes)                     \
			__builtin_memcpy(&v, s->data + off, sizeof(type));   \
		return v;                                                    \
	}
CAPNP_DEFINE_READ(u8, uint8_t)
CAPNP_DEFINE_READ(u16, uint16_t)
CAPNP_DEFINE_READ(u32, uint32_t)
CAPNP_DEFINE_READ(u64, uint64_t)
#undef CAPNP_DEFINE_READ

static inline bool capnp_struct_bool(const struct capnp_struct *s, uint32_t bit)
{
	if (bit / 8 >= s->data_bytes)
		return false;
	return (s->data[bit / 8] >> (bit % 8)) & 1;
}

#if CAPNP_HAVE_FLOAT
static inline float capnp_bits_f32(uint32_t b)
{
	float f;
	__builtin_memcpy(&f, &b, 4);
	return f;
}
static inline double capnp_bits_f64(uint64_t b)
{
	double f;
	__builtin_memcpy(&f, &b, 8);
	return f;
}
static inline uint32_t capnp_f32_bits(float f)
{
	uint32_t b;
	__builtin_memcpy(&b, &f, 4);
	return b;
}
static inline uint64_t capnp_f64_bits(double f)
{
	uint64_t b;
	__builtin_memcpy(&b, &f, 8);
	return b;
}
#endif

/* ---- inline fast paths ---- */

/* The near pointer at slot idx and the word index it points to, if s may
 * follow it at all; otherwise false (the slow path decides). */
static inline bool capnp_near_(const struct capnp_struct *s, uint32_t idx, uint64_t *w,
                               int64_t *pos)
{
	if (idx >= s->ptr_count || s->depth == 0)
		return false;
	const uint8_t *p = s->ptrs + (size_t)idx * 8;
	__builtin_memcpy(w, p, 8);
	*pos = (int64_t)((p - s->sg->data) / 8) + 1 +
	       (int64_t)((int32_t)(uint32_t)*w >> 2);
	return *pos >= 0;
}

/* Charges `words` (at least 1) to the traversal limit if [pos, pos+words)
 * lies in the segment and the limit allows it. */
static inline bool capnp_take_(const struct capnp_struct *s, int64_t pos, uint64_t words,
                               uint64_t charge)
{
	struct capnp_reader *m = s->m;
	if (charge == 0)
		charge = 1;
	if ((uint64_t)pos + words > s->sg->words || charge > m->traversal_left)
		return false;
	m->traversal_left -= charge;
	return true;
}

static inline struct capnp_struct capnp_struct_get_struct(const struct capnp_struct *s,
                                                          uint32_t idx)
{
	uint64_t w;
	int64_t pos;
	if (capnp_near_(s, idx, &w, &pos) && (w & 3) == 0 && w != 0) {
		uint32_t dw = (uint32_t)(w >> 32) & 0xffffu, pc = (uint32_t)(w >> 48);
		if (capnp_take_(s, pos, (uint64_t)dw + pc, (uint64_t)dw + pc)) {
			/* capnp_near_ held, so the view has its segment; the analyzer
			 * loses that when it stops inlining deep in capnpc-c. */
			/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
			const uint8_t *data = s->sg->data + pos * 8;
			return (struct capnp_struct){s->m, data, data + (size_t)dw * 8, s->sg,
			                             dw * 8, (uint16_t)pc,
			                             (uint16_t)(s->depth - 1)};
		}
	}
	return capnp_struct_get_struct_slow(s, idx);
}

static inline struct capnp_list capnp_struct_get_list(const struct capnp_struct *s, uint32_t idx,
                                                      enum capnp_elem_size want)
{
	static const uint8_t bits[8] = {0, 1, 8, 16, 32, 64, 64, 0};
	uint64_t w;
	int64_t pos;
	if (capnp_near_(s, idx, &w, &pos) && (w & 3) == 1) {
		uint32_t code = (uint32_t)(w >> 32) & 7, count = (uint32_t)(w >> 35);
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): as in get_struct */
		const uint8_t *at = s->sg->data + pos * 8;
		if (code == (uint32_t)want && code != CAPNP_ELEM_COMPOSITE) {
			uint64_t words = ((uint64_t)count * bits[code] + 63) / 64;
			if (capnp_take_(s, pos, words, code == CAPNP_ELEM_VOID ? count : words))
				return (struct capnp_list){
					s->m, at, s->sg, count, bits[code],
					code == CAPNP_ELEM_POINTER ? 0u : bits[code],
					code == CAPNP_ELEM_POINTER, (uint8_t)code,
					(uint16_t)(s->depth - 1)};
		} else if (code == CAPNP_ELEM_COMPOSITE && want == CAPNP_ELEM_COMPOSITE &&
		           (uint64_t)pos + 1 + count <= s->sg->words) {
			uint64_t tag;
			__builtin_memcpy(&tag, at, 8);
			uint32_t n = (uint32_t)(tag >> 2) & 0x3fffffffu;
			uint32_t dw = (uint32_t)(tag >> 32) & 0xffffu, pc = (uint32_t)(tag >> 48);
			if ((tag & 3) == 0 && (uint64_t)n * (dw + pc) <= count &&
			    capnp_take_(s, pos, (uint64_t)count + 1, dw + pc ? count : n))
				return (struct capnp_list){
					s->m, at + 8, s->sg, n, (dw + pc) * 64, dw * 64,
					(uint16_t)pc, CAPNP_ELEM_COMPOSITE,
					(uint16_t)(s->depth - 1)};
		}
	}
	return capnp_struct_get_list_slow(s, idx, want);
}

static inline struct capnp_text capnp_struct_get_text(const struct capnp_struct *s, uint32_t idx,
                                                      const char *def, uint32_t def_len)
{
	uint64_t w;
	int64_t pos;
	if (capnp_near_(s, idx, &w, &pos) && (w & 3) == 1 &&
	    ((w >> 32) & 7) == CAPNP_ELEM_BYTE) {
		uint32_t count = (uint32_t)(w >> 35);
		const char *str = (const char *)s->sg->data + pos * 8;
		uint64_t words = ((uint64_t)count + 7) / 8;
		if (count > 0 && (uint64_t)pos + words <= s->sg->words &&
		    str[count - 1] == 0 && capnp_take_(s, pos, words, words))
			return (struct capnp_text){str, count - 1};
	}
	return capnp_struct_get_text_slow(s, idx, def, def_len);
}

/* Lists. */
static inline uint32_t capnp_list_len(struct capnp_list l) { return l.len; }
/* Element i as a struct (any element size but bits). */
static inline struct capnp_struct capnp_list_get_struct(struct capnp_list l, uint32_t i)
{
	if (i < l.len && l.elem_size != CAPNP_ELEM_BIT) {
		const uint8_t *base = l.start + ((uint64_t)i * l.step_bits) / 8;
		return (struct capnp_struct){l.m, base, base + l.data_bits / 8, l.sg,
		                             l.data_bits / 8, l.ptr_count, l.depth};
	}
	return capnp_list_get_struct_slow(l, i);
}
bool capnp_list_get_bool(struct capnp_list l, uint32_t i);
uint8_t capnp_list_get_u8(struct capnp_list l, uint32_t i);
uint16_t capnp_list_get_u16(struct capnp_list l, uint32_t i);
uint32_t capnp_list_get_u32(struct capnp_list l, uint32_t i);
uint64_t capnp_list_get_u64(struct capnp_list l, uint32_t i);
static inline int8_t capnp_list_get_i8(struct capnp_list l, uint32_t i) { return (int8_t)capnp_list_get_u8(l, i); }
static inline int16_t capnp_list_get_i16(struct capnp_list l, uint32_t i) { return (int16_t)capnp_list_get_u16(l, i); }
static inline int32_t capnp_list_get_i32(struct capnp_list l, uint32_t i) { return (int32_t)capnp_list_get_u32(l, i); }
static inline int64_t capnp_list_get_i64(struct capnp_list l, uint32_t i) { return (int64_t)capnp_list_get_u64(l, i); }
#if CAPNP_HAVE_FLOAT
static inline float capnp_list_get_f32(struct capnp_list l, uint32_t i)
{
	return capnp_bits_f32(capnp_list_get_u32(l, i));
}
static inline double capnp_list_get_f64(struct capnp_list l, uint32_t i) { return capnp_bits_f64(capnp_list_get_u64(l, i)); }
#endif
struct capnp_text capnp_list_get_text(struct capnp_list l, uint32_t i);
struct capnp_data capnp_list_get_data(struct capnp_list l, uint32_t i);
struct capnp_list capnp_list_get_list(struct capnp_list l, uint32_t i, enum capnp_elem_size want);
uint32_t capnp_list_get_cap(struct capnp_list l, uint32_t i);

/* ------------------------------------------------------------------ */
/* Building into a caller-provided arena, optionally growing into more  */
/* segments the caller hands out                                      */
/* ------------------------------------------------------------------ */

/* Returns memory for a new segment of at least min_words words (8-byte
 * aligned, any content) and its size in *got_words, or NULL. */
typedef void *(*capnp_grow_fn)(void *ctx, size_t min_words, size_t *got_words);

struct capnp_builder {
	uint8_t *arena; /* 8-byte segment table, then the first segment */
	uint8_t *seg;   /* the segment being filled                     */
	uint32_t cap_words;
	uint32_t used_words;
	int err;
	/* Growing (capnp_builder_init_grow), else NULL / 0. */
	struct capnp_segment *segs; /* the caller's table: base, words used */
	uint32_t nseg, max_seg, cur;
	capnp_grow_fn grow;
	void *grow_ctx;
};

struct capnp_struct_builder {
	struct capnp_builder *b;
	uint8_t *data;
	uint8_t *ptrs;
	uint32_t data_bytes;
	uint16_t ptr_count;
};

struct capnp_list_builder {
	struct capnp_builder *b;
	uint8_t *start;
	uint32_t len;
	uint32_t step_bits;
	uint32_t data_bits;
	uint16_t ptr_count;
	uint8_t elem_size;
};

int capnp_builder_init(struct capnp_builder *b, void *arena, size_t bytes);
/* The same, and when the arena is full the builder asks grow(ctx, ...) for
 * another segment, recorded in table[0 .. table_len) (which must outlive the
 * builder); objects in other segments are reached through far pointers
 * (double-far when a segment has no room left for the landing pad). */
int capnp_builder_init_grow(struct capnp_builder *b, void *arena, size_t bytes,
                            struct capnp_segment *table, uint32_t table_len, capnp_grow_fn grow,
                            void *ctx);
static inline int capnp_builder_error(const struct capnp_builder *b) { return b->err; }
static inline uint32_t capnp_builder_segments(const struct capnp_builder *b)
{
	return b->segs ? b->nseg : 1;
}
/* Single segment: writes the segment table; the framed message is
 * arena[0 .. *len).  Several segments: CAPNP_ERR_INVALID_ARG (use
 * capnp_builder_write). */
int capnp_builder_finish(struct capnp_builder *b, size_t *len);
/* Bytes of the framed message (segment table and every segment). */
size_t capnp_builder_size(const struct capnp_builder *b);
/* Skips zeroed words so the next object of a one-segment message starts
 * at a multiple of `align` bytes (a power of two, at least 8) from the
 * start of the framed message.  Nothing points at the skipped words.
 * CAPNP_ERR_NO_SPACE when they do not fit, CAPNP_ERR_INVALID_ARG for a
 * bad alignment or a message of several segments. */
int capnp_builder_align(struct capnp_builder *b, size_t align);
/* Copies the framed message to out[0 .. *len). */
int capnp_builder_write(const struct capnp_builder *b, void *out, size_t cap, size_t *len);
struct capnp_struct_builder capnp_builder_root(struct capnp_builder *b, uint16_t data_words,
                                               uint16_t ptr_count);
/* A reader over what has been built so far (valid until the next write). */
int capnp_builder_reader(const struct capnp_builder *b, struct capnp_reader *m);

#define CAPNP_DEFINE_WRITE(name, type)                                        \
	static inline void capnp_sb_set_##name(struct capnp_struct_builder s, \
	                                       uint32_t off, type v)          \
	{                                                                     \
		if (off + sizeof(type) <= s.data_bytes)                       \
			__builtin_memcpy(s.data + off, &v, sizeof(type));     \
	}
CAPNP_DEFINE_WRITE(u8, uint8_t)
CAPNP_DEFINE_WRITE(u16, uint16_t)
CAPNP_DEFINE_WRITE(u32, uint32_t)
CAPNP_DEFINE_WRITE(u64, uint64_t)
#undef CAPNP_DEFINE_WRITE

static inline void capnp_sb_set_bool(struct capnp_struct_builder s, uint32_t bit, bool v)
{
	if (bit / 8 >= s.data_bytes)
		return;
	uint8_t m = (uint8_t)(1u << (bit % 8));
	s.data[bit / 8] = (uint8_t)(v ? (s.data[bit / 8] | m) : (s.data[bit / 8] & ~m));
}

/* Pointer fields.  Inline wrappers (so that views stay in registers) around
 * the capnp_slot_* functions, which take the pointer word itself. */
struct capnp_struct_builder capnp_slot_init_struct(struct capnp_builder *b, uint8_t *slot,
                                                   uint16_t data_words, uint16_t ptr_count);
struct capnp_list_builder capnp_slot_init_list(struct capnp_builder *b, uint8_t *slot,
                                               enum capnp_elem_size size, uint32_t count);
struct capnp_list_builder capnp_slot_init_struct_list(struct capnp_builder *b, uint8_t *slot,
                                                      uint16_t data_words, uint16_t ptr_count,
                                                      uint32_t count);
void capnp_slot_set_text(struct capnp_builder *b, uint8_t *slot, const char *str, size_t len);
void capnp_slot_set_data(struct capnp_builder *b, uint8_t *slot, const void *p, size_t len);

static inline uint8_t *capnp_sb_slot_(struct capnp_struct_builder s, uint32_t idx)
{
	return idx < s.ptr_count && s.ptrs ? s.ptrs + (size_t)idx * 8 : NULL;
}

static inline struct capnp_struct_builder capnp_sb_init_struct(struct capnp_struct_builder s,
                                                               uint32_t idx, uint16_t data_words,
                                                               uint16_t ptr_count)
{
	return capnp_slot_init_struct(s.b, capnp_sb_slot_(s, idx), data_words, ptr_count);
}

static inline struct capnp_list_builder capnp_sb_init_list(struct capnp_struct_builder s,
                                                           uint32_t idx, enum capnp_elem_size size,
                                                           uint32_t count)
{
	return capnp_slot_init_list(s.b, capnp_sb_slot_(s, idx), size, count);
}

static inline struct capnp_list_builder capnp_sb_init_struct_list(struct capnp_struct_builder s,
                                                                  uint32_t idx, uint16_t data_words,
                                                                  uint16_t ptr_count, uint32_t count)
{
	return capnp_slot_init_struct_list(s.b, capnp_sb_slot_(s, idx), data_words, ptr_count,
	                                   count);
}

static inline void capnp_sb_set_text(struct capnp_struct_builder s, uint32_t idx, const char *str,
                                     size_t len)
{
	capnp_slot_set_text(s.b, capnp_sb_slot_(s, idx), str, len);
}

static inline void capnp_sb_set_data(struct capnp_struct_builder s, uint32_t idx, const void *p,
                                     size_t len)
{
	capnp_slot_set_data(s.b, capnp_sb_slot_(s, idx), p, len);
}

void capnp_sb_set_cap(struct capnp_struct_builder s, uint32_t idx, uint32_t cap);
void capnp_sb_clear_ptr(struct capnp_struct_builder s, uint32_t idx);

/* List elements.  Element i as a struct builder (any element size but bits). */
struct capnp_struct_builder capnp_lb_struct_at_slow(struct capnp_list_builder l, uint32_t i);
static inline struct capnp_struct_builder capnp_lb_struct_at(struct capnp_list_builder l,
                                                             uint32_t i)
{
	if (l.start != NULL && i < l.len && l.elem_size != CAPNP_ELEM_BIT) {
		uint8_t *base = l.start + ((uint64_t)i * l.step_bits) / 8;
		return (struct capnp_struct_builder){l.b, base, base + l.data_bits / 8,
		                                     l.data_bits / 8, l.ptr_count};
	}
	return capnp_lb_struct_at_slow(l, i);
}
void capnp_lb_set_bool(struct capnp_list_builder l, uint32_t i, bool v);
void capnp_lb_set_u8(struct capnp_list_builder l, uint32_t i, uint8_t v);
void capnp_lb_set_u16(struct capnp_list_builder l, uint32_t i, uint16_t v);
void capnp_lb_set_u32(struct capnp_list_builder l, uint32_t i, uint32_t v);
void capnp_lb_set_u64(struct capnp_list_builder l, uint32_t i, uint64_t v);
static inline void capnp_lb_set_i8(struct capnp_list_builder l, uint32_t i, int8_t v) { capnp_lb_set_u8(l, i, (uint8_t)v); }
static inline void capnp_lb_set_i16(struct capnp_list_builder l, uint32_t i, int16_t v) { capnp_lb_set_u16(l, i, (uint16_t)v); }
static inline void capnp_lb_set_i32(struct capnp_list_builder l, uint32_t i, int32_t v) { capnp_lb_set_u32(l, i, (uint32_t)v); }
static inline void capnp_lb_set_i64(struct capnp_list_builder l, uint32_t i, int64_t v) { capnp_lb_set_u64(l, i, (uint64_t)v); }
#if CAPNP_HAVE_FLOAT
static inline void capnp_lb_set_f32(struct capnp_list_builder l, uint32_t i, float v)
{
	capnp_lb_set_u32(l, i, capnp_f32_bits(v));
}
static inline void capnp_lb_set_f64(struct capnp_list_builder l, uint32_t i, double v) { capnp_lb_set_u64(l, i, capnp_f64_bits(v)); }
#endif
void capnp_lb_set_text(struct capnp_list_builder l, uint32_t i, const char *str, size_t len);
void capnp_lb_set_data(struct capnp_list_builder l, uint32_t i, const void *p, size_t len);
void capnp_lb_set_cap(struct capnp_list_builder l, uint32_t i, uint32_t cap);
struct capnp_list_builder capnp_lb_init_list(struct capnp_list_builder l, uint32_t i,
                                             enum capnp_elem_size size, uint32_t count);
struct capnp_list_builder capnp_lb_init_struct_list(struct capnp_list_builder l, uint32_t i,
                                                    uint16_t data_words, uint16_t ptr_count,
                                                    uint32_t count);

/* ------------------------------------------------------------------ */
/* Packed encoding                                                    */
/* ------------------------------------------------------------------ */

/* in_len must be a multiple of 8. */
int capnp_pack(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);
int capnp_unpack(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);

#endif
