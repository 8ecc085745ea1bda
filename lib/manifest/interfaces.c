/*
 * Interface ids of manifest capabilities, for CapSet entries and for the
 * `interfaceId` check of ProcessSpawner.spawn grants.  A kernel source has
 * the id of its kernel object; an imported cap has the id of the cap the
 * exporter holds under that name, followed back to its kernel source.
 */
#include "manifest/manifest.h"

#include "capos.capnp.h"
#include "device.capnp.h"
#include "entropy.capnp.h"
#include "thread.capnp.h"
#include "time.capnp.h"

/* The kinds a manifest may name, by their manifest number. */
static const struct {
	uint64_t interface_id;
	uint32_t kind;
} boot_kinds[MF_KCAP_COUNT] = {
#define MF_KCAP_ROW(E, name, kind, iface, boot, stateless) \
	CAPOS_KIND_IF(boot, [MF_KCAP_##E] = {iface, kind}, )
	CAPOS_KINDS(MF_KCAP_ROW)
#undef MF_KCAP_ROW
};

uint64_t mf_kernel_cap_interface(uint32_t kcap)
{
	return kcap < MF_KCAP_COUNT ? boot_kinds[kcap].interface_id : 0;
}

uint32_t mf_kernel_cap_kind(uint32_t kcap)
{
	return kcap < MF_KCAP_COUNT ? boot_kinds[kcap].kind : 0;
}

/* The cap named `name` held by services[svc], or NULL. */
static const struct mf_cap *held(const struct mf_manifest *m, int svc,
                                 struct mf_str name)
{
	const struct mf_service *s = &m->services[svc];

	for (uint32_t i = 0; i < s->cap_count; i++)
		if (mf_str_eq(s->caps[i].name, name))
			return &s->caps[i];
	return NULL;
}

const struct mf_cap *mf_cap_kernel_source(const struct mf_manifest *m,
                                          const struct mf_cap *c)
{
	/* A valid graph is acyclic, so a chain visits each service once. */
	for (uint32_t steps = 0; c && steps <= MF_MAX_SERVICES; steps++) {
		if (c->kind == MF_SOURCE_KERNEL)
			return c;
		int svc = mf_find_service(m, c->service);
		if (svc < 0)
			return NULL;
		c = held(m, svc, c->export_name);
	}
	return NULL;
}

uint64_t mf_cap_interface(const struct mf_manifest *m, const struct mf_cap *c)
{
	const struct mf_cap *k = mf_cap_kernel_source(m, c);

	if (k && k != c && k->kernel == MF_KCAP_ENDPOINT && k->interface_id != 0)
		return k->interface_id;
	return k ? mf_kernel_cap_interface(k->kernel) : 0;
}
