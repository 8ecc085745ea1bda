/*
 * capnpc-c: Cap'n Proto code generator plugin for C.  Shared declarations
 * of the plugin's parts (request loading, naming, emission).
 */
#ifndef CAPNPC_C_H
#define CAPNPC_C_H

#include <stdint.h>
#include <stdio.h>

#include "capnp/schema.capnp.h"

struct node_entry {
	uint64_t id;
	schema_Node_reader node;
};

struct gen {
	struct capnp_reader *msg;
	struct node_entry *nodes; /* sorted by id */
	size_t nnodes;
	/* The file being generated. */
	uint64_t file_id;
	const char *file_display; /* the file node's display name */
	char *prefix;             /* C prefix, e.g. "capos" */
	FILE *h, *c;
	FILE *rh, *rc; /* <file>.rpc.h / .rpc.c: interface stubs */
	int errors;    /* file-level: nothing is written */
	/* The item (field or constant) being emitted; its errors drop it only. */
	const char *filename; /* as capnp names it, e.g. "capos.capnp" */
	const char *item_kind, *item_name, *item_display;
	int item_ordinal; /* a field's @N, or -1 */
	int item_errors;
	int warnings;
	/* Files whose types this file's code refers to. */
	uint64_t used_files[64];
	unsigned nused;
};

/* A growing array of words (a standalone message being built). */
struct words {
	uint64_t *w;
	size_t n, cap;
};

/* Output of one item, kept apart until it is known to be complete. */
struct item {
	FILE *h, *c, *saved_h, *saved_c;
	char *hbuf, *cbuf;
	size_t hlen, clen;
};

/* names.c */
schema_Node_reader *gen_find(struct gen *g, uint64_t id);
char *gen_file_prefix(const char *display_name);
char *gen_cname(struct gen *g, uint64_t id);
char *gen_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gen_error(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* name: as declared (searched for in the source); display: as reported. */
void gen_item_begin(struct gen *g, struct item *it, const char *kind, const char *name,
                    const char *display, int ordinal);
void gen_item_end(struct gen *g, struct item *it);
void gen_use_type_file(struct gen *g, uint64_t id);
void gen_c_string(FILE *f, const char *s, size_t len);

/* copy.c */
void gen_copy_value(struct gen *g, schema_Value_reader v, struct words *w);
void gen_emit_value_reader(struct gen *g, const char *name, const struct words *w);

/* emit_struct.c */
const char *elem_size_name(unsigned which);
void emit_struct_typedefs(struct gen *g, schema_Node_reader n);
void emit_struct(struct gen *g, schema_Node_reader n);

/* emit_misc.c */
void emit_enum(struct gen *g, schema_Node_reader n);
void emit_const(struct gen *g, schema_Node_reader n);
void emit_interface(struct gen *g, schema_Node_reader n);

/* emit_rpc.c */
void emit_rpc(struct gen *g, schema_Node_reader n);

/* emit_file.c */
int emit_file(struct gen *g, uint64_t file_id, const char *filename,
              schema_CodeGeneratorRequest_RequestedFile_reader rf);

#endif
