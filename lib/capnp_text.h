/*
 * Cap'n Proto text form, driven by schema information at run time: the
 * dynamic builder and printer behind capsh's `call` (docs/terminal.md).
 *
 * The schemas are a CodeGeneratorRequest (what `capnp compile -o-`
 * writes; the build packs it into the boot package as capos.schemas).
 * ctext_build parses a value in the text form `capnp encode` reads:
 *
 *   (name = "hi", count = 3, ratio = 0.5, on = true, color = blue,
 *    inner = (id = 1), ids = [1, 2], blob = 0x"00ff", raw = "a\x01",
 *    group = (a = 1), console = console)
 *
 * structs in parentheses, lists in brackets, Text and Data as C-escaped
 * strings (Data also 0x"hex"), enums by enumerant name, Void as void,
 * union members and groups by name, and a capability as a name the
 * caller resolves (capsh: one of its caps).  ctext_print writes a struct
 * in the form `capnp decode --short` prints, so the two tools' outputs
 * compare (tests/capnp/text.sh).
 *
 * Nothing here allocates: the builder writes into the caller's
 * capnp_builder, the printer into the caller's buffer.  Host-tested by
 * test_capnp_text and tests/capnp/text.sh (Debian's capnp as the oracle).
 */
#ifndef CAPOS_LIB_CAPNP_TEXT_H
#define CAPOS_LIB_CAPNP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capnp/capnp.h"
#include "capnp/schema.capnp.h"

struct ctext_schema {
	struct capnp_list nodes; /* CodeGeneratorRequest.nodes */
};

/* m's root is a CodeGeneratorRequest; 0, or -1 when it has no nodes. */
int ctext_schema_init(struct ctext_schema *s, struct capnp_reader *m);
/* The node with id; false if the schemas have none. */
bool ctext_node(const struct ctext_schema *s, uint64_t id, schema_Node_reader *out);
/* A node's name without its file prefix ("Console", "Terminal"). */
struct capnp_text ctext_node_name(schema_Node_reader n);

struct ctext_method {
	uint64_t interface_id; /* where it is declared (a superclass, maybe) */
	uint16_t ordinal;      /* the method id on the wire */
	uint64_t params_id, results_id;
	struct capnp_text name;
};
/* Method `name` of interface `iface` or of one of its superclasses:
 * 0, -1 no such interface in the schemas, -2 no such method. */
int ctext_find_method(const struct ctext_schema *s, uint64_t iface, const char *name, size_t len,
                      struct ctext_method *out);
/* The i-th method of iface itself (not its superclasses); false past the end. */
bool ctext_method_at(const struct ctext_schema *s, uint64_t iface, uint32_t i,
                     struct ctext_method *out);

/* Capability names in the text: lookup returns the index the cap gets in
 * the message's capability table (the caller transfers it), or -1. */
struct ctext_caps {
	int (*lookup)(void *ctx, const char *name, size_t len);
	/* Names cap table index i in printed results (NULL: "cap#i"). */
	const char *(*name)(void *ctx, uint32_t index);
	void *ctx;
};

struct ctext_error {
	uint32_t column; /* 1-based, in the text parsed */
	char message[120];
};

/* Parses text (len bytes) as a value of struct struct_id and builds it as
 * b's root.  0, or -1 with err filled (a parse or type error at a column,
 * or CAPNP_ERR_NO_SPACE when b is full). */
int ctext_build(const struct ctext_schema *s, uint64_t struct_id, const char *text, size_t len,
                struct capnp_builder *b, const struct ctext_caps *caps, struct ctext_error *err);

/* Output of ctext_print: buf[0 .. len), NUL-terminated; truncated when
 * more did not fit (the text then ends "..."). */
struct ctext_out {
	char *buf;
	size_t cap;
	size_t len;
	bool truncated;
};
/* Prints struct v of type struct_id; 0, or -1 if v or the schema is bad
 * (what could be printed is in out). */
int ctext_print(const struct ctext_schema *s, uint64_t struct_id, struct capnp_struct v,
                const struct ctext_caps *caps, struct ctext_out *out);

#endif
