/*
 * struct mf_manifest -> SystemManifest (see encode.h).  The builder needs a
 * caller arena: start from an upper bound of the message size and grow on
 * CAPNP_ERR_NO_SPACE.
 */
#include "encode.h"

#include <stdlib.h>
#include <string.h>

#include "capnp/capnp.h"
#include "manifest.capnp.h"

static void caps(struct capnp_list_builder l, const struct mf_cap *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		manifest_CapRef_builder r = manifest_CapRef_list_at(l, i);
		manifest_CapSource_builder s = manifest_CapRef_init_source(r);
		manifest_CapRef_set_name(r, c[i].name.ptr, c[i].name.len);
		manifest_CapRef_set_badge(r, c[i].badge);
		if (c[i].interface_name.len > 0)
			manifest_CapRef_set_interface(r, c[i].interface_name.ptr,
			                              c[i].interface_name.len);
		manifest_CapRef_set_interfaceId(r, c[i].interface_id);
		if (c[i].device.pci.len > 0) {
			manifest_DeviceRef_builder d = manifest_CapRef_init_device(r);
			manifest_DeviceRef_set_pci(d, c[i].device.pci.ptr, c[i].device.pci.len);
			manifest_DeviceRef_set_bar(d, c[i].device.bar);
			manifest_DeviceRef_set_msix(d, c[i].device.msix);
			manifest_DeviceRef_set_bytes(d, c[i].device.bytes);
		}
		if (c[i].kind == MF_SOURCE_KERNEL) {
			manifest_CapSource_set_kernel(s, (enum manifest_KernelCap)c[i].kernel);
		} else {
			manifest_ServiceExport_builder e = manifest_CapSource_init_service(s);
			manifest_ServiceExport_set_name(e, c[i].service.ptr, c[i].service.len);
			manifest_ServiceExport_set_export(e, c[i].export_name.ptr,
			                                  c[i].export_name.len);
		}
	}
}

static int build(const struct mf_manifest *m, void *arena, size_t bytes, size_t *len)
{
	struct capnp_builder b;

	if (capnp_builder_init(&b, arena, bytes) != CAPNP_OK)
		return CAPNP_ERR_NO_SPACE;
	manifest_SystemManifest_builder root = manifest_SystemManifest_init_root(&b);
	manifest_SystemManifest_set_schemaVersion(root, m->schema_version);

	struct capnp_list_builder bins = manifest_SystemManifest_init_binaries(root, m->binary_count);
	for (uint32_t i = 0; i < m->binary_count; i++) {
		manifest_Binary_builder e = manifest_Binary_list_at(bins, i);
		manifest_Binary_set_name(e, m->binaries[i].name.ptr, m->binaries[i].name.len);
		/* Each ELF starts on a page of the module: the kernel maps
		 * read-only segments from it instead of copying them. */
		int err = capnp_builder_align(&b, MF_BINARY_ALIGN);
		if (err != CAPNP_OK)
			return err;
		manifest_Binary_set_data(e, m->binaries[i].data, (size_t)m->binaries[i].size);
	}

	manifest_InitConfig_builder ic = manifest_SystemManifest_init_initConfig(root);
	manifest_Init_builder init = manifest_InitConfig_init_init(ic);
	manifest_Init_set_binary(init, m->init_binary.ptr, m->init_binary.len);
	caps(manifest_Init_init_caps(init, m->init_cap_count), m->init_caps, m->init_cap_count);

	struct capnp_list_builder svcs = manifest_InitConfig_init_services(ic, m->service_count);
	for (uint32_t i = 0; i < m->service_count; i++) {
		const struct mf_service *s = &m->services[i];
		manifest_Service_builder e = manifest_Service_list_at(svcs, i);
		manifest_Service_set_name(e, s->name.ptr, s->name.len);
		manifest_Service_set_binary(e, s->binary.ptr, s->binary.len);
		manifest_Service_set_restart(e, (enum manifest_RestartPolicy)s->restart);
		if (s->quota_caps | s->quota_ranges | s->quota_frames | s->quota_threads) {
			manifest_ServiceQuota_builder q = manifest_Service_init_quota(e);
			manifest_ServiceQuota_set_caps(q, s->quota_caps);
			manifest_ServiceQuota_set_ranges(q, s->quota_ranges);
			manifest_ServiceQuota_set_frames(q, s->quota_frames);
			manifest_ServiceQuota_set_threads(q, s->quota_threads);
		}
		caps(manifest_Service_init_caps(e, s->cap_count), s->caps, s->cap_count);
		struct capnp_list_builder ex = manifest_Service_init_exports(e, s->export_count);
		for (uint32_t k = 0; k < s->export_count; k++)
			capnp_lb_set_text(ex, k, s->exports[k].ptr, s->exports[k].len);
	}

	manifest_KernelParams_builder kp = manifest_SystemManifest_init_kernelParams(root);
	manifest_KernelParams_set_motd(kp, m->motd.ptr, m->motd.len);
	return capnp_builder_finish(&b, len);
}

uint8_t *mf_encode(const struct mf_manifest *m, size_t *size_out)
{
	/* Upper bound: every byte of data and text plus generous per-item words. */
	size_t bytes = 4096;
	for (uint32_t i = 0; i < m->binary_count; i++)
		bytes += (size_t)m->binaries[i].size + m->binaries[i].name.len + 64 + MF_BINARY_ALIGN;
	bytes += m->init_binary.len + m->motd.len + 64 + (size_t)m->init_cap_count * 128;
	for (uint32_t i = 0; i < m->service_count; i++)
		bytes += 256 + (size_t)m->services[i].cap_count * 128 +
		         (size_t)m->services[i].export_count * 48;

	for (int tries = 0; tries < 8; tries++, bytes *= 2) {
		void *arena = calloc(1, bytes);
		size_t len = 0;
		int r;

		if (!arena)
			return NULL;
		r = build(m, arena, bytes, &len);
		if (r == CAPNP_OK) {
			*size_out = len;
			return arena;
		}
		free(arena);
		if (r != CAPNP_ERR_NO_SPACE)
			return NULL;
	}
	return NULL;
}
