/*
 * quota_test: ProcessSpawner.spawn quotas (docs/processes.md "Limits and
 * quotas").  One binary, two roles, told apart by the CapSet: the parent
 * (a manifest service whose manifest quota gives it 8192 frames, twice
 * the default) holds and frees 5000 FrameAllocator frames (the held-frame
 * list grows past its first storage), sees a quota above its own refused, then spawns itself as
 * 'quota_child' with 100 caps, 10 ranges, 50 frames and 2 threads and
 * waits for it.  The child (it has 'ep_a') runs into each bound and gets
 * the typed error naming it, and sees a spawn asking for more frames than
 * it has refused.  The smoke checks the free-frame count is back to its
 * baseline at the end of the run.
 *
 * Run by: tests/qemu/manifests/quota.cue (smoke proc_quota).
 */
#include "demo.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include <capos/endpoint.h>
#include <capos/frame_allocator.h>
#include <capos/thread.h>
#include <capos/limits.h>
#include <capos/virtual_memory.h>
#include "thread.capnp.h"

#define PARENT "quota_test"
#define CHILD  "quota_child"

#define HOLD_FRAMES  5000u
#define HOLD_RUN     100u
#define CHILD_CAPS   100u
#define CHILD_RANGES 10u
#define CHILD_FRAMES 50u
#define CHILD_THREAD 2u

/* demo_check that also says whether the check passed. */
#define CHECK(name, cond, ...)                      \
	({                                          \
		bool ok_ = (cond);                  \
		demo_check(name, ok_, __VA_ARGS__); \
		ok_;                                \
	})

static uint64_t params[128], result[128];
static size_t params_len;

/* Does the message s name `word`? */
static bool has(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (; *s; s++)
		if (strncmp(s, word, n) == 0)
			return true;
	return false;
}

static bool refused(int ret, const struct capos_call_error *e, int type)
{
	return ret != 0 && e->kind == CAPOS_ERROR_EXCEPTION && e->exception_type == type;
}

static const struct capos_capset_entry *cap(const char *name, uint64_t iface)
{
	return capos_capset_find(&capos_rt.capset, name, iface);
}

/* ---- spawn ---------------------------------------------------------- */

struct grant {
	const char *name;
	uint32_t cap_id;
	bool new_endpoint;
};

static void build_spawn(const char *name, const struct grant *g, unsigned n, uint32_t caps,
                        uint32_t ranges, uint32_t frames, uint32_t threads)
{
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, name, strlen(name));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, PARENT, strlen(PARENT));
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, n);
	for (unsigned i = 0; i < n; i++) {
		capos_CapGrant_builder gb = capos_CapGrant_list_at(l, i);
		capos_CapGrant_set_name(gb, g[i].name, strlen(g[i].name));
		capos_CapGrant_set_capId(gb, g[i].cap_id);
		capos_CapGrant_set_newEndpoint(gb, g[i].new_endpoint);
	}
	capos_SpawnQuota_builder q = capos_ProcessSpawner_spawn_Params_init_quota(p);
	capos_SpawnQuota_set_caps(q, caps);
	capos_SpawnQuota_set_ranges(q, ranges);
	capos_SpawnQuota_set_frames(q, frames);
	capos_SpawnQuota_set_threads(q, threads);
	capnp_builder_finish(&b, &params_len);
}

static int call(uint32_t cap_id, uint16_t method, struct capos_reply *reply,
                struct capos_call_error *err)
{
	/* clang-format off */
	struct capos_call c = {.cap_id = cap_id, .method_id = method,
	                       .params = params, .params_len = (uint32_t)params_len,
	                       .result = result, .result_cap = sizeof result};
	/* clang-format on */
	return capos_call(&capos_rt_ring, &c, reply, err);
}

/* ---- the child: each bound ------------------------------------------ */

static int child_frames(void)
{
	struct capos_frame_allocator fa;
	struct capos_frame_stats s = {0};
	struct capos_call_error e = {0};
	static uint64_t f[CHILD_FRAMES + 1];
	if (capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frames") != 0 ||
	    capos_frame_query(&fa, &s, NULL) != 0)
		return CHECK(CHILD, false, "FrameAllocator from the CapSet\n");
	uint64_t held0 = s.held_frames;
	unsigned got = 0;
	int r;
	while (got <= CHILD_FRAMES && (r = capos_frame_alloc(&fa, &f[got], &e)) == 0)
		got++;
	/* clang-format off */
	CHECK(CHILD, refused(r, &e, capos_CapException_Type_overloaded) &&
	                          held0 + got == CHILD_FRAMES && has(e.message, "quota"),
	           "frames: %u held (+%lu charged before), then refused: %s\n", got,
	           (unsigned long)held0, e.message);
	/* clang-format on */
	unsigned freed = 0;
	for (unsigned i = 0; i < got; i++)
		freed += capos_frame_free(&fa, f[i], NULL) == 0;
	return CHECK(CHILD, freed == got, "frames: freed all %u\n", freed);
}

static int child_ranges(void)
{
	struct capos_vm vm;
	struct capos_call_error e = {0};
	static uint64_t a[CHILD_RANGES + 1];
	if (capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "vm") != 0)
		return CHECK(CHILD, false, "VirtualMemory from the CapSet\n");
	/* Alternating protections: neighbours never merge into one range. */
	unsigned got = 0;
	int r;
	for (;;) {
		uint32_t prot = CAPOS_PROT_READ | (got % 2 ? CAPOS_PROT_WRITE : 0);
		if (got > CHILD_RANGES ||
		    (r = capos_vm_map(&vm, 0, CAPOS_PAGE_SIZE, prot, &a[got], &e)) != 0)
			break;
		got++;
	}
	/* clang-format off */
	CHECK(CHILD, refused(r, &e, capos_CapException_Type_overloaded) && got <= CHILD_RANGES &&
	                          got > 0 && has(e.message, "quota"),
	           "ranges: %u mappings, then refused: %s\n", got, e.message);
	/* clang-format on */
	unsigned unmapped = 0;
	for (unsigned i = 0; i < got; i++)
		unmapped += capos_vm_unmap(&vm, a[i], CAPOS_PAGE_SIZE, NULL) == 0;
	return CHECK(CHILD, unmapped == got, "ranges: unmapped all %u\n", unmapped);
}

static volatile uint32_t stop;

static int64_t parked(void *arg)
{
	(void)arg;
	while (stop == 0)
		capos_park_wait(&stop, 0, UINT64_MAX, NULL);
	return 7;
}

static int child_threads(void)
{
	static struct capos_thread t[CHILD_THREAD + 1];
	struct capos_call_error e = {0};
	unsigned got = 0;
	int r;
	while (got <= CHILD_THREAD && (r = capos_thread_spawn(&t[got], parked, NULL, 0, &e)) == 0)
		got++;
	CHECK(CHILD,
	      refused(r, &e, capos_CapException_Type_overloaded) && got == CHILD_THREAD &&
	              has(e.message, "quota"),
	      "threads: %u running, then refused: %s\n", got, e.message);
	stop = 1;
	capos_park_wake(&stop, CHILD_THREAD, NULL);
	unsigned joined = 0;
	for (unsigned i = 0; i < got; i++) {
		int64_t st = 0;
		joined += capos_thread_join(&t[i], &st, NULL) == 0 && st == 7;
	}
	return CHECK(CHILD, joined == got, "threads: joined all %u\n", joined);
}

/* Minted facets of the two endpoints the parent made for us are the
 * cheapest caps to come by (64 per endpoint at most). */
static int child_caps(void)
{
	const struct capos_capset_entry *ea = cap("ep_a", capos_Endpoint_ID);
	const struct capos_capset_entry *eb = cap("ep_b", capos_Endpoint_ID);
	static struct capos_cap facets[CHILD_CAPS];
	struct capos_call_error e = {0};
	unsigned got = 0;
	int r = 0;
	while (ea && eb && got < CHILD_CAPS) {
		uint32_t owner = got % 2 ? ea->cap_id : eb->cap_id;
		r = capos_endpoint_mint_in(&capos_rt_ring, owner, got + 1, 0, false, &facets[got], &e);
		if (r != 0)
			break;
		got++;
	}
	unsigned held = got + capos_rt.capset.count;
	CHECK(CHILD, r == CAPOS_ERR_NO_RESOURCES && held == CHILD_CAPS,
	      "caps: %u held (%u minted), then refused (%s): %s\n", held, got,
	      capos_strerror(r), e.message);
	for (unsigned i = 0; i < got; i++)
		capos_cap_drop(&facets[i]);
	return CHECK(CHILD, capos_flush_releases() == 0, "caps: released all %u\n", got);
}

/* A spawn asking for more than we have is refused, naming the field. */
static int child_spawn_more(void)
{
	const struct capos_capset_entry *sp = cap("spawner", capos_ProcessSpawner_ID);
	const struct capos_capset_entry *con = cap("console", capos_Console_ID);
	if (sp == NULL || con == NULL)
		return CHECK(CHILD, false, "has 'spawner' and 'console'\n");
	struct grant g[] = {{"console", con->cap_id, false}};
	build_spawn("grandchild", g, 1, 0, 0, CHILD_FRAMES + 1, 0);
	struct capos_call_error e = {0};
	int r = call(sp->cap_id, capos_ProcessSpawner_spawn_METHOD, NULL, &e);
	return CHECK(CHILD,
	             refused(r, &e, capos_CapException_Type_invalidArgument) &&
	                     has(e.message, "quota.frames"),
	             "spawn with %u frames refused: %s\n", CHILD_FRAMES + 1, e.message);
}

static int child(void)
{
	child_frames();
	child_ranges();
	child_threads();
	child_caps();
	child_spawn_more();
	return demo_finish(CHILD);
}

/* ---- the parent ------------------------------------------------------ */

/* More FrameAllocator frames than the held list's first storage, every
 * one listed and freed one by one. */
static void parent_hold(void)
{
	struct capos_frame_allocator fa;
	struct capos_frame_stats s0 = {0}, s = {0};
	static uint64_t runs[HOLD_FRAMES / HOLD_RUN];
	if (capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset, "frames") != 0 ||
	    capos_frame_query(&fa, &s0, NULL) != 0) {
		CHECK(PARENT, false, "FrameAllocator from the CapSet\n");
		return;
	}
	unsigned got = 0;
	while (got < HOLD_FRAMES / HOLD_RUN &&
	       capos_frame_alloc_contiguous(&fa, HOLD_RUN, &runs[got], NULL) == 0)
		got++;
	capos_frame_query(&fa, &s, NULL);
	CHECK(PARENT, got * HOLD_RUN == HOLD_FRAMES && s.held_frames == s0.held_frames + HOLD_FRAMES,
	      "holds %lu FrameAllocator frames\n", (unsigned long)(s.held_frames - s0.held_frames));
	unsigned freed = 0;
	for (unsigned i = 0; i < got; i++)
		for (unsigned k = 0; k < HOLD_RUN; k++)
			freed += capos_frame_free(&fa, runs[i] + (uint64_t)k * CAPOS_PAGE_SIZE, NULL) == 0;
	capos_frame_query(&fa, &s, NULL);
	CHECK(PARENT, freed == got * HOLD_RUN && s.held_frames == s0.held_frames,
	      "freed all %u one by one: holds %lu again\n", freed, (unsigned long)s.held_frames);
}

static int parent(void)
{
	const struct capos_capset_entry *sp = cap("spawner", capos_ProcessSpawner_ID);
	const struct capos_capset_entry *con = cap("console", capos_Console_ID);
	const struct capos_capset_entry *fa = cap("frames", capos_FrameAllocator_ID);
	const struct capos_capset_entry *vm = cap("vm", capos_VirtualMemory_ID);
	const struct capos_capset_entry *ts = cap("threadSpawner", thread_ThreadSpawner_ID);
	const struct capos_capset_entry *ps = cap("parkSpace", thread_ParkSpace_ID);
	if (!CHECK(PARENT, sp && con && fa && vm && ts && ps, "has its caps\n"))
		return demo_finish(PARENT);
	parent_hold();

	struct capos_call_error e = {0};
	struct grant one[] = {{"console", con->cap_id, false}};
	build_spawn("too_many_caps", one, 1, CAPOS_PROC_CAP_QUOTA + 1, 0, 0, 0);
	int r = call(sp->cap_id, capos_ProcessSpawner_spawn_METHOD, NULL, &e);
	CHECK(PARENT,
	      refused(r, &e, capos_CapException_Type_invalidArgument) &&
	              has(e.message, "quota.caps"),
	      "spawn with %u caps refused: %s\n", CAPOS_PROC_CAP_QUOTA + 1, e.message);

	struct grant g[] = {
		{"console", con->cap_id, false},
		{"frames", fa->cap_id, false},
		{"vm", vm->cap_id, false},
		{"threadSpawner", ts->cap_id, false},
		{"parkSpace", ps->cap_id, false},
		{"spawner", sp->cap_id, false},
		{"ep_a", 0, true},
		{"ep_b", 0, true},
	};
	build_spawn(CHILD, g, sizeof g / sizeof g[0], CHILD_CAPS, CHILD_RANGES, CHILD_FRAMES,
	            CHILD_THREAD);
	struct capos_reply reply;
	r = call(sp->cap_id, capos_ProcessSpawner_spawn_METHOD, &reply, &e);
	if (!CHECK(PARENT, r == 0 && reply.cap_count == 3, "spawned '" CHILD "': %s\n",
	           capos_strerror(r)))
		return demo_finish(PARENT);
	struct capos_cap held[3];
	for (unsigned i = 0; i < 3; i++)
		held[i] = (struct capos_cap){.cap_id = reply.caps[i].cap_id, .owned = true, .valid = true};
	uint32_t handle = held[0].cap_id;
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessHandle_wait_Params_init_root(&b);
	capnp_builder_finish(&b, &params_len);
	r = call(handle, capos_ProcessHandle_wait_METHOD, &reply, &e);
	int64_t code = -1;
	struct capnp_reader m;
	if (r >= 0 && capnp_reader_init(&m, result, reply.result_len) == CAPNP_OK)
		code = capos_ProcessHandle_wait_Results_get_exitCode(
			capos_ProcessHandle_wait_Results_read_root(&m));
	CHECK(PARENT, r >= 0 && code == 0, "'" CHILD "' exited %ld\n", (long)code);
	for (unsigned i = 0; i < 3; i++)
		capos_cap_drop(&held[i]);
	CHECK(PARENT, capos_flush_releases() == 0, "released the handle and both facets\n");
	return demo_finish(PARENT);
}

int main(void)
{
	if (cap("ep_a", capos_Endpoint_ID))
		return child();
	return parent();
}
