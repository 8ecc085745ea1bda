/*
 * Eva driver for lib/capnp/reader.c: a framed message of any bytes in a
 * buffer of MSG_WORDS words, any length up to it, with the segment table
 * inline (up to CAPNP_INLINE_SEGMENTS) or a caller's table; then the root
 * read as a struct and every accessor on its pointers (struct, list of
 * each element size, text, data, capability, pointer kind) and on the
 * elements of the lists they lead to, one level down.
 */
#include "__fc_builtin.h"
#include "capnp/capnp.h"

#define MSG_WORDS 32u

static uint64_t msg[MSG_WORDS];
static struct capnp_segment table[4];

static void elements(struct capnp_list l)
{
	uint32_t i = Frama_C_unsigned_int_interval(0, ~0u);
	(void)capnp_list_get_bool(l, i);
	(void)capnp_list_get_u8(l, i);
	(void)capnp_list_get_u16(l, i);
	(void)capnp_list_get_u32(l, i);
	(void)capnp_list_get_u64(l, i);
	(void)capnp_list_get_text(l, i);
	(void)capnp_list_get_data(l, i);
	(void)capnp_list_get_cap(l, i);
	struct capnp_struct s = capnp_list_get_struct(l, i);
	(void)capnp_struct_u64(&s, Frama_C_unsigned_int_interval(0, 64));
	(void)capnp_list_get_list(l, i, (enum capnp_elem_size)Frama_C_interval(0, 7));
}

static void fields(const struct capnp_struct *s)
{
	uint32_t idx = Frama_C_unsigned_int_interval(0, 70000);
	(void)capnp_struct_u8(s, Frama_C_unsigned_int_interval(0, ~0u));
	(void)capnp_struct_u64(s, Frama_C_unsigned_int_interval(0, ~0u));
	(void)capnp_struct_bool(s, Frama_C_unsigned_int_interval(0, ~0u));
	(void)capnp_struct_ptr_kind(s, idx);
	(void)capnp_struct_has(s, idx);
	(void)capnp_struct_get_text(s, idx, "d", 1);
	(void)capnp_struct_get_data(s, idx, NULL, 0);
	(void)capnp_struct_get_cap(s, idx);
	struct capnp_struct c = capnp_struct_get_struct(s, idx);
	(void)capnp_struct_u32(&c, Frama_C_unsigned_int_interval(0, ~0u));
	struct capnp_list l = capnp_struct_get_list(s, idx, (enum capnp_elem_size)Frama_C_interval(0, 7));
	elements(l);
}

static void read_all(struct capnp_reader *m, size_t len)
{
	capnp_reader_set_cap_count(m, Frama_C_unsigned_int_interval(0, 4));
	capnp_reader_guard(m, len);
	struct capnp_struct root = capnp_reader_root(m);
	fields(&root);
	(void)capnp_reader_root_list(m, (enum capnp_elem_size)Frama_C_interval(0, 7));
	(void)capnp_strerror(capnp_reader_error(m));
}

int main(void)
{
	/* Zeroed, as a caller's static or zero-initialised reader is: the
	 * segment table's entries past the message's count are then a NULL
	 * segment of 0 words rather than uninitialised. */
	struct capnp_reader m = {0};
	Frama_C_make_unknown((char *)msg, sizeof msg);
	size_t len = Frama_C_size_t_interval(0, sizeof msg);
	/* Each table read on its own: Eva analyses each call of read_all in
	 * its own context, so the two tables are never merged. */
	if (capnp_reader_init(&m, msg, len) == CAPNP_OK)
		read_all(&m, len);
	if (capnp_reader_init_table(&m, msg, len, table, 4) == CAPNP_OK)
		read_all(&m, len);
	if (capnp_reader_init_segment(&m, msg, Frama_C_size_t_interval(0, MSG_WORDS)) == CAPNP_OK)
		read_all(&m, len);
	return 0;
}
