/* init's capability wiring (init/grants.c): which cap init passes for each
 * cap the manifest grants a service. */
#include <criterion/criterion.h>
#include <string.h>

#include "capos.capnp.h"
#include "grants.h"

#define S(x) ((struct mf_str){(x), (uint32_t)(sizeof(x) - 1)})

static const uint8_t elf[4] = {0x7f, 'E', 'L', 'F'};
static struct mf_binary bins[] = {
	{S("init"), elf, 4},
	{S("srv"), elf, 4},
	{S("cli"), elf, 4},
};
static struct mf_cap init_caps[] = {
	{.name = S("console"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_CONSOLE},
	{.name = S("spawner"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_PROCESS_SPAWNER},
	{.name = S("vm"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_VIRTUAL_MEMORY},
};
/* server: console (badge 5), two new endpoints; exports both. */
static struct mf_cap srv_caps[] = {
	{.name = S("console"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_CONSOLE, .badge = 5},
	{.name = S("ep"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_ENDPOINT, .badge = 0},
	{.name = S("admin"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_ENDPOINT},
};
static struct mf_str srv_exports[] = {S("ep"), S("admin")};
/* relay: imports srv.ep with badge 7 and re-exports it as "up". */
static struct mf_cap relay_caps[] = {
	/* clang-format off */
	{.name = S("up"), .kind = MF_SOURCE_SERVICE, .service = S("srv"), .export_name = S("ep"),
	 .badge = 7},
	{.name = S("vm"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_VIRTUAL_MEMORY},
};
/* clang-format on */
static struct mf_str relay_exports[] = {S("up")};
/* client: imports relay.up (no badge) and srv.admin (badge 9). */
static struct mf_cap cli_caps[] = {
	/* clang-format off */
	{.name = S("echo"), .kind = MF_SOURCE_SERVICE, .service = S("relay"), .export_name = S("up")},
	{.name = S("admin"), .kind = MF_SOURCE_SERVICE, .service = S("srv"),
	 .export_name = S("admin"), .badge = 9},
};
/* clang-format on */
/* frames: a kernel kind init does not hold. */
static struct mf_cap frames_caps[] = {
	{.name = S("frames"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_FRAME_ALLOCATOR},
};
static struct mf_service services[] = {
	{S("srv"), S("srv"), srv_caps, 3, srv_exports, 2, 0, 0, 0, 0, 0},
	{S("relay"), S("cli"), relay_caps, 2, relay_exports, 1, 0, 0, 0, 0, 0},
	{S("cli"), S("cli"), cli_caps, 2, NULL, 0, 0, 0, 0, 0, 0},
	{S("frames"), S("cli"), frames_caps, 1, NULL, 0, 0, 0, 0, 0, 0},
};
static struct mf_manifest m = {
	.schema_version = MF_SCHEMA_VERSION,
	.binaries = bins,
	.binary_count = 3,
	.init_binary = S("init"),
	.init_caps = init_caps,
	.init_cap_count = 3,
	.services = services,
	.service_count = 4,
};

static struct init_wiring w;
static struct init_grant g[MF_MAX_CAPS];
static char why[200];

static void setup(void)
{
	memset(&w, 0, sizeof w);
	w.kernel_cap[MF_KCAP_CONSOLE] = 101;
	w.kernel_cap[MF_KCAP_PROCESS_SPAWNER] = 102;
	w.kernel_cap[MF_KCAP_VIRTUAL_MEMORY] = 103;
	memset(why, 0, sizeof why);
}

TestSuite(init_grants, .init = setup);

Test(init_grants, manifest_is_valid)
{
	struct mf_error err;
	cr_assert_eq(mf_validate(&m, NULL, &err), MF_ERR_NOT_GRANTABLE, "%s", err.message);
	/* frameAllocator is not held by init: the validator refuses it too;
	 * the rest of the graph is valid. */
	m.service_count = 3;
	cr_assert_eq(mf_validate(&m, NULL, &err), MF_OK, "%s", err.message);
	m.service_count = 4;
}

Test(init_grants, kernel_caps_are_init_copies_with_the_badge)
{
	cr_assert_eq(init_grants_for(&m, &w, 0, g, why, sizeof why), 3);
	cr_assert_eq(g[0].cap_id, 101);
	cr_assert_eq(g[0].badge, 5);
	cr_assert_eq(g[0].interface_id, capos_Console_ID);
	cr_assert_eq(g[0].new_endpoint, 0);
	cr_assert_eq(g[0].name.len, 7);
	cr_assert(memcmp(g[0].name.ptr, "console", 7) == 0);
}

Test(init_grants, endpoint_sources_are_new_endpoints)
{
	cr_assert_eq(init_grants_for(&m, &w, 0, g, why, sizeof why), 3);
	for (int i = 1; i < 3; i++) {
		cr_assert_eq(g[i].new_endpoint, 1);
		cr_assert_eq(g[i].cap_id, 0);
		cr_assert_eq(g[i].badge, 0);
		cr_assert_eq(g[i].interface_id, capos_Endpoint_ID);
	}
}

Test(init_grants, only_a_restartable_service_keeps_its_endpoints_owner_side)
{
	cr_assert_eq(init_grants_for(&m, &w, 0, g, why, sizeof why), 3);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(g[i].keep_owner, 0);
	for (uint16_t p = MF_RESTART_ON_FAILURE; p <= MF_RESTART_ALWAYS; p++) {
		services[0].restart = p;
		cr_assert_eq(init_grants_for(&m, &w, 0, g, why, sizeof why), 3);
		cr_assert_eq(g[0].keep_owner, 0); /* the console is no endpoint */
		cr_assert_eq(g[1].keep_owner, 1);
		cr_assert_eq(g[2].keep_owner, 1);
	}
	services[0].restart = MF_RESTART_NEVER;
}

Test(init_grants, imports_before_the_exporter_started_are_refused)
{
	cr_assert_eq(init_grants_for(&m, &w, 1, g, why, sizeof why), -1);
	cr_assert_str_eq(why, "'relay' caps[0] 'up': 'srv' did not start");
}

Test(init_grants, imports_get_the_exporters_facet_with_the_importers_badge)
{
	cr_assert_eq(init_grants_for(&m, &w, 0, g, why, sizeof why), 3);
	uint32_t facets[2] = {201, 202};
	init_wiring_record(&w, 0, g, 3, facets);
	cr_assert_eq(w.cap_ids[0][0], 101);
	cr_assert_eq(w.cap_ids[0][1], 201, "first new endpoint: first facet");
	cr_assert_eq(w.cap_ids[0][2], 202, "second new endpoint: second facet");

	cr_assert_eq(init_grants_for(&m, &w, 1, g, why, sizeof why), 2, "%s", why);
	cr_assert_eq(g[0].cap_id, 201);
	cr_assert_eq(g[0].badge, 7);
	cr_assert_eq(g[0].interface_id, capos_Endpoint_ID);
	cr_assert_eq(g[0].new_endpoint, 0);
	cr_assert_eq(g[1].cap_id, 103);
	init_wiring_record(&w, 1, g, 2, NULL);

	/* A re-exported import resolves to the same facet; badges are the
	 * importer's own. */
	cr_assert_eq(init_grants_for(&m, &w, 2, g, why, sizeof why), 2, "%s", why);
	cr_assert_eq(g[0].cap_id, 201);
	cr_assert_eq(g[0].badge, 0);
	cr_assert_eq(g[1].cap_id, 202);
	cr_assert_eq(g[1].badge, 9);
}

Test(init_grants, kernel_kinds_init_does_not_hold_are_refused)
{
	cr_assert_eq(init_grants_for(&m, &w, 3, g, why, sizeof why), -1);
	cr_assert_str_eq(why, "'frames' caps[0] 'frames': init holds no frameAllocator");
	w.kernel_cap[MF_KCAP_VIRTUAL_MEMORY] = 0;
	uint32_t facets[2] = {201, 202};
	init_grants_for(&m, &w, 0, g, why, sizeof why);
	init_wiring_record(&w, 0, g, 3, facets);
	cr_assert_eq(init_grants_for(&m, &w, 1, g, why, sizeof why), -1);
	cr_assert_str_eq(why, "'relay' caps[1] 'vm': init holds no virtualMemory");
}

/* An endpoint that declares the interface it serves: the owner still gets
 * an Endpoint, the spawn labels the facet, and every importer (also through
 * a re-export) is granted it with that interface id, which the kernel then
 * checks against the facet. */
Test(init_grants, declared_interface_labels_the_facet_and_every_import)
{
	const uint64_t greeter = 0xc2c869df1bb23712ull;
	srv_caps[2].interface_name = S("Greeter");
	srv_caps[2].interface_id = greeter;
	struct mf_error err;
	m.service_count = 3;
	cr_assert_eq(mf_validate(&m, NULL, &err), MF_OK, "%s", err.message);
	m.service_count = 4;

	cr_assert_eq(init_grants_for(&m, &w, 0, g, why, sizeof why), 3);
	cr_assert_eq(g[2].new_endpoint, 1);
	cr_assert_eq(g[2].interface_id, capos_Endpoint_ID, "the owner side receives: an Endpoint");
	cr_assert_eq(g[2].serves, greeter);
	cr_assert_eq(g[1].serves, 0, "no interface declared: a plain Endpoint");
	uint32_t facets[2] = {201, 202};
	init_wiring_record(&w, 0, g, 3, facets);
	cr_assert_eq(init_grants_for(&m, &w, 1, g, why, sizeof why), 2, "%s", why);
	init_wiring_record(&w, 1, g, 2, NULL);
	cr_assert_eq(init_grants_for(&m, &w, 2, g, why, sizeof why), 2, "%s", why);
	cr_assert_eq(g[0].interface_id, capos_Endpoint_ID);
	cr_assert_eq(g[1].cap_id, 202);
	cr_assert_eq(g[1].interface_id, greeter);
	srv_caps[2].interface_name = (struct mf_str){0};
	srv_caps[2].interface_id = 0;
}

Test(init_grants, per_service_kinds_are_made_by_the_kernel_not_passed)
{
	static struct mf_cap drv_caps[] = {
		/* clang-format off */
		{.name = S("console"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_CONSOLE},
		{.name = S("events"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_NOTIFICATION},
		{.name = S("mmio"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_DEVICE_MMIO,
		 .device = {.pci = S("1af4:1041"), .bar = 4}},
		{.name = S("dma"), .kind = MF_SOURCE_KERNEL, .kernel = MF_KCAP_DMA_POOL,
		 .device = {.pci = S("1af4:1041"), .bytes = 4096}},
	};
	/* clang-format on */
	struct mf_service saved = services[3];
	services[3] = (struct mf_service){S("drv"), S("cli"), drv_caps, 4, NULL, 0, 0, 0, 0, 0, 0};
	int n = init_grants_for(&m, &w, 3, g, why, sizeof why);
	services[3] = saved;
	cr_assert_eq(n, 4, "%s", why);
	cr_assert_eq(g[0].kernel_made, 0);
	cr_assert_eq(g[0].cap_id, 101);
	for (int i = 1; i < 4; i++) {
		cr_assert_eq(g[i].kernel_made, 1, "cap %d", i);
		cr_assert_eq(g[i].cap_id, 0, "init holds nothing to pass for cap %d", i);
		cr_assert_eq(g[i].new_endpoint, 0);
	}
}
