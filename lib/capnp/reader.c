/*
 * Message reader: framing, pointer resolution (near and far), bounds,
 * traversal and depth limits.  Every pointer is checked against its segment
 * before anything behind it is touched.
 */
#include "capnp/capnp.h"
#include "capnp/wire.h"

int capnp_reader_fail(struct capnp_reader *m, int err)
{
	if (m->err == CAPNP_OK)
		m->err = err;
	return m->err;
}

static void reader_reset(struct capnp_reader *m)
{
	m->seg = m->seg_inline;
	m->nseg = 0;
	m->err = CAPNP_OK;
	m->traversal_left = CAPNP_DEFAULT_TRAVERSAL_WORDS;
	m->depth_limit = CAPNP_DEFAULT_DEPTH;
	m->cap_count = 0;
	m->size = 0;
}

int capnp_reader_init_table(struct capnp_reader *m, const void *buf, size_t len,
                            struct capnp_segment *table, uint32_t table_len)
{
	const uint8_t *p = buf;
	reader_reset(m);
	if (len < 8 || table == NULL)
		return capnp_reader_fail(m, CAPNP_ERR_FRAMING);
	uint64_t n = (uint64_t)capnp_ld32(p) + 1;
	if (n > CAPNP_MAX_SEGMENTS || n > table_len)
		return capnp_reader_fail(m, CAPNP_ERR_FRAMING);
	size_t hdr = (size_t)((4 + 4 * n + 7) & ~(uint64_t)7);
	if (hdr > len)
		return capnp_reader_fail(m, CAPNP_ERR_FRAMING);
	uint64_t off = hdr;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t words = capnp_ld32(p + 4 + 4 * i);
		if ((uint64_t)words * 8 > len - off)
			return capnp_reader_fail(m, CAPNP_ERR_FRAMING);
		table[i].data = p + off;
		table[i].words = words;
		off += (uint64_t)words * 8;
	}
	if (table[0].words == 0)
		return capnp_reader_fail(m, CAPNP_ERR_FRAMING);
	m->seg = table;
	m->nseg = (uint32_t)n;
	m->size = (size_t)off;
	return CAPNP_OK;
}

int capnp_reader_init(struct capnp_reader *m, const void *buf, size_t len)
{
	return capnp_reader_init_table(m, buf, len, m->seg_inline, CAPNP_INLINE_SEGMENTS);
}

int capnp_reader_init_segment(struct capnp_reader *m, const void *words, size_t nwords)
{
	reader_reset(m);
	if (nwords == 0 || nwords > UINT32_MAX)
		return capnp_reader_fail(m, CAPNP_ERR_FRAMING);
	m->seg_inline[0].data = words;
	m->seg_inline[0].words = (uint32_t)nwords;
	m->seg = m->seg_inline;
	m->nseg = 1;
	m->size = nwords * 8;
	return CAPNP_OK;
}

void capnp_reader_set_limits(struct capnp_reader *m, uint64_t traversal_words, uint32_t depth)
{
	m->traversal_left = traversal_words;
	m->depth_limit = depth;
}

void capnp_reader_set_cap_count(struct capnp_reader *m, uint32_t n) { m->cap_count = n; }

/* The index of a (non-empty) view's segment. */
static uint32_t seg_index(const struct capnp_struct *s)
{
	return (uint32_t)(s->sg - s->m->seg);
}

/* Where a pointer leads: tag describes the object, which starts at word
 * `word` of segment `seg` (for composite lists, at the tag word). */
struct target {
	uint64_t tag;
	int64_t word;
	uint32_t seg;
};

/*
 * Resolves the pointer at p (inside segment seg), following at most one far
 * pointer as the encoding allows.  Returns 0 for null, 1 with *t filled,
 * or a negative error (already recorded).  "Other" pointers are returned as
 * is for the caller to judge.
 */
static int resolve(struct capnp_reader *m, uint32_t seg, const uint8_t *p, struct target *t)
{
	uint64_t w = capnp_ld64(p);
	if (w == 0)
		return 0;
	uint32_t kind = w & 3;
	if (kind != CAPNP_KIND_FAR) {
		t->tag = w;
		t->seg = seg;
		t->word = (int64_t)((p - m->seg[seg].data) / 8) + 1 + capnp_ptr_offset(w);
		return 1;
	}
	uint32_t s2 = (uint32_t)(w >> 32);
	if (s2 >= m->nseg)
		return capnp_reader_fail(m, CAPNP_ERR_BAD_SEGMENT);
	uint64_t pad = (w >> 3) & 0x1fffffffu;
	bool dbl = (w >> 2) & 1;
	if (pad + (dbl ? 2 : 1) > m->seg[s2].words)
		return capnp_reader_fail(m, CAPNP_ERR_OUT_OF_BOUNDS);
	const uint8_t *pp = m->seg[s2].data + pad * 8;
	uint64_t p1 = capnp_ld64(pp);
	if (!dbl) {
		/* A single landing pad must be a plain struct or list pointer:
		 * a far pad (a loop or chain) or a capability is refused. */
		if ((p1 & 3) >= CAPNP_KIND_FAR)
			return capnp_reader_fail(m, CAPNP_ERR_BAD_FAR);
		t->tag = p1;
		t->seg = s2;
		t->word = (int64_t)pad + 1 + capnp_ptr_offset(p1);
		return 1;
	}
	uint64_t tag = capnp_ld64(pp + 8);
	if ((p1 & 7) != CAPNP_KIND_FAR || (tag & 3) >= CAPNP_KIND_FAR)
		return capnp_reader_fail(m, CAPNP_ERR_BAD_FAR);
	uint32_t s3 = (uint32_t)(p1 >> 32);
	if (s3 >= m->nseg)
		return capnp_reader_fail(m, CAPNP_ERR_BAD_SEGMENT);
	t->tag = tag;
	t->seg = s3;
	t->word = (int64_t)((p1 >> 3) & 0x1fffffffu);
	return 1;
}

static bool charge(struct capnp_reader *m, uint64_t words)
{
	if (words == 0)
		words = 1;
	if (words > m->traversal_left) {
		m->traversal_left = 0;
		capnp_reader_fail(m, CAPNP_ERR_TRAVERSAL_LIMIT);
		return false;
	}
	m->traversal_left -= words;
	return true;
}

static bool in_segment(const struct capnp_reader *m, const struct target *t, uint64_t words)
{
	return t->word >= 0 && (uint64_t)t->word + words <= m->seg[t->seg].words;
}

static int other_pointer_error(uint64_t w)
{
	return (w & 0xfffffffcu) ? CAPNP_ERR_RESERVED_POINTER : CAPNP_ERR_POINTER_KIND;
}

static struct capnp_struct empty_struct(struct capnp_reader *m)
{
	return (struct capnp_struct){.m = m};
}

static struct capnp_list empty_list(struct capnp_reader *m)
{
	return (struct capnp_list){.m = m};
}

/* Reads a struct through the pointer at p; depth is what the parent allows. */
static struct capnp_struct read_struct_at(struct capnp_reader *m, uint32_t seg, const uint8_t *p,
                                          uint16_t depth)
{
	struct target t = {0}; /* defined even if a caller left m->err positive */
	if (resolve(m, seg, p, &t) <= 0)
		return empty_struct(m);
	if (depth == 0) {
		capnp_reader_fail(m, CAPNP_ERR_DEPTH_LIMIT);
		return empty_struct(m);
	}
	uint32_t kind = t.tag & 3;
	if (kind != CAPNP_KIND_STRUCT) {
		capnp_reader_fail(m, kind == CAPNP_KIND_OTHER ? other_pointer_error(t.tag)
		                                              : CAPNP_ERR_POINTER_KIND);
		return empty_struct(m);
	}
	uint32_t dw = (uint32_t)(t.tag >> 32) & 0xffffu;
	uint32_t pc = (uint32_t)(t.tag >> 48);
	if (!in_segment(m, &t, (uint64_t)dw + pc)) {
		capnp_reader_fail(m, CAPNP_ERR_OUT_OF_BOUNDS);
		return empty_struct(m);
	}
	if (!charge(m, (uint64_t)dw + pc))
		return empty_struct(m);
	const uint8_t *data = m->seg[t.seg].data + t.word * 8;
	return (struct capnp_struct){
		.m = m,
		.data = data,
		.ptrs = data + (size_t)dw * 8,
		.sg = &m->seg[t.seg],
		.data_bytes = dw * 8,
		.ptr_count = (uint16_t)pc,
		.depth = (uint16_t)(depth - 1),
	};
}

/* Is a list of wire element size `have` readable as the schema's `want`? */
static bool list_compatible(const struct capnp_list *l, enum capnp_elem_size want)
{
	uint32_t have = l->elem_size;
	switch (want) {
	case CAPNP_ELEM_VOID:
		return true;
	case CAPNP_ELEM_BIT:
		return have == CAPNP_ELEM_BIT;
	case CAPNP_ELEM_BYTE:
	case CAPNP_ELEM_2B:
	case CAPNP_ELEM_4B:
	case CAPNP_ELEM_8B:
		return have == (uint32_t)want ||
		       (have == CAPNP_ELEM_COMPOSITE && l->data_bits >= capnp_elem_bits(want));
	case CAPNP_ELEM_POINTER:
		return have == CAPNP_ELEM_POINTER ||
		       (have == CAPNP_ELEM_COMPOSITE && l->ptr_count >= 1);
	case CAPNP_ELEM_COMPOSITE:
		return have != CAPNP_ELEM_BIT;
	}
	return false;
}

static struct capnp_list read_list_at(struct capnp_reader *m, uint32_t seg, const uint8_t *p,
                                      uint16_t depth, enum capnp_elem_size want)
{
	struct target t = {0}; /* as in read_struct_at */
	if (resolve(m, seg, p, &t) <= 0)
		return empty_list(m);
	if (depth == 0) {
		capnp_reader_fail(m, CAPNP_ERR_DEPTH_LIMIT);
		return empty_list(m);
	}
	uint32_t kind = t.tag & 3;
	if (kind != CAPNP_KIND_LIST) {
		capnp_reader_fail(m, kind == CAPNP_KIND_OTHER ? other_pointer_error(t.tag)
		                                              : CAPNP_ERR_POINTER_KIND);
		return empty_list(m);
	}
	uint32_t code = (uint32_t)(t.tag >> 32) & 7;
	uint32_t count = (uint32_t)(t.tag >> 35);
	/* clang-format off */
	struct capnp_list l = { .m = m, .sg = &m->seg[t.seg], .elem_size = (uint8_t)code,
				.depth = (uint16_t)(depth - 1) };
	/* clang-format on */
	if (code == CAPNP_ELEM_COMPOSITE) {
		uint64_t words = count; /* words after the tag */
		if (!in_segment(m, &t, words + 1)) {
			capnp_reader_fail(m, CAPNP_ERR_LIST_OUT_OF_BOUNDS);
			return empty_list(m);
		}
		const uint8_t *tagp = m->seg[t.seg].data + t.word * 8;
		uint64_t tag = capnp_ld64(tagp);
		if ((tag & 3) != CAPNP_KIND_STRUCT) {
			capnp_reader_fail(m, CAPNP_ERR_LIST_KIND);
			return empty_list(m);
		}
		uint32_t n = (uint32_t)(tag >> 2) & 0x3fffffffu;
		uint32_t dw = (uint32_t)(tag >> 32) & 0xffffu;
		uint32_t pc = (uint32_t)(tag >> 48);
		if ((uint64_t)n * (dw + pc) > words) {
			capnp_reader_fail(m, CAPNP_ERR_LIST_OUT_OF_BOUNDS);
			return empty_list(m);
		}
		/* Zero-sized elements cost nothing to store but something to
		 * visit: charge per element so huge counts cannot amplify. */
		if (!charge(m, dw + pc ? words : n))
			return empty_list(m);
		l.start = tagp + 8;
		l.len = n;
		l.step_bits = (dw + pc) * 64;
		l.data_bits = dw * 64;
		l.ptr_count = (uint16_t)pc;
	} else {
		uint64_t bits = (uint64_t)count * capnp_elem_bits(code);
		uint64_t words = (bits + 63) / 64;
		if (!in_segment(m, &t, words)) {
			capnp_reader_fail(m, CAPNP_ERR_LIST_OUT_OF_BOUNDS);
			return empty_list(m);
		}
		if (!charge(m, code == CAPNP_ELEM_VOID ? count : words))
			return empty_list(m);
		l.start = m->seg[t.seg].data + t.word * 8;
		l.len = count;
		l.step_bits = capnp_elem_bits(code);
		l.data_bits = code == CAPNP_ELEM_POINTER ? 0 : capnp_elem_bits(code);
		l.ptr_count = code == CAPNP_ELEM_POINTER;
	}
	if (!list_compatible(&l, want)) {
		capnp_reader_fail(m, CAPNP_ERR_LIST_KIND);
		return empty_list(m);
	}
	return l;
}

struct capnp_struct capnp_reader_root(struct capnp_reader *m)
{
	if (m->nseg == 0) {
		capnp_reader_fail(m, CAPNP_ERR_FRAMING);
		return empty_struct(m);
	}
	uint32_t d = m->depth_limit > 0xffffu ? 0xffffu : m->depth_limit;
	return read_struct_at(m, 0, m->seg[0].data, (uint16_t)d);
}

struct capnp_list capnp_reader_root_list(struct capnp_reader *m, enum capnp_elem_size want)
{
	if (m->nseg == 0) {
		capnp_reader_fail(m, CAPNP_ERR_FRAMING);
		return empty_list(m);
	}
	uint32_t d = m->depth_limit > 0xffffu ? 0xffffu : m->depth_limit;
	return read_list_at(m, 0, m->seg[0].data, (uint16_t)d, want);
}

int capnp_struct_ptr_kind(const struct capnp_struct *s, uint32_t idx)
{
	struct target t = {0};
	if (idx >= s->ptr_count)
		return CAPNP_PTR_NULL;
	int r = resolve(s->m, seg_index(s), s->ptrs + (size_t)idx * 8, &t);
	if (r <= 0)
		return r;
	switch (t.tag & 3) {
	case CAPNP_KIND_STRUCT: return CAPNP_PTR_STRUCT;
	case CAPNP_KIND_LIST: return CAPNP_PTR_LIST;
	default:
		if (t.tag & 0xfffffffcu)
			return capnp_reader_fail(s->m, CAPNP_ERR_RESERVED_POINTER);
		return CAPNP_PTR_CAP;
	}
}

bool capnp_struct_has(const struct capnp_struct *s, uint32_t idx)
{
	return idx < s->ptr_count && capnp_ld64(s->ptrs + (size_t)idx * 8) != 0;
}

struct capnp_struct capnp_struct_get_struct_slow(const struct capnp_struct *s, uint32_t idx)
{
	if (idx >= s->ptr_count)
		return empty_struct(s->m);
	return read_struct_at(s->m, seg_index(s), s->ptrs + (size_t)idx * 8, s->depth);
}

struct capnp_list capnp_struct_get_list_slow(const struct capnp_struct *s, uint32_t idx,
                                             enum capnp_elem_size want)
{
	if (idx >= s->ptr_count)
		return empty_list(s->m);
	return read_list_at(s->m, seg_index(s), s->ptrs + (size_t)idx * 8, s->depth, want);
}

struct capnp_text capnp_struct_get_text_slow(const struct capnp_struct *s, uint32_t idx,
                                             const char *def, uint32_t def_len)
{
	struct capnp_text t = {def ? def : "", def ? def_len : 0};
	if (!capnp_struct_has(s, idx))
		return t;
	struct capnp_list l = capnp_struct_get_list(s, idx, CAPNP_ELEM_BYTE);
	if (l.start == NULL)
		return t; /* error already recorded */
	if (l.elem_size != CAPNP_ELEM_BYTE || l.len == 0 || l.start[l.len - 1] != 0) {
		capnp_reader_fail(s->m, CAPNP_ERR_TEXT);
		return t;
	}
	t.str = (const char *)l.start;
	t.len = l.len - 1;
	return t;
}

struct capnp_data capnp_struct_get_data(const struct capnp_struct *s, uint32_t idx,
                                        const uint8_t *def, uint32_t def_len)
{
	static const uint8_t none[1];
	struct capnp_data d = {def ? def : none, def ? def_len : 0};
	if (!capnp_struct_has(s, idx))
		return d;
	struct capnp_list l = capnp_struct_get_list(s, idx, CAPNP_ELEM_BYTE);
	if (l.start == NULL)
		return d;
	if (l.elem_size != CAPNP_ELEM_BYTE) {
		capnp_reader_fail(s->m, CAPNP_ERR_LIST_KIND);
		return d;
	}
	d.ptr = l.start;
	d.len = l.len;
	return d;
}

static uint32_t read_cap_at(struct capnp_reader *m, const uint8_t *p)
{
	uint64_t w = capnp_ld64(p);
	if (w == 0)
		return CAPNP_NO_CAP;
	if ((w & 3) != CAPNP_KIND_OTHER) {
		capnp_reader_fail(m, CAPNP_ERR_POINTER_KIND);
		return CAPNP_NO_CAP;
	}
	if (w & 0xfffffffcu) {
		capnp_reader_fail(m, CAPNP_ERR_RESERVED_POINTER);
		return CAPNP_NO_CAP;
	}
	uint32_t idx = (uint32_t)(w >> 32);
	if (idx >= m->cap_count) {
		capnp_reader_fail(m, CAPNP_ERR_BAD_CAP);
		return CAPNP_NO_CAP;
	}
	return idx;
}

uint32_t capnp_struct_get_cap(const struct capnp_struct *s, uint32_t idx)
{
	if (idx >= s->ptr_count)
		return CAPNP_NO_CAP;
	return read_cap_at(s->m, s->ptrs + (size_t)idx * 8);
}

/* ------------------------------------------------------------------ */
/* List elements                                                      */
/* ------------------------------------------------------------------ */

static bool index_ok(const struct capnp_list *l, uint32_t i)
{
	if (i < l->len)
		return true;
	if (l->m)
		capnp_reader_fail(l->m, CAPNP_ERR_INVALID_ARG);
	return false;
}

struct capnp_struct capnp_list_get_struct_slow(struct capnp_list l, uint32_t i)
{
	if (!index_ok(&l, i))
		return (struct capnp_struct){.m = l.m};
	if (l.elem_size == CAPNP_ELEM_BIT) {
		capnp_reader_fail(l.m, CAPNP_ERR_LIST_KIND);
		return empty_struct(l.m);
	}
	const uint8_t *base = l.start + ((uint64_t)i * l.step_bits) / 8;
	return (struct capnp_struct){
		.m = l.m,
		.data = base,
		.ptrs = base + l.data_bits / 8,
		.sg = l.sg,
		.data_bytes = l.data_bits / 8,
		.ptr_count = l.ptr_count,
		.depth = l.depth,
	};
}

bool capnp_list_get_bool(struct capnp_list l, uint32_t i)
{
	if (!index_ok(&l, i))
		return false;
	if (l.elem_size == CAPNP_ELEM_BIT)
		return (l.start[i / 8] >> (i % 8)) & 1;
	struct capnp_struct s = capnp_list_get_struct(l, i);
	return capnp_struct_bool(&s, 0);
}

#define CAPNP_LIST_GET(name, type, code)                                         \
	type capnp_list_get_##name(struct capnp_list l, uint32_t i)              \
	{                                                                        \
		if (l.elem_size == (code) && i < l.len) {                        \
			type v;                                                  \
			__builtin_memcpy(&v, l.start + (size_t)i * sizeof(type), \
			                 sizeof(type));                          \
			return v;                                                \
		}                                                                \
		struct capnp_struct s = capnp_list_get_struct(l, i);             \
		return capnp_struct_##name(&s, 0);                               \
	}
CAPNP_LIST_GET(u8, uint8_t, CAPNP_ELEM_BYTE)
CAPNP_LIST_GET(u16, uint16_t, CAPNP_ELEM_2B)
CAPNP_LIST_GET(u32, uint32_t, CAPNP_ELEM_4B)
CAPNP_LIST_GET(u64, uint64_t, CAPNP_ELEM_8B)
#undef CAPNP_LIST_GET

struct capnp_text capnp_list_get_text(struct capnp_list l, uint32_t i)
{
	struct capnp_struct s = capnp_list_get_struct(l, i);
	return capnp_struct_get_text(&s, 0, NULL, 0);
}

struct capnp_data capnp_list_get_data(struct capnp_list l, uint32_t i)
{
	struct capnp_struct s = capnp_list_get_struct(l, i);
	return capnp_struct_get_data(&s, 0, NULL, 0);
}

struct capnp_list capnp_list_get_list(struct capnp_list l, uint32_t i, enum capnp_elem_size want)
{
	struct capnp_struct s = capnp_list_get_struct(l, i);
	return capnp_struct_get_list(&s, 0, want);
}

uint32_t capnp_list_get_cap(struct capnp_list l, uint32_t i)
{
	struct capnp_struct s = capnp_list_get_struct(l, i);
	return capnp_struct_get_cap(&s, 0);
}
