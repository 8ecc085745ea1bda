/*
 * The caps the kernel makes for a manifest service itself: a Notification
 * and the device kinds (kernel/cap/service_caps.h).
 */
#include "cap/service_caps.h"

#include <capos/abi.h>

#include "cap/device_mmio.h"
#include "cap/dma_pool.h"
#include "cap/interrupt.h"
#include "cap/notification.h"
#include "cap/process_spawner.h"
#include "cap/registry.h"
#include "dev/device_claim.h"
#include "dev/pci_bus.h"
#include "format.h"
#include "kstring.h"
#include "manifest/manifest.h"
#include "proc/process.h"

/* The PCI function a device cap names (validated: "vvvv:dddd" or
 * "class:ccss"). */
static const struct pci_device *cap_device(const struct mf_cap *c)
{
	uint16_t vendor = 0, device = 0;
	uint8_t cls = 0, sub = 0;
	if (mf_pci_parse(c->device.pci, &vendor, &device) == 0)
		return pci_find(vendor, device);
	if (mf_pci_class_parse(c->device.pci, &cls, &sub) == 0)
		return pci_find_class(cls, sub);
	return 0;
}

static bool made_here(const struct mf_cap *c)
{
	return c->kind == MF_SOURCE_KERNEL && mf_kernel_cap_per_service(c->kernel);
}

int manifest_service_caps_check(const struct mf_manifest *m, unsigned svc, char *why,
                                size_t why_len)
{
	const struct mf_service *s = &m->services[svc];
	int n = 0;
	for (uint32_t i = 0; i < s->cap_count; i++) {
		const struct mf_cap *c = &s->caps[i];
		if (!made_here(c))
			continue;
		n++;
		if (!mf_kernel_cap_is_device(c->kernel))
			continue;
		const struct pci_device *d = cap_device(c);
		const char *problem = 0;
		struct dev_claim *cl = d ? dev_claim_find(d) : 0;
		struct dev_claim probe = {.pci = d};
		if (d == 0)
			problem = "no such PCI device at boot";
		else if (cl)
			problem = "driven by another process";
		else if (c->kernel == MF_KCAP_DEVICE_MMIO)
			problem = device_mmio_bar_problem(&probe, c->device.bar);
		else if (c->kernel == MF_KCAP_INTERRUPT)
			problem = interrupt_entry_problem(&probe, c->device.msix);
		if (problem) {
			format_snprintf(why, why_len, "'%.*s' caps[%u] '%.*s' (%s of %.*s): %s%s%s%s",
			                (int)s->name.len, s->name.ptr, i, (int)c->name.len, c->name.ptr,
			                mf_kernel_cap_name(c->kernel), (int)c->device.pci.len,
			                c->device.pci.ptr, problem, cl ? " ('" : "",
			                cl ? cl->owner : "", cl ? "')" : "");
			return -1;
		}
	}
	return n;
}

/* One cap of the service into *g (a claim reference held by the caller). */
static int make_one(const struct mf_cap *c, const char *owner, struct dev_claim *cl,
                    struct spawn_grant *g, const char **problem)
{
	memset(g, 0, sizeof(*g));
	memcpy(g->name, c->name.ptr, c->name.len); /* validated: <= 31 bytes */
	*problem = "out of notifications";
	switch (c->kernel) {
	case MF_KCAP_NOTIFICATION:
		return notification_create(owner, &g->entry) ? CAPOS_OK : CAPOS_ERR_NO_RESOURCES;
	case MF_KCAP_DEVICE_MMIO:
		*problem = "out of DeviceMmio objects";
		return device_mmio_create(cl, c->device.bar, &g->entry);
	case MF_KCAP_INTERRUPT:
		return interrupt_create(cl, c->device.msix, &g->entry, problem);
	default:
		return dma_pool_create(cl, c->device.bytes, &g->entry, problem);
	}
}

int manifest_service_caps_make(const struct mf_manifest *m, unsigned svc, struct spawn_grant *out,
                               char *why, size_t why_len)
{
	const struct mf_service *s = &m->services[svc];
	char owner[PROC_NAME_MAX];
	format_snprintf(owner, sizeof owner, "%.*s", (int)s->name.len, s->name.ptr);
	unsigned n = 0;
	for (uint32_t i = 0; i < s->cap_count; i++) {
		const struct mf_cap *c = &s->caps[i];
		if (!made_here(c))
			continue;
		const struct pci_device *d = mf_kernel_cap_is_device(c->kernel) ? cap_device(c) : 0;
		/* A reference while the cap is made: the cap takes its own. */
		struct dev_claim *cl = d ? dev_claim_get(d, owner) : 0;
		const char *problem = "out of device claims";
		int err = d && cl == 0 ? CAPOS_ERR_NO_RESOURCES : make_one(c, owner, cl, &out[n], &problem);
		if (cl)
			dev_claim_put(cl);
		if (err) {
			format_snprintf(why, why_len, "'%s' caps[%u] '%.*s' (%s): %s", owner, i,
			                (int)c->name.len, c->name.ptr, mf_kernel_cap_name(c->kernel),
			                problem);
			for (unsigned k = 0; k < n; k++)
				kcap_drop(&out[k].entry);
			return -1;
		}
		n++;
	}
	return (int)n;
}
