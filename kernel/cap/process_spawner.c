/*
 * ProcessSpawner capability (see process_spawner.h).
 *
 * A spawn is checked completely before anything changes: decode checks
 * names, binary, ELF and every grant against the caller's table, then the
 * dispatcher checks room for the result and its caps (docs/invocation.md).
 * Perform creates the endpoints and builds the process with the grants
 * inserted (each object retained); only when that succeeded are moved
 * slots removed from the caller and the result caps handed over.  A
 * failure while building tears the half-built process down, which drops
 * exactly the references inserted so far.
 */
#include "cap/process_spawner.h"

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "cap/endpoint.h"
#include "cap/process_handle.h"
#include "cap/registry.h"
#include "elf64.h"
#include <stdarg.h>

#include "format.h"
#include "kstring.h"
#include "log.h"
#include "manifest/manifest.h"
#include "cap/service_caps.h"
#include "proc/process.h"

static struct process_spawner {
	const struct mf_manifest *m;
	uint64_t spawned;
	uint64_t refused;
} the_spawner;

/* One spawn at a time (single CPU, kernel not preemptible). */
static struct spawn_grants pending;
static struct endpoint *new_eps[SPAWN_MAX_NEW_ENDPOINTS];
static uint64_t new_ep_iface[SPAWN_MAX_NEW_ENDPOINTS]; /* their facets' interface ids */
static unsigned new_ep_count;

void *process_spawner_object(const struct mf_manifest *m)
{
	the_spawner.m = m;
	return &the_spawner;
}

void process_spawner_log_counts(void)
{
	kprintf("spawn: %lu spawned, %lu refused, %u process handles live\n",
	        the_spawner.spawned, the_spawner.refused, process_handle_live());
}

/* Same rule as #Name (cue/manifest.cue): ^[A-Za-z_][A-Za-z0-9_.-]{0,30}$ */
static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || len >= CAPOS_CAP_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
		bool other = (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
		if (!alpha && !(i > 0 && other))
			return false;
	}
	return true;
}

int spawn_install_grants(struct process *p, void *ctx)
{
	const struct spawn_grants *gs = ctx;
	static struct {
		struct capos_capset_header h;
		struct capos_capset_entry e[CAPOS_CAPSET_MAX_ENTRIES];
	} page;
	_Static_assert(SPAWN_MAX_GRANTS <= CAPOS_CAPSET_MAX_ENTRIES, "grants fit the CapSet page");
	memset(&page, 0, sizeof(page));
	page.h.magic = CAPOS_CAPSET_MAGIC;
	page.h.version = CAPOS_CAPSET_VERSION;
	page.h.entry_size = sizeof(struct capos_capset_entry);
	kstrlcpy(page.h.process_name, p->name, sizeof(page.h.process_name));
	for (unsigned i = 0; i < gs->count; i++) {
		const struct spawn_grant *g = &gs->g[i];
		const struct kcap_type *t = kcap_type_of((enum kcap_kind)g->entry.type);
		uint32_t id;
		int err = cap_table_insert(&p->caps, &g->entry, &id);
		if (err)
			return err;
		if (t && t->retain)
			t->retain(g->entry.object);
		struct capos_capset_entry *e = &page.e[page.h.count++];
		kstrlcpy(e->name, g->name, sizeof(e->name));
		e->interface_id = g->entry.interface_id;
		e->cap_id = id;
	}
	int err = proc_map_region(p, CAPOS_CAPSET_VADDR, 1, 0); /* read-only */
	if (err)
		return err;
	return proc_poke(p, CAPOS_CAPSET_VADDR, &page, sizeof(page));
}

/* ---- spawn ------------------------------------------------------------ */

struct spawn_req {
	struct kcap_call *c;
	char name[CAPOS_CAP_NAME_MAX];
	const struct mf_binary *bin;
	uint32_t move_ids[SPAWN_MAX_GRANTS];
	unsigned moves;
	uint32_t used_ids[SPAWN_MAX_GRANTS]; /* caller slots granted so far */
	bool used_move[SPAWN_MAX_GRANTS];
	unsigned used;
	unsigned new_endpoints;
	bool keep_owner[SPAWN_MAX_NEW_ENDPOINTS]; /* by new endpoint: caller gets the owner side */
	unsigned kept;
	int service;        /* the manifest service whose own caps the kernel
	                       makes (root spawner, its name and binary), or -1 */
	unsigned made;      /* how many (appended to pending at perform) */
	struct quota quota; /* the child's limits */
	bool narrowed;      /* some quota field was given */
};

static char why[160];

static int refuse(struct kcap_call *c, unsigned type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(struct kcap_call *c, unsigned type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	the_spawner.refused++;
	kprintf("spawn: pid %u '%s' refused: %s\n", c->caller->pid, c->caller->name, why);
	return kcap_exception(c, type, why);
}

/*
 * What a spawn may pass on: whatever IPC may transfer, and the kinds
 * include/capos/kinds.h marks stateless (their state lives in the calling
 * process, so a copy grants the child its own allocator, not the
 * parent's).  Never a ProcessHandle, nor a BootPackage but its schema
 * view (check_grant).
 */
static bool spawn_grantable(const struct kcap_type *t)
{
	if (t == 0)
		return false;
	return t->transferable || kcap_info(t)->stateless;
}

/* Checks grant i and appends what the child gets to `pending`. */
static int check_grant(struct spawn_req *q, capos_CapGrant_reader gr, unsigned i)
{
	struct kcap_call *c = q->c;
	struct capnp_text name = capos_CapGrant_get_name(gr);
	if (!name_ok(name.str, name.len))
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants[%u].name: empty, longer than 31 bytes or not [A-Za-z0-9_.-]", i);
	for (unsigned k = 0; k < pending.count; k++)
		if (strlen(pending.g[k].name) == name.len &&
		    memcmp(pending.g[k].name, name.str, name.len) == 0)
			return refuse(c, capos_CapException_Type_invalidArgument,
			              "grants[%u].name: duplicate name '%.*s'", i, (int)name.len,
			              name.str);
	struct spawn_grant *g = &pending.g[pending.count];
	memset(g, 0, sizeof(*g));
	memcpy(g->name, name.str, name.len);
	uint64_t badge = capos_CapGrant_get_badge(gr);
	if (capos_CapGrant_get_newEndpoint(gr)) {
		bool keep = capos_CapGrant_get_keepOwner(gr);
		if (q->new_endpoints + q->kept + keep >= SPAWN_MAX_NEW_ENDPOINTS + 1)
			return refuse(c, capos_CapException_Type_invalidArgument,
			              "grants[%u]: more than %u new endpoints (a kept owner side counts)",
			              i, SPAWN_MAX_NEW_ENDPOINTS);
		q->keep_owner[q->new_endpoints] = keep;
		q->kept += keep;
		if (badge != 0)
			return refuse(c, capos_CapException_Type_invalidArgument,
			              "grants[%u].badge: a new endpoint's owner side takes no badge", i);
		g->entry.type = KCAP_ENDPOINT; /* object filled in once created */
		g->entry.interface_id = capos_Endpoint_ID;
		/* What the endpoint serves, as its clients will see it: the
		 * spawner's caller creates the server, so its word is the label. */
		g->facet_interface = capos_CapGrant_get_interfaceId(gr);
		if (g->facet_interface == 0)
			g->facet_interface = capos_Endpoint_ID;
		q->new_endpoints++;
		pending.count++;
		return CAPOS_OK;
	}
	if (capos_CapGrant_get_keepOwner(gr))
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants[%u] '%s': keepOwner without newEndpoint", i, g->name);
	uint32_t id = capos_CapGrant_get_capId(gr);
	unsigned mode = capos_CapGrant_get_mode(gr);
	struct cap_entry *src;
	if (cap_table_lookup(proc_caps(c->caller), id, &src) != CAPOS_OK)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants[%u] '%s': cap id %u is not held by the caller", i, g->name, id);
	const struct kcap_type *t = kcap_type_of((enum kcap_kind)src->type);
	if (!spawn_grantable(t))
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants[%u] '%s': capability '%s' may not be passed on", i, g->name,
		              t ? kcap_info(t)->name : "?");
	uint64_t want = capos_CapGrant_get_interfaceId(gr);
	if (want != 0 && want != src->interface_id)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants[%u] '%s': interface %lx expected, cap %u is %lx", i, g->name,
		              want, id, src->interface_id);
	if (mode != capos_TransferMode_copy && mode != capos_TransferMode_move)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants[%u] '%s': mode %u is neither copy nor move", i, g->name, mode);
	g->entry = *src;
	if (badge != 0 && src->badge != 0 && badge != src->badge)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants[%u] '%s': cap %u already has badge %lu (badges never change)", i,
		              g->name, id, src->badge);
	if (badge != 0)
		g->entry.badge = badge;
	if (src->type == KCAP_PROCESS_SPAWNER && c->badge != 0 && src->badge == 0)
		g->entry.badge = c->badge; /* a restricted spawner stays restricted */
	if (src->type == KCAP_BOOT_PACKAGE && g->entry.badge == 0)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants[%u] '%s': a BootPackage passes on only badged (the schema "
		              "view)",
		              i, g->name);
	bool move = mode == capos_TransferMode_move;
	for (unsigned k = 0; k < q->used; k++)
		if (q->used_ids[k] == id && (move || q->used_move[k]))
			return refuse(c, capos_CapException_Type_invalidArgument,
			              "grants[%u] '%s': cap %u is moved and also granted again", i,
			              g->name, id);
	q->used_ids[q->used] = id;
	q->used_move[q->used++] = move;
	if (move)
		q->move_ids[q->moves++] = id;
	pending.count++;
	return CAPOS_OK;
}

static size_t spawn_result(void *buf, size_t cap, uint32_t pid)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, buf, cap);
	capos_ProcessSpawner_spawn_Results_builder r =
		capos_ProcessSpawner_spawn_Results_init_root(&b);
	capos_ProcessSpawner_spawn_Results_set_handleIndex(r, 0);
	capos_ProcessSpawner_spawn_Results_set_pid(r, pid);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return 0;
	return len;
}

static void release_new_endpoints(void)
{
	for (unsigned i = 0; i < new_ep_count; i++)
		endpoint_boot_release(new_eps[i]);
	new_ep_count = 0;
}

/* decode -> perform: the checked request (one spawn at a time). */
static struct spawn_req req;

/*
 * A manifest service started through the root (unbadged) spawner under
 * its own name and binary gets the caps the kernel makes for it
 * (notification, device caps: docs/devices.md), after the caller's
 * grants.  Checked here: the devices exist and are free, the names do not
 * collide, everything fits the CapSet.
 */
static int check_service_caps(struct process_spawner *sp, struct kcap_call *c,
                              struct capnp_text bin)
{
	req.service = -1;
	if (c->badge != 0)
		return CAPOS_OK; /* a restricted spawner never makes device caps */
	int s = mf_find_service(sp->m, mf_str_c(req.name));
	if (s < 0 || !mf_str_eq(sp->m->services[s].binary, (struct mf_str){bin.str,
	                                                                   (uint32_t)bin.len}))
		return CAPOS_OK;
	char msg[160];
	int n = manifest_service_caps_check(sp->m, (unsigned)s, msg, sizeof msg);
	if (n < 0)
		return refuse(c, capos_CapException_Type_failed, "%s", msg);
	if (pending.count + (unsigned)n > SPAWN_MAX_GRANTS)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "'%s': %u grants and %d caps the kernel makes: more than %u", req.name,
		              pending.count, n, SPAWN_MAX_GRANTS);
	const struct mf_service *sv = &sp->m->services[s];
	for (uint32_t i = 0; i < sv->cap_count; i++) {
		const struct mf_cap *mc = &sv->caps[i];
		if (mc->kind != MF_SOURCE_KERNEL || !mf_kernel_cap_per_service(mc->kernel))
			continue;
		for (unsigned k = 0; k < pending.count; k++)
			if (mf_str_eq_c(mc->name, pending.g[k].name))
				return refuse(c, capos_CapException_Type_invalidArgument,
				              "grant name '%s' is the name of a cap the kernel makes for "
				              "'%s'",
				              pending.g[k].name, req.name);
	}
	req.service = s;
	req.made = (unsigned)n;
	return CAPOS_OK;
}

/*
 * The child's limits: the caller's own, each field narrowed by a non-zero
 * field of the request's quota.  A field above the caller's own limit is
 * refused (authority only narrows), and so is a caps quota smaller than
 * the caps the child starts with.
 */
/*
 * What the spawn narrows from: the caller's own limits, or, for a
 * manifest service started through the root spawner (req.service), those
 * with the manifest's quota fields in their place: the boot manifest is
 * the authority there, bounded by memory and the tables only.
 */
static int base_quota(struct process_spawner *sp, struct kcap_call *c, struct quota *q)
{
	const struct quota *own = &c->caller->leader->quota;
	*q = *own;
	if (req.service < 0)
		return CAPOS_OK;
	const struct mf_service *sv = &sp->m->services[req.service];
	const struct quota want = {sv->quota_caps, sv->quota_ranges, sv->quota_frames,
	                           sv->quota_threads};
	struct quota top;
	proc_quota_ceiling(&top);
	int bad = quota_narrow(own, &want, &top, q);
	if (bad >= 0)
		return refuse(c, capos_CapException_Type_failed,
		              "'%s': manifest quota.%s %u is more than the kernel allows (%u)",
		              req.name, quota_field_name((unsigned)bad),
		              quota_field(&want, (unsigned)bad), quota_field(&top, (unsigned)bad));
	req.narrowed |= quota_given(&want);
	return CAPOS_OK;
}

/*
 * The child's limits: the base, each field narrowed by a non-zero field
 * of the request's quota.  A field above the base is refused (authority
 * only narrows).
 */
static int check_quota(struct process_spawner *sp, struct kcap_call *c, struct capnp_reader *m,
                       capos_ProcessSpawner_spawn_Params_reader r)
{
	struct quota base;
	int err = base_quota(sp, c, &base);
	if (err)
		return err;
	req.quota = base;
	if (!capos_ProcessSpawner_spawn_Params_has_quota(r))
		return CAPOS_OK;
	capos_SpawnQuota_reader q = capos_ProcessSpawner_spawn_Params_get_quota(r);
	const struct quota want = {capos_SpawnQuota_get_caps(q), capos_SpawnQuota_get_ranges(q),
	                           capos_SpawnQuota_get_frames(q), capos_SpawnQuota_get_threads(q)};
	if (capnp_reader_error(m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	int bad = quota_narrow(&base, &want, &base, &req.quota);
	if (bad >= 0)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "quota.%s: %u is more than the caller's own %u",
		              quota_field_name((unsigned)bad), quota_field(&want, (unsigned)bad),
		              quota_field(&base, (unsigned)bad));
	req.narrowed |= quota_given(&want);
	return CAPOS_OK;
}

/* The child's limits must leave room for the caps it starts with. */
static int check_quota_room(struct kcap_call *c)
{
	unsigned start = pending.count + req.made;
	if (req.quota.caps < start)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "quota.caps: %u is fewer than the %u caps the child starts with",
		              req.quota.caps, start);
	return CAPOS_OK;
}

/* Drops the references the spawn held on the caps it made (the child
 * holds its own, or none if it was not created). */
static void release_made(unsigned first)
{
	for (unsigned i = first; i < pending.count; i++)
		kcap_drop(&pending.g[i].entry);
	pending.count = first;
}

/* Decode: every check of the request; nothing changes.  Lowers the
 * result-cap bound to what this spawn returns (the handle and one client
 * facet per new endpoint). */
static int spawn_decode(struct process_spawner *sp, struct kcap_call *c, struct capnp_reader *m)
{
	memset(&req, 0, sizeof(req));
	req.c = c;
	pending.count = 0;
	capos_ProcessSpawner_spawn_Params_reader r = capos_ProcessSpawner_spawn_Params_read_root(m);
	struct capnp_text name = capos_ProcessSpawner_spawn_Params_get_name(r);
	struct capnp_text bin = capos_ProcessSpawner_spawn_Params_get_binaryName(r);
	struct capnp_list grants = capos_ProcessSpawner_spawn_Params_get_grants(r);
	if (capnp_reader_error(m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (!name_ok(name.str, name.len))
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "name: empty, longer than 31 bytes or not [A-Za-z0-9_.-] (%u bytes)",
		              (unsigned)name.len);
	memcpy(req.name, name.str, name.len);
	if (bin.len == 0 || bin.len > MF_NAME_MAX)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "binaryName: %u bytes (1..%u)", (unsigned)bin.len, MF_NAME_MAX);
	int bi = mf_find_binary(sp->m, (struct mf_str){bin.str, (uint32_t)bin.len});
	if (bi < 0)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "binaryName: unknown binary '%.*s'", (int)bin.len, bin.str);
	req.bin = &sp->m->binaries[bi];
	struct elf_plan plan;
	int eerr = elf_plan_parse(req.bin->data, req.bin->size, CAPOS_USER_MIN, CAPOS_USER_IMAGE_END,
	                          &plan);
	if (eerr != ELF_OK)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "binary '%.*s': bad ELF: %s", (int)bin.len, bin.str,
		              elf_error_name(eerr));
	/* A restricted spawner (badge B) keeps at most B children alive. */
	if (c->badge != 0) {
		unsigned live = process_handle_live_children(c->badge);
		if (live >= c->badge)
			return refuse(c, capos_CapException_Type_overloaded,
			              "restricted spawner (badge %lu): %u children alive", c->badge, live);
	}
	if (grants.len > SPAWN_MAX_GRANTS)
		return refuse(c, capos_CapException_Type_invalidArgument,
		              "grants: %u grants (at most %u)", grants.len, SPAWN_MAX_GRANTS);
	for (uint32_t i = 0; i < grants.len; i++) {
		capos_CapGrant_reader gr = capos_CapGrant_list_get(grants, i);
		if (capnp_reader_error(m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		int err = check_grant(&req, gr, i);
		if (err)
			return err;
	}
	int err = check_service_caps(sp, c, bin);
	if (err)
		return err;
	err = check_quota(sp, c, m, r);
	if (err)
		return err;
	err = check_quota_room(c);
	if (err)
		return err;
	c->bound.caps = 1 + req.new_endpoints + req.kept;
	return CAPOS_OK;
}

/* Perform: create the endpoints, then the process.  Refusals here are for
 * exhausted resources, with everything created so far undone. */
static int spawn_perform(struct process_spawner *sp, struct kcap_call *c)
{
	new_ep_count = 0;
	for (unsigned i = 0; i < pending.count; i++) {
		struct spawn_grant *g = &pending.g[i];
		if (g->entry.type != KCAP_ENDPOINT || g->entry.object != 0)
			continue;
		struct endpoint *ep = endpoint_create(req.name); /* named after its owner */
		if (ep == 0) {
			release_new_endpoints();
			return refuse(c, capos_CapException_Type_overloaded,
			              "grants[%u] '%s': out of endpoints", i, g->name);
		}
		new_ep_iface[new_ep_count] = g->facet_interface;
		new_eps[new_ep_count++] = ep;
		g->entry.object = ep;
	}
	unsigned granted = pending.count;
	if (req.service >= 0) {
		char msg[160];
		int n = manifest_service_caps_make(sp->m, (unsigned)req.service,
		                                   &pending.g[pending.count], msg, sizeof msg);
		if (n < 0) {
			release_new_endpoints();
			return refuse(c, capos_CapException_Type_overloaded, "%s", msg);
		}
		pending.count += (unsigned)n;
	}
	struct process *child = process_create_granted(req.name, req.bin->data, req.bin->size,
	                                               &req.quota, spawn_install_grants, &pending);
	release_made(granted);
	if (child == 0) {
		release_new_endpoints();
		return refuse(c, capos_CapException_Type_overloaded,
		              "'%s': out of processes or frames (see the proc: line above)", req.name);
	}
	process_set_binary(child, req.bin->name.ptr, req.bin->name.len);
	child->parent_pid = c->caller->pid;
	struct cap_entry handle;
	if (process_handle_create(child, c->badge, &handle) != CAPOS_OK) {
		/* Never started: destroying it gives back its references. */
		process_destroy(child);
		release_new_endpoints();
		return refuse(c, capos_CapException_Type_overloaded,
		              "out of process handles (no memory for another)");
	}
	/* Commit: moved slots leave the caller (the child holds their reference). */
	for (unsigned k = 0; k < req.moves; k++) {
		struct cap_entry removed;
		if (cap_table_remove(proc_caps(c->caller), req.move_ids[k], &removed) == CAPOS_OK)
			kcap_drop(&removed);
	}
	c->caps[c->cap_count++] = handle;
	const struct kcap_type *client = kcap_type_of(KCAP_ENDPOINT_CLIENT);
	for (unsigned i = 0; i < new_ep_count; i++) {
		c->caps[c->cap_count++] = (struct cap_entry){
			.object = new_eps[i],
			.interface_id = new_ep_iface[i],
			.type = KCAP_ENDPOINT_CLIENT,
		};
		if (client && client->retain)
			client->retain(new_eps[i]);
	}
	const struct kcap_type *owner = kcap_type_of(KCAP_ENDPOINT);
	for (unsigned i = 0; i < new_ep_count; i++) {
		if (!req.keep_owner[i])
			continue;
		c->caps[c->cap_count++] = (struct cap_entry){
			.object = new_eps[i],
			.interface_id = capos_Endpoint_ID,
			.type = KCAP_ENDPOINT,
		};
		if (owner && owner->retain)
			owner->retain(new_eps[i]);
	}
	release_new_endpoints();
	sp->spawned++;
	kprintf("spawn: pid %u '%s' spawned pid %u '%s' from binary '%.*s' with %u caps "
	        "(%u moved, %u new endpoints%s)%s%s\n",
	        c->caller->pid, c->caller->name, child->pid, child->name, (int)req.bin->name.len,
	        req.bin->name.ptr, pending.count, req.moves, req.new_endpoints,
	        req.kept ? ", their owner sides kept by the caller" : "",
	        c->badge ? " via a restricted spawner" : "",
	        req.service >= 0 && req.made ? " and its own caps made by the kernel" : "");
	if (req.narrowed)
		kprintf("spawn: pid %u '%s' quota: %u caps, %u ranges, %u frames, %u threads\n",
		        child->pid, child->name, req.quota.caps, req.quota.ranges, req.quota.frames,
		        req.quota.threads);
	c->result_len = (uint32_t)spawn_result(c->result, c->result_cap, child->pid);
	return CAPOS_OK;
}

static const struct kcall_method spawner_methods[] = {
	/* clang-format off */
	{capos_ProcessSpawner_spawn_METHOD, "spawn",
	 {KCALL_FLAT(capos_ProcessSpawner_spawn_Results), 1 + SPAWN_MAX_NEW_ENDPOINTS}},
};
/* clang-format on */
_Static_assert(1 + SPAWN_MAX_NEW_ENDPOINTS <= KCAP_CALL_CAPS_MAX, "spawn's result caps fit a call");

static int spawner_decode(void *object, struct kcap_call *c)
{
	struct process_spawner *sp = object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (sp->m == 0)
		return kcap_exception(c, capos_CapException_Type_failed, "no boot manifest");
	return spawn_decode(sp, c, &m);
}

static int spawner_perform(void *object, struct kcap_call *c)
{
	return spawn_perform(object, c);
}

const struct kcap_type kcap_process_spawner_type = {
	.kind = KCAP_PROCESS_SPAWNER,
	KCAP_METHODS(spawner_methods),
	.decode = spawner_decode,
	.perform = spawner_perform,
	.drop = 0, /* static object */
	.transferable = true,
	.retain = 0,
	.boot_object = 0,
};
