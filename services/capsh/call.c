/*
 * capsh's `call CAP METHOD [ARGS]` (docs/terminal.md): any method of any
 * cap the shell holds, with params and results in Cap'n Proto text form
 * (lib/capnp_text.h), from the schemas in the boot package.  The shell
 * reads them once through its BootPackage schema view (a badged
 * BootPackage: capos.schemas and nothing else of the manifest), so a new
 * interface in schema/ needs no change here.
 *
 * Capabilities a result carries are kept under new names (r1, r2, ...)
 * that `caps` lists and `call` takes; a cap named in ARGS is passed as a
 * copy.
 */
#include "shell.h"

#include <capos/endpoint.h>

#include "capnp_text.h"

#define SCHEMA_BYTES     (256u * 1024u)
#define CHUNK            65472u /* BootPackage.readManifest's largest answer */
#define RESULT_BYTES     (64u * 1024u)
#define PARAMS_BYTES     8192u
#define PRINT_BYTES      4096u
#define SH_NAMED_MAX     8u
#define CALL_RESULT_CAPS 8u /* result caps given a name per call */

static uint64_t packed[SCHEMA_BYTES / 8], words[SCHEMA_BYTES / 8];
static size_t words_len;
static bool loaded;

struct named {
	bool used;
	char name[8];
	uint32_t cap_id;
	uint64_t interface_id;
};
static struct named named[SH_NAMED_MAX];
static unsigned named_seq;

/* The schema view the shell holds: a BootPackage, whatever its name. */
static const struct capos_capset_entry *schema_cap(void)
{
	for (uint32_t i = 0; i < capos_rt.capset.count; i++) {
		const struct capos_capset_entry *e = capos_capset_at(&capos_rt.capset, i);
		if (e && e->interface_id == capos_BootPackage_ID)
			return e;
	}
	return 0;
}

static int read_chunk(uint32_t cap, uint64_t off, uint8_t *to, uint32_t max, uint32_t *got)
{
	static uint64_t params[8], result[65536 / 8]; /* the most a result may be */
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_BootPackage_readManifest_Params_builder p =
		capos_BootPackage_readManifest_Params_init_root(&b);
	capos_BootPackage_readManifest_Params_set_offset(p, off);
	capos_BootPackage_readManifest_Params_set_maxBytes(p, max);
	capnp_builder_finish(&b, &len);
	struct capos_reply reply;
	struct capos_call_error err;
	if (sh_call(cap, capos_BootPackage_readManifest_METHOD, params, (uint32_t)len, result,
	            sizeof result, &reply, &err) < 0) {
		sh_error("BootPackage.readManifest", &err);
		return -1;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	struct capnp_data d = capos_BootPackage_readManifest_Results_get_data(
		capos_BootPackage_readManifest_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK || d.len > max)
		return -1;
	memcpy(to, d.ptr, d.len);
	*got = d.len;
	return 0;
}

/* Reads and unpacks the schemas once; false with a message if it cannot. */
static bool load_schemas(void)
{
	if (loaded)
		return true;
	const struct capos_capset_entry *e = schema_cap();
	if (e == 0) {
		sh_printf("capsh: call: this shell holds no BootPackage schema view, so it knows "
		          "no interfaces\n");
		return false;
	}
	uint64_t res[8];
	struct capos_reply reply;
	struct capos_call_error err;
	if (sh_call0(e->cap_id, capos_BootPackage_manifestSize_METHOD, res, sizeof res, &reply,
	             &err) < 0) {
		sh_error("BootPackage.manifestSize", &err);
		return false;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, res, reply.result_len);
	uint64_t size = capos_BootPackage_manifestSize_Results_get_size(
		capos_BootPackage_manifestSize_Results_read_root(&m));
	if (size == 0 || size > sizeof packed) {
		sh_printf("capsh: call: the boot package's schema information is %s (%lu bytes)\n",
		          size == 0 ? "missing" : "unusable", (unsigned long)size);
		return false;
	}
	for (uint64_t off = 0; off < size;) {
		uint32_t got = 0, want = size - off > CHUNK ? CHUNK : (uint32_t)(size - off);
		if (read_chunk(e->cap_id, off, (uint8_t *)packed + off, want, &got) < 0 || got == 0)
			return false;
		off += got;
	}
	if (capnp_unpack(packed, size, words, sizeof words, &words_len) != CAPNP_OK) {
		sh_printf("capsh: call: the schema information does not unpack\n");
		return false;
	}
	loaded = true;
	sh_printf("capsh: read %lu bytes of schema information (%lu unpacked)\n",
	          (unsigned long)size, (unsigned long)words_len);
	return true;
}

/* A fresh reader per command: lookups count against its traversal limit. */
static bool open_schemas(struct capnp_reader *m, struct ctext_schema *s)
{
	if (!load_schemas())
		return false;
	if (capnp_reader_init(m, words, words_len) != CAPNP_OK || ctext_schema_init(s, m) < 0) {
		sh_printf("capsh: call: the schema information does not decode\n");
		return false;
	}
	return true;
}

/* ---- caps by name: the CapSet's, then the results kept ------------- */

bool sh_cap_named(const char *name, size_t len, uint32_t *cap_id, uint64_t *iface)
{
	for (uint32_t i = 0; i < capos_rt.capset.count; i++) {
		const struct capos_capset_entry *e = capos_capset_at(&capos_rt.capset, i);
		if (e && strnlen(e->name, sizeof e->name) == len && memcmp(e->name, name, len) == 0) {
			*cap_id = e->cap_id;
			*iface = e->interface_id;
			return true;
		}
	}
	for (unsigned i = 0; i < SH_NAMED_MAX; i++)
		if (named[i].used && strlen(named[i].name) == len &&
		    memcmp(named[i].name, name, len) == 0) {
			*cap_id = named[i].cap_id;
			*iface = named[i].interface_id;
			return true;
		}
	return false;
}

void sh_named_list(void)
{
	for (unsigned i = 0; i < SH_NAMED_MAX; i++) {
		if (!named[i].used)
			continue;
		const char *iface = sh_interface_name(named[i].interface_id);
		if (iface)
			sh_printf("%-16s %-16s %u (a call's result)\n", named[i].name, iface,
			          named[i].cap_id);
		else
			sh_printf("%-16s %-16lx %u (a call's result)\n", named[i].name,
			          (unsigned long)named[i].interface_id, named[i].cap_id);
	}
}

/* Keeps a result cap under the next name; NULL (and released) when full. */
static const char *keep(const struct capos_cap_record *r)
{
	for (unsigned i = 0; i < SH_NAMED_MAX; i++) {
		if (named[i].used)
			continue;
		named[i] = (struct named){.used = true, .cap_id = r->cap_id, .interface_id = r->interface_id};
		capos_snprintf(named[i].name, sizeof named[i].name, "r%u", ++named_seq);
		return named[i].name;
	}
	capos_release_queue_push(&capos_rt_releases, &capos_rt_ring, r->cap_id);
	capos_flush_releases();
	return 0;
}

int sh_cmd_drop(int argc, char **argv)
{
	if (argc != 2) {
		sh_printf("usage: drop rN   (a cap a call's result gave, see 'caps')\n");
		return 0;
	}
	for (unsigned i = 0; i < SH_NAMED_MAX; i++)
		if (named[i].used && strcmp(named[i].name, argv[1]) == 0) {
			capos_release_queue_push(&capos_rt_releases, &capos_rt_ring, named[i].cap_id);
			capos_flush_releases();
			named[i].used = false;
			sh_printf("capsh: dropped %s\n", argv[1]);
			return 0;
		}
	sh_printf("capsh: drop: no result cap '%.40s' (the manifest's caps stay)\n", argv[1]);
	return 0;
}

/* ---- params and results ------------------------------------------- */

struct call_ctx {
	struct capos_xfer_desc xfer[CAPOS_XFER_MAX];
	uint32_t xfer_count;
	const char *result_names[CALL_RESULT_CAPS];
};

static int lookup_param_cap(void *ctx, const char *name, size_t len)
{
	struct call_ctx *c = ctx;
	uint32_t id;
	uint64_t iface;
	if (!sh_cap_named(name, len, &id, &iface) || c->xfer_count == CAPOS_XFER_MAX)
		return -1;
	c->xfer[c->xfer_count] = capos_xfer_copy(id);
	return (int)c->xfer_count++;
}

static const char *result_cap_name(void *ctx, uint32_t index)
{
	struct call_ctx *c = ctx;
	return index < CALL_RESULT_CAPS ? c->result_names[index] : 0;
}

/* `call CAP`: the methods of its interface, with their params and results. */
static void list_methods(const struct ctext_schema *s, uint64_t iface, const char *cap)
{
	schema_Node_reader n;
	if (!ctext_node(s, iface, &n)) {
		sh_printf("capsh: call: interface %lx of '%s' is not in the schemas\n",
		          (unsigned long)iface, cap);
		return;
	}
	struct capnp_text in = ctext_node_name(n);
	sh_printf("%s is a %.*s:\n", cap, (int)in.len, in.str);
	struct ctext_method m;
	for (uint32_t i = 0; ctext_method_at(s, iface, i, &m); i++) {
		char line[256];
		int at = capos_snprintf(line, sizeof line, "  %.*s (", (int)m.name.len, m.name.str);
		for (int side = 0; side < 2 && at > 0 && (size_t)at < sizeof line; side++) {
			schema_Node_reader st;
			if (ctext_node(s, side ? m.results_id : m.params_id, &st)) {
				struct capnp_list f = schema_Node_struct_get_fields(schema_Node_get_struct(st));
				for (uint32_t k = 0; k < f.len && (size_t)at < sizeof line; k++) {
					struct capnp_text fn = schema_Field_get_name(schema_Field_list_get(f, k));
					at += capos_snprintf(line + at, sizeof line - (size_t)at, "%s%.*s",
					                     k ? ", " : "", (int)fn.len, fn.str);
				}
			}
			if ((size_t)at < sizeof line)
				at += capos_snprintf(line + at, sizeof line - (size_t)at, "%s",
				                     side ? ")" : ") -> (");
		}
		sh_printf("%s\n", line);
	}
}

static void print_results(const struct ctext_schema *s, const struct ctext_method *m,
                          const void *result, const struct capos_reply *reply,
                          struct call_ctx *cc)
{
	static char text[PRINT_BYTES];
	for (uint32_t i = 0; i < reply->cap_count; i++) {
		if (i < CALL_RESULT_CAPS) {
			cc->result_names[i] = keep(&reply->caps[i]);
		} else { /* more than a call may name: not kept */
			capos_release_queue_push(&capos_rt_releases, &capos_rt_ring,
			                         reply->caps[i].cap_id);
			capos_flush_releases();
		}
	}
	struct capnp_reader rm;
	if (capnp_reader_init(&rm, result, reply->result_len) != CAPNP_OK) {
		sh_printf("capsh: call: the answer does not frame\n");
		return;
	}
	capnp_reader_set_cap_count(&rm, reply->cap_count);
	struct ctext_caps caps = {.name = result_cap_name, .ctx = cc};
	struct ctext_out out = {text, sizeof text, 0, false};
	int rc = ctext_print(s, m->results_id, capnp_reader_root(&rm), &caps, &out);
	sh_printf("%s\n", text);
	if (rc < 0)
		sh_printf("capsh: call: the answer did not decode whole\n");
}

/* call CAP [METHOD [ARGS]]; args is the rest of the line as typed, at
 * column args_col of it. */
int sh_cmd_call(int argc, char **argv, const char *args, unsigned args_col)
{
	if (argc < 2) {
		sh_printf("usage: call CAP [METHOD [(field = value, ...)]]\n");
		return 0;
	}
	uint32_t cap_id;
	uint64_t iface;
	if (!sh_cap_named(argv[1], strlen(argv[1]), &cap_id, &iface)) {
		sh_printf("capsh: call: this shell holds no capability '%.40s' (see 'caps')\n",
		          argv[1]);
		return 0;
	}
	struct capnp_reader sm;
	struct ctext_schema s;
	if (!open_schemas(&sm, &s))
		return 0;
	if (argc < 3) {
		list_methods(&s, iface, argv[1]);
		return 0;
	}
	struct ctext_method m;
	int found = ctext_find_method(&s, iface, argv[2], strlen(argv[2]), &m);
	if (found == -1) {
		sh_printf("capsh: call: interface %lx of '%s' is not in the schemas\n",
		          (unsigned long)iface, argv[1]);
		return 0;
	}
	if (found < 0) {
		sh_printf("capsh: call: '%s' has no method '%.40s' ('call %s' lists them)\n", argv[1],
		          argv[2], argv[1]);
		return 0;
	}
	static uint64_t params[PARAMS_BYTES / 8], result[RESULT_BYTES / 8];
	static struct call_ctx cc;
	memset(&cc, 0, sizeof cc);
	struct capnp_builder b;
	struct ctext_error perr;
	struct ctext_caps caps = {.lookup = lookup_param_cap, .ctx = &cc};
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	if (ctext_build(&s, m.params_id, args ? args : "", args ? strlen(args) : 0, &b, &caps,
	                &perr) < 0) {
		sh_printf("capsh: call: column %u: %s\n", perr.column + args_col, perr.message);
		return 0;
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK) {
		sh_printf("capsh: call: the params do not fit %u bytes\n", PARAMS_BYTES);
		return 0;
	}
	struct capos_endpoint_call call = {.method_id = m.ordinal, .params = params, .params_len = (uint32_t)len, .xfer = cc.xfer, .xfer_count = cc.xfer_count, .result = result, .result_cap = sizeof result};
	struct capos_reply reply;
	struct capos_call_error err;
	if (capos_endpoint_call_in(&capos_rt_ring, cap_id, &call, &reply, &err) < 0) {
		char what[80];
		capos_snprintf(what, sizeof what, "call %.20s.%.*s", argv[1], (int)m.name.len,
		               m.name.str);
		sh_error(what, &err);
		return 0;
	}
	print_results(&s, &m, result, &reply, &cc);
	return 0;
}
