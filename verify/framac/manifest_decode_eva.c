/*
 * Eva driver for lib/manifest/decode.c: the decoder's own code (its
 * bounds on the storage arrays, the running caps/exports totals, the error
 * message it writes) against ANY answer lib/capnp could give.  The reader
 * layer is replaced at its boundary by stubs that return any list length
 * (0..2^32-1), any field value, any text or data length and any error at
 * any call; the reader itself is proved by the capnp_reader driver, whose
 * views these stubs over-approximate.  Going through the real reader as
 * well (a symbolic message of 16 words) ran over four minutes of CPU
 * without finishing at the default settings and raised ~60 imprecise
 * alarms at the fast ones (docs/verification.md).
 *
 * How: capnp.h's inline readers are renamed while it is included, so the
 * generated manifest.capnp.h accessors and decode.c (included whole, its
 * static functions too) call the stubs below instead.
 */
#include "__fc_builtin.h"

#define capnp_reader_error      real_capnp_reader_error
#define capnp_struct_get_struct real_capnp_struct_get_struct
#define capnp_struct_get_list   real_capnp_struct_get_list
#define capnp_struct_get_text   real_capnp_struct_get_text
#define capnp_list_get_struct   real_capnp_list_get_struct
#define capnp_struct_u8         real_capnp_struct_u8
#define capnp_struct_u16        real_capnp_struct_u16
#define capnp_struct_u32        real_capnp_struct_u32
#define capnp_struct_u64        real_capnp_struct_u64
#define capnp_struct_bool       real_capnp_struct_bool
#include "capnp/capnp.h"
#undef capnp_reader_error
#undef capnp_struct_get_struct
#undef capnp_struct_get_list
#undef capnp_struct_get_text
#undef capnp_list_get_struct
#undef capnp_struct_u8
#undef capnp_struct_u16
#undef capnp_struct_u32
#undef capnp_struct_u64
#undef capnp_struct_bool

static char text_bytes[8];
static uint8_t data_bytes[8];

/* Any error the reader may have recorded by now (sticky in the real one;
 * any value at any call here is a superset). */
static int capnp_reader_error(const struct capnp_reader *m)
{
	(void)m;
	return Frama_C_interval(CAPNP_ERR_MIN, CAPNP_OK);
}

static struct capnp_struct any_struct(const struct capnp_reader *m)
{
	return (struct capnp_struct){.m = (struct capnp_reader *)m};
}

static struct capnp_list any_list(const struct capnp_reader *m)
{
	return (struct capnp_list){.m = (struct capnp_reader *)m,
	                           .len = Frama_C_unsigned_int_interval(0, ~0u)};
}

static struct capnp_text any_text(void)
{
	return (struct capnp_text){text_bytes, Frama_C_unsigned_int_interval(0, ~0u)};
}

static struct capnp_struct capnp_struct_get_struct(const struct capnp_struct *s, uint32_t idx)
{
	(void)idx;
	return any_struct(s->m);
}

static struct capnp_list capnp_struct_get_list(const struct capnp_struct *s, uint32_t idx,
                                               enum capnp_elem_size want)
{
	(void)idx;
	(void)want;
	return any_list(s->m);
}

static struct capnp_text capnp_struct_get_text(const struct capnp_struct *s, uint32_t idx,
                                               const char *def, uint32_t def_len)
{
	(void)s;
	(void)idx;
	(void)def;
	(void)def_len;
	return any_text();
}

static struct capnp_struct capnp_list_get_struct(struct capnp_list l, uint32_t i)
{
	(void)i;
	return any_struct(l.m);
}

#define ANY_FIELD(name, type)                                                       \
	static type capnp_struct_##name(const struct capnp_struct *s, uint32_t off) \
	{                                                                           \
		(void)s;                                                            \
		(void)off;                                                          \
		type v;                                                             \
		Frama_C_make_unknown((char *)&v, sizeof v);                         \
		return v;                                                           \
	}
ANY_FIELD(u8, uint8_t)
ANY_FIELD(u16, uint16_t)
ANY_FIELD(u32, uint32_t)
ANY_FIELD(u64, uint64_t)

static bool capnp_struct_bool(const struct capnp_struct *s, uint32_t bit)
{
	(void)s;
	(void)bit;
	return Frama_C_nondet(0, 1);
}

/* The out-of-line reader functions decode.c and the accessors use. */
int capnp_reader_init(struct capnp_reader *m, const void *buf, size_t len)
{
	(void)buf;
	(void)len;
	*m = (struct capnp_reader){0};
	return Frama_C_interval(CAPNP_ERR_MIN, CAPNP_OK);
}

void capnp_reader_set_limits(struct capnp_reader *m, uint64_t traversal_words, uint32_t depth)
{
	m->traversal_left = traversal_words;
	m->depth_limit = depth;
}

struct capnp_struct capnp_reader_root(struct capnp_reader *m) { return any_struct(m); }

bool capnp_struct_has(const struct capnp_struct *s, uint32_t idx)
{
	(void)s;
	(void)idx;
	return Frama_C_nondet(0, 1);
}

struct capnp_data capnp_struct_get_data(const struct capnp_struct *s, uint32_t idx,
                                        const uint8_t *def, uint32_t def_len)
{
	(void)s;
	(void)idx;
	(void)def;
	(void)def_len;
	return (struct capnp_data){data_bytes, Frama_C_unsigned_int_interval(0, ~0u)};
}

struct capnp_text capnp_list_get_text(struct capnp_list l, uint32_t i)
{
	(void)l;
	(void)i;
	return any_text();
}

#include "manifest/decode.c"

static uint64_t msg[4];
static struct mf_storage st;
static struct mf_manifest out;
static struct mf_decode_error err;

int main(void)
{
	size_t len = Frama_C_size_t_interval(0, ~(size_t)0);
	/* With and without the caller's error record (NULL: the scratch one). */
	if (Frama_C_nondet(0, 1))
		(void)mf_decode(msg, len, &st, &out, &err);
	else
		(void)mf_decode(msg, len, &st, &out, NULL);
	return 0;
}
