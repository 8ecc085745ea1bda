/* CUE export (JSON) -> struct mf_manifest: see model.h. */
#include "model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Files larger than this are not boot binaries (and would not fit in RAM). */
#define MAX_BINARY_SIZE (64u * 1024u * 1024u)

struct ctx {
	char *err;
	size_t errlen;
	char holder[96]; /* "init: " or `service "x" (services[i]): ` */
};

static int fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	snprintf(c->err, c->errlen, "%s", c->holder);
	n = strlen(c->err);
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static struct mf_str str_of(const struct json *j)
{
	return (struct mf_str){j->string, (uint32_t)j->string_len};
}

/* Refuses keys other than the allowed ones (NULL-terminated list). */
static int check_keys(struct ctx *c, const struct json *obj, const char *where,
                      const char *const *allowed)
{
	for (size_t i = 0; i < obj->count; i++) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			ok |= strcmp(obj->keys[i], *a) == 0;
		if (!ok)
			return fail(c, "%s%sunknown field \"%s\"", where,
			            *where ? ": " : "", obj->keys[i]);
	}
	return 0;
}

/* A member of the given type; optional members may be absent (NULL, 0). */
static int member(struct ctx *c, const struct json *obj, const char *where,
                  const char *key, enum json_type type, int optional,
                  const struct json **out)
{
	const struct json *j = json_get(obj, key);

	/* Returns -1 itself rather than fail()'s result: the analyser does not
	 * follow variadic calls, and *out is NULL exactly when this fails
	 * or an optional member is absent. */
	*out = NULL;
	if (!j) {
		if (optional)
			return 0;
		fail(c, "%s%s: missing", where, key);
		return -1;
	}
	if (j->type != type) {
		fail(c, "%s%s: expected %s, got %s", where, key,
		     json_type_name(type), json_type_name(j->type));
		return -1;
	}
	if (type == JSON_STRING && j->string_len > UINT32_MAX) {
		fail(c, "%s%s: string too long", where, key);
		return -1;
	}
	*out = j;
	return 0;
}

/* A cap's "device": {pci, bar?, msix?, bytes?} (ranges: lib/manifest). */
static int parse_device(struct ctx *c, const struct json *j, size_t i, struct mf_device *d)
{
	static const char *const keys[] = {"pci", "bar", "msix", "bytes", NULL};
	const struct json *pci, *bar, *msix, *bytes;
	char where[64];

	snprintf(where, sizeof(where), "caps[%zu].device.", i);
	if (check_keys(c, j, where, keys) < 0 ||
	    member(c, j, where, "pci", JSON_STRING, 0, &pci) < 0 ||
	    member(c, j, where, "bar", JSON_NUMBER, 1, &bar) < 0 ||
	    member(c, j, where, "msix", JSON_NUMBER, 1, &msix) < 0 ||
	    member(c, j, where, "bytes", JSON_NUMBER, 1, &bytes) < 0)
		return -1;
	d->pci = str_of(pci);
	if (bar && (!bar->is_uint || bar->uint > 5))
		return fail(c, "caps[%zu].device.bar: %s is not a BAR number 0..5", i, bar->number);
	if (msix && (!msix->is_uint || msix->uint >= MF_MSIX_MAX))
		return fail(c, "caps[%zu].device.msix: %s is not an MSI-X entry 0..%u", i,
		            msix->number, MF_MSIX_MAX - 1);
	if (bytes && !bytes->is_uint)
		return fail(c, "caps[%zu].device.bytes: %s is not an unsigned integer", i,
		            bytes->number);
	d->bar = bar ? (uint8_t)bar->uint : 0;
	d->msix = msix ? (uint16_t)msix->uint : 0;
	d->bytes = bytes ? bytes->uint : 0;
	return 0;
}

/* A service's "quota": {caps?, ranges?, frames?, threads?}, each 1..2^32-1. */
static int parse_quota(struct ctx *c, const struct json *j, struct mf_service *s)
{
	static const char *const keys[] = {"caps", "ranges", "frames", "threads", NULL};
	uint32_t *out[] = {&s->quota_caps, &s->quota_ranges, &s->quota_frames, &s->quota_threads};
	if (check_keys(c, j, "quota.", keys) < 0)
		return -1;
	for (size_t k = 0; keys[k]; k++) {
		const struct json *v;
		if (member(c, j, "quota.", keys[k], JSON_NUMBER, 1, &v) < 0)
			return -1;
		if (v && (!v->is_uint || v->uint == 0 || v->uint > UINT32_MAX))
			return fail(c, "quota.%s: %s is not a number 1..4294967295", keys[k],
			            v->number);
		*out[k] = v ? (uint32_t)v->uint : 0;
	}
	return 0;
}

static int parse_cap(struct ctx *c, const struct json *j, size_t i,
                     struct mf_cap *cap)
{
	static const char *const cap_keys[] = {"name", "source", "badge", "interface", "device",
	                                       NULL};
	static const char *const src_keys[] = {"kernel", "service", NULL};
	static const char *const svc_keys[] = {"name", "export", NULL};
	const struct json *name, *src, *badge, *kernel, *svc, *sname, *export, *iface, *dev;
	char where[64];

	snprintf(where, sizeof(where), "caps[%zu].", i);
	if (j->type != JSON_OBJECT)
		return fail(c, "caps[%zu]: expected object, got %s", i,
		            json_type_name(j->type));
	if (check_keys(c, j, where, cap_keys) < 0 ||
	    member(c, j, where, "name", JSON_STRING, 0, &name) < 0 ||
	    member(c, j, where, "source", JSON_OBJECT, 0, &src) < 0 ||
	    member(c, j, where, "badge", JSON_NUMBER, 1, &badge) < 0 ||
	    member(c, j, where, "interface", JSON_STRING, 1, &iface) < 0 ||
	    member(c, j, where, "device", JSON_OBJECT, 1, &dev) < 0)
		return -1;
	cap->name = str_of(name);
	if (dev && parse_device(c, dev, i, &cap->device) < 0)
		return -1;
	if (iface)
		cap->interface_name = str_of(iface); /* id: resolved by mkmanifest */
	if (badge) {
		if (!badge->is_uint)
			return fail(c, "caps[%zu].badge: %s is not an unsigned 64-bit integer",
			            i, badge->number);
		cap->badge = badge->uint;
	}
	snprintf(where, sizeof(where), "caps[%zu].source.", i);
	if (check_keys(c, src, where, src_keys) < 0 ||
	    member(c, src, where, "kernel", JSON_STRING, 1, &kernel) < 0 ||
	    member(c, src, where, "service", JSON_OBJECT, 1, &svc) < 0)
		return -1;
	if ((kernel != NULL) == (svc != NULL))
		return fail(c, "caps[%zu].source: needs exactly one of \"kernel\" or \"service\"", i);
	if (kernel) {
		int k = mf_kernel_cap_from_name(str_of(kernel));
		if (k < 0)
			return fail(c, "caps[%zu].source.kernel: unknown kernel capability \"%s\"",
			            i, kernel->string);
		cap->kind = MF_SOURCE_KERNEL;
		cap->kernel = (uint16_t)k;
		return 0;
	}
	snprintf(where, sizeof(where), "caps[%zu].source.service.", i);
	if (check_keys(c, svc, where, svc_keys) < 0 ||
	    member(c, svc, where, "name", JSON_STRING, 0, &sname) < 0 ||
	    member(c, svc, where, "export", JSON_STRING, 0, &export) < 0)
		return -1;
	cap->kind = MF_SOURCE_SERVICE;
	cap->service = str_of(sname);
	cap->export_name = str_of(export);
	return 0;
}

static int parse_caps(struct ctx *c, const struct json *list, struct mf_cap **out,
                      uint32_t *count)
{
	if (list->count > MF_MAX_CAPS)
		return fail(c, "caps: %zu entries, at most %u allowed", list->count,
		            MF_MAX_CAPS);
	*out = calloc(list->count + 1, sizeof(**out));
	if (!*out)
		return fail(c, "caps: out of memory");
	*count = (uint32_t)list->count;
	for (size_t i = 0; i < list->count; i++)
		if (parse_cap(c, list->items[i], i, &(*out)[i]) < 0)
			return -1;
	return 0;
}

static int parse_service(struct ctx *c, struct model *md, size_t i,
                         const struct json *j)
{
	static const char *const keys[] = {"name", "binary", "caps", "exports",
	                                   "restart", "quota", NULL};
	const struct json *name, *binary, *caps, *exports, *restart, *quota;
	struct mf_service *s = &md->services[i];

	snprintf(c->holder, sizeof(c->holder), "services[%zu]: ", i);
	if (j->type != JSON_OBJECT)
		return fail(c, "expected object, got %s", json_type_name(j->type));
	if (member(c, j, "", "name", JSON_STRING, 0, &name) < 0)
		return -1;
	snprintf(c->holder, sizeof(c->holder), "service \"%.40s\" (services[%zu]): ",
	         name->string, i);
	if (check_keys(c, j, "", keys) < 0 ||
	    member(c, j, "", "binary", JSON_STRING, 0, &binary) < 0 ||
	    member(c, j, "", "caps", JSON_ARRAY, 1, &caps) < 0 ||
	    member(c, j, "", "exports", JSON_ARRAY, 1, &exports) < 0 ||
	    member(c, j, "", "restart", JSON_STRING, 1, &restart) < 0 ||
	    member(c, j, "", "quota", JSON_OBJECT, 1, &quota) < 0)
		return -1;
	if (quota && parse_quota(c, quota, s) < 0)
		return -1;
	s->name = str_of(name);
	s->binary = str_of(binary);
	if (restart) {
		int r = mf_restart_from_name(str_of(restart));
		if (r < 0)
			return fail(c, "restart: unknown restart policy \"%s\"",
			            restart->string);
		s->restart = (uint16_t)r;
	}
	if (caps) {
		if (parse_caps(c, caps, &md->service_caps[i], &s->cap_count) < 0)
			return -1;
		s->caps = md->service_caps[i];
	}
	if (exports) {
		if (exports->count > MF_MAX_EXPORTS)
			return fail(c, "exports: %zu entries, at most %u allowed",
			            exports->count, MF_MAX_EXPORTS);
		md->service_exports[i] = calloc(exports->count + 1,
		                                sizeof(struct mf_str));
		if (!md->service_exports[i])
			return fail(c, "exports: out of memory");
		for (size_t k = 0; k < exports->count; k++) {
			const struct json *e = exports->items[k];
			if (e->type != JSON_STRING)
				return fail(c, "exports[%zu]: expected string, got %s",
				            k, json_type_name(e->type));
			md->service_exports[i][k] = str_of(e);
		}
		s->exports = md->service_exports[i];
		s->export_count = (uint32_t)exports->count;
	}
	return 0;
}

static int parse_extra_binaries(struct ctx *c, const struct json *list, struct model *md)
{
	if (list->count > MF_MAX_BINARIES)
		return fail(c, "extraBinaries: %zu entries, at most %u allowed", list->count,
		            MF_MAX_BINARIES);
	md->extra_binaries = calloc(list->count + 1, sizeof(*md->extra_binaries));
	if (!md->extra_binaries)
		return fail(c, "out of memory");
	for (size_t i = 0; i < list->count; i++) {
		const struct json *e = list->items[i];
		if (e->type != JSON_STRING)
			return fail(c, "extraBinaries[%zu]: expected a string, got %s", i,
			            json_type_name(e->type));
		md->extra_binaries[i] = str_of(e);
	}
	md->extra_binary_count = (uint32_t)list->count;
	return 0;
}

int model_from_json(struct model *md, struct json *root, char *err, size_t errlen)
{
	static const char *const top_keys[] = {"schemaVersion", "initConfig",
	                                       "kernelParams", "extraBinaries", NULL};
	static const char *const ic_keys[] = {"init", "services", NULL};
	static const char *const init_keys[] = {"binary", "caps", NULL};
	static const char *const kp_keys[] = {"motd", NULL};
	struct ctx c = {.err = err, .errlen = errlen};
	const struct json *version, *ic, *init, *services, *kp, *binary, *caps, *motd, *extra;

	memset(md, 0, sizeof(*md));
	md->root = root;
	snprintf(c.holder, sizeof(c.holder), "manifest: ");
	if (root->type != JSON_OBJECT)
		return fail(&c, "expected an object, got %s", json_type_name(root->type));
	if (check_keys(&c, root, "", top_keys) < 0 ||
	    member(&c, root, "", "schemaVersion", JSON_NUMBER, 0, &version) < 0 ||
	    member(&c, root, "", "initConfig", JSON_OBJECT, 0, &ic) < 0 ||
	    member(&c, root, "", "kernelParams", JSON_OBJECT, 1, &kp) < 0 ||
	    member(&c, root, "", "extraBinaries", JSON_ARRAY, 1, &extra) < 0)
		return -1;
	if (extra && parse_extra_binaries(&c, extra, md) < 0)
		return -1;
	if (!version->is_uint || version->uint > UINT32_MAX)
		return fail(&c, "schemaVersion: %s is not an unsigned 32-bit integer",
		            version->number);
	md->m.schema_version = (uint32_t)version->uint;
	if (check_keys(&c, ic, "initConfig", ic_keys) < 0 ||
	    member(&c, ic, "initConfig.", "init", JSON_OBJECT, 0, &init) < 0 ||
	    member(&c, ic, "initConfig.", "services", JSON_ARRAY, 1, &services) < 0)
		return -1;
	if (kp) {
		if (check_keys(&c, kp, "kernelParams", kp_keys) < 0 ||
		    member(&c, kp, "kernelParams.", "motd", JSON_STRING, 1, &motd) < 0)
			return -1;
		if (motd)
			md->m.motd = str_of(motd);
	}

	snprintf(c.holder, sizeof(c.holder), "init: ");
	if (check_keys(&c, init, "", init_keys) < 0 ||
	    member(&c, init, "", "binary", JSON_STRING, 0, &binary) < 0 ||
	    member(&c, init, "", "caps", JSON_ARRAY, 1, &caps) < 0)
		return -1;
	md->m.init_binary = str_of(binary);
	if (caps) {
		if (parse_caps(&c, caps, &md->init_caps, &md->m.init_cap_count) < 0)
			return -1;
		md->m.init_caps = md->init_caps;
	}

	if (!services)
		return 0;
	snprintf(c.holder, sizeof(c.holder), "manifest: ");
	if (services->count > MF_MAX_SERVICES)
		return fail(&c, "initConfig.services: %zu entries, at most %u allowed",
		            services->count, MF_MAX_SERVICES);
	/* NOLINTBEGIN(bugprone-sizeof-expression): arrays of pointers, sized by element */
	md->services = calloc(services->count + 1, sizeof(*md->services));
	md->service_caps = calloc(services->count + 1, sizeof(*md->service_caps));
	md->service_exports = calloc(services->count + 1,
	                             sizeof(*md->service_exports));
	/* NOLINTEND(bugprone-sizeof-expression) */
	if (!md->services || !md->service_caps || !md->service_exports)
		return fail(&c, "out of memory");
	md->m.services = md->services;
	md->m.service_count = (uint32_t)services->count;
	for (size_t i = 0; i < services->count; i++)
		if (parse_service(&c, md, i, services->items[i]) < 0)
			return -1;
	return 0;
}

/* Reads a whole regular file; 1 = read, 0 = absent, -1 = error (in err). */
static int read_file(const char *path, uint8_t **data, uint64_t *size,
                     char *err, size_t errlen, const char *who)
{
	struct stat st;
	FILE *f;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errlen, "%sbinary: %s: %s", who, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%sbinary: %s is not a regular file", who, path);
		return -1;
	}
	if ((uint64_t)st.st_size > MAX_BINARY_SIZE) {
		snprintf(err, errlen, "%sbinary: %s is %lld bytes, more than the %u allowed",
		         who, path, (long long)st.st_size, MAX_BINARY_SIZE);
		return -1;
	}
	f = fopen(path, "rb");
	*data = malloc((size_t)st.st_size + 1);
	if (!f || !*data ||
	    fread(*data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		snprintf(err, errlen, "%sbinary: cannot read %s: %s", who, path,
		         strerror(errno ? errno : EIO));
		if (f)
			fclose(f);
		free(*data);
		*data = NULL;
		return -1;
	}
	fclose(f);
	*size = (uint64_t)st.st_size;
	return 1;
}

static int load_one(struct model *md, struct mf_str name, const char *who,
                    char *const *dirs, size_t ndirs, char *err, size_t errlen)
{
	static const char *const suffixes[] = {".elf", ""};
	uint32_t n = md->m.binary_count;
	char path[4096];

	if (mf_find_binary(&md->m, name) >= 0)
		return 0;
	/* Names are validated later; refuse path tricks here already. */
	if (name.len == 0 || memchr(name.ptr, '/', name.len) ||
	    (name.ptr[0] == '.')) {
		snprintf(err, errlen, "%sbinary: invalid binary name \"%.*s\"", who,
		         (int)name.len, name.ptr);
		return -1;
	}
	for (size_t d = 0; d < ndirs; d++) {
		for (size_t s = 0; s < 2; s++) {
			uint8_t *data = NULL;
			uint64_t size = 0;
			int r;
			int len = snprintf(path, sizeof(path), "%s/%.*s%s", dirs[d],
			                   (int)name.len, name.ptr, suffixes[s]);
			if (len < 0 || (size_t)len >= sizeof(path)) {
				snprintf(err, errlen, "%sbinary: path too long in %s",
				         who, dirs[d]);
				return -1;
			}
			r = read_file(path, &data, &size, err, errlen, who);
			if (r < 0)
				return -1;
			if (r == 0)
				continue;
			md->binaries[n].name = name;
			md->binaries[n].data = data;
			md->binaries[n].size = size;
			md->binary_data[n] = data;
			md->binary_paths[n] = strdup(path);
			md->m.binary_count = n + 1;
			return 0;
		}
	}
	/* clang-format off */
	size_t off = (size_t)snprintf(err, errlen,
		"%sbinary: \"%.*s\" not found (looked for %.*s.elf and %.*s in",
		who, (int)name.len, name.ptr, (int)name.len, name.ptr,
		(int)name.len, name.ptr);
	/* clang-format on */
	for (size_t d = 0; d < ndirs && off < errlen; d++)
		off += (size_t)snprintf(err + off, errlen - off, " %s", dirs[d]);
	if (ndirs == 0 && off < errlen)
		off += (size_t)snprintf(err + off, errlen - off, " no directory; pass --binary-dir");
	if (off < errlen)
		snprintf(err + off, errlen - off, ")");
	return -1;
}

int model_load_binaries(struct model *md, char *const *dirs, size_t ndirs,
                        char *err, size_t errlen)
{
	size_t max = md->m.service_count + md->extra_binary_count + 1;
	char who[96];

	md->binaries = calloc(max, sizeof(*md->binaries));
	md->binary_data = calloc(max, sizeof(*md->binary_data));
	md->binary_paths = calloc(max, sizeof(*md->binary_paths));
	if (!md->binaries || !md->binary_data || !md->binary_paths) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	md->m.binaries = md->binaries;
	if (load_one(md, md->m.init_binary, "init: ", dirs, ndirs, err, errlen) < 0)
		return -1;
	for (uint32_t i = 0; i < md->m.service_count; i++) {
		const struct mf_service *s = &md->m.services[i];
		snprintf(who, sizeof(who), "service \"%.40s\" (services[%u]): ",
		         s->name.ptr, i);
		if (load_one(md, s->binary, who, dirs, ndirs, err, errlen) < 0)
			return -1;
	}
	for (uint32_t i = 0; i < md->extra_binary_count; i++) {
		snprintf(who, sizeof(who), "extraBinaries[%u]: ", i);
		if (load_one(md, md->extra_binaries[i], who, dirs, ndirs, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void model_free(struct model *md)
{
	for (uint32_t i = 0; i < md->m.service_count; i++) {
		if (md->service_caps)
			free(md->service_caps[i]);
		if (md->service_exports)
			free(md->service_exports[i]);
	}
	for (uint32_t i = 0; i < md->m.binary_count; i++) {
		free(md->binary_data[i]);
		free(md->binary_paths[i]);
	}
	free(md->service_caps);
	free(md->service_exports);
	free(md->services);
	free(md->init_caps);
	free(md->binaries);
	free(md->extra_binaries);
	free(md->binary_data);
	free(md->binary_paths);
	json_free(md->root);
	memset(md, 0, sizeof(*md));
}
