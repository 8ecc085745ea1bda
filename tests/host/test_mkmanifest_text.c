/*
 * mkmanifest's text handling: interface names read from generated headers
 * (tools/mkmanifest/iface.c) and the rewrite of CUE's messages about an
 * unknown kernel cap kind (tools/mkmanifest/cue_errors.c).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cue_errors.h"
#include "iface.h"

static const char header_a[] =
	"/* interface a.capnp:Echo */\n#define a_Echo_ID UINT64_C(0x1111)\n#define a_Echo_x_METHOD 0\n"
	"/* interface a.capnp:Only */\n#define a_Only_ID UINT64_C(0x2222)\n";
static const char header_b[] =
	"#define b_Echo_echo_Params_ID UINT64_C(0x9999)\n"
	"/* interface b.capnp:Echo */\n#define b_Echo_ID UINT64_C(0x3333)\n";

Test(iface, scans_headers_and_resolves_plain_and_prefixed_names)
{
	static struct iface_table t;
	char err[128];
	int amb;
	cr_assert_eq(iface_scan(&t, header_a, err, sizeof err), 0);
	cr_assert_eq(iface_scan(&t, header_b, err, sizeof err), 0);
	cr_assert_eq(t.count, 3, "struct ids are not interfaces");
	cr_assert_eq(iface_lookup(&t, "Only", 4, &amb), 0x2222);
	cr_assert_eq(iface_lookup(&t, "Echo", 4, &amb), 0, "two schemas define Echo");
	cr_assert_eq(amb, 1);
	cr_assert_eq(iface_lookup(&t, "b.Echo", 6, &amb), 0x3333);
	cr_assert_eq(iface_lookup(&t, "a.Echo", 6, &amb), 0x1111);
	cr_assert_eq(iface_lookup(&t, "Nope", 4, &amb), 0);
	cr_assert_eq(amb, 0);
	char list[64];
	iface_list(&t, list, sizeof list);
	cr_assert_str_eq(list, "a.Echo, a.Only, b.Echo");
	iface_list(&t, list, 12);
	cr_assert_str_eq(list, "a.Echo, ...");
}

Test(iface, the_real_generated_headers_name_greeter)
{
	static struct iface_table t;
	char err[128];
	int amb;
	cr_assert_eq(iface_load_dir(&t, "generated", err, sizeof err), 0, "%s", err);
	cr_assert_eq(iface_lookup(&t, "Greeter", 7, &amb), 0xc2c869df1bb23712ull);
	cr_assert_eq(iface_lookup(&t, "capos.Console", 13, &amb), 0xc86a45f046c44b68ull);
	cr_assert_eq(iface_load_dir(&t, "no/such/dir", err, sizeof err), -1);
	cr_assert(strstr(err, "no/such/dir") != NULL, "%s", err);
}

Test(cue_errors, unknown_kernel_kind_becomes_one_line_with_the_valid_kinds)
{
	const char *path = "build/host/cue_errors_case.cue";
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("package capos\n"
	      "system: initConfig: services: [\n"
	      "\t{\n"
	      "\t\tname: \"svc\"\n"
	      "\t\tcaps: [{name: \"frames\", source: kernel: \"frameAlocator\"}]\n"
	      "\t},\n"
	      "]\n",
	      f);
	fclose(f);
	char text[1024];
	snprintf(text, sizeof text,
	         "system.initConfig.services.0.caps.0.source: 8 errors in empty disjunction:\n"
	         "system.initConfig.services.0.caps.0.source: field kernel not allowed:\n"
	         "    ./cue/manifest.cue:28:17\n"
	         "    %s:5:29\n"
	         "system.initConfig.services.0.caps.0.source.kernel: conflicting values \"bootPackage\" and \"frameAlocator\":\n"
	         "    %s:5:37\n"
	         "    ./cue/manifest.cue:23:21\n"
	         "system.initConfig.services.0.caps.0.source.kernel: conflicting values \"console\" and \"frameAlocator\":\n"
	         "    %s:5:37\n"
	         "system.initConfig.services.0.binary: incomplete value string\n"
	         "    ./x.cue:3:1\n",
	         path, path, path);
	char *out = cue_errors_rewrite(text, strlen(text));
	cr_assert_not_null(out);
	char want[400];
	snprintf(want, sizeof want,
	         "%s:5: service \"svc\" cap \"frames\": unknown kernel capability kind \"frameAlocator\"; "
	         "valid kinds: console, frameAllocator, virtualMemory, endpoint, processSpawner, "
	         "bootPackage, notification, interrupt, deviceMmio, dmaPool, timer, entropySource, terminal, systemMonitor, threadSpawner, parkSpace\n"
	         "system.initConfig.services.0.binary: incomplete value string\n"
	         "    ./x.cue:3:1\n",
	         path);
	cr_assert_str_eq(out, want);
	free(out);
}

Test(cue_errors, other_messages_pass_unchanged)
{
	const char *text = "system.x: conflicting values 1 and \"a\":\n    ./s.cue:1:2\n";
	char *out = cue_errors_rewrite(text, strlen(text));
	cr_assert_str_eq(out, text);
	free(out);
}
