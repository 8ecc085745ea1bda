/*
 * lib/manifest/limits.c: a system that passes the graph rules but does not
 * fit the kernel's tables (include/capos/limits.h) is refused, each limit
 * at exactly one past what fits, with a message naming the service, the
 * limit and its constant; the largest systems that fit pass.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <capos/limits.h>

#include "manifest/manifest.h"

#define S(lit) ((struct mf_str){lit, sizeof(lit) - 1})
#define NSVC   40u
#define NCAPS  80u

static const uint8_t elf[] = {0x7f, 'E', 'L', 'F'};
static struct mf_binary bins[2];
static struct mf_cap init_caps[NCAPS];
static struct mf_cap svc_caps[NSVC][NCAPS];
static char names[NSVC][16];
static char cap_names[NCAPS][16];
static struct mf_service services[NSVC];
static struct mf_manifest m;
static struct mf_error err;

/* Service i holds caps[0] console and `eps` endpoints ep1..; `extra`
 * more consoles c1.. make up larger tables. */
static void shape(uint32_t i, uint32_t eps, uint32_t extra)
{
	uint32_t n = 0;
	/* clang-format off */
	svc_caps[i][n++] = (struct mf_cap){ .name = S("console"), .kind = MF_SOURCE_KERNEL,
					    .kernel = MF_KCAP_CONSOLE };
	/* clang-format on */
	for (uint32_t k = 0; k < eps + extra; k++) {
		struct mf_cap *c = &svc_caps[i][n++];
		/* clang-format off */
		*c = (struct mf_cap){ .name = mf_str_c(cap_names[k]), .kind = MF_SOURCE_KERNEL,
				      .kernel = k < eps ? MF_KCAP_ENDPOINT : MF_KCAP_CONSOLE };
		/* clang-format on */
	}
	services[i].cap_count = n;
}

/* count services of one console cap each; init holds 3 caps. */
static void system_of(uint32_t count)
{
	m.service_count = count;
	for (uint32_t i = 0; i < count; i++)
		shape(i, 0, 0);
}

static void setup(void)
{
	bins[0] = (struct mf_binary){S("init"), elf, sizeof(elf)};
	bins[1] = (struct mf_binary){S("svc"), elf, sizeof(elf)};
	init_caps[0] = (struct mf_cap){.name = S("console"), .kernel = MF_KCAP_CONSOLE};
	init_caps[1] = (struct mf_cap){.name = S("spawner"), .kernel = MF_KCAP_PROCESS_SPAWNER};
	init_caps[2] = (struct mf_cap){.name = S("boot"), .kernel = MF_KCAP_BOOT_PACKAGE};
	for (uint32_t k = 0; k < NCAPS; k++)
		snprintf(cap_names[k], sizeof cap_names[k], "c%u", k + 1);
	for (uint32_t i = 0; i < NSVC; i++) {
		snprintf(names[i], sizeof names[i], "s%u", i + 1);
		/* clang-format off */
		services[i] = (struct mf_service){ .name = mf_str_c(names[i]), .binary = S("svc"),
						   .caps = svc_caps[i] };
		/* clang-format on */
	}
	m = (struct mf_manifest){
		.schema_version = MF_SCHEMA_VERSION,
		.binaries = bins,
		.binary_count = 2,
		.init_binary = S("init"),
		.init_caps = init_caps,
		.init_cap_count = 3,
		.services = services,
	};
	system_of(2);
	memset(&err, 0, sizeof(err));
}

TestSuite(manifest_limits, .init = setup);

static void expect_ok(void)
{
	cr_assert_eq(mf_validate(&m, NULL, &err), MF_OK, "graph: %s", err.message);
	cr_assert_eq(mf_check_limits(&m, NULL, &err), MF_OK, "limits: %s", err.message);
}

/* The graph is valid, the limits refuse it with every given part. */
static void expect_limit(const char *a, const char *b, const char *c)
{
	cr_assert_eq(mf_validate(&m, NULL, &err), MF_OK, "graph: %s", err.message);
	cr_assert_eq(mf_check_limits(&m, NULL, &err), MF_ERR_KERNEL_LIMIT);
	cr_assert_eq(err.code, MF_ERR_KERNEL_LIMIT);
	const char *parts[] = {a, b, c, "include/capos/limits.h"};
	for (int i = 0; i < 4; i++)
		if (parts[i])
			cr_assert(strstr(err.message, parts[i]) != NULL,
			          "message \"%s\" lacks \"%s\"", err.message, parts[i]);
}

Test(manifest_limits, small_system_fits)
{
	expect_ok();
}

Test(manifest_limits, services_fill_the_process_table_with_init)
{
	system_of(CAPOS_PROC_MAX - 1);
	expect_ok();
	system_of(CAPOS_PROC_MAX);
	expect_limit("initConfig.services: 32 services", "at most 31 services",
	             "CAPOS_PROC_MAX = 32");
}

Test(manifest_limits, caps_per_service_fill_its_table)
{
	shape(1, 0, CAPOS_PROC_CAP_SLOTS - 1);
	expect_ok();
	shape(1, 0, CAPOS_PROC_CAP_SLOTS);
	expect_limit("service \"s2\" (services[1])", "caps: 65 caps",
	             "CAPOS_PROC_CAP_SLOTS = 64");
}

Test(manifest_limits, init_caps_fill_its_table)
{
	for (uint32_t k = 3; k < CAPOS_PROC_CAP_SLOTS + 1; k++)
		init_caps[k] = (struct mf_cap){.name = mf_str_c(cap_names[k]),
		                               .kernel = MF_KCAP_CONSOLE};
	m.init_cap_count = CAPOS_PROC_CAP_SLOTS + 1;
	system_of(0);
	expect_limit("init: caps: 65 caps", "CAPOS_PROC_CAP_SLOTS", NULL);
	cr_assert(strncmp(err.message, "init: ", 6) == 0, "%s", err.message);
}

Test(manifest_limits, endpoints_per_spawn)
{
	shape(0, CAPOS_SPAWN_MAX_NEW_ENDPOINTS, 0);
	expect_ok();
	shape(0, CAPOS_SPAWN_MAX_NEW_ENDPOINTS + 1, 0);
	expect_limit("service \"s1\"", "16 endpoint caps", "CAPOS_SPAWN_MAX_NEW_ENDPOINTS = 15");
}

/* The system's endpoints have no fixed bound (the kernel's pool grows
 * with memory): 45 endpoints over 3 services pass. */
Test(manifest_limits, endpoints_in_the_whole_system_are_not_bounded)
{
	system_of(3);
	shape(0, 15, 0);
	shape(1, 15, 0);
	shape(2, 15, 0);
	expect_ok();
}

/*
 * init holds its 3 caps + per service 1 ProcessHandle + 1 client facet per
 * endpoint: 30 services, 32 endpoints is 3 + 30 + 32 = 65 > 64, although
 * each service fits.
 */
Test(manifest_limits, init_table_holds_a_handle_and_facets_per_service)
{
	system_of(30);
	expect_ok(); /* 3 + 30 = 33 */
	for (uint32_t i = 0; i < 15; i++)
		shape(i, 2, 0);
	shape(29, 1, 0);
	expect_ok(); /* 3 + 30 + 31 = 64: exactly full */
	shape(29, 2, 0);
	expect_limit("service \"s30\" (services[29])", "init's own capability table needs 65 slots",
	             NULL);
}

Test(manifest_limits, start_order_decides_where_init_overflows)
{
	system_of(30);
	for (uint32_t i = 0; i < 15; i++)
		shape(i, 2, 0);
	shape(29, 2, 0);
	uint32_t order[30];
	for (uint32_t i = 0; i < 30; i++)
		order[i] = 29 - i; /* s30 first: s1 is the one that crosses 64 */
	cr_assert_eq(mf_check_limits(&m, order, &err), MF_ERR_KERNEL_LIMIT);
	cr_assert(strstr(err.message, "service \"s1\" (services[0])") != NULL, "%s", err.message);
}
