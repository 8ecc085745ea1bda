/*
 * text_rt: our half of the text-form comparisons (tests/capnp/text.sh).
 *
 *   text_rt encode REQ STRUCT   text on stdin -> framed message on stdout
 *   text_rt decode REQ STRUCT   framed message on stdin -> text on stdout
 *
 * REQ is a CodeGeneratorRequest (`capnp compile -o-`), STRUCT a struct's
 * name without its file prefix (e.g. AllTypes).  Errors go to stderr
 * with the column, exit status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capnp_text.h"

static uint64_t req_buf[1 << 17], in_buf[1 << 16], arena[1 << 16];
static char out_buf[1 << 18];

static size_t slurp(FILE *f, void *buf, size_t cap)
{
	size_t n = fread(buf, 1, cap, f);
	if (n == cap) {
		fprintf(stderr, "text_rt: input too large\n");
		exit(2);
	}
	return n;
}

static uint64_t struct_id(const struct ctext_schema *s, const char *name)
{
	for (uint32_t i = 0; i < s->nodes.len; i++) {
		schema_Node_reader n = schema_Node_list_get(s->nodes, i);
		struct capnp_text t = ctext_node_name(n);
		if (schema_Node_which(n) == schema_Node_which_struct && t.len == strlen(name) &&
		    memcmp(t.str, name, t.len) == 0)
			return schema_Node_get_id(n);
	}
	fprintf(stderr, "text_rt: no struct %s in the schemas\n", name);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "encode") && strcmp(argv[1], "decode"))) {
		fprintf(stderr, "usage: text_rt encode|decode REQ STRUCT (see tests/capnp/text.sh)\n");
		return 2;
	}
	FILE *f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 2;
	}
	size_t rn = slurp(f, req_buf, sizeof req_buf);
	fclose(f);
	struct capnp_reader rm;
	struct ctext_schema s;
	if (capnp_reader_init(&rm, req_buf, rn) != CAPNP_OK || ctext_schema_init(&s, &rm) < 0) {
		fprintf(stderr, "text_rt: %s is not a CodeGeneratorRequest\n", argv[2]);
		return 2;
	}
	uint64_t id = struct_id(&s, argv[3]);
	size_t n = slurp(stdin, in_buf, sizeof in_buf);
	if (strcmp(argv[1], "encode") == 0) {
		struct capnp_builder b;
		struct ctext_error err;
		size_t len = 0;
		capnp_builder_init(&b, arena, sizeof arena);
		if (ctext_build(&s, id, (const char *)in_buf, n, &b, 0, &err) < 0) {
			fprintf(stderr, "column %u: %s\n", err.column, err.message);
			return 1;
		}
		capnp_builder_finish(&b, &len);
		fwrite(arena, 1, len, stdout);
		return 0;
	}
	struct capnp_reader m;
	if (capnp_reader_init(&m, in_buf, n) != CAPNP_OK) {
		fprintf(stderr, "text_rt: the message does not frame\n");
		return 1;
	}
	struct ctext_out out = {out_buf, sizeof out_buf, 0, false};
	int rc = ctext_print(&s, id, capnp_reader_root(&m), 0, &out);
	printf("%s\n", out_buf);
	return rc < 0 ? 1 : 0;
}
