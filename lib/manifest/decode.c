/*
 * SystemManifest decoder on lib/capnp and the generated accessors of
 * schema/manifest.capnp (prefix manifest_, docs/capnp-c.md).
 */
#include "manifest/decode.h"

#include "capnp/capnp.h"
#include "manifest.capnp.h"

struct dctx {
	struct capnp_reader m;
	struct mf_decode_error *err;
	struct mf_storage *st;
	uint32_t caps_used;
	uint32_t exports_used;
};

/* Appends s to buf[0..cap) as far as it fits, keeping it NUL-terminated.
 * *len < cap holds on entry (it starts at 0); the test before the final
 * write restates it so an analyser (Frama-C Eva) needs no loop invariant. */
static void put(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = *len;

	for (; *s && n + 1 < cap; s++)
		buf[n++] = *s;
	if (n < cap)
		buf[n] = '\0';
	*len = n;
}

static void put_uint(char *buf, size_t cap, size_t *len, uint64_t v)
{
	char d[21];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && *len + 1 < cap)
		buf[(*len)++] = d[--n];
	buf[*len] = '\0';
}

/* "<field>: <what>" with an optional index: "initConfig.services[3].caps: ..." */
static enum mf_decode_err fail(struct dctx *d, enum mf_decode_err code,
                               const char *field, int64_t index, const char *sub,
                               const char *what)
{
	char *b = d->err->message;
	size_t cap = sizeof(d->err->message), n = 0;

	d->err->code = code;
	put(b, cap, &n, field);
	if (index >= 0) {
		put(b, cap, &n, "[");
		put_uint(b, cap, &n, (uint64_t)index);
		put(b, cap, &n, "]");
	}
	put(b, cap, &n, sub);
	put(b, cap, &n, ": ");
	put(b, cap, &n, what);
	return code;
}

static struct mf_str text(struct capnp_text t)
{
	return (struct mf_str){t.str, t.len};
}

static enum mf_decode_err capnp_failed(struct dctx *d, const char *field,
                                       int64_t index, const char *sub)
{
	d->err->capnp_err = capnp_reader_error(&d->m);
	return fail(d, MF_DECODE_CAPNP, field, index, sub,
	            capnp_strerror(d->err->capnp_err));
}

/* Decodes a List(CapRef) into dst[0..max). */
static enum mf_decode_err caps(struct dctx *d, struct capnp_list l,
                               struct mf_cap *dst, uint32_t max, uint32_t *count,
                               const char *field, int64_t index)
{
	uint32_t n = capnp_list_len(l);

	if (n > max)
		return fail(d, MF_DECODE_TOO_MANY, field, index, ".caps",
		            "more caps than the manifest reader holds");
	for (uint32_t i = 0; i < n; i++) {
		manifest_CapRef_reader c = manifest_CapRef_list_get(l, i);
		manifest_CapSource_reader s = manifest_CapRef_get_source(c);
		struct mf_cap *out = &dst[i];

		*out = (struct mf_cap){0};
		out->name = text(manifest_CapRef_get_name(c));
		out->badge = manifest_CapRef_get_badge(c);
		out->interface_name = text(manifest_CapRef_get_interface(c));
		out->interface_id = manifest_CapRef_get_interfaceId(c);
		if (manifest_CapRef_has_device(c)) {
			manifest_DeviceRef_reader dv = manifest_CapRef_get_device(c);
			out->device.pci = text(manifest_DeviceRef_get_pci(dv));
			out->device.bar = manifest_DeviceRef_get_bar(dv);
			out->device.msix = manifest_DeviceRef_get_msix(dv);
			out->device.bytes = manifest_DeviceRef_get_bytes(dv);
		}
		switch (manifest_CapSource_which(s)) {
		case manifest_CapSource_which_kernel:
			out->kind = MF_SOURCE_KERNEL;
			out->kernel = (uint16_t)manifest_CapSource_get_kernel(s);
			break;
		case manifest_CapSource_which_service: {
			manifest_ServiceExport_reader e = manifest_CapSource_get_service(s);
			out->kind = MF_SOURCE_SERVICE;
			out->service = text(manifest_ServiceExport_get_name(e));
			out->export_name = text(manifest_ServiceExport_get_export(e));
			break;
		}
		default:
			return fail(d, MF_DECODE_BAD_UNION, field, index, ".caps.source",
			            "unknown CapSource variant");
		}
	}
	if (capnp_reader_error(&d->m))
		return capnp_failed(d, field, index, ".caps");
	*count = n;
	return MF_DECODE_OK;
}

static enum mf_decode_err service(struct dctx *d, manifest_Service_reader r,
                                  uint32_t i)
{
	struct mf_service *s = &d->st->services[i];
	struct capnp_list ex = manifest_Service_get_exports(r);
	uint32_t nex = capnp_list_len(ex);
	enum mf_decode_err e;

	*s = (struct mf_service){0};
	s->name = text(manifest_Service_get_name(r));
	s->binary = text(manifest_Service_get_binary(r));
	s->restart = (uint16_t)manifest_Service_get_restart(r);
	manifest_ServiceQuota_reader q = manifest_Service_get_quota(r);
	s->quota_caps = manifest_ServiceQuota_get_caps(q);
	s->quota_ranges = manifest_ServiceQuota_get_ranges(q);
	s->quota_frames = manifest_ServiceQuota_get_frames(q);
	s->quota_threads = manifest_ServiceQuota_get_threads(q);
	s->caps = &d->st->caps[d->caps_used];
	/* clang-format off */
	e = caps(d, manifest_Service_get_caps(r), &d->st->caps[d->caps_used],
		 MF_MAX_TOTAL_CAPS - d->caps_used < MF_MAX_CAPS ?
			 MF_MAX_TOTAL_CAPS - d->caps_used : MF_MAX_CAPS,
		 &s->cap_count, "initConfig.services", i);
	/* clang-format on */
	if (e)
		return e;
	d->caps_used += s->cap_count;
	if (nex > MF_MAX_EXPORTS || nex > MF_MAX_TOTAL_EXPORTS - d->exports_used)
		return fail(d, MF_DECODE_TOO_MANY, "initConfig.services", i,
		            ".exports", "more exports than the manifest reader holds");
	s->exports = &d->st->exports[d->exports_used];
	for (uint32_t k = 0; k < nex; k++)
		d->st->exports[d->exports_used + k] = text(capnp_list_get_text(ex, k));
	if (capnp_reader_error(&d->m))
		return capnp_failed(d, "initConfig.services", i, "");
	s->export_count = nex;
	d->exports_used += nex;
	return MF_DECODE_OK;
}

enum mf_decode_err mf_decode(const void *buf, size_t len, struct mf_storage *st,
                             struct mf_manifest *out, struct mf_decode_error *err)
{
	static struct mf_decode_error scratch;
	struct dctx d = {.err = err ? err : &scratch, .st = st};
	enum mf_decode_err e;

	*out = (struct mf_manifest){0};
	d.err->code = MF_DECODE_OK;
	d.err->capnp_err = 0;
	d.err->message[0] = '\0';
	if (capnp_reader_init(&d.m, buf, len) != CAPNP_OK)
		return capnp_failed(&d, "manifest", -1, "");
	/* Every word may be read once; binaries are the bulk. */
	capnp_reader_set_limits(&d.m, len / 8 + 64, 16);

	manifest_SystemManifest_reader root = manifest_SystemManifest_read_root(&d.m);
	out->schema_version = manifest_SystemManifest_get_schemaVersion(root);

	struct capnp_list bins = manifest_SystemManifest_get_binaries(root);
	uint32_t nb = capnp_list_len(bins);
	if (nb > MF_MAX_BINARIES)
		return fail(&d, MF_DECODE_TOO_MANY, "binaries", -1, "",
		            "more binaries than the manifest reader holds");
	for (uint32_t i = 0; i < nb; i++) {
		manifest_Binary_reader b = manifest_Binary_list_get(bins, i);
		struct capnp_data data = manifest_Binary_get_data(b);
		st->binaries[i] = (struct mf_binary){
			text(manifest_Binary_get_name(b)), data.ptr, data.len};
	}
	if (capnp_reader_error(&d.m))
		return capnp_failed(&d, "binaries", -1, "");
	out->binaries = st->binaries;
	out->binary_count = nb;

	manifest_InitConfig_reader ic = manifest_SystemManifest_get_initConfig(root);
	manifest_Init_reader init = manifest_InitConfig_get_init(ic);
	out->init_binary = text(manifest_Init_get_binary(init));
	e = caps(&d, manifest_Init_get_caps(init), st->init_caps, MF_MAX_CAPS,
	         &out->init_cap_count, "initConfig.init", -1);
	if (e)
		return e;
	out->init_caps = st->init_caps;

	struct capnp_list svcs = manifest_InitConfig_get_services(ic);
	uint32_t ns = capnp_list_len(svcs);
	if (ns > MF_MAX_SERVICES)
		return fail(&d, MF_DECODE_TOO_MANY, "initConfig.services", -1, "",
		            "more services than the manifest reader holds");
	for (uint32_t i = 0; i < ns; i++) {
		e = service(&d, manifest_Service_list_get(svcs, i), i);
		if (e)
			return e;
	}
	out->services = st->services;
	out->service_count = ns;

	manifest_KernelParams_reader kp = manifest_SystemManifest_get_kernelParams(root);
	out->motd = text(manifest_KernelParams_get_motd(kp));
	if (capnp_reader_error(&d.m))
		return capnp_failed(&d, "manifest", -1, "");
	return MF_DECODE_OK;
}
