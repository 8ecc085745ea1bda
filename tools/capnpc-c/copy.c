/*
 * Copies a pointer's target out of the CodeGeneratorRequest into a
 * standalone single-segment message (word 0 the root pointer), for default
 * values and constants of struct, list and AnyPointer type.  The generated
 * code reads that message with the ordinary runtime.
 */
#include <stdlib.h>
#include <string.h>

#include "capnpc.h"

static size_t alloc_words(struct words *w, size_t n)
{
	if (w->n + n > w->cap) {
		size_t cap = w->cap ? w->cap : 64;
		while (cap < w->n + n)
			cap *= 2;
		uint64_t *grown = realloc(w->w, cap * sizeof *grown);
		if (!grown) {
			fprintf(stderr, "capnpc-c: out of memory\n");
			exit(1);
		}
		w->w = grown;
		w->cap = cap;
	}
	memset(w->w + w->n, 0, n * sizeof *w->w);
	size_t at = w->n;
	w->n += n;
	return at;
}

static void set_ptr(struct words *w, size_t slot, size_t target, uint64_t bits)
{
	int64_t off = (int64_t)target - (int64_t)slot - 1;
	w->w[slot] = (bits & ~(uint64_t)0xffffffffu) | (((uint32_t)off << 2) | (bits & 3));
}

static void copy_ptr(struct gen *g, struct words *w, size_t slot, const struct capnp_struct *src,
                     uint32_t idx);

/* Copies a struct's data and pointers to words [at, at + dw + pc). */
static void copy_body(struct gen *g, struct words *w, size_t at, const struct capnp_struct *s)
{
	uint32_t dw = s->data_bytes / 8;
	if (s->data_bytes)
		memcpy(w->w + at, s->data, s->data_bytes);
	for (uint32_t j = 0; j < s->ptr_count; j++)
		copy_ptr(g, w, at + dw + j, s, j);
}

static void copy_struct(struct gen *g, struct words *w, size_t slot, const struct capnp_struct *src,
                        uint32_t idx)
{
	struct capnp_struct s = capnp_struct_get_struct(src, idx);
	uint32_t dw = s.data_bytes / 8, pc = s.ptr_count;
	size_t at = alloc_words(w, (size_t)dw + pc);
	set_ptr(w, slot, at, ((uint64_t)dw << 32) | ((uint64_t)pc << 48));
	copy_body(g, w, at, &s);
}

static void copy_list(struct gen *g, struct words *w, size_t slot, const struct capnp_struct *src,
                      uint32_t idx)
{
	struct capnp_list l = capnp_struct_get_list(src, idx, CAPNP_ELEM_VOID);
	uint32_t n = l.len;
	uint64_t code = l.elem_size;
	if (code == CAPNP_ELEM_COMPOSITE) {
		uint32_t dw = l.data_bits / 64, pc = l.ptr_count;
		size_t words = (size_t)n * (dw + pc);
		size_t at = alloc_words(w, words + 1);
		set_ptr(w, slot, at, 1 | (code << 32) | ((uint64_t)words << 35));
		w->w[at] = ((uint64_t)n << 2) | ((uint64_t)dw << 32) | ((uint64_t)pc << 48);
		for (uint32_t i = 0; i < n; i++) {
			struct capnp_struct e = capnp_list_get_struct(l, i);
			copy_body(g, w, at + 1 + (size_t)i * (dw + pc), &e);
		}
		return;
	}
	size_t words = ((size_t)n * l.step_bits + 63) / 64;
	size_t at = alloc_words(w, words);
	set_ptr(w, slot, at, 1 | (code << 32) | ((uint64_t)n << 35));
	if (code == CAPNP_ELEM_POINTER) {
		for (uint32_t i = 0; i < n; i++) {
			struct capnp_struct e = capnp_list_get_struct(l, i);
			copy_ptr(g, w, at + i, &e, 0);
		}
	} else if (words) {
		memcpy(w->w + at, l.start, ((size_t)n * l.step_bits + 7) / 8);
	}
}

static void copy_ptr(struct gen *g, struct words *w, size_t slot, const struct capnp_struct *src,
                     uint32_t idx)
{
	switch (capnp_struct_ptr_kind(src, idx)) {
	case CAPNP_PTR_NULL:
		return;
	case CAPNP_PTR_STRUCT:
		copy_struct(g, w, slot, src, idx);
		return;
	case CAPNP_PTR_LIST:
		copy_list(g, w, slot, src, idx);
		return;
	case CAPNP_PTR_CAP:
		gen_error(g, "a capability inside a constant value");
		return;
	default:
		gen_error(g, "malformed pointer in a constant value: %s",
		          capnp_strerror(capnp_reader_error(src->m)));
	}
}

void gen_copy_value(struct gen *g, schema_Value_reader v, struct words *w)
{
	w->n = 0;
	alloc_words(w, 1); /* the root pointer */
	copy_ptr(g, w, 0, &v.s, 0);
}

void gen_emit_value_reader(struct gen *g, const char *name, const struct words *w)
{
	fprintf(g->h, "extern struct capnp_reader %s;\n", name);
	fprintf(g->c, "\nstatic const uint64_t %s_words[%zu] = {", name, w->n);
	for (size_t i = 0; i < w->n; i++)
		fprintf(g->c, "%sUINT64_C(0x%016llx)", i % 3 ? ", " : (i ? ",\n\t" : "\n\t"),
		        (unsigned long long)w->w[i]);
	fprintf(g->c, "\n};\nstatic const struct capnp_segment %s_seg = { "
	              "(const uint8_t *)%s_words, %zu };\n",
	        name, name, w->n);
	/* Trusted data: the traversal counter starts at its maximum and
	 * cannot run out; readers of the value share (and decrement) it. */
	fprintf(g->c, "struct capnp_reader %s = { .seg = &%s_seg, .nseg = 1, "
	              ".traversal_left = UINT64_MAX, .depth_limit = CAPNP_DEFAULT_DEPTH, "
	              ".size = %zu };\n",
	        name, name, w->n * 8);
}
