/*
 * lib/capnp_text.c beyond what tests/capnp/text.sh compares with capnp:
 * method lookup, capability names in params and results, a field's
 * default XORed on the wire, truncated output.  The schemas are
 * tests/capnp/rpctest.capnp and fieldkinds.capnp compiled by `capnp
 * compile -o-` into CTEXT_REQ (mk/capsh.mk).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "capnp_text.h"

static uint64_t req[1 << 15], arena[1 << 12];
static struct capnp_reader rm;
static struct ctext_schema s;
static char text[512];

static void load(void)
{
	FILE *f = fopen(CTEXT_REQ, "rb");
	cr_assert(f, "%s missing", CTEXT_REQ);
	size_t n = fread(req, 1, sizeof req, f);
	fclose(f);
	cr_assert_eq(capnp_reader_init(&rm, req, n), CAPNP_OK);
	cr_assert_eq(ctext_schema_init(&s, &rm), 0);
}

TestSuite(ctext, .init = load);

static uint64_t store_id(void)
{
	for (uint32_t i = 0; i < s.nodes.len; i++) {
		schema_Node_reader n = schema_Node_list_get(s.nodes, i);
		struct capnp_text t = ctext_node_name(n);
		if (t.len == 5 && memcmp(t.str, "Store", 5) == 0)
			return schema_Node_get_id(n);
	}
	cr_assert_fail("no Store");
	return 0;
}

static int lookup(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	return len == 5 && memcmp(name, "mycap", 5) == 0 ? 3 : -1;
}

static const char *cap_name(void *ctx, uint32_t i)
{
	(void)ctx;
	return i == 3 ? "r7" : 0;
}

static const struct ctext_caps caps = {lookup, cap_name, 0};

static int build(uint64_t id, const char *t, struct capnp_reader *m, struct ctext_error *err)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, arena, sizeof arena);
	int rc = ctext_build(&s, id, t, strlen(t), &b, &caps, err);
	if (rc == 0) {
		cr_assert_eq(capnp_builder_finish(&b, &len), CAPNP_OK);
		cr_assert_eq(capnp_reader_init(m, arena, len), CAPNP_OK);
		capnp_reader_set_cap_count(m, 8);
	}
	return rc;
}

static const char *print(uint64_t id, struct capnp_reader *m, char *buf, size_t cap)
{
	struct ctext_out out = {buf, cap, 0, false};
	cr_assert_eq(ctext_print(&s, id, capnp_reader_root(m), &caps, &out), 0);
	return buf;
}

Test(ctext, methods_by_name_and_ordinal)
{
	struct ctext_method m;
	cr_assert_eq(ctext_find_method(&s, store_id(), "lend", 4, &m), 0);
	cr_assert_eq(m.ordinal, 1);
	cr_assert_str_eq(m.name.str, "lend");
	cr_assert_eq(ctext_find_method(&s, store_id(), "return", 6, &m), 0);
	cr_assert_eq(m.ordinal, 4);
	cr_assert_eq(ctext_find_method(&s, store_id(), "len", 3, &m), -2, "a prefix is no name");
	cr_assert_eq(ctext_find_method(&s, 0x1234, "lend", 4, &m), -1, "no such interface");
	uint32_t n = 0;
	while (ctext_method_at(&s, store_id(), n, &m))
		n++;
	cr_assert_eq(n, 5);
}

Test(ctext, capability_names_both_ways)
{
	struct ctext_method m;
	struct ctext_error err;
	struct capnp_reader pm;
	cr_assert_eq(ctext_find_method(&s, store_id(), "lend", 4, &m), 0);
	cr_assert_eq(build(m.params_id, "(peer = mycap, note = \"n\")", &pm, &err), 0, "%s",
	             err.message);
	struct capnp_struct root = capnp_reader_root(&pm);
	cr_assert_eq(capnp_struct_get_cap(&root, 0), 3, "the index lookup gave");
	cr_assert_str_eq(print(m.params_id, &pm, text, sizeof text), "(peer = r7, note = \"n\")");
	cr_assert_eq(build(m.params_id, "(peer = other)", &pm, &err), -1);
	cr_assert_eq(err.column, 9);
	cr_assert_str_eq(err.message, "no capability 'other'");
	cr_assert_eq(build(m.params_id, "(peer = null)", &pm, &err), 0, "%s", err.message);
	cr_assert_str_eq(print(m.params_id, &pm, text, sizeof text), "()");
}

Test(ctext, defaults_are_xored_on_the_wire)
{
	struct ctext_method m;
	struct ctext_error err;
	struct capnp_reader rm2;
	cr_assert_eq(ctext_find_method(&s, store_id(), "return", 6, &m), 0);
	cr_assert_eq(build(m.results_id, "", &rm2, &err), 0);
	cr_assert_str_eq(print(m.results_id, &rm2, text, sizeof text), "(default = 7)");
	cr_assert_eq(build(m.results_id, "(default = 7)", &rm2, &err), 0);
	struct capnp_struct root = capnp_reader_root(&rm2);
	cr_assert_eq(capnp_struct_u8(&root, 0), 0, "the default is all zero bits");
	cr_assert_eq(build(m.results_id, "(default = 0)", &rm2, &err), 0);
	root = capnp_reader_root(&rm2);
	cr_assert_eq(capnp_struct_u8(&root, 0), 7);
	cr_assert_str_eq(print(m.results_id, &rm2, text, sizeof text), "(default = 0)");
}

Test(ctext, output_truncated_not_overrun)
{
	struct ctext_method m;
	struct ctext_error err;
	struct capnp_reader pm;
	char small[16];
	cr_assert_eq(ctext_find_method(&s, store_id(), "put", 3, &m), 0);
	cr_assert_eq(build(m.params_id, "(key = \"a long key that does not fit\", weight = -3)", &pm,
	                   &err),
	             0, "%s", err.message);
	struct ctext_out out = {small, sizeof small, 0, false};
	ctext_print(&s, m.params_id, capnp_reader_root(&pm), &caps, &out);
	cr_assert(out.truncated);
	cr_assert_lt(out.len, sizeof small);
	cr_assert_eq(small[out.len], '\0');
	cr_assert_eq(strcmp(small + out.len - 3, "..."), 0, "%s", small);
}

Test(ctext, params_too_large_for_the_builder)
{
	struct ctext_method m;
	struct ctext_error err;
	static uint64_t tiny[4];
	struct capnp_builder b;
	cr_assert_eq(ctext_find_method(&s, store_id(), "put", 3, &m), 0);
	capnp_builder_init(&b, tiny, sizeof tiny);
	const char *t = "(key = \"a key longer than the whole arena\")";
	cr_assert_eq(ctext_build(&s, m.params_id, t, strlen(t), &b, &caps, &err), -1);
	cr_assert_str_eq(err.message, "message too large for the call");
}

Test(ctext, not_a_struct_id)
{
	struct ctext_error err;
	struct capnp_builder b;
	capnp_builder_init(&b, arena, sizeof arena);
	cr_assert_eq(ctext_build(&s, store_id(), "()", 2, &b, &caps, &err), -1);
	cr_assert_eq(err.column, 1);
}
