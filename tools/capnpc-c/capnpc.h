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
	int errors;
	/* Files whose types this file's code refers to. */
	uint64_t used_files[64];
	unsigned nused;
};

/* names.c */
schema_Node_reader *gen_find(struct gen *g, uint64_t id);
char *gen_file_prefix(const char *display_name);
char *gen_cname(struct gen *g, uint64_t id);
char *gen_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gen_error(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gen_use_type_file(struct gen *g, uint64_t id);
void gen_c_string(FILE *f, const char *s, size_t len);

/* emit_struct.c */
void emit_struct_typedefs(struct gen *g, schema_Node_reader n);
void emit_struct(struct gen *g, schema_Node_reader n);

/* emit_misc.c */
void emit_enum(struct gen *g, schema_Node_reader n);
void emit_const(struct gen *g, schema_Node_reader n);
void emit_interface(struct gen *g, schema_Node_reader n);

/* emit_file.c */
int emit_file(struct gen *g, uint64_t file_id, const char *filename,
	      schema_CodeGeneratorRequest_RequestedFile_reader rf);

#endif
