/*
 * The Cap'n Proto builder and reader (lib/capnp/) round trip: a random
 * tree of structs (random data and pointer section sizes) whose pointers
 * hold nothing, text, data, a struct, a list of bits/bytes/.../words or
 * voids, a struct list or a text list, nested a few levels, is built into
 * one arena of random size or grown into random small segments (far and
 * double-far pointers), framed, optionally packed and unpacked, read back
 * and compared with the tree.
 *
 * Properties: a build either succeeds or reports CAPNP_ERR_NO_SPACE (never
 * writes outside its arena: ASan); what was built reads back equal (every
 * data word, every pointer's kind, length and contents; reads past a
 * section give 0 / null), with no reader error; packing round-trips.
 */
#include <stdio.h>
#include <string.h>

#include "capnp/capnp.h"
#include "prop.h"

#define MAX_NODES 160u
#define MAX_DW    3u
#define MAX_PC    4u
#define MAX_LEN   24u
#define MAX_DEPTH 3u

enum kind { K_NULL,
	    K_TEXT,
	    K_DATA,
	    K_STRUCT,
	    K_PRIM,
	    K_SLIST,
	    K_TLIST,
	    K_KINDS };

struct node {
	uint16_t dw, pc;
	uint64_t data[MAX_DW];
	struct {
		enum kind kind;
		uint8_t elem; /* K_PRIM: element size code */
		uint32_t len; /* text/data bytes, list elements */
		uint8_t bytes[MAX_LEN];
		uint64_t vals[MAX_LEN];  /* K_PRIM values */
		uint16_t child[MAX_LEN]; /* K_STRUCT (child[0]), K_SLIST elements: node indices */
		uint8_t tlen[4];         /* K_TLIST: each text's length (its bytes: bytes[]) */
	} ptr[MAX_PC];
};

static struct node nodes[MAX_NODES];
static uint32_t nnodes;

static const uint8_t elem_bits[8] = {0, 1, 8, 16, 32, 64, 64, 0};

static uint64_t mask_bits(uint64_t v, uint8_t elem)
{
	uint8_t b = elem_bits[elem];
	return b >= 64 ? v : v & ((1ull << b) - 1);
}

/* A struct node with the given section sizes (for list elements: fixed). */
static int gen_struct(struct prop *p, uint32_t depth, int dw, int pc)
{
	if (nnodes >= MAX_NODES)
		return -1;
	uint32_t at = nnodes++;
	struct node *n = &nodes[at];
	memset(n, 0, sizeof *n);
	n->dw = dw >= 0 ? (uint16_t)dw : (uint16_t)prop_draw(p, 0, MAX_DW);
	n->pc = pc >= 0 ? (uint16_t)pc : (uint16_t)prop_draw(p, 0, MAX_PC);
	for (uint32_t i = 0; i < n->dw; i++)
		n->data[i] = prop_draw(p, 0, UINT64_MAX);
	for (uint32_t i = 0; i < n->pc; i++) {
		enum kind k = (enum kind)prop_draw(p, 0, depth >= MAX_DEPTH ? K_DATA : K_KINDS - 1);
		n->ptr[i].kind = k;
		switch (k) {
		case K_TEXT:
		case K_DATA:
			n->ptr[i].len = (uint32_t)prop_draw(p, 0, MAX_LEN - 1);
			for (uint32_t j = 0; j < n->ptr[i].len; j++)
				n->ptr[i].bytes[j] = (uint8_t)prop_draw(p, k == K_TEXT ? 1 : 0, 255);
			break;
		case K_STRUCT: {
			int c = gen_struct(p, depth + 1, -1, -1);
			if (c < 0)
				n->ptr[i].kind = K_NULL;
			else
				n->ptr[i].child[0] = (uint16_t)c;
			break;
		}
		case K_PRIM:
			n->ptr[i].elem = (uint8_t)prop_draw(p, CAPNP_ELEM_VOID, CAPNP_ELEM_8B);
			n->ptr[i].len = (uint32_t)prop_draw(p, 0, MAX_LEN);
			for (uint32_t j = 0; j < n->ptr[i].len; j++)
				n->ptr[i].vals[j] = mask_bits(prop_draw(p, 0, UINT64_MAX), n->ptr[i].elem);
			break;
		case K_SLIST: {
			int edw = (int)prop_draw(p, 0, 2), epc = (int)prop_draw(p, 0, 2);
			n->ptr[i].len = (uint32_t)prop_draw(p, 0, 4);
			for (uint32_t j = 0; j < n->ptr[i].len; j++) {
				int c = gen_struct(p, depth + 1, edw, epc);
				if (c < 0) {
					n->ptr[i].len = j;
					break;
				}
				n->ptr[i].child[j] = (uint16_t)c;
			}
			break;
		}
		case K_TLIST:
			n->ptr[i].len = (uint32_t)prop_draw(p, 0, 4);
			for (uint32_t j = 0; j < n->ptr[i].len; j++)
				n->ptr[i].tlen[j] = (uint8_t)prop_draw(p, 0, 5);
			for (uint32_t j = 0; j < MAX_LEN; j++)
				n->ptr[i].bytes[j] = (uint8_t)('a' + j);
			break;
		default:
			break;
		}
	}
	return (int)at;
}

static void build_struct(struct capnp_struct_builder sb, const struct node *n);

static void build_ptr(struct capnp_struct_builder sb, uint32_t i, const struct node *n)
{
	const __typeof__(n->ptr[0]) *q = &n->ptr[i];
	struct capnp_list_builder lb;
	switch (q->kind) {
	case K_TEXT: capnp_sb_set_text(sb, i, (const char *)q->bytes, q->len); break;
	case K_DATA: capnp_sb_set_data(sb, i, q->bytes, q->len); break;
	case K_STRUCT: {
		const struct node *c = &nodes[q->child[0]];
		build_struct(capnp_sb_init_struct(sb, i, c->dw, c->pc), c);
		break;
	}
	case K_PRIM:
		lb = capnp_sb_init_list(sb, i, (enum capnp_elem_size)q->elem, q->len);
		for (uint32_t j = 0; j < q->len; j++) {
			switch (q->elem) {
			case CAPNP_ELEM_BIT: capnp_lb_set_bool(lb, j, q->vals[j] != 0); break;
			case CAPNP_ELEM_BYTE: capnp_lb_set_u8(lb, j, (uint8_t)q->vals[j]); break;
			case CAPNP_ELEM_2B: capnp_lb_set_u16(lb, j, (uint16_t)q->vals[j]); break;
			case CAPNP_ELEM_4B: capnp_lb_set_u32(lb, j, (uint32_t)q->vals[j]); break;
			case CAPNP_ELEM_8B: capnp_lb_set_u64(lb, j, q->vals[j]); break;
			default: break;
			}
		}
		break;
	case K_SLIST: {
		uint16_t edw = q->len ? nodes[q->child[0]].dw : 0, epc = q->len ? nodes[q->child[0]].pc : 0;
		lb = capnp_sb_init_struct_list(sb, i, edw, epc, q->len);
		for (uint32_t j = 0; j < q->len; j++)
			build_struct(capnp_lb_struct_at(lb, j), &nodes[q->child[j]]);
		break;
	}
	case K_TLIST:
		lb = capnp_sb_init_list(sb, i, CAPNP_ELEM_POINTER, q->len);
		for (uint32_t j = 0; j < q->len; j++)
			capnp_lb_set_text(lb, j, (const char *)q->bytes, q->tlen[j]);
		break;
	default:
		break;
	}
}

static void build_struct(struct capnp_struct_builder sb, const struct node *n)
{
	for (uint32_t i = 0; i < n->dw; i++)
		capnp_sb_set_u64(sb, i * 8, n->data[i]);
	for (uint32_t i = 0; i < n->pc; i++)
		build_ptr(sb, i, n);
}

static int check_struct(struct prop *p, const struct capnp_struct *s, const struct node *n,
                        const char *path);

static int check_ptr(struct prop *p, const struct capnp_struct *s, uint32_t i, const struct node *n,
                     const char *path)
{
	const __typeof__(n->ptr[0]) *q = &n->ptr[i];
	char sub[160];
	struct capnp_list l;
	switch (q->kind) {
	case K_NULL:
		PROP_CHECK(p, !capnp_struct_has(s, i), "%s.ptr%u: null written, something read", path, i);
		return 0;
	case K_TEXT: {
		struct capnp_text t = capnp_struct_get_text(s, i, "", 0);
		PROP_CHECK(p, t.len == q->len && !memcmp(t.str, q->bytes, q->len) && t.str[t.len] == 0,
		           "%s.ptr%u: text of %u bytes read back as %u bytes", path, i, q->len, t.len);
		return 0;
	}
	case K_DATA: {
		struct capnp_data d = capnp_struct_get_data(s, i, 0, 0);
		PROP_CHECK(p, d.len == q->len && (q->len == 0 || !memcmp(d.ptr, q->bytes, q->len)),
		           "%s.ptr%u: data of %u bytes read back as %u bytes (or different)", path, i,
		           q->len, d.len);
		return 0;
	}
	case K_STRUCT: {
		struct capnp_struct c = capnp_struct_get_struct(s, i);
		snprintf(sub, sizeof sub, "%s.ptr%u", path, i);
		return check_struct(p, &c, &nodes[q->child[0]], sub);
	}
	case K_PRIM:
		l = capnp_struct_get_list(s, i, (enum capnp_elem_size)q->elem);
		PROP_CHECK(p, capnp_list_len(l) == q->len, "%s.ptr%u: list of %u (size %u) read as %u",
		           path, i, q->len, q->elem, capnp_list_len(l));
		for (uint32_t j = 0; j < q->len; j++) {
			uint64_t v = 0;
			switch (q->elem) {
			case CAPNP_ELEM_BIT: v = capnp_list_get_bool(l, j); break;
			case CAPNP_ELEM_BYTE: v = capnp_list_get_u8(l, j); break;
			case CAPNP_ELEM_2B: v = capnp_list_get_u16(l, j); break;
			case CAPNP_ELEM_4B: v = capnp_list_get_u32(l, j); break;
			case CAPNP_ELEM_8B: v = capnp_list_get_u64(l, j); break;
			default: break;
			}
			uint64_t want = q->elem == CAPNP_ELEM_BIT ? q->vals[j] != 0 : q->vals[j];
			PROP_CHECK(p, v == want, "%s.ptr%u[%u]: wrote %#llx, read %#llx", path, i, j,
			           (unsigned long long)want, (unsigned long long)v);
		}
		return 0;
	case K_SLIST:
		l = capnp_struct_get_list(s, i, CAPNP_ELEM_COMPOSITE);
		PROP_CHECK(p, capnp_list_len(l) == q->len, "%s.ptr%u: struct list of %u read as %u", path,
		           i, q->len, capnp_list_len(l));
		for (uint32_t j = 0; j < q->len; j++) {
			struct capnp_struct c = capnp_list_get_struct(l, j);
			snprintf(sub, sizeof sub, "%s.ptr%u[%u]", path, i, j);
			if (check_struct(p, &c, &nodes[q->child[j]], sub))
				return 1;
		}
		return 0;
	case K_TLIST:
		l = capnp_struct_get_list(s, i, CAPNP_ELEM_POINTER);
		PROP_CHECK(p, capnp_list_len(l) == q->len, "%s.ptr%u: text list of %u read as %u", path,
		           i, q->len, capnp_list_len(l));
		for (uint32_t j = 0; j < q->len; j++) {
			struct capnp_text t = capnp_list_get_text(l, j);
			PROP_CHECK(p, t.len == q->tlen[j] && !memcmp(t.str, q->bytes, t.len),
			           "%s.ptr%u[%u]: text of %u read as %u", path, i, j, q->tlen[j], t.len);
		}
		return 0;
	default:
		return 0;
	}
}

static int check_struct(struct prop *p, const struct capnp_struct *s, const struct node *n,
                        const char *path)
{
	for (uint32_t i = 0; i < n->dw; i++)
		PROP_CHECK(p, capnp_struct_u64(s, i * 8) == n->data[i], "%s: data word %u differs", path,
		           i);
	PROP_CHECK(p, capnp_struct_u64(s, n->dw * 8) == 0, "%s: a read past the data section is not 0",
	           path);
	PROP_CHECK(p, !capnp_struct_has(s, n->pc), "%s: a pointer past the section is not null", path);
	for (uint32_t i = 0; i < n->pc; i++)
		if (check_ptr(p, s, i, n, path))
			return 1;
	return 0;
}

/* Growing: segments of a chosen size from a pool. */
static uint64_t pool[1 << 14];
static size_t pool_used, seg_words;

static void *grow(void *ctx, size_t min_words, size_t *got)
{
	(void)ctx;
	size_t n = seg_words > min_words ? seg_words : min_words;
	if (n > sizeof pool / 8 - pool_used)
		return NULL;
	void *at = pool + pool_used;
	pool_used += n;
	*got = n;
	return at;
}

static int run(struct prop *p)
{
	static uint64_t arena[1 << 13];
	static uint8_t framed[1 << 17], packed[1 << 18], unpacked[1 << 17];
	static struct capnp_segment btable[CAPNP_MAX_SEGMENTS], rtable[CAPNP_MAX_SEGMENTS];
	nnodes = 0;
	int root = gen_struct(p, 0, -1, -1);
	bool grown = prop_bool(p);
	size_t arena_bytes = (size_t)prop_draw(p, 2, grown ? 16 : sizeof arena / 8) * 8;
	struct capnp_builder b;
	if (grown) {
		pool_used = 0;
		seg_words = (size_t)prop_draw(p, 0, 32);
		capnp_builder_init_grow(&b, arena, arena_bytes, btable, CAPNP_MAX_SEGMENTS, grow, NULL);
	} else {
		capnp_builder_init(&b, arena, arena_bytes);
	}
	prop_note(p, "%u nodes, %s arena of %zu bytes", nnodes, grown ? "growing" : "one", arena_bytes);
	struct capnp_struct_builder rb = capnp_builder_root(&b, nodes[root].dw, nodes[root].pc);
	build_struct(rb, &nodes[root]);
	int berr = capnp_builder_error(&b);
	size_t len = 0;
	if (berr != CAPNP_OK) {
		prop_note(p, "build: %s", capnp_strerror(berr));
		PROP_CHECK(p, berr == CAPNP_ERR_NO_SPACE,
		           "build failed with %d (%s); only running out of space may fail it", berr,
		           capnp_strerror(berr));
		PROP_CHECK(p, capnp_builder_write(&b, framed, sizeof framed, &len) != CAPNP_OK,
		           "a failed build wrote a message");
		return 0;
	}
	int werr = capnp_builder_write(&b, framed, sizeof framed, &len);
	PROP_CHECK(p, werr == CAPNP_OK && len == capnp_builder_size(&b), "write: %d, %zu of %zu bytes",
	           werr, len, capnp_builder_size(&b));
	prop_note(p, "built %zu bytes in %u segments", len, capnp_builder_segments(&b));
	const uint8_t *msg = framed;
	if (prop_bool(p)) {
		size_t plen = 0, ulen = 0;
		PROP_CHECK(p, capnp_pack(framed, len, packed, sizeof packed, &plen) == CAPNP_OK, "pack failed");
		/* clang-format off */
		PROP_CHECK(p, capnp_unpack(packed, plen, unpacked, sizeof unpacked, &ulen) == CAPNP_OK &&
		                  ulen == len && !memcmp(unpacked, framed, len),
		           "packing did not round-trip (%zu bytes -> %zu packed -> %zu)", len, plen, ulen);
		/* clang-format on */
		msg = unpacked;
	}
	struct capnp_reader m;
	int rerr = capnp_reader_init_table(&m, msg, len, rtable, CAPNP_MAX_SEGMENTS);
	PROP_CHECK(p, rerr == CAPNP_OK, "reader refused the built message: %s", capnp_strerror(rerr));
	struct capnp_struct s = capnp_reader_root(&m);
	if (check_struct(p, &s, &nodes[root], "root"))
		return 1;
	PROP_CHECK(p, capnp_reader_error(&m) == CAPNP_OK, "reader error %s after reading it back",
	           capnp_strerror(capnp_reader_error(&m)));
	return 0;
}

const struct prop_def prop_capnp_roundtrip = {"capnp_roundtrip",
                                              "lib/capnp builder -> reader round trip", run};
