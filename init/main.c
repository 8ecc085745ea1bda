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
#include <capos/timer.h>

#include "capos.capnp.h"
#include "manifest/decode.h"

static uint8_t manifest_buf[INIT_MANIFEST_MAX] __attribute__((aligned(8)));
static struct mf_storage storage;
static struct mf_manifest mf;
static uint32_t order[MF_MAX_SERVICES];

static struct init_wiring wiring;
static uint32_t handle_service[INIT_WAITS_MAX]; /* service of each wait, in init_wait_add order */
static uint32_t started_count, failed_count, wait_index;

/* Supervised restart (docs/init.md "Restart"). */
#define INIT_RESTART_MAX 3u                           /* restarts per service; the next end is final */
#define INIT_BACKOFF_NS  (10u * 1000u * 1000u)        /* before the first restart; doubles */
static uint32_t owners[MF_MAX_SERVICES][MF_MAX_CAPS]; /* kept owner side per endpoint cap */
static uint32_t restarts[MF_MAX_SERVICES];
static bool restart_due[MF_MAX_SERVICES];

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

/* A restart's grants: each endpoint the service owns is the one its first
 * instance got (a copy of the owner side init kept), not a new one, so
 * its clients' facets and queued calls reach the new instance. */
static void reuse_endpoints(uint32_t s, struct init_grant *g, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (!g[i].new_endpoint)
			continue;
		g[i].new_endpoint = 0;
		g[i].keep_owner = 0;
		g[i].cap_id = owners[s][i];
		g[i].interface_id = capos_Endpoint_ID;
		g[i].badge = 0;
	}
}

static void start_service(uint32_t spawner, uint32_t s)
{
	static struct init_grant grants[MF_MAX_CAPS];
	static struct init_spawned out;
	const struct mf_service *sv = &mf.services[s];
	char why[200];
	bool again = restarts[s] > 0;
	int n = init_grants_for(&mf, &wiring, s, grants, why, sizeof why);
	if (n < 0) {
		capos_printf("init: not started: %s\n", why);
		failed_count++;
		return;
	}
	if (again)
		reuse_endpoints(s, grants, (uint32_t)n);
	if (init_spawn(spawner, sv->name, sv->binary, grants, (uint32_t)n, &out) < 0) {
		failed_count++;
		return;
	}
	if (!again) {
		init_wiring_record(&wiring, s, grants, (uint32_t)n, out.facets);
		for (uint32_t i = 0, k = 0; i < (uint32_t)n; i++)
			if (grants[i].new_endpoint)
				owners[s][i] = out.owners[k++];
	}
	if (!again)
		started_count++;
	handle_service[wait_index++] = s;
	capos_printf("init: %s '%.*s' (pid %u, binary '%.*s', %d caps)\n",
	             again ? "restarted" : "started", (int)sv->name.len, sv->name.ptr, out.pid,
	             (int)sv->binary.len, sv->binary.ptr, n);
	if (init_wait_add(out.handle) < 0)
		capos_printf("init: cannot wait for '%.*s'\n", (int)sv->name.len, sv->name.ptr);
}

/* s is finished for good: the owner sides init kept go, so the endpoint
 * is disconnected like any whose server died (queued calls fail). */
static void release_owners(uint32_t s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < MF_MAX_CAPS; i++) {
		if (owners[s][i] == 0)
			continue;
		struct capos_cap cap = {.cap_id = owners[s][i],
		                        .interface_id = capos_Endpoint_ID,
		                        .owned = true,
		                        .valid = true};
		capos_cap_drop(&cap);
		owners[s][i] = 0;
		n++;
	}
	if (n == 0)
		return;
	int failed = capos_flush_releases();
	capos_printf("init: released the owner side of '%.*s' (%u endpoints, %d failed)\n",
	             (int)mf.services[s].name.len, mf.services[s].name.ptr, n, failed);
}

/* Does policy p restart a service that ended this way (and may it)? */
static bool wants_restart(uint32_t s, bool clean)
{
	const struct mf_service *sv = &mf.services[s];
	bool policy = sv->restart == MF_RESTART_ALWAYS ||
	              (sv->restart == MF_RESTART_ON_FAILURE && !clean);
	if (!policy)
		return false;
	if (restarts[s] < INIT_RESTART_MAX && wait_index < INIT_WAITS_MAX)
		return true;
	capos_printf("init: '%.*s' ended %u times: restart limit (%u restarts) reached\n",
	             (int)sv->name.len, sv->name.ptr, restarts[s] + 1, INIT_RESTART_MAX);
	return false;
}

static uint32_t spawner_cap;

/* Waits before restart number r (1-based): 10 ms, doubled each time,
 * with init's Timer if the manifest gives it one; without, a wait for a
 * completion of at most that long (another exit may end it early). */
static void backoff(uint32_t r)
{
	uint64_t ns = (uint64_t)INIT_BACKOFF_NS << (r - 1);
	const struct capos_timer *t = capos_default_timer();
	struct capos_call_error err;
	if (t == 0 || capos_timer_sleep(t, ns, &err) < 0)
		capos_ring_enter(&capos_rt_ring, 1, ns);
}

/* Between exits: start again every service whose restart is due. */
static void restart_due_services(void)
{
	for (bool any = true; any;) {
		any = false;
		for (uint32_t s = 0; s < mf.service_count; s++) {
			if (!restart_due[s])
				continue;
			restart_due[s] = false;
			any = true;
			const struct mf_service *sv = &mf.services[s];
			restarts[s]++;
			capos_printf("init: restarting '%.*s' (%s; restart %u of %u, after %u ms)\n",
			             (int)sv->name.len, sv->name.ptr, mf_restart_name(sv->restart),
			             restarts[s], INIT_RESTART_MAX,
			             (unsigned)((INIT_BACKOFF_NS << (restarts[s] - 1)) / 1000000u));
			backoff(restarts[s]);
			start_service(spawner_cap, s);
		}
	}
}

/* Does a service with a restart policy import one of s's caps?  Its next
 * instance is granted init's facet again, so init keeps those (until it
 * exits: the exporter then sees its endpoint orphaned only at the end). */
static bool imported_by_restartable(uint32_t s)
{
	for (uint32_t t = 0; t < mf.service_count; t++) {
		const struct mf_service *tv = &mf.services[t];
		if (tv->restart == MF_RESTART_NEVER)
			continue;
		for (uint32_t i = 0; i < tv->cap_count; i++)
			if (tv->caps[i].kind == MF_SOURCE_SERVICE &&
			    mf_str_eq(tv->caps[i].service, mf.services[s].name))
				return true;
	}
	return false;
}

/* Every service is started: init needs no client facet any more.  Holding
 * one would keep an endpoint's clients alive after the real clients exit,
 * so a server waiting for calls would never see its endpoint orphaned. */
static void release_facets(void)
{
	uint32_t n = 0;
	for (uint32_t s = 0; s < mf.service_count; s++) {
		const struct mf_service *sv = &mf.services[s];
		if (!wiring.started[s] || imported_by_restartable(s))
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
	bool clean = end->known && !end->killed && end->code == 0;
	if (wants_restart(s, clean)) {
		restart_due[s] = true; /* restart_due_services, between exits */
		return;
	}
	release_owners(s);
	if (clean)
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
			capos_printf("init: FAILED '%.*s'%s: killed: %s\n", len, sv->name.ptr,
			             restarts[s] ? " (restart limit reached)" : "", e->reason);
		else if (e->known)
			capos_printf("init: FAILED '%.*s'%s: exited with code %ld\n", len, sv->name.ptr,
			             restarts[s] ? " (restart limit reached)" : "", (long)e->code);
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
	spawner_cap = sp->cap_id;
	for (uint32_t i = 0; i < mf.service_count; i++)
		start_service(sp->cap_id, order[i]);
	capos_printf("init: %u of %u services started\n", started_count, mf.service_count);
	release_facets();
	if (init_wait_all(restart_due_services) < 0) {
		capos_printf("init: waiting for the services failed\n");
		return 6;
	}
	list_failures();
	capos_printf("init: all %u services exited (%u with a non-zero code, %u not started); "
	             "init exits\n",
	             started_count, nonzero_exits, failed_count);
	return (nonzero_exits || failed_count) ? 1 : 0;
}
