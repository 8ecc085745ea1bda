/*
 * lib/manifest/validate.c: every error path, each checked for its code and
 * for a message naming the holder (service / init / manifest) and field;
 * plus start-order computation.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "manifest/manifest.h"

#define S(lit) ((struct mf_str){lit, sizeof(lit) - 1})

static const uint8_t elf[] = {0x7f, 'E', 'L', 'F'};

/* A valid graph: server exports an endpoint, client imports it. */
static struct mf_binary bins[3];
static struct mf_cap init_caps[3];
static struct mf_cap server_caps[2];
static struct mf_cap client_caps[2];
static struct mf_str server_exports[1];
static struct mf_service services[2];
static struct mf_manifest m;
static uint32_t order[MF_MAX_SERVICES];
static struct mf_error err;

static struct mf_cap kcap(struct mf_str name, enum mf_kernel_cap k)
{
	return (struct mf_cap){.name = name, .kind = MF_SOURCE_KERNEL, .kernel = (uint16_t)k};
}

static struct mf_cap scap(struct mf_str name, struct mf_str svc, struct mf_str exp)
{
	/* clang-format off */
	return (struct mf_cap){ .name = name, .kind = MF_SOURCE_SERVICE,
				.service = svc, .export_name = exp };
	/* clang-format on */
}

static void setup(void)
{
	bins[0] = (struct mf_binary){S("init"), elf, sizeof(elf)};
	bins[1] = (struct mf_binary){S("echo_server"), elf, sizeof(elf)};
	bins[2] = (struct mf_binary){S("echo_client"), elf, sizeof(elf)};
	init_caps[0] = kcap(S("console"), MF_KCAP_CONSOLE);
	init_caps[1] = kcap(S("spawner"), MF_KCAP_PROCESS_SPAWNER);
	init_caps[2] = kcap(S("boot"), MF_KCAP_BOOT_PACKAGE);
	server_caps[0] = kcap(S("console"), MF_KCAP_CONSOLE);
	server_caps[1] = kcap(S("ep"), MF_KCAP_ENDPOINT);
	server_exports[0] = S("ep");
	client_caps[0] = kcap(S("console"), MF_KCAP_CONSOLE);
	client_caps[1] = scap(S("server"), S("server"), S("ep"));
	client_caps[1].badge = 7;
	/* clang-format off */
	services[0] = (struct mf_service){ .name = S("server"), .binary = S("echo_server"),
		.caps = server_caps, .cap_count = 2, .exports = server_exports, .export_count = 1 };
	services[1] = (struct mf_service){ .name = S("client"), .binary = S("echo_client"),
		.caps = client_caps, .cap_count = 2 };
	/* clang-format on */
	m = (struct mf_manifest){
		.schema_version = MF_SCHEMA_VERSION,
		.binaries = bins,
		.binary_count = 3,
		.init_binary = S("init"),
		.init_caps = init_caps,
		.init_cap_count = 3,
		.services = services,
		.service_count = 2,
	};
	memset(&err, 0, sizeof(err));
}

TestSuite(manifest_validate, .init = setup);

/* Validation fails with `code` and a message containing every given part. */
static void expect_error(enum mf_err code, const char *a, const char *b, const char *c)
{
	enum mf_err got = mf_validate(&m, order, &err);
	cr_assert_eq(got, code, "want error %d, got %d: %s", code, got, err.message);
	cr_assert_eq(err.code, code);
	const char *parts[] = {a, b, c};
	for (int i = 0; i < 3; i++)
		if (parts[i])
			cr_assert(strstr(err.message, parts[i]) != NULL,
			          "message \"%s\" lacks \"%s\"", err.message, parts[i]);
}

Test(manifest_validate, valid_graph_passes_in_dependency_order)
{
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
	cr_assert_eq(order[0], 0);
	cr_assert_eq(order[1], 1);
	cr_assert_str_empty(err.message);
}

Test(manifest_validate, order_puts_exporter_first_even_when_listed_last)
{
	struct mf_service swapped[2] = {services[1], services[0]};
	m.services = swapped;
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
	cr_assert_eq(order[0], 1, "server (index 1) must start before client");
	cr_assert_eq(order[1], 0);
}

Test(manifest_validate, null_order_and_null_err_are_allowed)
{
	cr_assert_eq(mf_validate(&m, NULL, NULL), MF_OK);
	m.schema_version = 9;
	cr_assert_eq(mf_validate(&m, NULL, NULL), MF_ERR_SCHEMA_VERSION);
}

Test(manifest_validate, no_services_is_valid)
{
	m.service_count = 0;
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
}

Test(manifest_validate, schema_version_mismatch)
{
	m.schema_version = 2;
	expect_error(MF_ERR_SCHEMA_VERSION, "manifest: ", "schemaVersion", "version 2");
}

Test(manifest_validate, too_many_services)
{
	m.service_count = MF_MAX_SERVICES + 1;
	expect_error(MF_ERR_TOO_MANY, "manifest: ", "initConfig.services", "65 entries");
}

Test(manifest_validate, too_many_binaries)
{
	m.binary_count = MF_MAX_BINARIES + 1;
	expect_error(MF_ERR_TOO_MANY, "manifest: ", "binaries", "at most");
}

Test(manifest_validate, too_many_caps)
{
	services[1].cap_count = MF_MAX_CAPS + 1;
	expect_error(MF_ERR_TOO_MANY, "service \"client\"", "caps: 81 entries", NULL);
}

Test(manifest_validate, too_many_init_caps)
{
	m.init_cap_count = MF_MAX_CAPS + 1;
	expect_error(MF_ERR_TOO_MANY, "init: ", "caps", NULL);
}

Test(manifest_validate, too_many_exports)
{
	services[0].export_count = MF_MAX_EXPORTS + 1;
	expect_error(MF_ERR_TOO_MANY, "service \"server\"", "exports", NULL);
}

Test(manifest_validate, bad_binary_name)
{
	bins[1].name = S("bad/name");
	expect_error(MF_ERR_BAD_NAME, "manifest: ", "binaries[1].name", "\"bad/name\"");
}

Test(manifest_validate, bad_service_name)
{
	services[0].name = S("9lives");
	expect_error(MF_ERR_BAD_NAME, "services[0].name", "\"9lives\"", NULL);
}

Test(manifest_validate, empty_and_too_long_names)
{
	services[1].caps = client_caps;
	client_caps[0].name = S("");
	expect_error(MF_ERR_BAD_NAME, "service \"client\"", "caps[0].name", NULL);
	setup();
	client_caps[0].name = S("a_name_that_is_longer_than_31_by");
	expect_error(MF_ERR_BAD_NAME, "service \"client\"", "caps[0].name", NULL);
	setup();
	client_caps[0].name = S("exactly_31_bytes_is_still_fine_");
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
}

Test(manifest_validate, name_with_control_bytes_is_escaped)
{
	client_caps[0].name = S("a\nb");
	expect_error(MF_ERR_BAD_NAME, "caps[0].name", "\"a\\x0ab\"", NULL);
}

Test(manifest_validate, bad_init_binary_name)
{
	m.init_binary = S("..");
	expect_error(MF_ERR_BAD_NAME, "init: ", "binary", NULL);
}

Test(manifest_validate, bad_service_binary_name)
{
	services[0].binary = S("-x");
	expect_error(MF_ERR_BAD_NAME, "service \"server\"", "binary", NULL);
}

Test(manifest_validate, bad_source_names)
{
	client_caps[1].service = S("no way");
	expect_error(MF_ERR_BAD_NAME, "service \"client\"", "caps[1].source.service.name", NULL);
	setup();
	client_caps[1].export_name = S("");
	expect_error(MF_ERR_BAD_NAME, "service \"client\"", "caps[1].source.service.export", NULL);
}

Test(manifest_validate, bad_export_name)
{
	server_exports[0] = S("e p");
	expect_error(MF_ERR_BAD_NAME, "service \"server\"", "exports[0]", NULL);
}

Test(manifest_validate, duplicate_binary)
{
	bins[2].name = S("echo_server");
	expect_error(MF_ERR_DUPLICATE, "binaries[2].name", "also binaries[1]", NULL);
}

Test(manifest_validate, duplicate_service)
{
	services[1].name = S("server");
	expect_error(MF_ERR_DUPLICATE, "service \"server\" (services[1])", "name: duplicate", "services[0]");
}

Test(manifest_validate, duplicate_cap_name)
{
	client_caps[1].name = S("console");
	expect_error(MF_ERR_DUPLICATE, "service \"client\"", "caps[1].name", "also caps[0]");
}

Test(manifest_validate, duplicate_init_cap_name)
{
	init_caps[2].name = S("console");
	expect_error(MF_ERR_DUPLICATE, "init: ", "caps[2].name", NULL);
}

Test(manifest_validate, duplicate_export)
{
	struct mf_str two[2] = {S("ep"), S("ep")};
	services[0].exports = two;
	services[0].export_count = 2;
	expect_error(MF_ERR_DUPLICATE, "service \"server\"", "exports[1]", NULL);
}

Test(manifest_validate, unknown_service_binary)
{
	services[1].binary = S("nope");
	expect_error(MF_ERR_UNKNOWN_BINARY, "service \"client\"", "binary", "\"nope\"");
}

Test(manifest_validate, unknown_init_binary)
{
	m.init_binary = S("init2");
	expect_error(MF_ERR_UNKNOWN_BINARY, "init: ", "binary", "\"init2\"");
}

Test(manifest_validate, empty_binary)
{
	bins[2].size = 0;
	expect_error(MF_ERR_EMPTY_BINARY, "binaries[2].data", "\"echo_client\"", NULL);
	setup();
	bins[0].data = NULL;
	expect_error(MF_ERR_EMPTY_BINARY, "binaries[0].data", NULL, NULL);
}

Test(manifest_validate, out_of_range_kernel_cap)
{
	server_caps[1].kernel = MF_KCAP_COUNT;
	expect_error(MF_ERR_BAD_KERNEL_CAP, "service \"server\"", "caps[1].source.kernel", "16");
}

Test(manifest_validate, out_of_range_source_kind)
{
	client_caps[1].kind = (enum mf_source_kind)5;
	expect_error(MF_ERR_BAD_KERNEL_CAP, "service \"client\"", "caps[1].source", "kind 5");
}

Test(manifest_validate, boot_package_only_for_init)
{
	server_caps[0].kernel = MF_KCAP_BOOT_PACKAGE;
	expect_error(MF_ERR_NOT_GRANTABLE, "service \"server\"", "caps[0].source.kernel", "bootPackage");
}

Test(manifest_validate, boot_package_schema_view_for_services)
{
	server_caps[0].kernel = MF_KCAP_BOOT_PACKAGE;
	server_caps[0].badge = 1; /* the schema view */
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
}

Test(manifest_validate, terminal_has_one_holder)
{
	init_caps[2] = kcap(S("terminal"), MF_KCAP_TERMINAL); /* in place of bootPackage */
	server_caps[0] = kcap(S("tty"), MF_KCAP_TERMINAL);
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
	client_caps[0] = kcap(S("tty"), MF_KCAP_TERMINAL);
	expect_error(MF_ERR_NOT_GRANTABLE, "service \"client\"", "caps[0].source.kernel",
	             "terminal already granted to \"server\"");
}

Test(manifest_validate, missing_capability_source_service)
{
	client_caps[1].service = S("nosuch");
	expect_error(MF_ERR_UNKNOWN_SERVICE, "service \"client\"", "caps[1].source.service.name", "\"nosuch\"");
}

Test(manifest_validate, source_not_exported)
{
	client_caps[1].export_name = S("console");
	expect_error(MF_ERR_NOT_EXPORTED, "service \"client\"", "caps[1].source.service.export",
	             "\"server\" does not export \"console\"");
}

Test(manifest_validate, export_not_held)
{
	server_exports[0] = S("missing");
	expect_error(MF_ERR_EXPORT_NOT_HELD, "service \"server\"", "exports[0]", "\"missing\"");
}

Test(manifest_validate, init_cannot_import)
{
	init_caps[0] = scap(S("x"), S("server"), S("ep"));
	expect_error(MF_ERR_INIT_IMPORT, "init: ", "caps[0].source.service", NULL);
}

Test(manifest_validate, self_import_is_a_cycle)
{
	server_caps[0] = scap(S("me"), S("server"), S("ep"));
	expect_error(MF_ERR_CYCLE, "service \"server\"", "caps[0].source.service.name", "itself");
}

Test(manifest_validate, two_service_cycle)
{
	/* server now also imports from client, which exports its console. */
	struct mf_str client_exports[1] = {S("console")};
	services[1].exports = client_exports;
	services[1].export_count = 1;
	server_caps[0] = scap(S("console"), S("client"), S("console"));
	expect_error(MF_ERR_CYCLE, "caps: dependency cycle", "\"server\" -> \"client\" -> \"server\"", NULL);
}

Test(manifest_validate, three_service_cycle_behind_a_good_service)
{
	static struct mf_cap a_caps[2], b_caps[2], c_caps[2];
	static struct mf_str exp[1];
	static struct mf_service svc[4];
	exp[0] = S("ep");
	a_caps[0] = kcap(S("ep"), MF_KCAP_ENDPOINT);
	a_caps[1] = scap(S("from_c"), S("c"), S("ep"));
	b_caps[0] = kcap(S("ep"), MF_KCAP_ENDPOINT);
	b_caps[1] = scap(S("from_a"), S("a"), S("ep"));
	c_caps[0] = kcap(S("ep"), MF_KCAP_ENDPOINT);
	c_caps[1] = scap(S("from_b"), S("b"), S("ep"));
	svc[0] = services[0];
	/* clang-format off */
	svc[1] = (struct mf_service){ .name = S("a"), .binary = S("echo_client"),
		.caps = a_caps, .cap_count = 2, .exports = exp, .export_count = 1 };
	svc[2] = (struct mf_service){ .name = S("b"), .binary = S("echo_client"),
		.caps = b_caps, .cap_count = 2, .exports = exp, .export_count = 1 };
	svc[3] = (struct mf_service){ .name = S("c"), .binary = S("echo_client"),
		.caps = c_caps, .cap_count = 2, .exports = exp, .export_count = 1 };
	/* clang-format on */
	m.services = svc;
	m.service_count = 4;
	expect_error(MF_ERR_CYCLE, "dependency cycle", "\"a\" -> \"c\" -> \"b\" -> \"a\"", NULL);
}

Test(manifest_validate, bad_restart_policy)
{
	services[1].restart = MF_RESTART_COUNT;
	expect_error(MF_ERR_BAD_RESTART, "service \"client\"", "restart", NULL);
}

Test(manifest_validate, long_hostile_name_is_truncated_in_message)
{
	static char big[300];
	memset(big, 'x', sizeof(big));
	services[1].binary = (struct mf_str){big, sizeof(big)};
	expect_error(MF_ERR_BAD_NAME, "service \"client\"", "binary", "...");
	cr_assert(strlen(err.message) < sizeof(err.message));
}

Test(manifest_validate, name_tables_round_trip)
{
	for (uint32_t k = 0; k < MF_KCAP_COUNT; k++)
		cr_assert_eq(mf_kernel_cap_from_name(mf_str_c(mf_kernel_cap_name(k))), (int)k);
	for (uint32_t r = 0; r < MF_RESTART_COUNT; r++)
		cr_assert_eq(mf_restart_from_name(mf_str_c(mf_restart_name(r))), (int)r);
	cr_assert_null(mf_kernel_cap_name(MF_KCAP_COUNT));
	cr_assert_null(mf_restart_name(MF_RESTART_COUNT));
	cr_assert_eq(mf_kernel_cap_from_name(S("Console")), -1);
	cr_assert_eq(mf_restart_from_name(S("")), -1);
}

#include "capos.capnp.h"

Test(manifest_validate, interface_ids_follow_imports_to_kernel_sources)
{
	cr_assert_eq(mf_kernel_cap_interface(MF_KCAP_CONSOLE), capos_Console_ID);
	cr_assert_eq(mf_kernel_cap_interface(MF_KCAP_FRAME_ALLOCATOR), capos_FrameAllocator_ID);
	cr_assert_eq(mf_kernel_cap_interface(MF_KCAP_VIRTUAL_MEMORY), capos_VirtualMemory_ID);
	cr_assert_eq(mf_kernel_cap_interface(MF_KCAP_ENDPOINT), capos_Endpoint_ID);
	cr_assert_eq(mf_kernel_cap_interface(MF_KCAP_PROCESS_SPAWNER), capos_ProcessSpawner_ID);
	cr_assert_eq(mf_kernel_cap_interface(MF_KCAP_BOOT_PACKAGE), capos_BootPackage_ID);
	cr_assert_eq(mf_kernel_cap_interface(MF_KCAP_COUNT), 0);

	/* client's "server" import -> server's "ep" -> kernel endpoint. */
	cr_assert_eq(mf_cap_interface(&m, &client_caps[1]), capos_Endpoint_ID);
	cr_assert_eq(mf_cap_kernel_source(&m, &client_caps[1]), &server_caps[1]);
	cr_assert_eq(mf_cap_interface(&m, &client_caps[0]), capos_Console_ID);

	/* Unresolvable chains give 0 instead of looping or crashing. */
	client_caps[1].service = S("nosuch");
	cr_assert_eq(mf_cap_interface(&m, &client_caps[1]), 0);
	setup();
	client_caps[1].export_name = S("missing");
	cr_assert_eq(mf_cap_interface(&m, &client_caps[1]), 0);
	setup();
	server_caps[1] = scap(S("ep"), S("client"), S("ep")); /* a cycle */
	static struct mf_str cexp[1];
	cexp[0] = S("server");
	services[1].exports = cexp;
	services[1].export_count = 1;
	cr_assert_null(mf_cap_kernel_source(&m, &client_caps[1]));
}

Test(manifest_validate, services_get_only_kernel_caps_init_holds)
{
	/* init holds console, processSpawner, bootPackage: not virtualMemory. */
	server_caps[0].kernel = MF_KCAP_VIRTUAL_MEMORY;
	expect_error(MF_ERR_NOT_GRANTABLE, "service \"server\"", "caps[0].source.kernel",
	             "init holds no virtualMemory to pass on");
	setup();
	/* Endpoints are created for the service, init need not hold one. */
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
	setup();
	server_caps[0].kernel = MF_KCAP_PROCESS_SPAWNER;
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
}

Test(manifest_validate, interface_only_on_an_endpoint_and_resolved)
{
	server_caps[1].interface_name = S("Greeter");
	server_caps[1].interface_id = 0xc2c869df1bb23712ull;
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
	cr_assert_eq(mf_cap_interface(&m, &client_caps[1]), 0xc2c869df1bb23712ull,
	             "the import carries the declared interface");
	cr_assert_neq(mf_cap_interface(&m, &server_caps[1]), 0xc2c869df1bb23712ull,
	              "the owner's own cap stays an Endpoint");
	server_caps[1].interface_id = 0;
	expect_error(MF_ERR_BAD_INTERFACE, "service \"server\" (services[0])",
	             "caps[1].interface", "\"Greeter\" has no interface id");
	server_caps[1].interface_id = 0xc2c869df1bb23712ull;
	server_caps[1].interface_name = S("bad name");
	expect_error(MF_ERR_BAD_INTERFACE, "caps[1].interface", "\"bad name\"", NULL);
	server_caps[1].interface_name = S("Greeter");
	server_caps[0].interface_name = S("Console");
	server_caps[0].interface_id = 1;
	expect_error(MF_ERR_BAD_INTERFACE, "caps[0].interface", "only an `endpoint` cap", NULL);
	server_caps[0].interface_name = (struct mf_str){0};
	server_caps[0].interface_id = 0;
	client_caps[1].interface_name = S("Greeter");
	client_caps[1].interface_id = 5;
	expect_error(MF_ERR_BAD_INTERFACE, "service \"client\"", "caps[1].interface", NULL);
}

/* ---- device grants ---- */

static struct mf_cap dcap(struct mf_str name, enum mf_kernel_cap k, struct mf_str pci)
{
	struct mf_cap c = kcap(name, k);
	c.device.pci = pci;
	c.device.bar = 4;
	c.device.bytes = 65536;
	return c;
}

/* The server also drives 1af4:1041: a notification, its BAR 4, MSI-X 0, a pool. */
static struct mf_cap driver_caps[6];

static void with_driver(void)
{
	driver_caps[0] = kcap(S("console"), MF_KCAP_CONSOLE);
	driver_caps[1] = kcap(S("ep"), MF_KCAP_ENDPOINT);
	driver_caps[2] = kcap(S("events"), MF_KCAP_NOTIFICATION);
	driver_caps[3] = dcap(S("mmio"), MF_KCAP_DEVICE_MMIO, S("1af4:1041"));
	driver_caps[4] = dcap(S("irq"), MF_KCAP_INTERRUPT, S("1af4:1041"));
	driver_caps[5] = dcap(S("dma"), MF_KCAP_DMA_POOL, S("1af4:1041"));
	services[0].caps = driver_caps;
	services[0].cap_count = 6;
}

Test(manifest_validate, device_grants_pass_without_init_holding_them)
{
	with_driver();
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
	cr_assert(mf_kernel_cap_per_service(MF_KCAP_NOTIFICATION));
	cr_assert(!mf_kernel_cap_is_device(MF_KCAP_NOTIFICATION));
	cr_assert(mf_kernel_cap_is_device(MF_KCAP_DMA_POOL));
	cr_assert(!mf_kernel_cap_per_service(MF_KCAP_CONSOLE));
}

Test(manifest_validate, second_driver_for_a_device_names_both)
{
	with_driver();
	client_caps[1] = dcap(S("mmio"), MF_KCAP_DEVICE_MMIO, S("1af4:1041"));
	expect_error(MF_ERR_DEVICE_TAKEN, "service \"client\"", "\"1af4:1041\" asked for by both",
	             "\"server\" and \"client\" (one driver per device)");
}

Test(manifest_validate, another_device_is_fine)
{
	with_driver();
	client_caps[1] = dcap(S("mmio"), MF_KCAP_DEVICE_MMIO, S("8086:10d3"));
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
}

Test(manifest_validate, device_cap_without_or_with_a_bad_device)
{
	with_driver();
	driver_caps[3].device.pci = S("");
	expect_error(MF_ERR_BAD_DEVICE, "service \"server\"", "caps[3].device", "needs device.pci");
	driver_caps[3].device.pci = S("1AF4:1041");
	expect_error(MF_ERR_BAD_DEVICE, "caps[3].device", "lower-case hex", NULL);
	driver_caps[3].device.pci = S("1af4-1041");
	expect_error(MF_ERR_BAD_DEVICE, "caps[3].device", "vvvv:dddd", NULL);
	driver_caps[3].device.pci = S("1af4:1041");
	driver_caps[3].device.bar = 6;
	expect_error(MF_ERR_BAD_DEVICE, "caps[3].device", "0..5", NULL);
}

Test(manifest_validate, dma_pool_size_rules)
{
	with_driver();
	uint64_t bad[] = {0, 4095, 4097, MF_DMA_POOL_MAX + 4096};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		driver_caps[5].device.bytes = bad[i];
		expect_error(MF_ERR_BAD_DEVICE, "caps[5].device", "multiple of 4096", NULL);
	}
	driver_caps[5].device.bytes = MF_DMA_POOL_MAX;
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
}

Test(manifest_validate, device_on_a_non_device_cap_refused)
{
	with_driver();
	driver_caps[0].device.pci = S("1af4:1041");
	expect_error(MF_ERR_BAD_DEVICE, "caps[0].device", "only a deviceMmio, interrupt or dmaPool", NULL);
	driver_caps[0].device.pci = S("");
	client_caps[1].device.pci = S("1af4:1041");
	expect_error(MF_ERR_BAD_DEVICE, "service \"client\"", "caps[1].device", NULL);
}

Test(manifest_validate, init_holds_no_per_service_cap)
{
	init_caps[0] = kcap(S("events"), MF_KCAP_NOTIFICATION);
	expect_error(MF_ERR_NOT_GRANTABLE, "init: ", "notification is made by the kernel", NULL);
}

Test(manifest_validate, same_device_part_twice_refused)
{
	with_driver();
	driver_caps[2] = dcap(S("dma2"), MF_KCAP_DMA_POOL, S("1af4:1041"));
	expect_error(MF_ERR_DUPLICATE, "caps[5].device", "the same dmaPool of \"1af4:1041\" as caps[2]",
	             NULL);
	driver_caps[2] = dcap(S("mmio1"), MF_KCAP_DEVICE_MMIO, S("1af4:1041"));
	driver_caps[2].device.bar = 1;
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "another BAR is fine: %s", err.message);
}

Test(manifest_validate, per_service_cap_cannot_be_exported)
{
	with_driver();
	server_exports[0] = S("events");
	client_caps[1] = scap(S("server"), S("server"), S("events"));
	expect_error(MF_ERR_NOT_GRANTABLE, "service \"server\"", "exports[0]",
	             "the kernel made for this service only");
}

Test(manifest_validate, pci_parse)
{
	uint16_t v = 0, d = 0;
	cr_assert_eq(mf_pci_parse(S("1af4:1041"), &v, &d), 0);
	cr_assert_eq(v, 0x1af4);
	cr_assert_eq(d, 0x1041);
	cr_assert_eq(mf_pci_parse(S("ffff:0000"), &v, &d), 0);
	cr_assert_eq(v, 0xffff);
	cr_assert_eq(mf_pci_parse(S("1af4:104"), &v, &d), -1);
	cr_assert_eq(mf_pci_parse(S("1af4:10411"), &v, &d), -1);
	cr_assert_eq(mf_pci_parse(S("1af4:1g41"), &v, &d), -1);
	cr_assert_eq(mf_pci_parse((struct mf_str){NULL, 9}, &v, &d), -1);
}

Test(manifest_validate, device_by_class)
{
	uint8_t c = 0, s = 0;
	cr_assert_eq(mf_pci_class_parse(S("class:0200"), &c, &s), 0);
	cr_assert_eq(c, 2);
	cr_assert_eq(s, 0);
	cr_assert_eq(mf_pci_class_parse(S("class:02000"), &c, &s), -1);
	cr_assert_eq(mf_pci_class_parse(S("klass:0200"), &c, &s), -1);
	cr_assert_eq(mf_pci_class_parse(S("class:02g0"), &c, &s), -1);
	with_driver();
	driver_caps[3].device.pci = S("class:0200");
	cr_assert_eq(mf_validate(&m, order, &err), MF_OK, "%s", err.message);
	driver_caps[3].device.pci = S("class:200");
	expect_error(MF_ERR_BAD_DEVICE, "caps[3].device", "\"class:ccss\"", NULL);
}
