/* Cap'n Proto encoder for the boot manifest: see encode.h. */
#include "encode.h"

#include <stdlib.h>
#include <string.h>

struct builder {
	uint8_t *buf;      /* the segment */
	size_t words;      /* used */
	size_t cap;        /* allocated, in words */
	int failed;
};

/* Appends `n` zeroed words; returns the word offset of the first. */
static size_t alloc_words(struct builder *b, size_t n)
{
	if (b->failed)
		return 0;
	if (b->words + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->words + n)
			cap *= 2;
		uint8_t *q = realloc(b->buf, cap * 8);
		if (!q || cap > (size_t)UINT32_MAX) {
			b->failed = 1;
			return 0;
		}
		memset(q + b->cap * 8, 0, (cap - b->cap) * 8);
		b->buf = q;
		b->cap = cap;
	}
	size_t off = b->words;
	b->words += n;
	return off;
}

static void put_le(struct builder *b, size_t byte_off, uint64_t v, int bytes)
{
	if (b->failed)
		return;
	for (int i = 0; i < bytes; i++)
		b->buf[byte_off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* Word offset of pointer slot `i` of the struct at `s` with `dw` data words. */
static size_t ptr_slot(size_t s, unsigned dw, unsigned i)
{
	return s + dw + i;
}

static int64_t rel(size_t ptr, size_t target)
{
	return (int64_t)target - (int64_t)(ptr + 1);
}

static void set_struct_ptr(struct builder *b, size_t ptr, size_t target,
			   unsigned dw, unsigned pw)
{
	uint64_t v = ((uint64_t)(rel(ptr, target) & 0x3fffffff) << 2) |
		     ((uint64_t)dw << 32) | ((uint64_t)pw << 48);
	put_le(b, ptr * 8, v, 8);
}

/* elem: 2 = byte, 6 = pointer, 7 = composite (count = words then). */
static void set_list_ptr(struct builder *b, size_t ptr, size_t target,
			 unsigned elem, uint64_t count)
{
	uint64_t v = 1 | ((uint64_t)(rel(ptr, target) & 0x3fffffff) << 2) |
		     ((uint64_t)elem << 32) | (count << 35);
	put_le(b, ptr * 8, v, 8);
}

static size_t new_struct(struct builder *b, size_t ptr, unsigned dw, unsigned pw)
{
	size_t s = alloc_words(b, dw + pw);
	set_struct_ptr(b, ptr, s, dw, pw);
	return s;
}

static void write_bytes(struct builder *b, size_t ptr, const void *data,
			uint64_t len, int nul)
{
	uint64_t n = len + (nul ? 1 : 0);
	size_t s = alloc_words(b, (size_t)((n + 7) / 8));

	if (b->failed)
		return;
	if (len)
		memcpy(b->buf + s * 8, data, (size_t)len);
	set_list_ptr(b, ptr, s, 2, n);
}

static void write_text(struct builder *b, size_t ptr, struct mf_str s)
{
	write_bytes(b, ptr, s.ptr, s.len, 1);
}

/* A composite list: returns the word offset of element 0. */
static size_t new_struct_list(struct builder *b, size_t ptr, uint32_t count,
			      unsigned dw, unsigned pw)
{
	size_t words = (size_t)count * (dw + pw);
	size_t tag = alloc_words(b, 1 + words);

	set_list_ptr(b, ptr, tag, 7, words);
	/* The tag is a struct pointer whose offset field is the count. */
	put_le(b, tag * 8, ((uint64_t)count << 2) | ((uint64_t)dw << 32) |
			   ((uint64_t)pw << 48), 8);
	return tag + 1;
}

/* CapRef: 1 data word (badge), 2 pointers (name, source). */
static void write_caps(struct builder *b, size_t ptr, const struct mf_cap *caps,
		       uint32_t count)
{
	size_t e = new_struct_list(b, ptr, count, 1, 2);

	for (uint32_t i = 0; i < count; i++, e += 3) {
		const struct mf_cap *c = &caps[i];
		put_le(b, e * 8, c->badge, 8);
		write_text(b, ptr_slot(e, 1, 0), c->name);
		/* CapSource: 1 data word (kernel @ bits 0-15, tag @ 16-31), 1 ptr. */
		size_t src = new_struct(b, ptr_slot(e, 1, 1), 1, 1);
		if (c->kind == MF_SOURCE_KERNEL) {
			put_le(b, src * 8, c->kernel, 2);
		} else {
			put_le(b, src * 8 + 2, 1, 2);
			size_t se = new_struct(b, ptr_slot(src, 1, 0), 0, 2);
			write_text(b, ptr_slot(se, 0, 0), c->service);
			write_text(b, ptr_slot(se, 0, 1), c->export_name);
		}
	}
}

static void write_service(struct builder *b, size_t e, const struct mf_service *s)
{
	/* Service: 1 data word (restart @ bits 0-15), 4 pointers. */
	put_le(b, e * 8, s->restart, 2);
	write_text(b, ptr_slot(e, 1, 0), s->name);
	write_text(b, ptr_slot(e, 1, 1), s->binary);
	write_caps(b, ptr_slot(e, 1, 2), s->caps, s->cap_count);
	size_t list = alloc_words(b, s->export_count);
	set_list_ptr(b, ptr_slot(e, 1, 3), list, 6, s->export_count);
	for (uint32_t i = 0; i < s->export_count; i++)
		write_text(b, list + i, s->exports[i]);
}

uint8_t *mf_encode(const struct mf_manifest *m, size_t *size_out)
{
	struct builder b = { 0 };

	size_t root_ptr = alloc_words(&b, 1);
	/* SystemManifest: 1 data word (schemaVersion), 3 pointers. */
	size_t root = new_struct(&b, root_ptr, 1, 3);
	put_le(&b, root * 8, m->schema_version, 4);

	size_t bin = new_struct_list(&b, ptr_slot(root, 1, 0), m->binary_count, 0, 2);
	for (uint32_t i = 0; i < m->binary_count; i++) {
		size_t e = bin + 2 * (size_t)i;
		write_text(&b, ptr_slot(e, 0, 0), m->binaries[i].name);
		write_bytes(&b, ptr_slot(e, 0, 1), m->binaries[i].data,
			    m->binaries[i].size, 0);
	}

	size_t ic = new_struct(&b, ptr_slot(root, 1, 1), 0, 2);
	size_t init = new_struct(&b, ptr_slot(ic, 0, 0), 0, 2);
	write_text(&b, ptr_slot(init, 0, 0), m->init_binary);
	write_caps(&b, ptr_slot(init, 0, 1), m->init_caps, m->init_cap_count);
	size_t svc = new_struct_list(&b, ptr_slot(ic, 0, 1), m->service_count, 1, 4);
	for (uint32_t i = 0; i < m->service_count; i++)
		write_service(&b, svc + 5 * (size_t)i, &m->services[i]);

	size_t kp = new_struct(&b, ptr_slot(root, 1, 2), 0, 1);
	write_text(&b, ptr_slot(kp, 0, 0), m->motd);

	if (b.failed) {
		free(b.buf);
		return NULL;
	}
	/* Segment table: (segment count - 1), then each size in words; padded. */
	size_t total = 8 + b.words * 8;
	uint8_t *out = malloc(total);
	if (!out) {
		free(b.buf);
		return NULL;
	}
	memset(out, 0, 8);
	for (int i = 0; i < 4; i++)
		out[4 + i] = (uint8_t)(b.words >> (8 * i));
	memcpy(out + 8, b.buf, b.words * 8);
	free(b.buf);
	*size_out = total;
	return out;
}
