/*
 * capnpc-c: Cap'n Proto code generator plugin for C.
 *
 *   capnp compile -o<path>/capnpc-c:<outdir> [--src-prefix=<dir>] file.capnp...
 *
 * Reads a CodeGeneratorRequest on stdin (with our own runtime and the
 * checked-in generated code for capnp/schema.capnp) and writes
 * <file>.capnp.h/.c for every requested file.  Naming: docs/capnp-c.md.
 */
#include <stdlib.h>
#include <string.h>

#include "capnpc.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: capnp compile -o<path-to-capnpc-c>:<outdir> [--src-prefix=DIR] FILE.capnp...\n"
	        "\n"
	        "Cap'n Proto code generator plugin for C (capOS).  Reads a\n"
	        "CodeGeneratorRequest on stdin and writes FILE.capnp.h and FILE.capnp.c\n"
	        "(relative to the current directory, which capnp sets to <outdir>).\n"
	        "The C naming convention is documented in docs/capnp-c.md.\n");
}

static uint8_t *read_all(FILE *in, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fprintf(stderr, "capnpc-c: out of memory\n");
			exit(1);
		}
		size_t got = fread(buf + n, 1, cap - n, in);
		n += got;
		if (n < cap) {
			if (ferror(in)) {
				fprintf(stderr, "capnpc-c: error reading stdin\n");
				exit(1);
			}
			break;
		}
		cap *= 2;
		uint8_t *grown = realloc(buf, cap);
		if (!grown)
			free(buf);
		buf = grown;
	}
	*len = n;
	return buf;
}

static int cmp_entry(const void *a, const void *b)
{
	uint64_t x = ((const struct node_entry *)a)->id, y = ((const struct node_entry *)b)->id;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 1) {
		usage(stderr);
		return 2;
	}
	size_t len;
	uint8_t *buf = read_all(stdin, &len);
	static struct capnp_reader m;
	if (capnp_reader_init(&m, buf, len) != CAPNP_OK) {
		fprintf(stderr, "capnpc-c: stdin is not a Cap'n Proto message (%s); run me through "
		                "`capnp compile -o`\n",
		        capnp_strerror(m.err));
		return 1;
	}
	capnp_reader_set_limits(&m, UINT64_MAX, 64);
	schema_CodeGeneratorRequest_reader req = schema_CodeGeneratorRequest_read_root(&m);
	struct capnp_list nl = schema_CodeGeneratorRequest_get_nodes(req);
	struct gen g = {.msg = &m};
	g.nnodes = capnp_list_len(nl);
	g.nodes = calloc(g.nnodes + 1, sizeof *g.nodes);
	for (size_t i = 0; i < g.nnodes; i++) {
		g.nodes[i].node = schema_Node_list_get(nl, (uint32_t)i);
		g.nodes[i].id = schema_Node_get_id(g.nodes[i].node);
	}
	qsort(g.nodes, g.nnodes, sizeof *g.nodes, cmp_entry);
	int rc = 0;
	struct capnp_list files = schema_CodeGeneratorRequest_get_requestedFiles(req);
	for (uint32_t i = 0; i < capnp_list_len(files); i++) {
		schema_CodeGeneratorRequest_RequestedFile_reader rf =
			schema_CodeGeneratorRequest_RequestedFile_list_get(files, i);
		const char *name = schema_CodeGeneratorRequest_RequestedFile_get_filename(rf).str;
		if (emit_file(&g, schema_CodeGeneratorRequest_RequestedFile_get_id(rf), name, rf) != 0)
			rc = 1;
	}
	if (capnp_reader_error(&m) != CAPNP_OK) {
		fprintf(stderr, "capnpc-c: malformed CodeGeneratorRequest: %s\n",
		        capnp_strerror(m.err));
		rc = 1;
	}
	free(g.nodes);
	free(buf);
	return rc;
}
