/*
 * init (see init.h and docs/init.md).
 *
 * Authority: init holds only what initConfig.init.caps gives it (Console,
 * ProcessSpawner, FrameAllocator, VirtualMemory, BootPackage).  A service's
 * kernel cap is a copy of init's own cap of that kind (with the manifest's
 * badge); an `endpoint` cap is a new endpoint created by the spawn (the
 * service holds its owner side, init a client facet); a service-sourced
 * cap is what init holds for the exporter's export (for an endpoint, that
 * client facet), passed with the importer's badge.
 */
#include "init.h"

#include <capos/string.h>

#include "capos.capnp.h"
#include "manifest/decode.h"

static uint8_t manifest_buf[INIT_MANIFEST_MAX] __attribute__((aligned(8)));
static struct mf_storage storage;
static struct mf_manifest mf;
static uint32_t order[MF_MAX_SERVICES];

static struct init_wiring wiring;
static uint32_t handle_service[MF_MAX_SERVICES];
static uint32_t started_count, failed_count;

/* init's own cap of kernel kind k (the first init cap of that kind). */
static uint32_t own_kernel_cap(uint16_t k)
{
	for (uint32_t i = 0; i < mf.init_cap_count; i++) {
		const struct mf_cap *c = &mf.init_caps[i];
		if (c->kind != MF_SOURCE_KERNEL || c->kernel != k)
			continue;
		char name[CAPOS_CAP_NAME_MAX] = {0};
		memcpy(name, c->name.ptr, c->name.len);
		const struct capos_capset_entry *e =
			capos_capset_find(&capos_rt.capset, name, mf_kernel_cap_interface(k));
		return e ? e->cap_id : 0;
	}
	return 0;
}

static void start_service(uint32_t spawner, uint32_t s)
{
	static struct init_grant grants[MF_MAX_CAPS];
	static struct init_spawned out;
	const struct mf_service *sv = &mf.services[s];
	char why[200];
	int n = init_grants_for(&mf, &wiring, s, grants, why, sizeof why);
	if (n < 0) {
		capos_printf("init: not started: %s\n", why);
		failed_count++;
		return;
	}
	if (init_spawn(spawner, sv->name, sv->binary, grants, (uint32_t)n, &out) < 0) {
		failed_count++;
		return;
	}
	init_wiring_record(&wiring, s, grants, (uint32_t)n, out.facets);
	handle_service[started_count++] = s;
	capos_printf("init: started '%.*s' (pid %u, binary '%.*s', %d caps)\n", (int)sv->name.len,
	             sv->name.ptr, out.pid, (int)sv->binary.len, sv->binary.ptr, n);
	if (init_wait_add(out.handle) < 0)
		capos_printf("init: cannot wait for '%.*s'\n", (int)sv->name.len, sv->name.ptr);
}

/* Every service is started: init needs no client facet any more.  Holding
 * one would keep an endpoint's clients alive after the real clients exit,
 * so a server waiting for calls would never see its endpoint orphaned. */
static void release_facets(void)
{
	uint32_t n = 0;
	for (uint32_t s = 0; s < mf.service_count; s++) {
		const struct mf_service *sv = &mf.services[s];
		if (!wiring.started[s])
			continue;
		for (uint32_t i = 0; i < sv->cap_count; i++) {
			const struct mf_cap *c = &sv->caps[i];
			if (c->kind != MF_SOURCE_KERNEL || c->kernel != MF_KCAP_ENDPOINT)
				continue;
			struct capos_cap cap = {.cap_id = wiring.cap_ids[s][i],
			                        .interface_id = capos_Endpoint_ID,
			                        .owned = true,
			                        .valid = true};
			capos_cap_drop(&cap);
			n++;
		}
	}
	int failed = capos_flush_releases();
	if (n > 0)
		capos_printf("init: released its %u endpoint client facets (%d failed)\n", n, failed);
}

static uint32_t nonzero_exits;
/* How each service that did not exit with code 0 ended, by service
 * index, for the final summary. */
static struct init_end failed_end[MF_MAX_SERVICES];
static bool failed[MF_MAX_SERVICES];

static void exited(uint32_t i, const struct init_end *end)
{
	uint32_t s = handle_service[i];
	const struct mf_service *sv = &mf.services[s];
	if (end->killed)
		capos_printf("init: '%.*s' killed: %s\n", (int)sv->name.len, sv->name.ptr,
		             end->reason);
	else if (end->known)
		capos_printf("init: '%.*s' exited with code %ld\n", (int)sv->name.len, sv->name.ptr,
		             (long)end->code);
	if (end->known && !end->killed && end->code == 0)
		return;
	nonzero_exits++;
	failed[s] = true;
	failed_end[s] = *end;
}

/* One line per service that did not exit with code 0, in manifest order
 * (not exit order, which depends on scheduling), so the end of the log
 * says which failed and how. */
static void list_failures(void)
{
	for (uint32_t s = 0; s < mf.service_count; s++) {
		const struct mf_service *sv = &mf.services[s];
		const struct init_end *e = &failed_end[s];
		int len = (int)sv->name.len;
		if (!wiring.started[s])
			capos_printf("init: FAILED '%.*s': not started (see its init: line above)\n", len,
			             sv->name.ptr);
		else if (!failed[s])
			continue;
		else if (e->killed)
			capos_printf("init: FAILED '%.*s': killed: %s\n", len, sv->name.ptr, e->reason);
		else if (e->known)
			capos_printf("init: FAILED '%.*s': exited with code %ld\n", len, sv->name.ptr,
			             (long)e->code);
		else
			capos_printf("init: FAILED '%.*s': its end is unknown (the wait failed)\n", len,
			             sv->name.ptr);
	}
}

int main(void)
{
	const struct capos_capset *cs = &capos_rt.capset;
	capos_printf("init: pid %lu, %u caps in the CapSet\n", (unsigned long)capos_rt.pid,
	             cs->count);
	const struct capos_capset_entry *bp = capos_capset_find_interface(cs, capos_BootPackage_ID);
	const struct capos_capset_entry *sp =
		capos_capset_find_interface(cs, capos_ProcessSpawner_ID);
	if (bp == 0 || sp == 0) {
		capos_printf("init: no %s cap: cannot start services\n",
		             bp ? "ProcessSpawner" : "BootPackage");
		return 2;
	}
	int64_t size = init_read_manifest(bp->cap_id, manifest_buf, sizeof manifest_buf);
	if (size < 0)
		return 3;
	struct mf_decode_error derr;
	if (mf_decode(manifest_buf, (size_t)size, &storage, &mf, &derr) != MF_DECODE_OK) {
		capos_printf("init: manifest refused: %s\n", derr.message);
		return 4;
	}
	struct mf_error verr;
	if (mf_validate(&mf, order, &verr) != MF_OK) {
		capos_printf("init: manifest refused: %s\n", verr.message);
		return 5;
	}
	capos_printf("init: manifest valid: schema %u, %u binaries, %u services\n",
	             mf.schema_version, mf.binary_count, mf.service_count);
	if (mf.motd.len > 0)
		capos_printf("init: motd: %.*s\n", (int)mf.motd.len, mf.motd.ptr);

	for (unsigned k = 0; k < MF_KCAP_COUNT; k++)
		wiring.kernel_cap[k] = own_kernel_cap((uint16_t)k);
	if (init_wait_begin(exited) < 0)
		return 6;
	for (uint32_t i = 0; i < mf.service_count; i++)
		start_service(sp->cap_id, order[i]);
	capos_printf("init: %u of %u services started\n", started_count, mf.service_count);
	release_facets();
	if (init_wait_all() < 0) {
		capos_printf("init: waiting for the services failed\n");
		return 6;
	}
	list_failures();
	capos_printf("init: all %u services exited (%u with a non-zero code, %u not started); "
	             "init exits\n",
	             started_count, nonzero_exits, failed_count);
	return (nonzero_exits || failed_count) ? 1 : 0;
}
