/* Naming: schema display names to C identifiers (docs/capnp-c.md). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "capnpc.h"

char *gen_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = malloc((size_t)n + 1);
	if (!s) {
		fprintf(stderr, "capnpc-c: out of memory\n");
		exit(1);
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The line of the item's declaration in the schema source, or 0.  The
 * request carries no positions, so the source is searched: it is found
 * relative to the current directory or to $CAPNPC_C_SRCDIR. */
static unsigned item_line(const struct gen *g)
{
	const char *dir = getenv("CAPNPC_C_SRCDIR");
	char *path = gen_xasprintf("%s/%s", dir ? dir : ".", g->filename ? g->filename : "");
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return 0;
	char line[1024], want[160];
	if (g->item_ordinal >= 0)
		snprintf(want, sizeof want, "%s @%d", g->item_name, g->item_ordinal);
	else
		snprintf(want, sizeof want, "const %s ", g->item_name);
	unsigned n = 0, found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		n++;
		/* Collapse runs of blanks so "name  @3" matches "name @3". */
		char flat[1024];
		size_t k = 0;
		for (const char *p = line; *p && k + 1 < sizeof flat; p++)
			if (!((*p == ' ' || *p == '\t') && k && flat[k - 1] == ' '))
				flat[k++] = *p == '\t' ? ' ' : *p;
		flat[k] = 0;
		const char *hit = strstr(flat, want);
		if (hit && (hit == flat || !(hit[-1] == '_' || (hit[-1] >= 'a' && hit[-1] <= 'z') ||
		                             (hit[-1] >= 'A' && hit[-1] <= 'Z') ||
		                             (hit[-1] >= '0' && hit[-1] <= '9'))))
			found = n;
	}
	fclose(f);
	return found;
}

/* Inside an item, an error drops that item only (with a warning naming it
 * and its line); outside one, it fails the whole file. */
void gen_error(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	if (g->item_name) {
		unsigned line = item_line(g);
		fprintf(stderr, "capnpc-c: warning: %s:", g->filename ? g->filename : "request");
		if (line)
			fprintf(stderr, "%u:", line);
		fprintf(stderr, " %s %s not generated: ", g->item_kind, g->item_display);
		g->item_errors++;
	} else {
		fprintf(stderr, "capnpc-c: %s: ", g->file_display ? g->file_display : "request");
		g->errors++;
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void gen_item_begin(struct gen *g, struct item *it, const char *kind, const char *name,
                    const char *display, int ordinal)
{
	*it = (struct item){.saved_h = g->h, .saved_c = g->c};
	it->h = open_memstream(&it->hbuf, &it->hlen);
	it->c = open_memstream(&it->cbuf, &it->clen);
	g->h = it->h;
	g->c = it->c;
	g->item_kind = kind;
	g->item_name = name;
	g->item_display = display;
	g->item_ordinal = ordinal;
	g->item_errors = 0;
	/* Fault injection for the tests of this path: every construct the
	 * plugin meets in the test schemas is one it handles. */
	const char *refuse = getenv("CAPNPC_C_REFUSE");
	if (refuse && strcmp(refuse, display) == 0)
		gen_error(g, "refused on request (CAPNPC_C_REFUSE)");
}

void gen_item_end(struct gen *g, struct item *it)
{
	fclose(it->h);
	fclose(it->c);
	g->h = it->saved_h;
	g->c = it->saved_c;
	if (g->item_errors == 0) {
		fwrite(it->hbuf, 1, it->hlen, g->h);
		fwrite(it->cbuf, 1, it->clen, g->c);
	} else {
		g->warnings++;
		fprintf(g->h, "/* %s %s: not generated (see capnpc-c's warning) */\n", g->item_kind,
		        g->item_display);
	}
	free(it->hbuf);
	free(it->cbuf);
	g->item_name = NULL;
	g->item_kind = NULL;
}

static int cmp_id(const void *key, const void *elem)
{
	uint64_t a = *(const uint64_t *)key, b = ((const struct node_entry *)elem)->id;
	return a < b ? -1 : a > b;
}

schema_Node_reader *gen_find(struct gen *g, uint64_t id)
{
	struct node_entry *e = bsearch(&id, g->nodes, g->nnodes, sizeof *e, cmp_id);
	return e ? &e->node : NULL;
}

/* "schema/capos.capnp" -> "capos"; anything not alphanumeric becomes '_'. */
char *gen_file_prefix(const char *display_name)
{
	const char *colon = strchr(display_name, ':');
	size_t end = colon ? (size_t)(colon - display_name) : strlen(display_name);
	size_t start = end;
	while (start > 0 && display_name[start - 1] != '/')
		start--;
	size_t len = end - start;
	if (len > 6 && memcmp(display_name + end - 6, ".capnp", 6) == 0)
		len -= 6;
	char *p = gen_xasprintf("%.*s", (int)len, display_name + start);
	for (char *q = p; *q; q++)
		if (!isalnum((unsigned char)*q))
			*q = '_';
	return p;
}

/* "capos.capnp:Console.write$Params" -> "capos_Console_write_Params". */
char *gen_cname(struct gen *g, uint64_t id)
{
	schema_Node_reader *n = gen_find(g, id);
	if (!n) {
		gen_error(g, "reference to unknown node 0x%016llx", (unsigned long long)id);
		return gen_xasprintf("unknown_0x%016llx", (unsigned long long)id);
	}
	const char *dn = schema_Node_get_displayName(*n).str;
	const char *colon = strchr(dn, ':');
	char *prefix = gen_file_prefix(dn);
	char *s = gen_xasprintf("%s_%s", prefix, colon ? colon + 1 : dn);
	free(prefix);
	for (char *q = s; *q; q++)
		if (*q == '.' || *q == '$')
			*q = '_';
	return s;
}

/* Records that the node's file must be #included (if it is not this one). */
void gen_use_type_file(struct gen *g, uint64_t id)
{
	schema_Node_reader *n = gen_find(g, id);
	while (n && schema_Node_get_scopeId(*n) != 0)
		n = gen_find(g, schema_Node_get_scopeId(*n));
	if (!n || schema_Node_which(*n) != schema_Node_which_file)
		return; /* method params: always in the file that declares them */
	uint64_t fid = schema_Node_get_id(*n);
	if (fid == g->file_id)
		return;
	for (unsigned i = 0; i < g->nused; i++)
		if (g->used_files[i] == fid)
			return;
	if (g->nused < sizeof g->used_files / sizeof g->used_files[0])
		g->used_files[g->nused++] = fid;
	else
		gen_error(g, "too many imported files");
}

void gen_c_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch >= 0x20 && ch < 0x7f && ch != '?')
			fputc(ch, f);
		else
			fprintf(f, "\\%03o", ch);
	}
	fputc('"', f);
}
